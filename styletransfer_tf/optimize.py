"""Image optimisation: Adam, L-BFGS, coarse to fine, and ``stylize``.

The loss they minimise is built by ``objective.make_objective``.

The image being optimised lives in VGG input space (BGR, mean subtracted, 0-255 scale,
see ``images.preprocess``) as a (B, H, W, 3) batch. Every batch entry is an independent
problem with its own targets and weights: its loss depends only on its own pixels, so
Adam (an element-wise method) on a batch gives the same images as B separate runs.
L-BFGS couples the entries through its line search, so run it one image at a time.
"""

import contextlib
import ctypes
import time

import keras
import numpy as np
import scipy.optimize
import tensorflow as tf
from tqdm.auto import tqdm

from . import blend, color, memory, vgg
from . import images as imgs
from . import masks as region_masks
from .errors import NonFiniteLossError, StyleTransferError
from .objective import PARTS, make_objective  # noqa: F401  (re-exported)
from .options import (  # noqa: F401  (re-exported: optimize.DEFAULT_* etc. are public API)
    ADAM_DEFAULTS, ADAM_LR_FINAL, COARSER_STEPS, DEFAULT_ALPHA, DEFAULT_BETA, DEFAULT_INIT,
    DEFAULT_JIT_COMPILE, DEFAULT_OPTIMIZER, DEFAULT_PRECISION, DEFAULT_PRESERVE_COLOR,
    DEFAULT_SCALES, DEFAULT_SIZE, DEFAULT_STEPS, DEFAULT_STYLE_SCALE, DEFAULT_TV_WEIGHT, INITS,
    OPTIMIZERS, SCALE_FACTOR, WEIGHT_SIZE, check_optimizer, check_precision,
    check_preserve_color, check_scales, check_style_scale, pyramid_shapes, pyramid_sizes,
    steps_per_scale, weight_factor)

PIXEL_LOW, PIXEL_HIGH = imgs.PIXEL_LOW, imgs.PIXEL_HIGH  # the valid pixel range, VGG space


def new_history(batch):
    """An empty loss history: step numbers, seconds, and one (B,) row per step for each part."""
    return {"step": [], "seconds": [], **{part: [] for part in PARTS}, "batch": batch}


def record(history, step, start, parts):
    history["step"].append(int(step))
    history["seconds"].append(time.perf_counter() - start)
    for part in PARTS:
        history[part].append([float(v) for v in np.atleast_1d(np.asarray(parts[part]))])


def _progbar(steps, verbose):
    return tqdm(total=steps, disable=not verbose, unit="step", dynamic_ncols=True)


def _progress(bar, step, parts):
    """Move the bar to ``step`` and show the losses (summed over the batch)."""
    bar.set_postfix_str(" ".join(f"{p}={float(np.sum(np.asarray(parts[p]))):.3g}"
                                 for p in PARTS), refresh=False)
    bar.update(step - bar.n)


def _snapshot(history, step, x):
    history.setdefault("snapshots", []).append(
        (int(step), imgs.to_uint8(imgs.deprocess(np.asarray(x)))))


def _non_finite(history, step, x, optimizer):
    values = np.asarray(history["total"][-1]) if history["total"] else "?"
    return NonFiniteLossError(
        f"the loss became non-finite ({values}) at {optimizer} step {step}; "
        "lower the learning rate or the loss weights. The last finite image was kept",
        step, imgs.to_uint8(imgs.deprocess(np.asarray(x))), history)


def adam_step_fn(objective, x, lr=ADAM_DEFAULTS["lr"], beta_1=ADAM_DEFAULTS["beta_1"],
                 beta_2=ADAM_DEFAULTS["beta_2"], epsilon=ADAM_DEFAULTS["epsilon"],
                 jit_compile=DEFAULT_JIT_COMPILE):
    """A compiled Adam step on the image variable ``x`` (B, H, W, 3).

    Returns ``(step, last_finite)``: ``step()`` evaluates the loss at the current image
    and, only if every entry's loss is finite, copies the image into ``last_finite`` and
    takes one Adam step, then clips to the valid pixel range; it returns
    ``(finite, parts)``. ``step`` is traced once per image shape. ``jit_compile=True``
    compiles it with XLA.
    """
    optimizer = keras.optimizers.Adam(learning_rate=lr, beta_1=beta_1, beta_2=beta_2,
                                      epsilon=epsilon)
    optimizer.build([x])
    last_finite = tf.Variable(x, trainable=False)

    @tf.function(jit_compile=jit_compile)
    def step():
        with tf.GradientTape() as tape:
            total, parts = objective(x)
            loss = tf.reduce_sum(total)
        finite = tf.reduce_all(tf.math.is_finite(total))
        if finite:
            grad = tape.gradient(loss, x)
            last_finite.assign(x)
            optimizer.apply_gradients([(grad, x)])
            x.assign(tf.clip_by_value(x, PIXEL_LOW, PIXEL_HIGH))
        return finite, parts

    return step, last_finite


def run_adam(objective, init, steps, snapshot_every=None, verbose=True,
             lr_final=ADAM_LR_FINAL, max_seconds=None, **adam):
    """Optimise the image with Adam for ``steps`` steps.

    Args:
        objective: from :func:`make_objective`.
        init: (B, H, W, 3) start image(s) in VGG input space.
        steps: number of Adam steps (>= 1).
        snapshot_every: keep a uint8 RGB copy of the batch every k steps.
        verbose: show a Keras progress bar.
        lr_final: the learning rate falls along a cosine from ``lr`` to ``lr * lr_final``
            at the last step (1 = constant): late steps then polish instead of adding
            the grain of full-size steps.
        max_seconds: stop after the first step that ends past this many seconds.
        **adam: lr, beta_1, beta_2, epsilon, and ``jit_compile`` (XLA; default
            :data:`DEFAULT_JIT_COMPILE`) for :func:`adam_step_fn`.

    Returns:
        ``(x, history)``: the final (B, H, W, 3) image in VGG input space and the loss
        history (``steps + 1`` rows: the start and after every step).

    Raises:
        NonFiniteLossError: the loss became NaN/Inf; it carries the last finite image.
    """
    x = tf.Variable(np.asarray(init, dtype=np.float32))
    if not 0 < lr_final <= 1:
        raise StyleTransferError(f"lr_final must be in (0, 1], got {lr_final!r}")
    lr = adam.pop("lr", ADAM_DEFAULTS["lr"])
    if lr_final != 1 and steps > 1:
        lr = keras.optimizers.schedules.CosineDecay(lr, steps - 1, alpha=lr_final)
    step, last_finite = adam_step_fn(objective, x, lr=lr, **adam)
    history, bar, start = new_history(x.shape[0]), _progbar(steps, verbose), time.perf_counter()
    for i in range(steps):
        if snapshot_every and i % snapshot_every == 0:
            _snapshot(history, i, x)
        finite, parts = step()
        record(history, i, start, parts)
        if not bool(finite):
            bar.close()
            raise _non_finite(history, i, last_finite, "adam")
        _progress(bar, i + 1, parts)
        if max_seconds is not None and time.perf_counter() - start >= max_seconds:
            break
    bar.close()
    done = i + 1
    _, parts = objective(x)
    record(history, done, start, parts)
    if not np.all(np.isfinite(history["total"][-1])):
        raise _non_finite(history, done, last_finite, "adam")
    if snapshot_every:
        _snapshot(history, done, x)
    return x.numpy(), history


class _StopLBFGS(Exception):
    pass


@contextlib.contextmanager
def single_threaded_openblas():
    """Run the block with every loaded OpenBLAS limited to one thread (Linux; else no-op).

    scipy's L-BFGS-B does its vector work through OpenBLAS, whose idle threads keep
    spinning for a while after each call, taking cores from TensorFlow's next loss
    evaluation (measured in benchmarks/README.md). The vectors are far too short for
    threads to pay off, so use one.
    """
    restore = []
    try:
        with open("/proc/self/maps") as maps:
            paths = {line.split()[-1] for line in maps if "openblas" in line.lower()}
    except OSError:
        paths = set()
    for path in sorted(paths):
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        for prefix, suffix in [("openblas", ""), ("scipy_openblas", ""), ("scipy_openblas", "64_")]:
            setter = getattr(lib, f"{prefix}_set_num_threads{suffix}", None)
            getter = getattr(lib, f"{prefix}_get_num_threads{suffix}", None)
            if setter is not None and getter is not None:
                restore.append((setter, getter()))
                setter(1)
                break
    try:
        yield
    finally:
        for setter, threads in restore:
            setter(threads)


class _ReachedTarget(Exception):
    """Stop L-BFGS early; the message says why."""


def pixel_bounds(shape, scale=1.0):
    """scipy ``Bounds`` keeping every value of an image of ``shape`` in the valid pixel
    range (VGG input space), for an optimiser that works on pixels / ``scale``."""
    return scipy.optimize.Bounds(np.broadcast_to(PIXEL_LOW, shape).ravel() / scale,
                                 np.broadcast_to(PIXEL_HIGH, shape).ravel() / scale)


def lbfgs_options(steps):
    """scipy L-BFGS-B options of :func:`run_lbfgs`: ``steps`` iterations, at most
    2 steps + 20 evaluations, no stop on a small gradient, stop only when the loss stops
    falling (relative reduction <= 1e-12)."""
    return {"maxiter": steps, "maxfun": 2 * steps + 20, "ftol": 1e-12, "gtol": 0.0}


def run_lbfgs(objective, init, steps, snapshot_every=None, verbose=True,
              jit_compile=DEFAULT_JIT_COMPILE, target_loss=None, scale=1.0,
              max_seconds=None):
    """Optimise the image with L-BFGS-B (scipy), the paper's optimiser, within pixel bounds.

    One step is one L-BFGS iteration (it may evaluate the loss more than once). Arguments
    and return value as in :func:`run_adam`; ``history["message"]`` holds scipy's reason
    for stopping. Use B = 1: the entries of a batch would share one line search.
    ``jit_compile=True`` compiles the loss-and-gradient function with XLA. With
    ``target_loss``, stop after the first iteration whose total loss is at or below it;
    with ``max_seconds``, after the first iteration that ends past that time.

    ``scale``: L-BFGS-B works on y = x / scale. Its first step has unit length in y; when
    the loss is tiny (the normalised network of ``normalize.normalize_vgg``) a unit step
    spread over ~10^5 pixels changes it by less than float32 rounding and scipy stops
    after one iteration ("relative reduction of f <= factr*epsmch"). A scale of a few
    times sqrt(number of values) makes that first step move pixels by a few units; from
    the second iteration on L-BFGS scales itself, so the scale does not matter otherwise.
    """
    init = np.asarray(init, dtype=np.float32)
    if not scale > 0:
        raise StyleTransferError(f"scale must be > 0, got {scale!r}")
    x = tf.Variable(init)

    @tf.function(jit_compile=jit_compile)
    def value_and_grad():
        with tf.GradientTape() as tape:
            total, parts = objective(x)
            loss = tf.reduce_sum(total)
        return loss, tape.gradient(loss, x), parts

    history, bar, start = new_history(init.shape[0]), _progbar(steps, verbose), time.perf_counter()
    last = {"x": init.ravel().astype(np.float64) / scale, "finite_x": init, "parts": None}

    def fun(flat):
        x.assign((flat * scale).reshape(init.shape).astype(np.float32))
        loss, grad, parts = value_and_grad()
        parts = {k: v.numpy() for k, v in parts.items()}
        if not np.isfinite(loss.numpy()):
            last["parts"] = parts
            raise _StopLBFGS
        last.update(x=flat.copy(), finite_x=x.numpy(), parts=parts)
        return float(loss.numpy()), grad.numpy().ravel().astype(np.float64) * scale

    def callback(xk):
        i = len(history["step"])
        if not np.array_equal(xk, last["x"]):
            fun(xk)
        record(history, i, start, last["parts"])
        _progress(bar, i, last["parts"])
        if snapshot_every and i % snapshot_every == 0:
            _snapshot(history, i, last["finite_x"])
        if target_loss is not None and np.sum(last["parts"]["total"]) <= target_loss:
            raise _ReachedTarget(f"reached target_loss {target_loss:g}")
        if max_seconds is not None and time.perf_counter() - start >= max_seconds:
            raise _ReachedTarget(f"used the time budget of {max_seconds:.1f} s")

    bounds = pixel_bounds(init.shape, scale)
    try:
        fun(last["x"])
        record(history, 0, start, last["parts"])
        if snapshot_every:
            _snapshot(history, 0, init)
        with single_threaded_openblas():
            result = scipy.optimize.minimize(
                fun, last["x"], jac=True, method="L-BFGS-B", bounds=bounds, callback=callback,
                options=lbfgs_options(steps))
    except _StopLBFGS:
        bar.close()
        record(history, len(history["step"]), start, last["parts"])
        raise _non_finite(history, history["step"][-1], last["finite_x"], "lbfgs") from None
    except _ReachedTarget as stop:
        result = scipy.optimize.OptimizeResult(message=str(stop))
    bar.close()
    history["message"] = str(result.message)
    return last["finite_x"], history


def upsample(x, shape):
    """Resize a (B, H, W, 3) image batch in VGG input space to ``shape`` (H', W')
    (bicubic, float, no rounding), clipped to the pixel range: the next scale's start."""
    x = tf.image.resize(tf.convert_to_tensor(x, tf.float32), shape, method="bicubic")
    return tf.clip_by_value(x, PIXEL_LOW, PIXEL_HIGH).numpy()


def run_pyramid(objective_at, init, shapes, steps, optimizer="adam", verbose=True,
                snapshot_every=None, max_seconds=None, **options):
    """Coarse-to-fine optimisation: optimise at each image shape in turn, each scale
    starting from the previous scale's result upsampled (:func:`upsample`).

    Args:
        objective_at: ``objective_at(shape) -> objective`` for an image of ``shape``
            (H, W), e.g. :func:`make_objective` with targets at that size.
        init: (B, H, W, 3) start image in VGG input space; resized to ``shapes[0]``.
        shapes: list of (H, W), coarse to fine.
        steps: Adam steps or L-BFGS iterations per scale (one int for all, or a list).
        optimizer: "adam" (:func:`run_adam`) or "lbfgs" (:func:`run_lbfgs`).
        snapshot_every: snapshots at the last scale only.
        max_seconds: a time budget for all scales; each scale gets the time left times
            its share of the remaining work (steps x pixels).
        **options: passed to the optimiser (Adam settings, ``jit_compile``, ``scale``).

    Returns:
        ``(x, history)``: the final image (B, H, W, 3) and one history over all scales,
        steps numbered on: ``history["scale"]`` gives each row's scale index and
        ``history["shapes"]`` the shapes.
    """
    steps = steps_per_scale(steps, len(shapes))
    run = {"adam": run_adam, "lbfgs": run_lbfgs}[check_optimizer(optimizer)]
    x = np.asarray(init, np.float32)
    merged, start = None, time.perf_counter()
    work = [n * shape[0] * shape[1] for shape, n in zip(shapes, steps)]
    for k, (shape, n) in enumerate(zip(shapes, steps)):
        if max_seconds is not None:
            left = max(0.0, max_seconds - (time.perf_counter() - start))
            options["max_seconds"] = left * work[k] / sum(work[k:])
        if x.shape[1:3] != tuple(shape):
            x = upsample(x, shape)
        if verbose and len(shapes) > 1:
            tqdm.write(f"scale {k + 1}/{len(shapes)}: {shape[1]}x{shape[0]} px, {n} {optimizer} "
                       "steps")
        last = k == len(shapes) - 1
        try:
            x, history = run(objective_at(tuple(shape)), x, n,
                             snapshot_every=snapshot_every if last else None, verbose=verbose,
                             **options)
        except NonFiniteLossError as exc:
            exc.history = _join_histories(merged, exc.history, k, shapes)
            raise
        merged = _join_histories(merged, history, k, shapes)
    return x, merged


def _join_histories(merged, history, k, shapes):
    """Append one scale's history to the histories of the scales before it."""
    history = dict(history, scale=[k] * len(history["step"]), shapes=[tuple(s) for s in shapes])
    if merged is None:
        return history
    out = dict(merged)
    offset, elapsed = merged["step"][-1], merged["seconds"][-1]
    out["step"] = merged["step"] + [offset + s for s in history["step"]]
    out["seconds"] = merged["seconds"] + [elapsed + s for s in history["seconds"]]
    for key in (*PARTS, "scale"):
        out[key] = merged[key] + history[key]
    if "snapshots" in history:
        out["snapshots"] = [(offset + step, image) for step, image in history["snapshots"]]
    if "message" in history:
        out["message"] = history["message"]
    return out


def initial_image(init, content, style, seed=0):
    """The start image (H, W, 3), RGB 0-255, for ``init``.

    ``init`` is "content", "style" (resized to the content's shape), "noise" (white noise,
    uniform in 0-255, from ``np.random.default_rng(seed)``), or an RGB array / image path
    (resized to the content's shape).
    """
    shape = content.shape[:2]
    if isinstance(init, str) and init == "content":
        return content
    if isinstance(init, str) and init == "style":
        return imgs.resize(style, shape=shape)
    if isinstance(init, str) and init == "noise":
        return np.random.default_rng(seed).uniform(0, 255, size=content.shape).astype(np.float32)
    image = init if isinstance(init, np.ndarray) else imgs.load_image(init)
    return imgs.resize(image, shape=shape)


def stylize(content, style, *, size=DEFAULT_SIZE, scales=DEFAULT_SCALES, steps=None,
            optimizer=DEFAULT_OPTIMIZER, alpha=DEFAULT_ALPHA, beta=DEFAULT_BETA,
            tv_weight=DEFAULT_TV_WEIGHT, content_layers=vgg.CONTENT_LAYERS,
            style_layers=vgg.STYLE_LAYERS, style_layer_weights=None, style_size="size",
            style_scale=DEFAULT_STYLE_SCALE, style_blend=None, masks=None,
            preserve_color=DEFAULT_PRESERVE_COLOR,
            init=DEFAULT_INIT, seed=0, pooling="max", weights="imagenet", snapshot_every=None,
            verbose=True, precision=DEFAULT_PRECISION, jit_compile=DEFAULT_JIT_COMPILE,
            max_seconds=None, memory_check=True, **adam):
    """Neural style transfer of Gatys et al. (2016) for one content/style pair,
    coarse to fine, with the controls of Gatys et al. (2017) as options.

    The image is optimised at ``scales`` sizes (:func:`pyramid_sizes`, each
    :data:`SCALE_FACTOR` times the one before, the last ``size``), each scale starting
    from the previous result upsampled (:func:`run_pyramid`), as in Gatys et al. (2017),
    "Controlling Perceptual Factors in Neural Style Transfer". ``scales=1`` is the
    paper's single-scale optimisation.

    Args:
        content, style: image paths or RGB arrays (H, W, 3) in 0-255; ``style`` may be a
            list of several (blended with ``style_blend``, or one per region of ``masks``).
        size: longest side of the result in pixels (the content image is resized to it).
        scales: number of scales (1 = single scale); scales too small for the layers
            are left out.
        steps: Adam steps or L-BFGS iterations: one int for the finest scale (coarser
            scales get more, see :func:`steps_per_scale`), or one per scale; default
            :data:`DEFAULT_STEPS` for the optimiser.
        optimizer: "adam" (``tf.GradientTape`` step compiled with ``tf.function``) or
            "lbfgs" (scipy's L-BFGS-B, the paper's choice).
        alpha, beta, tv_weight: content, style and total-variation weights (Eq. 7 plus a
            TV term), stated for a :data:`WEIGHT_SIZE` px image; at other sizes alpha and
            tv_weight are rescaled by :func:`weight_factor` so the balance stays.
        content_layers, style_layers: layer names (paper or Keras style); an empty
            ``style_layers`` reconstructs the content, an empty ``content_layers``
            synthesises texture.
        style_layer_weights: w_l per style layer; default 1/L (the paper's).
        style_size: see ``images.style_image_for``; default "size" (the style image's
            longest side equals the result's, its aspect ratio kept).
        style_scale: the style image's size relative to the size ``style_size`` gives it
            (``images.style_image_for``): 2 makes its patterns twice as large in the
            result, 0.5 half as large.
        style_blend: with several styles, their blend weights (``blend.blend_weights``):
            None (equal), one weight per style, or (K, L) one per style and style layer
            (e.g. ``blend.coarse_fine_weights``); normalised to sum 1 per layer. The
            targets are the blended Gram matrices.
        masks: one region mask per style (paths or arrays, see ``masks.as_mask``; white =
            the region, the content's aspect ratio): style k is confined to mask k by
            guided Gram matrices (Gatys et al. 2017, Sec. 4.1, ``guidance``); pixels no
            mask covers get only the content loss. Not with ``style_blend``.
        preserve_color: "none" (the style's colours), "luminance" (transfer on the
            luminance only, the content's I and Q kept) or "histogram" (the style image
            recoloured to the content's colour mean and covariance first); see ``color``.
        init: "content", "style", "noise" (seeded white noise), an image path or an array.
        seed: seeds the noise initialisation and TensorFlow's random state.
        pooling: "max" or "avg" (the paper's choice).
        weights: "imagenet", a path to an .h5 file, or None (random; tests only).
        snapshot_every: keep a snapshot every k steps (last scale) in ``history["snapshots"]``.
        verbose: show progress bars.
        precision: "float32" or "mixed" (VGG in bfloat16, Gram matrices, losses and the
            image in float32); see ``vgg.PRECISIONS`` and benchmarks/README.md.
        jit_compile: compile the step with XLA (default off: slower on the CPU).
        max_seconds: a time budget for the optimisation (all scales); steps left when it
            runs out are skipped.
        memory_check: before building the network, estimate the run's peak memory
            (``memory.estimate_peak_bytes``, at the finest scale) and raise
            StyleTransferError if it exceeds the memory available (``memory.check_memory``).
        **adam: lr, beta_1, beta_2, epsilon (Adam only).

    Returns:
        ``(image, history)``: the result as uint8 RGB (H, W, 3), and a dict with lists
        ``step``, ``seconds``, ``scale`` and per-step floats ``content``, ``style``,
        ``tv``, ``total``.

    Raises:
        StyleTransferError: bad input (files, sizes, layers, options), or a size that
            would not fit in the memory available.
        NonFiniteLossError: the loss became NaN/Inf (carries the last finite image).
    """
    check_optimizer(optimizer)
    steps = DEFAULT_STEPS[optimizer] if steps is None else steps
    steps_per_scale(steps, scales)  # bad steps fail before any image is read
    if optimizer == "lbfgs" and adam:
        raise StyleTransferError(f"Adam options {sorted(adam)} do not apply to L-BFGS")
    check_precision(precision, optimizer)
    imgs.check_size(size)
    if not content_layers and not style_layers:
        raise StyleTransferError("give at least one content layer or one style layer")
    content_layers = [vgg.keras_layer_name(n) for n in content_layers]
    style_layers = [vgg.keras_layer_name(n) for n in style_layers]
    layers = list(dict.fromkeys([*content_layers, *style_layers]))
    check_preserve_color(preserve_color)
    style_scale = check_style_scale(style_scale)
    content_full = imgs.as_rgb(content)
    styles_full = [imgs.as_rgb(s) for s in (style if isinstance(style, (list, tuple))
                                             else [style])]
    if not styles_full:
        raise StyleTransferError("give at least one style image")
    region = None
    if masks is not None:
        if style_blend is not None:
            raise StyleTransferError("style_blend and masks do not combine: with masks, "
                                     "mask k gives style k its region")
        region = [region_masks.as_mask(mask) for mask in masks]
        region_masks.check_masks(region, content_full.shape, len(styles_full))
    elif style_blend is not None:
        blend.blend_weights(style_blend, len(styles_full), len(style_layers))
    plain = len(styles_full) == 1 and style_blend is None and region is None
    vgg.check_image_fits(imgs.fit_shape(content_full.shape, size), layers, "the content image")
    shapes, steps = pyramid_shapes(content_full.shape, size, scales, steps, layers)
    work_content, work_styles = color.prepare(content_full, styles_full, preserve_color)
    styles = {shape: [imgs.style_image_for(s, np.empty((*shape, 3)), style_size, size,
                                           style_scale) for s in work_styles]
              for shape in shapes}
    for per_shape in styles.values():
        for style_s in per_shape:
            vgg.check_image_fits(style_s.shape, style_layers, "the style image")
    if memory_check:
        memory.check_memory(shapes[-1], layers, optimizer, precision,
                            [s.shape for per_shape in styles.values() for s in per_shape],
                            what=f"size={size}", hint="use a smaller size")
    keras.utils.set_random_seed(seed)
    extractor = vgg.feature_extractor(layers, weights=weights, pooling=pooling,
                                      precision=precision)

    def objective_at(shape):
        content_s = imgs.resize(work_content, shape=shape)
        factor = weight_factor(shape)
        style_s = [imgs.preprocess(s) for s in styles[shape]]
        several = {} if plain else {
            "style_blend": style_blend,
            "masks": None if region is None else np.stack(
                [region_masks.resize_mask(mask, shape) for mask in region])}
        return make_objective(
            extractor, layers, content_layers, style_layers, imgs.preprocess(content_s)[None],
            style_s if plain else [style_s], alpha * factor if content_layers else 0.0,
            beta if style_layers else 0.0, tv_weight * factor,
            style_layer_weights=style_layer_weights, **several)

    start_rgb = initial_image(init, imgs.resize(work_content, shape=shapes[0]),
                              work_styles[0], seed)
    if preserve_color == "luminance":
        start_rgb = color.grey_image(color.luminance(start_rgb))
    options = {"jit_compile": jit_compile, **adam}
    try:
        x, history = run_pyramid(objective_at, imgs.preprocess(start_rgb)[None], shapes, steps,
                                 optimizer, verbose, snapshot_every,
                                 max_seconds=max_seconds, **options)
    except NonFiniteLossError as exc:
        if preserve_color != "none":
            exc.image = np.stack([_finish_color(image, content_full, preserve_color)
                                  for image in exc.image])
        raise
    image = imgs.to_uint8(color.finish(imgs.deprocess(x[0]), content_full, preserve_color))
    history = history_entry(history)
    if "snapshots" in history:
        history["snapshots"] = [(step, _finish_color(snap, content_full, preserve_color))
                                for step, snap in history["snapshots"]]
    return image, history


def _finish_color(image, content, preserve_color):
    """A uint8 snapshot (H, W, 3) with the colours of :func:`color.finish`."""
    if preserve_color == "none":
        return image
    return imgs.to_uint8(color.finish(image.astype(np.float32), content, preserve_color))


def history_entry(history, b=0):
    """One batch entry's history: its (B,) loss rows as plain floats, its snapshots as
    (H, W, 3) images; steps, seconds, scales and messages as they are."""
    out = {key: value for key, value in history.items() if key != "batch"}
    for part in PARTS:
        out[part] = [float(row[b]) for row in history[part]]
    if "snapshots" in history:
        out["snapshots"] = [(step, image[b]) for step, image in history["snapshots"]]
    return out
