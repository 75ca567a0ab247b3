"""Speed benchmark of the style-transfer step: ms/step, effective GFLOP/s, memory,
time-to-quality, batching, and a naive baseline, all measured in one run.

Run from the repository root (the paper's images are used if found, else the samples
in images/; real VGG19 weights are needed, see README)::

    export STYLETRANSFER_VGG19_WEIGHTS=/path/to/vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5
    python benchmarks/speed.py                      # full run, ~20 min on 2 CPU cores
    python benchmarks/speed.py --quick              # a smoke test, ~2 min

It prints Markdown tables and writes benchmarks/results/speed.json (plus the images of
the precision comparison) unless ``--out`` says otherwise. Every measurement runs in a
fresh worker process (``--worker``), so peak memory (VmHWM) and oneDNN/XLA caches
belong to one configuration only, and a slow configuration cannot slow the next.

What one "step" is: one call of the kit's compiled Adam step
(``optimize.adam_step_fn``) on a batch of one image, with the default layers (style
conv1_1, conv2_1, conv3_1, conv4_1, conv5_1; content conv4_2), then reading the loss
back to Python (as ``run_adam`` does each step). Times are medians over repeats after
warm-up steps (the first call traces and compiles).

FLOPs of one step (the "analytical FLOPs", counted from the layer shapes)
---------------------------------------------------------------------------
Only multiply-adds of the convolutions and Gram matrices are counted (2 FLOPs each);
bias, ReLU, pooling, the losses' element-wise work and Adam's update are O(H W C) and
below 1% of the total, and are left out. For a 3x3 convolution (SAME padding, stride 1)
from C_in to C_out channels on an H_l x W_l output:

    forward                      F_l = 2 * 9 * C_in * C_out * H_l * W_l
    backward to its input (dX)   F_l    (a transposed convolution of the same size)
    backward to its weights      0      (the weights are frozen: only d loss / d image
                                         is asked for, so the filter gradient is never
                                         formed -- tests/test_precision.py checks that
                                         the compiled step holds no Conv2DBackpropFilter)

Every convolution from conv1_1 up to the deepest requested layer (conv5_1) runs forward
and backward; conv1_1's dX is needed too, because we differentiate with respect to the
image. Nothing past conv5_1 is computed. For a style layer with M_l = H_l W_l positions
and C_l channels the Gram matrix G = F^T F costs 2 M_l C_l^2 forward, and its gradient
dF = F (dG + dG^T) another 2 M_l C_l^2 (the minimum; TensorFlow's MatMul gradient
forms two products, which we do not credit). So, per image,

    FLOPs/step = 2 * sum_{conv l <= deepest} 2*9*C_in,l*C_out,l*H_l*W_l
               + sum_{style l} 4 * M_l * C_l^2

For Tuebingen at 256 x 192 px that is 71.0 GFLOP of convolutions + 3.4 GFLOP of Gram
matrices = 74.4 GFLOP (x4 at 512 x 384 px). The effective GFLOP/s = FLOPs/step / (seconds/step); dividing it by the
float32 throughput of a large ``tf.matmul`` (measured in the same run, in a worker of
its own, at the start and at the end) says how close the step is to what the machine's
dense float32 arithmetic reaches. The mixed-precision rows are also compared with a
bfloat16 ``tf.matmul``.

Naive baseline: eager execution (no ``tf.function``), the full VGG19 to block5_pool,
and the content and style targets recomputed by two extra forward passes every step,
with the same loss and Adam settings.

Time-to-quality: Adam with the TensorFlow tutorial's settings (lr 0.02 on a 0-1 image,
beta_1 0.99, epsilon 0.1) rescaled to the kit's 0-255 pixels: a step in pixels is 255x
a step in 0-1 units and gradients are 255x smaller, so lr = 0.02*255 = 5.1 and
epsilon = 0.1/255 give the same trajectory for the same loss. Adam runs ``--adam-steps``
steps (1000); its final total loss is the target; L-BFGS (``run_lbfgs`` with
``target_loss``) starts from the same image (the content image) with the same loss and
stops at the first iteration at or below the target. Times are wall-clock from the
start of ``run_adam``/``run_lbfgs``, tracing included, each in a fresh process.
"""

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DEFAULT_OUT = ROOT / "benchmarks" / "results" / "speed.json"
STYLE = ("conv1_1", "conv2_1", "conv3_1", "conv4_1", "conv5_1")
CONTENT = ("conv4_2",)
CHANNELS = {1: 64, 2: 128, 3: 256, 4: 512, 5: 512}
#: The TensorFlow tutorial's Adam, rescaled from 0-1 to 0-255 pixels (see docstring).
TUTORIAL_ADAM = {"lr": 0.02 * 255, "beta_1": 0.99, "beta_2": 0.999, "epsilon": 0.1 / 255}


# --------------------------------------------------------------------------- FLOPs


def _layer_shapes(height, width, deepest):
    """(keras name, C_in, C_out, H, W) of every conv up to ``deepest`` (a Keras name)."""
    from styletransfer_tf import vgg
    shapes, c_in = [], 3
    for name in vgg.LAYER_ORDER[: vgg.LAYER_ORDER.index(deepest) + 1]:
        if name.endswith("pool"):
            height, width = height // 2, width // 2
            continue
        c_out = CHANNELS[int(name[5])]
        shapes.append((name, c_in, c_out, height, width))
        c_in = c_out
    return shapes


def step_flops(height, width, style=STYLE, content=CONTENT, batch=1):
    """Analytical FLOPs of one step (see module docstring), as a dict of parts."""
    from styletransfer_tf import vgg
    names = [vgg.keras_layer_name(n) for n in (*style, *content)]
    deepest = max(names, key=vgg.LAYER_ORDER.index)
    shapes = _layer_shapes(height, width, deepest)
    conv_forward = sum(2 * 9 * ci * co * h * w for _, ci, co, h, w in shapes)
    by_name = {name: (co, h * w) for name, _, co, h, w in shapes}
    gram = sum(4 * by_name[vgg.keras_layer_name(n)][1] * by_name[vgg.keras_layer_name(n)][0] ** 2
               for n in style)
    total = batch * (2 * conv_forward + gram)
    return {"conv_forward": batch * conv_forward, "conv_backward_input": batch * conv_forward,
            "gram_forward_backward": batch * gram, "total": total}


# --------------------------------------------------------------------------- helpers


def _peak_rss_mib():
    """Peak resident memory of this process (VmHWM), MiB."""
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _rss_mib():
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def _images(size, content_path, style_path):
    from styletransfer_tf import images as imgs
    content = imgs.load_image(content_path, size=size)
    style = imgs.resize(imgs.load_image(style_path), shape=content.shape[:2])
    return content, style


def problem(spec, batch=1, betas=None, precision="float32", weights="imagenet"):
    """Extractor, objective, preprocessed start batch for the default layer set."""
    from styletransfer_tf import images as imgs
    from styletransfer_tf import optimize, vgg
    content, style = _images(spec["size"], spec["content"], spec["style"])
    layers = list(dict.fromkeys(vgg.keras_layer_name(n) for n in (*CONTENT, *STYLE)))
    c_layers = [vgg.keras_layer_name(n) for n in CONTENT]
    s_layers = [vgg.keras_layer_name(n) for n in STYLE]
    extractor = vgg.feature_extractor(layers, weights=weights, precision=precision)
    content_x = imgs.preprocess(content)[None].repeat(batch, axis=0)
    style_x = [imgs.preprocess(style)] * batch
    objective = optimize.make_objective(extractor, layers, c_layers, s_layers, content_x,
                                        style_x, alpha=1.0,
                                        beta=10.0 if betas is None else betas)
    return extractor, objective, content_x


def _shown(path):
    """``path`` relative to the repository if inside it, else absolute."""
    path = Path(path).resolve()
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def _sync(parts):
    return float(parts["total"].numpy().sum())


# --------------------------------------------------------------------------- workers


def work_matmul(spec):
    import numpy as np
    import tensorflow as tf
    n, dtype = spec["n"], getattr(tf, spec["dtype"])
    a = tf.cast(tf.random.normal((n, n)), dtype)
    b = tf.cast(tf.random.normal((n, n)), dtype)
    matmul = tf.function(lambda: tf.reduce_sum(tf.matmul(a, b)[:1, :1]))
    for _ in range(2):
        matmul().numpy()
    times = []
    for _ in range(spec["repeats"]):
        start = time.perf_counter()
        matmul().numpy()
        times.append(time.perf_counter() - start)
    seconds = float(np.median(times))
    return {"gflops": 2 * n ** 3 / seconds / 1e9, "seconds": times}


def work_step(spec):
    import numpy as np
    import tensorflow as tf
    from styletransfer_tf import optimize
    _, objective, start = problem(spec, precision=spec["precision"])
    x = tf.Variable(start)
    step, _ = optimize.adam_step_fn(objective, x, jit_compile=spec["jit"])
    rss_before = _rss_mib()
    first = time.perf_counter()
    _sync(step()[1])
    first = time.perf_counter() - first
    for _ in range(spec["warmup"] - 1):
        _sync(step()[1])
    times = []
    for _ in range(spec["repeats"]):
        t0 = time.perf_counter()
        _sync(step()[1])
        times.append(time.perf_counter() - t0)
    flops = step_flops(*start.shape[1:3])
    ms = 1000 * float(np.median(times))
    gpu = {}
    if tf.config.list_physical_devices("GPU"):  # host RSS says nothing about GPU memory
        gpu["gpu_peak_mib"] = tf.config.experimental.get_memory_info("GPU:0")["peak"] / 2**20
    return {**gpu, "ms": ms, "ms_all": [1000 * t for t in times], "first_call_s": first,
            "shape": list(start.shape[1:3]), "flops": flops,
            "gflops": flops["total"] / (ms / 1000) / 1e9,
            "traces": int(step.experimental_get_tracing_count()),
            "rss_before_mib": rss_before, "peak_rss_mib": _peak_rss_mib()}


def work_naive(spec):
    """Eager, full VGG19 to block5_pool, targets recomputed every step."""
    import keras
    import numpy as np
    import tensorflow as tf
    from styletransfer_tf import images as imgs
    from styletransfer_tf import losses, optimize, vgg
    content, style = _images(spec["size"], spec["content"], spec["style"])
    base = vgg.load_vgg19("imagenet")
    c_names = [vgg.keras_layer_name(n) for n in CONTENT]
    s_names = [vgg.keras_layer_name(n) for n in STYLE]
    model = keras.Model(base.input, [base.get_layer(n).output for n in c_names + s_names]
                        + [base.output])  # base.output = block5_pool: the whole network
    content_x = tf.constant(imgs.preprocess(content)[None])
    style_x = tf.constant(imgs.preprocess(style)[None])
    x = tf.Variable(content_x)
    opt = keras.optimizers.Adam(learning_rate=optimize.ADAM_DEFAULTS["lr"],
                                epsilon=optimize.ADAM_DEFAULTS["epsilon"])
    k = len(c_names)

    def naive_step():
        with tf.GradientTape() as tape:
            feats = model(x)
            targets_c = model(content_x)[:k]
            targets_s = [losses.gram_matrix(f) for f in model(style_x)[k:-1]]
            content_value = sum(losses.content_loss(f, t) for f, t in zip(feats[:k], targets_c))
            style_value = losses.style_loss(feats[k:-1], targets_s)
            loss = tf.reduce_sum(losses.total_loss(content_value, style_value, 0.0, 1.0, 10.0))
        grad = tape.gradient(loss, x)
        opt.apply_gradients([(grad, x)])
        x.assign(tf.clip_by_value(x, optimize.PIXEL_LOW, optimize.PIXEL_HIGH))
        return float(loss.numpy())

    rss_before = _rss_mib()
    for _ in range(spec["warmup"]):
        naive_step()
    times = []
    for _ in range(spec["repeats"]):
        t0 = time.perf_counter()
        naive_step()
        times.append(time.perf_counter() - t0)
    return {"ms": 1000 * float(np.median(times)), "ms_all": [1000 * t for t in times],
            "eager": tf.executing_eagerly(), "rss_before_mib": rss_before,
            "peak_rss_mib": _peak_rss_mib()}


def work_batch(spec):
    """A figure row of N runs (one beta each): one batch vs N runs in sequence."""
    import numpy as np
    from styletransfer_tf import optimize
    betas = spec["betas"]
    n, steps = len(betas), spec["steps"]
    t0 = time.perf_counter()
    _, objective, start = problem(spec, batch=n, betas=betas)
    batched, history = optimize.run_adam(objective, start, steps, verbose=False)
    batched_total = time.perf_counter() - t0
    sec = history["seconds"]
    batched_step = float(np.median(np.diff(sec[1:steps])))
    t0 = time.perf_counter()
    singles, single_steps = [], []
    for beta in betas:
        _, objective, start = problem(spec, batch=1, betas=[beta])
        image, history = optimize.run_adam(objective, start, steps, verbose=False)
        singles.append(image[0])
        single_steps.append(float(np.median(np.diff(history["seconds"][1:steps]))))
    singles_total = time.perf_counter() - t0
    diff = float(np.max(np.abs(batched - np.stack(singles))))
    return {"n": n, "steps": steps, "shape": list(start.shape[1:3]),
            "batched_total_s": batched_total, "sequential_total_s": singles_total,
            "batched_step_ms": 1000 * batched_step,
            "sequential_step_ms": 1000 * float(np.sum(single_steps)),
            "max_abs_pixel_diff": diff, "peak_rss_mib": _peak_rss_mib()}


def work_adam_quality(spec):
    """Adam with the tutorial's settings for ``steps`` steps; the image and history."""
    import numpy as np
    from styletransfer_tf import images as imgs
    from styletransfer_tf import optimize
    _, objective, start = problem(spec, precision=spec["precision"])
    if spec.get("jitter"):
        # the control: move every start pixel by less than one grey level
        noise = np.random.default_rng(0).uniform(-1, 1, start.shape).astype(np.float32)
        start = np.clip(start + spec["jitter"] * noise, optimize.PIXEL_LOW, optimize.PIXEL_HIGH)
    x, history = optimize.run_adam(objective, start, spec["steps"], verbose=False,
                                   snapshot_every=spec.get("snapshot_every"),
                                   **TUTORIAL_ADAM)
    out = Path(spec["out_dir"])
    out.mkdir(parents=True, exist_ok=True)
    result = {"total": [row[0] for row in history["total"]], "seconds": history["seconds"],
              "peak_rss_mib": _peak_rss_mib(), "images": {}}
    keep = {spec["steps"], spec.get("snapshot_every")}
    for step, image in history.get("snapshots", []):
        if step not in keep:
            continue
        path = out / f"adam_{spec.get('tag', spec['precision'])}_{spec['size']}px_step{step:04d}.png"
        imgs.save_image(path, image[0], overwrite=True)
        result["images"][str(step)] = _shown(path)
        np.save(out / f".{path.stem}.npy", image[0])
    if spec["precision"] != "float32":
        # the loss of the mixed result as the float32 objective sees it
        _, objective32, _ = problem(spec, precision="float32")
        total, _ = objective32(np.asarray(x))
        result["float32_loss_of_result"] = float(total.numpy()[0])
    return result


def work_lbfgs_quality(spec):
    from styletransfer_tf import optimize
    _, objective, start = problem(spec, precision=spec["precision"])
    _, history = optimize.run_lbfgs(objective, start, spec["max_steps"], verbose=False,
                                    target_loss=spec["target"])
    return {"total": [row[0] for row in history["total"]], "seconds": history["seconds"],
            "message": history["message"], "peak_rss_mib": _peak_rss_mib()}


WORKERS = {"matmul": work_matmul, "step": work_step, "naive": work_naive, "batch": work_batch,
           "adam_quality": work_adam_quality, "lbfgs_quality": work_lbfgs_quality}


def _cpu_busy_seconds():
    """Seconds of CPU time the whole machine has spent busy (from /proc/stat)."""
    try:
        fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except OSError:
        return float("nan")
    user, nice, system, idle, iowait, irq, softirq, steal = (fields + [0] * 8)[:8]
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def _children_cpu_seconds():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def wait_until_quiet(max_wait, window=3.0, threshold=0.1):
    """Wait (at most ``max_wait`` s) until other programs use < ``threshold`` cores.

    Returns the seconds waited. The machine is shared: a benchmark that runs while
    something else computes measures that something else.
    """
    t0 = time.perf_counter()
    while True:
        busy = _cpu_busy_seconds()
        time.sleep(window)
        load = (_cpu_busy_seconds() - busy) / window
        if not load >= threshold or time.perf_counter() - t0 > max_wait:
            return time.perf_counter() - t0


def run_worker(spec, timeout=3600, max_wait=None, retries=None):
    """Run one measurement in a fresh Python process; return its JSON result.

    Before it, wait for the machine to be quiet; during it, count the CPU time other
    programs used ("other_cpu_cores": their average number of busy cores). If that
    exceeds --max-other-cores, wait and measure again (at most --retries times); the
    result keeps the count, so contended numbers are visible as such.
    """
    max_wait = ARGS.max_wait if max_wait is None else max_wait
    retries = ARGS.retries if retries is None else retries
    cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", json.dumps(spec)]
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2")
    for attempt in range(retries + 1):
        waited = wait_until_quiet(max_wait)
        busy, own, t0 = _cpu_busy_seconds(), _children_cpu_seconds(), time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=timeout)
        wall = time.perf_counter() - t0
        others = max(0.0, (_cpu_busy_seconds() - busy) - (_children_cpu_seconds() - own)) / wall
        lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
        if proc.returncode != 0 or not lines:
            raise RuntimeError(f"worker {spec} failed:\n{proc.stderr[-3000:]}")
        result = json.loads(lines[-1])
        result.update(worker_wall_s=wall, other_cpu_cores=others, waited_s=waited,
                      attempt=attempt)
        if others <= ARGS.max_other_cores:
            break
        say(f"  ({spec['kind']}: other programs used {others:.2f} cores meanwhile; "
            f"{'measuring again' if attempt < retries else 'keeping it, marked'})")
    return result


# --------------------------------------------------------------------------- driver


def machine_info():
    info = {"platform": platform.platform(), "python": platform.python_version(),
            "cores": os.cpu_count()}
    try:
        cpuinfo = Path("/proc/cpuinfo").read_text()
        model = [ln.split(":", 1)[1].strip() for ln in cpuinfo.splitlines()
                 if ln.startswith("model name")]
        flags = next((ln.split(":", 1)[1].split() for ln in cpuinfo.splitlines()
                      if ln.startswith("flags")), [])
        info["cpu"] = model[0] if model else "?"
        info["cpu_flags"] = sorted(f for f in flags if f.startswith(("avx512", "amx", "avx2", "fma")))
    except OSError:
        pass
    try:
        info["mem_gib"] = round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1)
    except (ValueError, OSError):
        pass
    out = subprocess.run([sys.executable, "-c", "import tensorflow as tf, keras, numpy, scipy;"
                          "print(tf.__version__, keras.__version__, numpy.__version__, "
                          "scipy.__version__, len(tf.config.list_physical_devices('GPU')))"],
                         capture_output=True, text=True, env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3"))
    versions = (out.stdout.split() + ["?"] * 5)[:5]
    info.update(tensorflow=versions[0], keras=versions[1], numpy=versions[2],
                scipy=versions[3], gpus=versions[4],
                onednn=os.environ.get("TF_ENABLE_ONEDNN_OPTS", "default (on)"))
    return info


def default_images():
    """The paper's Tuebingen/Starry Night if found, else the repository's samples."""
    from styletransfer_tf import paper_images
    content = paper_images.paper_image_path("tubingen.jpg")
    style = paper_images.paper_image_path("starry_night.jpg")
    shared = ROOT.parent / "shared" / "images"
    if content is None and (shared / "tubingen.jpg").is_file():
        content = shared / "tubingen.jpg"
    if style is None and (shared / "starry_night.jpg").is_file():
        style = shared / "starry_night.jpg"
    if content is None or style is None:
        return ROOT / "images" / "sample_content.png", ROOT / "images" / "sample_style.png"
    return content, style


def say(*args):
    print(*args, file=sys.stderr, flush=True)


def measure(args):
    content, style = args.content, args.style
    base = {"content": str(content), "style": str(style)}
    results = {"machine": machine_info(), "load_start": os.getloadavg(),
               "started": time.strftime("%Y-%m-%d %H:%M:%S"),
               "images": base, "command": " ".join(sys.argv), "steps": {}, "naive": {}}
    t_start = time.perf_counter()
    say(f"machine: {results['machine'].get('cpu')} x{results['machine']['cores']}, "
        f"load {results['load_start']}")

    def matmuls(tag):
        out = {}
        for dtype in ("float32", "bfloat16"):
            runs = [run_worker({"kind": "matmul", "n": n, "dtype": dtype,
                                "repeats": args.matmul_repeats}) for n in args.matmul_sizes]
            best = max(runs, key=lambda r: r["gflops"])
            out[dtype] = {"gflops": best["gflops"], "n": args.matmul_sizes[runs.index(best)],
                          "by_n": {str(n): r["gflops"] for n, r in zip(args.matmul_sizes, runs)}}
            say(f"matmul {dtype} ({tag}): {best['gflops']:.1f} GFLOP/s")
        return out

    results["matmul_start"] = matmuls("start")
    for size in args.sizes:
        repeats = args.repeats.get(size, 5)
        for precision in ("float32", "mixed"):
            for jit in (False, True):
                if jit and size not in args.xla_sizes:
                    continue
                spec = {**base, "kind": "step", "size": size, "precision": precision,
                        "jit": jit, "warmup": 2, "repeats": max(2, repeats // 2) if jit else repeats}
                key = f"{size}/{precision}/{'xla' if jit else 'nojit'}"
                results["steps"][key] = run_worker(spec)
                say(f"step {key}: {results['steps'][key]['ms']:.0f} ms")
        spec = {**base, "kind": "naive", "size": size, "warmup": 1,
                "repeats": max(2, repeats // 2)}
        results["naive"][str(size)] = run_worker(spec)
        say(f"naive {size}: {results['naive'][str(size)]['ms']:.0f} ms")

    if args.batch_size:
        spec = {**base, "kind": "batch", "size": args.batch_size,
                "betas": args.batch_betas, "steps": args.batch_steps}
        results["batch"] = run_worker(spec)
        say(f"batch: {results['batch']['batched_total_s']:.1f} s vs "
            f"{results['batch']['sequential_total_s']:.1f} s")

    if args.quality_size:
        out_dir = Path(args.out).parent
        quality = {"size": args.quality_size, "adam_steps": args.adam_steps,
                   "adam_settings": TUTORIAL_ADAM}
        spec = {**base, "kind": "adam_quality", "size": args.quality_size,
                "precision": "float32", "steps": args.adam_steps,
                "snapshot_every": args.compare_step, "out_dir": str(out_dir)}
        quality["adam"] = run_worker(spec, retries=min(1, ARGS.retries))
        target = quality["adam"]["total"][-1]
        say(f"adam {args.adam_steps} steps: loss {target:.4g} "
            f"in {quality['adam']['seconds'][-1]:.1f} s")
        spec = {**base, "kind": "lbfgs_quality", "size": args.quality_size,
                "precision": "float32", "target": target, "max_steps": args.adam_steps}
        quality["lbfgs"] = run_worker(spec, retries=min(1, ARGS.retries))
        say(f"lbfgs: loss {quality['lbfgs']['total'][-1]:.4g} "
            f"in {quality['lbfgs']['seconds'][-1]:.1f} s")
        results["quality"] = quality
        if args.compare_step:
            spec = {**base, "kind": "adam_quality", "size": args.quality_size,
                    "precision": "mixed", "steps": args.compare_step,
                    "snapshot_every": args.compare_step, "out_dir": str(out_dir)}
            results["precision_compare"] = run_worker(spec, retries=min(1, ARGS.retries))
            say(f"mixed adam {args.compare_step} steps: "
                f"loss {results['precision_compare']['total'][-1]:.4g}")
            results["precision_compare"].update(image_difference(
                out_dir, args.quality_size, args.compare_step, "float32", "mixed"))
            if args.control:
                spec.update(precision="float32", tag="float32-jitter", jitter=0.5)
                results["precision_control"] = run_worker(spec, retries=min(1, ARGS.retries))
                say(f"float32 control {args.compare_step} steps: "
                    f"loss {results['precision_control']['total'][-1]:.4g}")
                results["precision_control"].update(image_difference(
                    out_dir, args.quality_size, args.compare_step, "float32", "float32-jitter"))
            results["precision_figure"] = side_by_side(
                out_dir, args.quality_size, args.compare_step,
                ["float32", "mixed"] + (["float32-jitter"] if args.control else []))

    results["matmul_end"] = matmuls("end")
    results["load_end"] = os.getloadavg()
    results["wall_s"] = time.perf_counter() - t_start
    return results


def side_by_side(out_dir, size, step, tags):
    """One PNG with the results of ``tags`` next to each other (8 px white gaps)."""
    import numpy as np
    from styletransfer_tf import images as imgs
    pictures = [np.load(out_dir / f".adam_{tag}_{size}px_step{step:04d}.npy") for tag in tags]
    gap = np.full((pictures[0].shape[0], 8, 3), 255, np.uint8)
    row = np.concatenate([part for pic in pictures for part in (pic, gap)][:-1], axis=1)
    path = out_dir / f"precision_{size}px_step{step:04d}_{'_vs_'.join(tags)}.png"
    imgs.save_image(path, row, overwrite=True)
    return _shown(path)


def image_difference(out_dir, size, step, tag_a, tag_b):
    """Pixel statistics (0-255 RGB) of two results after ``step`` Adam steps."""
    import numpy as np
    a = np.load(out_dir / f".adam_{tag_a}_{size}px_step{step:04d}.npy").astype(np.float64)
    b = np.load(out_dir / f".adam_{tag_b}_{size}px_step{step:04d}.npy").astype(np.float64)
    mse = float(np.mean((a - b) ** 2))
    return {"pixels_mean_abs_diff": float(np.mean(np.abs(a - b))),
            "pixels_max_abs_diff": float(np.max(np.abs(a - b))),
            "pixels_p99_abs_diff": float(np.percentile(np.abs(a - b), 99)),
            "psnr_db": float(10 * np.log10(255 ** 2 / mse)) if mse else float("inf")}


# --------------------------------------------------------------------------- report


def matmul_reference(results, dtype):
    """Measured matmul throughput: the better of the start and end measurements."""
    return max(results["matmul_start"][dtype]["gflops"], results["matmul_end"][dtype]["gflops"])


def tables(results):
    ref32, ref16 = matmul_reference(results, "float32"), matmul_reference(results, "bfloat16")
    lines = ["| size (px) | mode | ms/step | GFLOP/step | GFLOP/s | % of fp32 matmul "
             "| % of bf16 matmul | peak RSS (MiB) | speed-up vs naive | other CPU (cores) |",
             "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for key, row in results["steps"].items():
        size, precision, jit = key.split("/")
        naive = results["naive"].get(size)
        h, w = row["shape"]
        mode = f"{precision}{' + XLA' if jit == 'xla' else ''}"
        lines.append(
            f"| {size} ({w}x{h}) | {mode} | {row['ms']:.0f} | {row['flops']['total'] / 1e9:.1f} "
            f"| {row['gflops']:.1f} | {100 * row['gflops'] / ref32:.0f}% "
            f"| {100 * row['gflops'] / ref16:.0f}% | {row['peak_rss_mib']:.0f} "
            f"| {naive['ms'] / row['ms']:.1f}x | {row.get('other_cpu_cores', float('nan')):.2f} |")
    for size, row in results["naive"].items():
        lines.append(f"| {size} | naive baseline (eager, full VGG19, targets every step) "
                     f"| {row['ms']:.0f} | | | | | {row['peak_rss_mib']:.0f} | 1.0x "
                     f"| {row.get('other_cpu_cores', float('nan')):.2f} |")
    out = ["### Step time", "", *(lines if results["steps"] else ["(not measured)"]), "",
           f"Matrix multiply (`tf.matmul`, n = {results['matmul_start']['float32']['n']}), "
           f"best of start/end: float32 {ref32:.1f} GFLOP/s, bfloat16 {ref16:.1f} GFLOP/s "
           f"(start {results['matmul_start']['float32']['gflops']:.1f} / "
           f"end {results['matmul_end']['float32']['gflops']:.1f} float32)."]
    q = results.get("quality")
    if q:
        adam, lbfgs = q["adam"], q["lbfgs"]
        out += ["", f"### Time to quality ({q['size']} px, float32)", "",
                "Quality level = the total loss Adam (tutorial settings) has after N steps; "
                "the last row is the target of the issue (Adam's final loss).", "",
                "| level: Adam after | loss | Adam (s) | L-BFGS iterations | L-BFGS (s) "
                "| L-BFGS / Adam |", "|---|---:|---:|---:|---:|---:|"]
        for level in [n for n in (10, 30, 100, 300) if n < q["adam_steps"]] + [q["adam_steps"]]:
            target = adam["total"][level]
            adam_hit = next(i for i, v in enumerate(adam["total"]) if v <= target)
            hit = next((i for i, v in enumerate(lbfgs["total"]) if v <= target), None)
            seconds = lbfgs["seconds"][hit] if hit is not None else float("nan")
            out.append(f"| {level} steps | {target:.4g} | {adam['seconds'][adam_hit]:.1f} "
                       f"| {hit if hit is not None else 'not reached'} | {seconds:.1f} "
                       f"| {seconds / adam['seconds'][adam_hit]:.2f} |")
        per_step = statistics.median(a - b for a, b in zip(adam["seconds"][1:], adam["seconds"]))
        per_iter = statistics.median(a - b for a, b in zip(lbfgs["seconds"][1:], lbfgs["seconds"]))
        out += ["", f"Median time per Adam step {1000 * per_step:.0f} ms, per L-BFGS iteration "
                f"{1000 * per_iter:.0f} ms; other programs used {adam['other_cpu_cores']:.2f} and "
                f"{lbfgs['other_cpu_cores']:.2f} cores during the two runs."]
    p = results.get("precision_compare")
    if p and q:
        step = len(p["total"]) - 1
        f32 = q["adam"]["total"][step]
        c = results.get("precision_control")
        rows = [("mixed precision", p)] + ([("float32, start moved by <= 0.5 grey levels "
                                             "(control)", c)] if c else [])
        out += ["", f"### Mixed precision vs float32 ({q['size']} px, Adam with the tutorial "
                f"settings, {step} steps, same start)", "",
                f"Reference: the float32 run, total loss {f32:.5g} after "
                f"{q['adam']['seconds'][step]:.1f} s.", "",
                "| run | loss (own objective) | loss scored in float32 | wall-clock (s) "
                "| mean abs pixel diff | 99th pct | PSNR (dB) |",
                "|---|---:|---:|---:|---:|---:|---:|"]
        for name, run in rows:
            scored = run.get("float32_loss_of_result", run["total"][-1])
            out.append(f"| {name} | {run['total'][-1]:.5g} ({100 * (run['total'][-1] - f32) / f32:+.2f}%) "
                       f"| {scored:.5g} ({100 * (scored - f32) / f32:+.2f}%) "
                       f"| {run['seconds'][-1]:.1f} | {run['pixels_mean_abs_diff']:.1f} "
                       f"| {run['pixels_p99_abs_diff']:.0f} | {run['psnr_db']:.1f} |")
        out += ["", f"Pixel differences are against the float32 result (0-255 RGB). Side by "
                f"side: {results.get('precision_figure', '?')}."]
    b = results.get("batch")
    if b:
        h, w = b["shape"]
        out += ["", f"### Batched figure row ({b['n']} runs, {w}x{h} px, {b['steps']} Adam steps)",
                "", "| | one batch | in sequence | ratio |", "|---|---:|---:|---:|",
                f"| wall-clock incl. setup and tracing (s) | {b['batched_total_s']:.1f} "
                f"| {b['sequential_total_s']:.1f} "
                f"| {b['batched_total_s'] / b['sequential_total_s']:.2f} |",
                f"| steady-state time of one step for all {b['n']} (ms) "
                f"| {b['batched_step_ms']:.0f} | {b['sequential_step_ms']:.0f} "
                f"| {b['batched_step_ms'] / b['sequential_step_ms']:.2f} |",
                "", f"Largest pixel difference batch vs separate: {b['max_abs_pixel_diff']:.3g} "
                "(VGG input scale)."]
    m = results["machine"]
    out += ["", f"Machine: {m.get('cpu')}, {m['cores']} cores, flags {' '.join(m.get('cpu_flags', []))}; "
            f"TensorFlow {m['tensorflow']}, Keras {m['keras']}; load average "
            f"{' '.join(f'{v:.2f}' for v in results['load_start'])} at the start, "
            f"{' '.join(f'{v:.2f}' for v in results['load_end'])} at the end; "
            f"whole run {results['wall_s'] / 60:.1f} min."]
    return "\n".join(out)


ARGS = argparse.Namespace(max_wait=120.0, retries=2, max_other_cores=0.15)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--sizes", type=int, nargs="*", default=[128, 256, 512],
                        help="content sizes (longest side) of the step-time table; "
                        "none = skip it")
    parser.add_argument("--xla-sizes", type=int, nargs="*", default=[128, 256],
                        help="sizes also measured with XLA (default 128 256: XLA is so slow "
                        "on the CPU that 512 px alone would take minutes)")
    parser.add_argument("--repeats", default="128:9,256:7,512:5",
                        help="timed steps per size, SIZE:N,... (XLA and naive: half)")
    parser.add_argument("--matmul-sizes", type=int, nargs="+", default=[4096])
    parser.add_argument("--matmul-repeats", type=int, default=7)
    parser.add_argument("--batch-size", type=int, default=256,
                        help="image size of the batched-row comparison (0 = skip)")
    parser.add_argument("--batch-betas", type=float, nargs="+", default=[1.0, 10.0, 100.0, 1000.0])
    parser.add_argument("--batch-steps", type=int, default=10)
    parser.add_argument("--quality-size", type=int, default=256,
                        help="size of the time-to-quality runs (0 = skip)")
    parser.add_argument("--adam-steps", type=int, default=1000)
    parser.add_argument("--compare-step", type=int, default=300,
                        help="Adam steps of the mixed-vs-float32 comparison (0 = skip)")
    parser.add_argument("--no-control", dest="control", action="store_false",
                        help="skip the float32 control run (start moved by +-0.5 grey "
                        "levels) that shows how much pixels differ without any precision change")
    parser.add_argument("--content", type=Path, default=None)
    parser.add_argument("--style", type=Path, default=None)
    parser.add_argument("--out", default=str(DEFAULT_OUT), help="JSON file to write")
    parser.add_argument("--max-wait", type=float, default=120.0,
                        help="seconds to wait for other programs to go quiet before each "
                        "measurement (default 120)")
    parser.add_argument("--max-other-cores", type=float, default=0.15,
                        help="re-measure when other programs used more CPU than this many "
                        "cores during a measurement (default 0.15)")
    parser.add_argument("--retries", type=int, default=2,
                        help="re-measurements per contended measurement (default 2)")
    parser.add_argument("--quick", action="store_true",
                        help="smoke test: 128 px only, few repeats, 30 Adam steps")
    parser.add_argument("--report", metavar="JSON", help="only print the tables of a saved run")
    args = parser.parse_args(argv)
    if args.quick:
        args.sizes, args.xla_sizes, args.repeats = [128], [128], "128:3"
        args.batch_size, args.batch_steps = 128, 4
        args.quality_size, args.adam_steps, args.compare_step = 128, 30, 10
        args.matmul_sizes, args.matmul_repeats = [1024], 3
    args.repeats = {int(k): int(v) for k, v in (p.split(":") for p in args.repeats.split(","))}
    if (args.content is None or args.style is None) and not (args.worker or args.report):
        content, style = default_images()
        args.content, args.style = args.content or content, args.style or style
    return args


def main(argv=None):
    args = parse_args(argv)
    ARGS.__dict__.update(max_wait=args.max_wait, retries=args.retries,
                         max_other_cores=args.max_other_cores)
    if args.worker:
        spec = json.loads(args.worker)
        print(json.dumps(WORKERS[spec["kind"]](spec)))
        return 0
    if args.report:
        print(tables(json.loads(Path(args.report).read_text())))
        return 0
    results = measure(args)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=1))
    report = tables(results)
    (out.with_suffix(".md")).write_text(report + "\n")
    print(report)
    say(f"wrote {out} and {out.with_suffix('.md')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
