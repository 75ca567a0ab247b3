"""Quality against a reference reproduction: style distance S, content distance C, grain HF.

For each of the paper's Fig. 3 pairs (Tübingen with The Starry Night, The Scream, The
Shipwreck, Composition VII) this runs ``python -m styletransfer_tf transfer`` at 512 px
as a user would (a fresh process, start-up included in the time), scores the result
and the reference's image with ``styletransfer_tf.metrics`` and prints one table:

    S, C, HF of ours and of the reference, S/S_ref x C/C_ref, pass/fail, seconds.

A result passes when (S/S_ref)(C/C_ref) <= 1, S <= 2 S_ref, C <= 2 C_ref and
HF <= 1.25 max(HF_ref, HF of the style image at the result's shape). The time-to-quality
columns say whether a pair passed within 3, 5 and 10 minutes: the run saves snapshots
during its last scale, and each is scored at the time it was reached.

    python benchmarks/quality.py                       # the defaults, all four pairs
    python benchmarks/quality.py --optimizer adam      # the Adam path
    python benchmarks/quality.py --pairs the_scream -- --steps 50   # extra transfer options
    python benchmarks/quality.py --reference-only      # check the metric on the references
    python benchmarks/quality.py --json r.json --figure cmp.png   # also the comparison figure

Needs the VGG19 weights ($STYLETRANSFER_VGG19_WEIGHTS), the paper's images
($STYLETRANSFER_IMAGES or --images) and the reference folder (--reference).
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from styletransfer_tf import images as imgs  # noqa: E402
from styletransfer_tf import metrics  # noqa: E402

CONTENT = "tubingen.jpg"
#: style image -> the reference's file of the same pair
PAIRS = {"starry_night": "tubingen_starry.png", "the_scream": "tubingen_scream.png",
         "shipwreck": "tubingen_shipwreck.png",
         "composition_vii": "tubingen_composition_vii.png"}
BUDGETS = (180, 300, 600)
SHARED = REPO.parent / "shared"


def first_two_conditions(ours, ref):
    """The trade-off and no-single-axis conditions of the issue's rule: (S/S_ref)(C/C_ref)
    <= 1, S <= 2 S_ref, C <= 2 C_ref; returns (passed, product)."""
    product = ours["S"] / ref["S"] * ours["C"] / ref["C"]
    return product <= 1 and ours["S"] <= 2 * ref["S"] and ours["C"] <= 2 * ref["C"], product


def passes(ours, ref, hf_style):
    """The issue's pass rule for one pair (the first two conditions and no more grain than
    the reference or the painting); returns (passed, product)."""
    ok, product = first_two_conditions(ours, ref)
    return ok and ours["HF"] <= 1.25 * max(ref["HF"], hf_style), product


def score_reference(images, reference, extractor):
    """Scores of the reference images and the style images' grain, per pair."""
    out = {}
    for style, ref_file in PAIRS.items():
        ref_rgb = imgs.load_image(reference / ref_file)
        content = imgs.resize(imgs.load_image(images / CONTENT), shape=ref_rgb.shape[:2])
        style_rgb = imgs.load_image(images / f"{style}.jpg")
        hf_style = (metrics.laplacian_energy(imgs.resize(style_rgb, shape=ref_rgb.shape[:2]))
                    / metrics.laplacian_energy(content))
        out[style] = {"ref": metrics.score_images(ref_rgb, content, style_rgb, extractor),
                      "hf_style": hf_style}
    return out


def run_transfer(images, style, out_dir, options, save_every):
    """Run the CLI once; return (result path, wall seconds, history dict)."""
    output = Path(out_dir) / f"tubingen_{style}.png"
    cmd = [sys.executable, "-m", "styletransfer_tf", "transfer", str(images / CONTENT),
           str(images / f"{style}.jpg"), "-o", str(output), "--size", "512", "--quiet",
           "--overwrite", "--save-every", str(save_every), *options]
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"transfer failed for {style}: {proc.stderr.strip()[-500:]}")
    history = json.loads(output.with_suffix(".json").read_text())
    return output, seconds, history


def time_to_quality(output, seconds, history, ref, hf_style, content, style_rgb, extractor):
    """Score every snapshot of the last scale at the time it was reached (start-up
    included: the process's wall time minus the optimisation's own end time is added);
    return the first passing time or None, and the scored points."""
    startup = seconds - history["seconds"][-1]
    points = []
    steps = history["step"]
    for path in sorted(output.parent.glob(f"{output.stem}_step*{output.suffix}")):
        step = int(path.stem.rsplit("_step", 1)[1])
        row = len(steps) - 1 - steps[::-1].index(step)  # last row of that step number
        at = startup + history["seconds"][row]
        score = metrics.score_images(imgs.load_image(path), content, style_rgb, extractor)
        points.append({"step": step, "seconds": at, **score,
                       "passes": passes(score, ref, hf_style)[0]})
    passing = [p["seconds"] for p in points if p["passes"]]
    return (min(passing) if passing else None), points


def save_comparison(rows, reference, path):
    """Our result of each pair above the reference's, with S, C, HF (and our seconds)."""
    from styletransfer_tf import plotting

    def caption(who, score, extra=""):
        return f"{who}\nS {score['S']:.3g}  C {score['C']:.2f}  HF {score['HF']:.2f}{extra}"

    panels, titles = [], []
    for row in rows:
        panels.append(imgs.load_image(row["output"]).astype(np.uint8))
        titles.append(caption(f"ours: {row['pair'].replace('_', ' ')}", row["ours"],
                              f"  {row['seconds']:.0f} s ({'pass' if row['passes'] else 'FAIL'})"))
    for row in rows:
        panels.append(imgs.load_image(reference / PAIRS[row["pair"]]).astype(np.uint8))
        titles.append(caption("jcjohnson/neural-style", row["ref"], "  (GPU)"))
    fig = plotting.plot_images(panels, titles, panel_width=4.2, cols=len(rows),
                               suptitle="Fig. 3 at 512 px: this kit on 2 CPU cores (top) "
                               "vs. the reference reproduction (bottom)")
    plotting.save_figure(fig, path, dpi=100)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--images", type=Path,
                        default=Path(os.environ.get("STYLETRANSFER_IMAGES", SHARED / "images")))
    parser.add_argument("--reference", type=Path,
                        default=SHARED / "reference" / "jcjohnson-neural-style")
    parser.add_argument("--pairs", default=",".join(PAIRS),
                        help="comma-separated style names (default: all four)")
    parser.add_argument("--optimizer", default=None, help="adam or lbfgs (default: the CLI's)")
    parser.add_argument("--out", type=Path, default=None,
                        help="keep the results here (default: a temporary folder)")
    parser.add_argument("--json", type=Path, default=None, help="write the table as JSON")
    parser.add_argument("--save-every", type=int, default=10,
                        help="snapshot interval (steps) for the time-to-quality columns")
    parser.add_argument("--figure", type=Path, default=None,
                        help="save our panels above the reference's, scores under each")
    parser.add_argument("--reference-only", action="store_true",
                        help="only score the reference images (checks the metric)")
    parser.add_argument("extra", nargs="*", help="options passed on to transfer (after --)")
    args = parser.parse_args(argv)
    pairs = [p for p in args.pairs.split(",") if p]
    unknown = [p for p in pairs if p not in PAIRS]
    if unknown:
        parser.error(f"unknown pairs {unknown}; choose from {', '.join(PAIRS)}")
    extractor = metrics.scoring_extractor()
    refs = score_reference(args.images, args.reference, extractor)
    options = list(args.extra) + (["--optimizer", args.optimizer] if args.optimizer else [])
    rows = []
    out_dir = args.out or Path(tempfile.mkdtemp(prefix="quality-"))
    out_dir.mkdir(parents=True, exist_ok=True)
    header = (f"{'pair':16s} {'S_ref':>9s} {'C_ref':>5s} {'HF_ref':>6s} | {'S':>9s} {'C':>5s} "
              f"{'HF':>6s} {'HF lim':>6s} {'S/Sr':>5s} {'C/Cr':>5s} {'prod':>5s} "
              f"{'pass':>4s} {'sec':>5s} {'3m':>3s} {'5m':>3s} {'10m':>3s}")
    print(header)
    for style in pairs:
        ref, hf_style = refs[style]["ref"], refs[style]["hf_style"]
        row = {"pair": style, "ref": ref, "hf_style": hf_style,
               "hf_limit": 1.25 * max(ref["HF"], hf_style)}
        if not args.reference_only:
            output, seconds, history = run_transfer(args.images, style, out_dir, options,
                                                    args.save_every)
            content = imgs.load_image(args.images / CONTENT)
            style_rgb = imgs.load_image(args.images / f"{style}.jpg")
            ours = metrics.score_images(imgs.load_image(output), content, style_rgb, extractor)
            ok, product = passes(ours, ref, hf_style)
            first, points = time_to_quality(output, seconds, history, ref, hf_style, content,
                                            style_rgb, extractor)
            if ok and (first is None or first > seconds):
                first = seconds
            row.update(ours=ours, product=product, passes=ok, seconds=seconds,
                       first_pass_seconds=first, snapshots=points, output=str(output),
                       settings=history.get("settings"))
        rows.append(row)
        line = (f"{style:16s} {ref['S']:9.3g} {ref['C']:5.2f} {ref['HF']:6.3f} | ")
        if "ours" in row:
            o = row["ours"]
            marks = ["yes" if row["first_pass_seconds"] is not None
                     and row["first_pass_seconds"] <= b else "no" for b in BUDGETS]
            line += (f"{o['S']:9.3g} {o['C']:5.2f} {o['HF']:6.3f} {row['hf_limit']:6.3f} "
                     f"{o['S'] / ref['S']:5.2f} {o['C'] / ref['C']:5.2f} {row['product']:5.2f} "
                     f"{'PASS' if row['passes'] else 'fail':>4s} {row['seconds']:5.0f} "
                     + " ".join(f"{m:>3s}" for m in marks))
        else:
            line += f"(HF limit {row['hf_limit']:.3f})"
        print(line, flush=True)
    if args.figure and not args.reference_only:
        save_comparison(rows, args.reference, args.figure)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"options": options, "rows": rows}, indent=1))
    if not args.reference_only:
        print(f"{sum(r['passes'] for r in rows)}/{len(rows)} pairs pass; "
              f"median {np.median([r['seconds'] for r in rows]):.0f} s per image; "
              f"results in {out_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
