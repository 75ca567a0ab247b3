"""Can L-BFGS reach Adam-1000's loss sooner? Three remedies tried side by side.

``benchmarks/speed.py`` found that L-BFGS reaches the total loss of 1000 Adam steps (the
TensorFlow tutorial's settings) at 256 px only after 969 iterations, 1.01x Adam's time,
although it is 3x ahead at the 100- and 300-step levels. This script tests, on the same
problem (Tuebingen + The Starry Night, default layers, alpha 1, beta 10, content image
as the start, float32), whether the slow tail yields to

* ``plain``: L-BFGS-B as ``optimize.run_lbfgs`` runs it (memory 10, pixel bounds);
* ``memory30``: a 3x longer L-BFGS memory (``maxcor`` 30);
* ``coarse-to-fine``: ``--coarse-iters`` iterations at half the size first; the change
  they made is upsampled (bicubic) onto the full-size content image, and L-BFGS goes on
  from there (the coarse iterations' time is included);
* ``pyramid``: a multi-scale parametrisation, a preconditioner: the image is the content
  image plus a sum of 4 images of 1, 1/2, 1/4, 1/8 the size, upsampled and weighted
  1, 2, 4, 8, so that smooth changes cost L-BFGS fewer, larger steps. Without pixel
  bounds (they do not carry over to the coefficients); its final image is clipped to
  the pixel range and scored again (``clipped``).

Every variant runs ``--iters`` full-size iterations (or stops at the target) in this one
process, one after the other; its times include tracing. The target is read from
``benchmarks/results/speed.json`` (Adam's loss after 1000 steps) unless ``--target`` is
given. Run from the repository root with real weights::

    python benchmarks/lbfgs_variants.py                # ~12 min on 2 CPU cores

Writes ``benchmarks/results/lbfgs_variants.json`` and prints a Markdown table.
"""

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import speed  # noqa: E402  (the benchmark's problem and images)
from styletransfer_tf import optimize  # noqa: E402

CHECKPOINTS = (50, 100, 200, 300, 400, 600, 800, 1000)


def lbfgs(value_and_grad, y0, iters, target, bounds=None, maxcor=10, log=None, tag="",
          start=None):
    """scipy L-BFGS-B on the flat variable ``y0`` with ``optimize.run_lbfgs``'s options;
    appends (tag, iteration, seconds since ``start``, loss) to ``log`` per iteration and
    stops at ``target`` (None: never). Returns the last iterate."""
    import scipy.optimize

    def callback(y):
        loss, _ = value_and_grad(y)  # cached: the callback's iterate was just evaluated
        log.append((tag, sum(r[0] == tag for r in log), time.perf_counter() - start, loss))
        if target is not None and loss <= target:
            raise StopIteration

    with optimize.single_threaded_openblas():
        try:
            result = scipy.optimize.minimize(
                value_and_grad, y0, jac=True, method="L-BFGS-B", bounds=bounds, callback=callback,
                options={**optimize.lbfgs_options(iters), "maxcor": maxcor})
            return result.x
        except StopIteration:
            return value_and_grad.last_y


def evaluator(objective, shape, to_x=None):
    """A cached (loss, gradient) function of a flat float64 vector for scipy."""
    import tensorflow as tf
    to_x = to_x or (lambda y: tf.reshape(y, shape))

    @tf.function
    def compiled(y):
        with tf.GradientTape() as tape:
            tape.watch(y)
            total, _ = objective(to_x(y))
            loss = tf.reduce_sum(total)
        return loss, tape.gradient(loss, y)

    def value_and_grad(y):
        if value_and_grad.last_y is None or not np.array_equal(y, value_and_grad.last_y):
            loss, grad = compiled(tf.constant(y, tf.float32))
            value_and_grad.last_y = np.array(y)
            value_and_grad.last = float(loss), grad.numpy().astype(np.float64)
        return value_and_grad.last

    value_and_grad.last_y = None
    return value_and_grad


def problem(size, content, style):
    _, objective, start = speed.problem({"size": size, "content": content, "style": style})
    return objective, start


def run_plain(args, content, style, maxcor=10):
    objective, x0 = problem(args.size, content, style)
    log, start = [], time.perf_counter()
    lbfgs(evaluator(objective, x0.shape), x0.ravel().astype(np.float64), args.iters,
          args.target, optimize.pixel_bounds(x0.shape), maxcor, log, "full", start)
    return log


def run_coarse_to_fine(args, content, style):
    import tensorflow as tf

    log, start = [], time.perf_counter()
    objective, small = problem(args.size // 2, content, style)
    y = lbfgs(evaluator(objective, small.shape), small.ravel().astype(np.float64),
              args.coarse_iters, None, optimize.pixel_bounds(small.shape), 10, log, "coarse", start)
    change = y.reshape(small.shape).astype(np.float32) - small
    objective, x0 = problem(args.size, content, style)
    x1 = x0 + tf.image.resize(change, x0.shape[1:3], method="bicubic").numpy()
    x1 = np.clip(x1, optimize.PIXEL_LOW, optimize.PIXEL_HIGH)
    lbfgs(evaluator(objective, x0.shape), x1.ravel().astype(np.float64), args.iters,
          args.target, optimize.pixel_bounds(x0.shape), 10, log, "full", start)
    return log


def run_pyramid(args, content, style, levels=4):
    import tensorflow as tf

    objective, x0 = problem(args.size, content, style)
    height, width = x0.shape[1:3]
    shapes = [(max(1, height >> k), max(1, width >> k)) for k in range(levels)]
    base = tf.constant(x0)

    def to_x(y):
        x, offset = base, 0
        for k, (h, w) in enumerate(shapes):
            part = tf.reshape(y[offset:offset + 3 * h * w], (1, h, w, 3))
            offset += 3 * h * w
            x = x + 2.0 ** k * (part if k == 0 else tf.image.resize(part, (height, width)))
        return x

    log, start = [], time.perf_counter()
    y = lbfgs(evaluator(objective, x0.shape, to_x), np.zeros(sum(3 * h * w for h, w in shapes)),
              args.iters, args.target, None, 10, log, "full", start)
    x = np.clip(to_x(tf.constant(y, tf.float32)).numpy(), optimize.PIXEL_LOW, optimize.PIXEL_HIGH)
    total, _ = objective(x)
    log.append(("clipped", log[-1][1], log[-1][2], float(np.sum(total))))
    return log


VARIANTS = {"plain": run_plain, "memory30": lambda a, c, s: run_plain(a, c, s, maxcor=30),
            "coarse-to-fine": run_coarse_to_fine, "pyramid": run_pyramid}


def summary(name, log, target, adam_seconds):
    full = [r for r in log if r[0] == "full"]
    row = {"variant": name, "iterations": len(full), "seconds": full[-1][2],
           "coarse_iterations": sum(r[0] == "coarse" for r in log),
           "loss_at": {n: full[n - 1][3] for n in CHECKPOINTS if n <= len(full)},
           "final_loss": full[-1][3], "clipped_loss": next((r[3] for r in log if r[0] == "clipped"),
                                                           None)}
    hit = next((r for r in full if r[3] <= target), None)
    row["reached_target"] = hit is not None
    row["seconds_to_target"] = None if hit is None else hit[2]
    row["vs_adam"] = None if hit is None else hit[2] / adam_seconds
    return row


def table(result):
    marks = sorted({int(n) for r in result["rows"] for n in r["loss_at"]})
    lines = [f"Target: {result['target']:.4g} (Adam after 1000 steps, {result['adam_seconds']:.0f} s)",
             "", "| variant | " + "".join(f"loss after {n} it. | " for n in marks)
             + "final loss (it.) | s/it. incl. tracing | reached target | time / Adam's |",
             "|---|" + "---:|" * (len(marks) + 4)]
    for r in result["rows"]:
        at = {int(k): v for k, v in r["loss_at"].items()}
        name = r["variant"] + (f" ({r['coarse_iterations']} coarse it. first)"
                               if r["coarse_iterations"] else "")
        final = f"{r['final_loss']:.4g} ({r['iterations']})" + (
            f", clipped {r['clipped_loss']:.4g}" if r["clipped_loss"] else "")
        reached = f"yes, {r['iterations']} it." if r["reached_target"] else "no"
        ratio = f"{r['vs_adam']:.2f}" if r["vs_adam"] else ""
        lines.append(f"| {name} | " + "".join(f"{at[n]:.4g} | " if n in at else " | " for n in marks)
                     + f"{final} | {r['seconds'] / r['iterations']:.3f} | {reached} | {ratio} |")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, default=256)
    parser.add_argument("--iters", type=int, default=400, help="full-size iterations per variant")
    parser.add_argument("--coarse-iters", type=int, default=150)
    parser.add_argument("--variants", nargs="+", default=list(VARIANTS), choices=list(VARIANTS))
    parser.add_argument("--target", type=float, default=None,
                        help="loss to reach (default: Adam-1000's, from results/speed.json)")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results"
                        / "lbfgs_variants.json")
    args = parser.parse_args(argv)
    quality = json.loads((ROOT / "benchmarks" / "results" / "speed.json").read_text())["quality"]
    if args.target is None:
        args.target = quality["adam"]["total"][-1]
    adam_seconds = quality["adam"]["seconds"][-1]
    content, style = speed.default_images()
    result = {"size": args.size, "target": args.target, "adam_seconds": adam_seconds,
              "iters": args.iters, "coarse_iters": args.coarse_iters, "content": str(content),
              "style": str(style), "machine": speed.machine_info(), "rows": [], "logs": {}}
    for name in args.variants:
        speed.say(f"{name} ...")
        log = VARIANTS[name](args, content, style)
        result["logs"][name] = log
        result["rows"].append(summary(name, log, args.target, adam_seconds))
        speed.say(f"  {result['rows'][-1]}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1))
    report = table(result)
    args.out.with_suffix(".md").write_text(report + "\n")
    print(report)
    return 0


if __name__ == "__main__":
    from styletransfer_tf.errors import StyleTransferError
    try:
        sys.exit(main())
    except StyleTransferError as exc:
        sys.exit(f"error: {exc}")
