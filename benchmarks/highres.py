"""High resolution through the multi-scale pipeline: wall time and peak memory per size.

For each size it runs ``python -m styletransfer_tf transfer CONTENT STYLE -o OUT --size N
--scales S`` as a user would, in a fresh process (start-up, weights and image loading
included in the time), and measures that process: wall time, peak resident memory
(``ru_maxrss`` from ``os.wait4``, the child's own, not the largest of all children),
the optimisation time and the time of each scale (from OUT.json), the CPU time other
programs took meanwhile, and the memory estimate of ``styletransfer_tf.memory`` next to
the measured peak. Everything else is the command's default (L-BFGS, 60 iterations at
the finest scale, each coarser scale 4/3 as many), unless ``--steps`` says otherwise.

The number of scales is chosen so that the coarsest scale is at most ``--coarsest`` px
(default 512): S = 1 + ceil(2 log2(N / coarsest)), each scale sqrt(2) times the one before.
So 1024 px runs 3 scales (512, 724, 1024) and 2048 px 5 (512, 724, 1024, 1448, 2048).
The coarsest scale is then where the optimisation settles the large structures at a size
like the paper's (and the command's default size); the finer scales add detail.

    python benchmarks/highres.py                        # 1024 and 2048 px, the defaults
    python benchmarks/highres.py --sizes 1024 --json    # writes benchmarks/results/highres.json
    python benchmarks/highres.py --steps 1024:100,60,30 --steps 2048:150,100,60,30,15
    python benchmarks/highres.py --quick                # smoke test: 256 and 362 px, 3 steps
    python benchmarks/highres.py --calibrate            # measure the memory model's constants

``--quick`` uses ``--coarsest 256`` (362 px then runs 2 scales) and 3 iterations at the
finest scale. ``--calibrate`` runs short single-scale transfers with random weights
(Adam and L-BFGS, 128 to 512 px by default), prints their peaks, a least-squares line
through them and the estimate of ``styletransfer_tf/memory.py``. Images: the paper's
Tübingen and The Starry Night if found (``$STYLETRANSFER_IMAGES``, the kit's cache or
``../shared/images``), else ``images/sample_*.png``; ``--content``/``--style`` choose others.
The results are described in benchmarks/HIGHRES.md.
"""

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from styletransfer_tf import images as imgs  # noqa: E402  (TensorFlow-free modules only)
from styletransfer_tf import hardware, layers, memory, options  # noqa: E402

DEFAULT_SIZES = (1024, 2048)
QUICK_SIZES = (256, 362)
QUICK_STEPS = 3
#: Longest wall time the issue asks for, per size (seconds).
TARGETS = {1024: 15 * 60}
CALIBRATION_SIZES = (128, 256, 362, 512)
RESULTS = ROOT / "benchmarks" / "results"
LAYERS = [*layers.CONTENT_LAYERS, *layers.STYLE_LAYERS]


def scales_for(size, coarsest):
    """Scales such that the coarsest, size / sqrt(2)^(scales - 1), is at most ``coarsest``
    px (rounding as ``options.pyramid_sizes`` does): 1024 -> 3, 2048 -> 5 for 512."""
    scales = 1
    while options.pyramid_sizes(size, scales)[0] > coarsest:
        scales += 1
    return scales


def parse_steps(specs, sizes):
    """``--steps`` values -> {size: steps}: "N" (the finest scale, for every size),
    "SIZE:N" or "SIZE:a,b,c" (one per scale); sizes not named get the default."""
    out = {}
    for spec in specs or []:
        size, _, value = spec.rpartition(":")
        values = [int(v) for v in value.split(",")]
        steps = values[0] if len(values) == 1 else values
        for each in ([int(size)] if size else sizes):
            out[each] = steps
    return out


def default_images():
    """The paper's Tübingen and The Starry Night if found, else the kit's samples."""
    from styletransfer_tf import paper_images
    found = [paper_images.paper_image_path(n) for n in ("tubingen.jpg", "starry_night.jpg")]
    shared = ROOT.parent / "shared" / "images"
    for i, name in enumerate(("tubingen.jpg", "starry_night.jpg")):
        if found[i] is None and (shared / name).is_file():
            found[i] = shared / name
    if None in found:
        return imgs.sample_image_path("content"), imgs.sample_image_path("style")
    return found[0], found[1]


def cpu_busy_seconds():
    """CPU seconds the whole machine has spent busy since boot (/proc/stat; NaN elsewhere)."""
    try:
        fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except (OSError, ValueError):
        return float("nan")
    user, nice, system, _idle, _iowait, irq, softirq, steal = (fields + [0] * 8)[:8]
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def run_child(cmd, quiet):
    """Run ``cmd``; pass its stderr through (progress bars) unless ``quiet``, keep its
    tail. Returns (exit status, wall s, peak RSS bytes, child CPU s, stderr tail)."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3"))
    tail, out = bytearray(), bytearray()

    def pump(stream, keep, echo):
        for chunk in iter(lambda: os.read(stream.fileno(), 4096), b""):
            keep.extend(chunk)
            del keep[:-4000]
            if echo:
                echo.write(chunk)
                echo.flush()

    threads = [threading.Thread(target=pump, args=(proc.stderr, tail,
                                                   None if quiet else sys.stderr.buffer)),
               threading.Thread(target=pump, args=(proc.stdout, out,
                                                   None if quiet else sys.stdout.buffer))]
    for thread in threads:
        thread.start()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    for thread in threads:
        thread.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    text = tail.decode(errors="replace").replace("\r", "\n")
    return (proc.returncode, wall, usage.ru_maxrss * 1024, usage.ru_utime + usage.ru_stime,
            text.strip().splitlines()[-1:] or [""])


def scale_times(record):
    """Per scale: (iterations, seconds) from a transfer's OUT.json history."""
    steps, seconds, scale = record["step"], record["seconds"], record.get("scale")
    if not scale:
        return [(len(steps) - 1, seconds[-1])]
    out, last = [], 0.0
    for k in sorted(set(scale)):
        rows = [i for i, s in enumerate(scale) if s == k]
        out.append((len(rows) - 1, seconds[rows[-1]] - last))
        last = seconds[rows[-1]]
    return out


def run_size(size, steps, args, content, style, folder):
    """One fresh ``transfer`` process at ``size``; returns its record."""
    scales = scales_for(size, args.coarsest)
    shape = imgs.fit_shape(imgs.to_rgb_array(imgs.open_image(content)).shape, size)
    steps = options.DEFAULT_STEPS["lbfgs"] if steps is None else steps
    per_scale = options.steps_per_scale(steps, scales)
    output = Path(folder) / f"highres_{size}px.png"
    cmd = [sys.executable, "-m", "styletransfer_tf", "transfer", str(content), str(style),
           "-o", str(output), "--size", str(size), "--scales", str(scales),
           "--steps", ",".join(str(n) for n in per_scale), "--weights", args.weights,
           "--overwrite", *(["--quiet"] if args.quiet else []), *args.extra]
    estimate = memory.estimate_peak_bytes(shape, LAYERS, "lbfgs")
    available = memory.available_bytes()
    record = {"size": size, "shape": list(shape), "scales": scales,
              "scale_sizes": options.pyramid_sizes(size, scales), "steps": per_scale,
              "estimated_peak_bytes": estimate, "available_bytes": available,
              "load_before": os.getloadavg()[0],
              "command": " ".join(["python", *cmd[1:]]).replace(str(folder), "OUT")
              .replace(str(content), content.name).replace(str(style), style.name)}
    say(f"\n{size} px ({shape[1]}x{shape[0]}): {scales} scale(s) "
        f"{record['scale_sizes']}, steps {per_scale}; memory estimate "
        f"{memory.fmt_gib(estimate)}, available {memory.fmt_gib(available or 0)}; load "
        f"{record['load_before']:.2f}")
    busy = cpu_busy_seconds()
    code, wall, peak, cpu, tail = run_child(cmd, args.quiet)
    others = max(0.0, cpu_busy_seconds() - busy - cpu) / wall
    record.update(exit=code, wall_s=wall, peak_rss_bytes=peak, cpu_s=cpu,
                  other_cpu_cores=others)
    if code != 0:
        record["error"] = tail[0]
        say(f"  exit {code}: {tail[0]}")
        return record
    result = json.loads(output.with_suffix(".json").read_text())
    record["optimisation_s"] = result["settings"]["seconds"]
    record["per_scale"] = [{"size": s, "iterations": n, "seconds": t}
                           for s, (n, t) in zip(record["scale_sizes"], scale_times(result))]
    record["final_losses"] = {p: result[p][-1] for p in ("content", "style", "tv", "total")}
    record["message"] = result.get("message")
    say(f"  {fmt_time(wall)} wall, peak {memory.fmt_gib(peak)} "
        f"(estimate {memory.fmt_gib(estimate)}), other programs {others:.2f} cores")
    return record


def fmt_time(seconds):
    return f"{seconds:.0f} s" if seconds < 90 else f"{seconds / 60:.1f} min"


def table(records):
    """The results as a Markdown table."""
    lines = ["| size | image | scales (px) | iterations per scale | wall | optimisation "
             "| s per iteration, finest | peak RSS | estimate | other CPU | target |",
             "|---|---|---|---|---:|---:|---:|---:|---:|---:|---|"]
    for r in records:
        scales = ", ".join(str(s) for s in r["scale_sizes"])
        if r["exit"] != 0:
            lines.append(f"| {r['size']} | {r['shape'][1]}x{r['shape'][0]} | {scales} | "
                         f"{r['steps']} | failed (exit {r['exit']}): {r.get('error', '')} "
                         f"| | | {memory.fmt_gib(r['peak_rss_bytes'])} | "
                         f"{memory.fmt_gib(r['estimated_peak_bytes'])} | | |")
            continue
        done = ", ".join(str(s["iterations"]) for s in r["per_scale"])
        finest = r["per_scale"][-1]
        per_it = finest["seconds"] / max(finest["iterations"], 1)
        target = TARGETS.get(r["size"])
        verdict = "" if target is None else (
            f"<= {target / 60:.0f} min: {'yes' if r['wall_s'] <= target else 'NO'}")
        lines.append(
            f"| {r['size']} | {r['shape'][1]}x{r['shape'][0]} | {scales} | {done} | "
            f"{fmt_time(r['wall_s'])} | {fmt_time(r['optimisation_s'])} | {per_it:.1f} | "
            f"{memory.fmt_gib(r['peak_rss_bytes'])} | "
            f"{memory.fmt_gib(r['estimated_peak_bytes'])} | {r['other_cpu_cores']:.2f} | "
            f"{verdict} |")
    return "\n".join(lines)


def machine():
    info = {"platform": platform.platform(), "python": platform.python_version(),
            "cores": os.cpu_count()}
    cpu, total = hardware.cpu_model(), memory.proc_bytes("/proc/meminfo", "MemTotal")
    if cpu is not None:
        info["cpu"] = cpu
    if total is not None:
        info["memory_bytes"] = total
    return info


def calibrate(args, content, style, folder):
    """Short single-scale transfers (random weights) at the calibration sizes: peak RSS
    against the memory model."""
    import numpy as np
    rows = []
    for optimizer in ("adam", "lbfgs"):
        for size in args.sizes or CALIBRATION_SIZES:
            shape = imgs.fit_shape(imgs.to_rgb_array(imgs.open_image(content)).shape, size)
            cmd = [sys.executable, "-m", "styletransfer_tf", "transfer", str(content),
                   str(style), "-o", str(Path(folder) / "calibrate.png"), "--size", str(size),
                   "--scales", "1", "--steps", "2", "--optimizer", optimizer, "--weights",
                   "none", "--quiet", "--overwrite"]
            code, wall, peak, _, tail = run_child(cmd, True)
            if code != 0:
                raise SystemExit(f"calibration run failed at {size} px: {tail[0]}")
            values = memory.feature_values(shape, LAYERS)
            estimate = memory.estimate_peak_bytes(shape, LAYERS, optimizer)
            rows.append({"optimizer": optimizer, "size": size, "shape": list(shape),
                         "feature_values": values, "peak_rss_bytes": peak,
                         "estimated_peak_bytes": estimate, "wall_s": wall})
            say(f"{optimizer:5s} {size:5d} px: peak {peak / 2 ** 20:7.0f} MiB, estimate "
                f"{estimate / 2 ** 20:7.0f} MiB, feature values {values / 1e6:.1f} M")
    adam = [r for r in rows if r["optimizer"] == "adam"]
    x = np.array([r["feature_values"] for r in adam], float)
    y = np.array([r["peak_rss_bytes"] for r in adam], float)
    slope, intercept = np.polyfit(x, y, 1)
    say(f"\nAdam: peak = {intercept / 2 ** 20:.0f} MiB + {slope:.2f} bytes x feature values "
        f"(memory.py: BASE_BYTES {memory.BASE_BYTES / 2 ** 20:.0f} MiB, "
        f"GRADIENT_BYTES_PER_VALUE {memory.GRADIENT_BYTES_PER_VALUE})")
    for r in rows:
        r["below_estimate"] = r["peak_rss_bytes"] <= r["estimated_peak_bytes"]
    say("every measured peak below the estimate: "
        + ("yes" if all(r["below_estimate"] for r in rows) else "NO"))
    return {"fit": {"intercept_bytes": intercept, "bytes_per_value": slope}, "runs": rows}


def say(*parts):
    print(*parts, file=sys.stderr, flush=True)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=lambda t: [int(v) for v in t.split(",")], default=None,
                        help="longest sides in px, comma-separated (default 1024,2048)")
    parser.add_argument("--steps", action="append", metavar="[SIZE:]N[,N...]",
                        help="iterations: N at the finest scale for every size, or "
                        "SIZE:a,b,c one per scale for one size (repeat); default the "
                        "command's (60 at the finest, 4/3 as many at each coarser scale)")
    parser.add_argument("--coarsest", type=int, default=None,
                        help="largest allowed coarsest scale in px (default 512; 256 with --quick)")
    parser.add_argument("--content", default=None, help="content image (default Tübingen)")
    parser.add_argument("--style", default=None, help="style image (default The Starry Night)")
    parser.add_argument("--weights", default="imagenet",
                        help="passed to transfer: imagenet, a path, or none (random: the "
                        "same time and memory, a meaningless picture)")
    parser.add_argument("--quick", action="store_true",
                        help=f"smoke test: {', '.join(map(str, QUICK_SIZES))} px, "
                        f"{QUICK_STEPS} iterations at the finest scale")
    parser.add_argument("--calibrate", action="store_true",
                        help="measure the memory model's constants instead (random weights)")
    parser.add_argument("--json", nargs="?", const="", default=None, metavar="PATH",
                        help="write the records as JSON (default benchmarks/results/"
                        "highres.json; highres_quick.json with --quick)")
    parser.add_argument("--keep", default=None, metavar="DIR",
                        help="keep the result images (and their .json) in DIR")
    parser.add_argument("--quiet", action="store_true", help="no progress bars")
    parser.add_argument("extra", nargs="*", help="after --: more transfer options")
    args = parser.parse_args(argv)
    content, style = default_images()
    content, style = Path(args.content or content), Path(args.style or style)
    folder = args.keep or tempfile.mkdtemp(prefix="highres-")
    Path(folder).mkdir(parents=True, exist_ok=True)
    say(f"content {content.name}, style {style.name}; {os.cpu_count()} cores; images in "
        f"{'a temporary folder' if args.keep is None else folder}")
    if args.calibrate:
        report = {"machine": machine(), "calibration": calibrate(args, content, style, folder)}
        name = "highres_calibration.json"
    else:
        sizes = args.sizes or list(QUICK_SIZES if args.quick else DEFAULT_SIZES)
        if args.coarsest is None:
            args.coarsest = 256 if args.quick else 512
        steps = parse_steps(args.steps or ([str(QUICK_STEPS)] if args.quick else []), sizes)
        records = [run_size(size, steps.get(size), args, content, style, folder)
                   for size in sizes]
        print(table(records))
        report = {"machine": machine(), "content": content.name, "style": style.name,
                  "weights": args.weights, "coarsest": args.coarsest, "extra": args.extra,
                  "runs": records}
        name = "highres_quick.json" if args.quick else "highres.json"
    if args.keep is None:
        shutil.rmtree(folder, ignore_errors=True)
    if args.json is not None:
        path = Path(args.json) if args.json else RESULTS / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(report, indent=1))
        say(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
