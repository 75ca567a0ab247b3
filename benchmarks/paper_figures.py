"""Score the paper preset's Fig. 3 and Fig. 4 with the quality yardstick of ``quality.py``.

Fig. 3: each panel that has a reference (``../shared/reference/``) gets S/S_ref, C/C_ref
and whether it passes the quality issue's first two conditions ((S/S_ref)(C/C_ref) <= 1,
S <= 2 S_ref, C <= 2 C_ref); the Great Wave panel has no reference and is only scored.
Fig. 4: every panel's S and C against Composition VII, and per row whether S rises and C
falls from column to column with neighbours at least 1.5x apart in S or C.

``--calibration`` takes several values to measure ``presets.RATIO_CALIBRATION`` (one
line per value and panel). Results are cached like the figures' (the same cache), so a
second run with the same settings only scores.

    python benchmarks/paper_figures.py 3 --json benchmarks/results/paper_fig3.json
    python benchmarks/paper_figures.py 3 --size 256 --scales 1 --steps 150 \\
        --calibration 3e-4,3e-5,3e-6 --styles the_scream,starry_night
    python benchmarks/paper_figures.py 4 --json benchmarks/results/paper_fig4.json
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import sys
import time
from pathlib import Path


REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from quality import SHARED, first_two_conditions, score_reference  # noqa: E402

from styletransfer_tf import figures, jobs, metrics, options, presets  # noqa: E402

#: Fig. 4's rule: neighbouring columns differ by at least this factor in S or in C.
FIG4_MIN_STEP = 1.5


@functools.lru_cache(maxsize=None)
def paper_image(name):
    """A paper image (float32 RGB at its own size), read once per run."""
    return jobs.load_named(name)


def score(result, style_name, extractor):
    """S, C, HF of a JobResult against the Tübingen photo and its painting."""
    return metrics.score_images(result.image, paper_image("tubingen"), paper_image(style_name),
                                extractor)


def fig3_rows(config, styles, refs, extractor, verbose, init="noise"):
    wanted = [(n, r, t) for n, r, t in presets.FIG3_STYLES if n in styles]
    job_list = [jobs.Job(label=t, style=n, ratio=r, init=init) for n, r, t in wanted]
    results = jobs.run_jobs(job_list, config, verbose=verbose)
    rows = []
    for result in results:
        name = result.job.style
        ours = score(result, name, extractor)
        row = {"style": name, "ratio": result.job.ratio, "seconds": result.seconds,
               "cached": result.cached, **ours}
        if name in refs:
            ok, product = first_two_conditions(ours, refs[name]["ref"])
            row.update(S_rel=ours["S"] / refs[name]["ref"]["S"],
                       C_rel=ours["C"] / refs[name]["ref"]["C"], product=product, passes=ok)
        rows.append(row)
        print(f"{config.ratio_calibration:9.1e} {name:16s} {ours['S']:9.3g} {ours['C']:5.2f} "
              f"{ours['HF']:6.3f} "
              + (f"{row['S_rel']:6.2f} {row['C_rel']:5.2f} {row['product']:6.2f} "
                 f"{'PASS' if row['passes'] else 'fail':>4s}" if "passes" in row else
                 f"{'(no reference)':>24s}")
              + f" {result.seconds:6.0f}{' (cached)' if result.cached else ''}", flush=True)
    return rows, results


def fig4_rows(config, extractor, verbose):
    result = figures.figure4(config, verbose=verbose)
    rows = []
    for label, row in zip(result.row_labels, result.grid):
        scores = [score(r, presets.FIG4_STYLE, extractor) for r in row]
        S = [s["S"] for s in scores]
        C = [s["C"] for s in scores]
        monotone = all(a < b for a, b in zip(S, S[1:])) and all(a > b for a, b in zip(C, C[1:]))
        steps = [max(b / a, a / b, d / c, c / d) for a, b, c, d in zip(S, S[1:], C, C[1:])]
        ok = monotone and min(steps) >= FIG4_MIN_STEP
        rows.append({"row": label, "S": S, "C": C, "HF": [s["HF"] for s in scores],
                     "neighbour_ratios": steps, "monotone": monotone, "passes": ok,
                     "seconds": sorted({r.seconds for r in row})})
        print(f"{config.ratio_calibration:9.1e} {label:22s} S "
              + " ".join(f"{v:8.3g}" for v in S) + " | C " + " ".join(f"{v:4.2f}" for v in C)
              + " | steps " + " ".join(f"{v:4.2f}" for v in steps)
              + f" {'PASS' if ok else 'fail'}", flush=True)
    return rows, result


def save_sheet(panels, titles, path, cols):
    from styletransfer_tf import plotting
    fig = plotting.plot_images(panels, titles, panel_width=3.2, cols=cols)
    plotting.save_figure(fig, path, dpi=80)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("figure", choices=["3", "4"])
    parser.add_argument("--size", type=int, default=None, help="default: the preset's")
    parser.add_argument("--scales", type=int, default=None, help="default: the preset's")
    parser.add_argument("--steps", type=int, default=None,
                        help="iterations at the finest scale (default: the preset's)")
    parser.add_argument("--calibration", default=None,
                        help="comma-separated RATIO_CALIBRATION values (default: the preset's)")
    parser.add_argument("--styles", default=",".join(n for n, _, _ in presets.FIG3_STYLES),
                        help="Fig. 3 panels to run (style names)")
    parser.add_argument("--norm-floor", type=float, default=None,
                        help="settings.norm_floor, the normalisation's floor on filter means "
                             "(default: the preset's)")
    parser.add_argument("--pooling", choices=options.POOLINGS, default=None,
                        help="VGG19's pooling (default: the preset's, average as in the paper)")
    parser.add_argument("--no-normalize", action="store_true",
                        help="Keras's VGG19 weights as trained instead of the normalised network "
                             "(the ratios then mean something else: pass --calibration)")
    parser.add_argument("--init", default="noise", choices=["noise", "content"],
                        help="Fig. 3's start image (the paper's: noise)")
    parser.add_argument("--reference", type=Path,
                        default=SHARED / "reference" / "jcjohnson-neural-style")
    parser.add_argument("--json", type=Path, default=None, help="write the rows as JSON")
    parser.add_argument("--sheet", type=Path, default=None,
                        help="save the panels as one image (PNG) to look at")
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args(argv)
    calibrations = ([float(v) for v in args.calibration.split(",")] if args.calibration
                    else [None])
    images_dir = Path(os.environ.get("STYLETRANSFER_IMAGES", SHARED / "images"))
    extractor = metrics.scoring_extractor()
    refs = score_reference(images_dir, args.reference, extractor) if args.figure == "3" else {}
    record, panels, titles = [], [], []
    start = time.perf_counter()
    for calibration in calibrations:
        config = presets.settings("paper", size=args.size, scales=args.scales, steps=args.steps,
                                  ratio_calibration=calibration, norm_floor=args.norm_floor,
                                  pooling=args.pooling,
                                  normalize=False if args.no_normalize else None)
        if args.figure == "3":
            if calibration is calibrations[0]:
                print(f"{'calib':>9s} {'style':16s} {'S':>9s} {'C':>5s} {'HF':>6s} "
                      f"{'S/Sr':>6s} {'C/Cr':>5s} {'prod':>6s} {'pass':>4s} {'sec':>6s}")
            rows, results = fig3_rows(config, args.styles.split(","), refs, extractor,
                                      not args.quiet, args.init)
            panels += [r.image for r in results]
            titles += [f"{r['style']} c={config.ratio_calibration:g}\nS/Sr "
                       f"{r.get('S_rel', float('nan')):.2f} C/Cr {r.get('C_rel', float('nan')):.2f}"
                       for r in rows]
        else:
            rows, result = fig4_rows(config, extractor, not args.quiet)
            panels += [r.image for r in result.results]
            titles += [r.job.label for r in result.results]
        record.append({"settings": config.record(), "rows": rows})
    seconds = time.perf_counter() - start
    print(f"wall time {seconds:.0f} s (cached panels cost nothing; 'sec' is each panel's own "
          "optimisation time)")
    if args.sheet:
        save_sheet(panels, titles, args.sheet, cols=4 if args.figure == "4" else 5)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"figure": args.figure, "wall_seconds": seconds,
                                         "runs": record}, indent=1, default=float))


if __name__ == "__main__":
    main()
