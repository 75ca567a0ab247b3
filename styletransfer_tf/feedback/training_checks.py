"""Task 6b: the checks of ``train_step`` (one Adam step on the total loss, then clip),
eagerly and inside tf.function, on a tiny random-weight VGG problem.
"""

import numpy as np
import tensorflow as tf

from .. import images as _images
from .. import losses as _losses
from .calling import (_NUMPY_HINT, RemoteFunction, _hint_for_error, _is_numpy_error,
                      _isolated, _short_error)
from .compare import _close, _describe_shape, _to_array
from .kit_trap import _kit_switched_off, _not_the_kit
from .reference import PIXEL_HIGH, PIXEL_LOW, SEED, CheckFailed, _fail, _rng, _unwrap


_TRAIN = {}


def _train_setup(data=None):
    """A tiny random-weight VGG problem (cached): features fn, targets, start image.

    ``data`` (from :func:`_train_setup_data` in another process) rebuilds exactly that
    problem: the same weights, targets and start image.
    """
    if _TRAIN and (data is None or _TRAIN.get("data") is data):
        return _TRAIN
    import keras

    from .. import vgg
    if data is None:
        keras.utils.set_random_seed(SEED)
    content_layers, style_layers = ["conv2_2"], ["conv1_1", "conv2_1"]
    model = vgg.feature_extractor(content_layers + style_layers, weights=None)
    if data is not None:
        model.set_weights([np.asarray(w, np.float32) for w in data["weights"]])

    def features(x):
        out = model(x)
        return out[:1], out[1:]

    if data is None:
        size = 16
        content = _images.preprocess(
            _rng(40).uniform(0, 255, (1, size, size, 3)).astype(np.float32))
        style = _images.preprocess(
            _rng(41).uniform(0, 255, (1, size, size, 3)).astype(np.float32))
        content_targets, _ = features(tf.constant(content))
        _, style_feats = features(tf.constant(style))
        style_targets = [_losses.gram_matrix(f) for f in style_feats]
        # start next to the pixel limits, so that clipping matters after one step
        r = _rng(42).uniform(0, 3, (1, size, size, 3)).astype(np.float32)
        start = np.where(np.arange(size)[None, None, :, None] < size // 2,
                         PIXEL_HIGH - r, PIXEL_LOW + r).astype(np.float32)
    else:
        content_targets = [tf.constant(np.asarray(t, np.float32))
                           for t in data["content_targets"]]
        style_targets = [tf.constant(np.asarray(t, np.float32)) for t in data["style_targets"]]
        start = np.asarray(data["start"], np.float32)
    _TRAIN.clear()
    _TRAIN.update(features=features, content_targets=list(content_targets),
                  style_targets=style_targets, start=start, model=model, data=data)
    return _TRAIN


def _train_setup_data():
    """The training problem as plain arrays, to rebuild it in another process."""
    setup = _train_setup()
    if "as_data" not in setup:
        setup["as_data"] = {
            "weights": [np.asarray(w) for w in setup["model"].get_weights()],
            "content_targets": [np.asarray(t) for t in setup["content_targets"]],
            "style_targets": [np.asarray(t) for t in setup["style_targets"]],
            "start": setup["start"],
        }
    return setup["as_data"]


def _reference_losses(setup, x, alpha, beta, tv_weight):
    content_feats, style_feats = setup["features"](x)
    content = tf.add_n([_losses.content_loss(f, p)
                        for f, p in zip(content_feats, setup["content_targets"])])
    style = _losses.style_loss(style_feats, setup["style_targets"])
    tv = _losses.total_variation_loss(x)
    return content, style, tv


def _reference_step(setup, alpha, beta, tv_weight, lr, sign=1.0, clip=True):
    x = tf.Variable(setup["start"])
    opt = _adam(lr)
    with tf.GradientTape() as tape:
        c, s, t = _reference_losses(setup, x, alpha, beta, tv_weight)
        loss = tf.reduce_sum(_losses.total_loss(c, s, t, alpha, beta, tv_weight))
    grad = tape.gradient(loss, x)
    opt.apply_gradients([(sign * grad, x)])
    if clip:
        x.assign(tf.clip_by_value(x, PIXEL_LOW, PIXEL_HIGH))
    return float(loss), x.numpy()


def _adam(lr):
    import keras
    return keras.optimizers.Adam(learning_rate=lr)


_TRAIN_ARGS = dict(alpha=3.0, beta=0.7, tv_weight=1e-3, lr=5.0)


def _student_step(train_step, in_graph, setup):
    """One call of the student's step from the start image: (loss, error, new image).

    Runs where the student's function lives (see :class:`RemoteFunction`); what it
    returns is judged by :func:`_run_student_step`.
    """
    a = _TRAIN_ARGS
    x = tf.Variable(setup["start"])
    opt = _adam(a["lr"])
    opt.build([x])
    name = "train_step"
    if train_step is not None:
        _not_the_kit(name, train_step)
    fn = _unwrap(train_step)
    if in_graph:
        fn = tf.function(fn)
    args = (x, opt, setup["features"], setup["content_targets"], setup["style_targets"],
            a["alpha"], a["beta"], a["tv_weight"])
    out, error = None, None
    with _isolated(train_step, keep=(name,)), _kit_switched_off(name):
        try:
            out = fn(*args)
        except CheckFailed:
            raise
        except Exception as exc:  # noqa: BLE001 - judged by _run_student_step
            error = exc
    return out, error, x.numpy()


def _run_student_step(train_step, in_graph):
    setup = _train_setup()
    name = "train_step"
    if isinstance(train_step, RemoteFunction):
        out, error, x_new = train_step.run("student_step", in_graph=in_graph,
                                           setup=_train_setup_data())
        x_new = np.asarray(x_new, np.float32)
    else:
        out, error, x_new = _student_step(train_step, in_graph, setup)
    if error is not None:
        exc = error
        text = str(exc)
        if "No gradients provided" in text or ("NoneType" in text and "grad" in text.lower()):
            _fail(name, "got no gradient for the image (tape.gradient returned None).",
                  "compute the loss inside the `with tf.GradientTape() as tape:` block, "
                  "from the image variable x itself (no NumPy detour), then ask the tape "
                  "for the gradient of that loss with respect to x.",
                  details=_short_error(exc))
        if in_graph and _is_numpy_error(exc):
            _fail(name, "works eagerly but breaks inside tf.function: it calls NumPy "
                        "(or .numpy()) on a tensor.", _NUMPY_HINT,
                  details=_short_error(exc))
        if in_graph:
            _fail(name, "breaks inside tf.function, which is how the optimisation loop "
                        "runs it.",
                  "use TensorFlow ops only, and no Python `if`/`for` on tensor values.",
                  details=_short_error(exc))
        _fail(name, "raised an error:", _hint_for_error(exc), details=_short_error(exc))
    if out is None or out is Ellipsis:
        _fail(name, "returned None: it is not implemented yet (or the `return` is missing).",
              "replace the `...` with your code and return the loss you differentiated.")
    return out, x_new, setup


def check_train_step(train_step):
    """Task 6b: one Adam step on the total loss, then clip; returns the loss before the step."""
    name = "train_step"
    out, x_new, setup = _run_student_step(train_step, in_graph=False)
    a = _TRAIN_ARGS
    got = _to_array(name, out, expect="the scalar loss")
    if got.size != 1:
        _fail(name, f"returned a loss of shape {_describe_shape(got.shape)}; expected a "
                    "scalar (the total loss summed over the batch).",
              "return tf.reduce_sum of the per-image total loss, the value you "
                    "differentiated.")
    got = float(got.reshape(()))
    ref_loss, ref_x = _reference_step(setup, a["alpha"], a["beta"], a["tv_weight"], a["lr"])
    swapped_loss, _ = _reference_step(setup, a["beta"], a["alpha"], a["tv_weight"], a["lr"])
    start = setup["start"]
    if not _close(got, ref_loss):
        if _close(got, swapped_loss):
            _fail(name, "weights the losses with alpha and beta swapped: the content loss "
                        "gets beta and the style loss gets alpha.",
                  "pass alpha as the content weight and beta as the style weight (check the "
                  "order of the arguments of your total_loss call).")
        c, s, t = _reference_losses(setup, tf.constant(start), 0, 0, 0)
        c, s, t = (float(tf.reduce_sum(v)) for v in (c, s, t))
        wrong = [
            (a["alpha"] * c + a["beta"] * s, "leaves out the total-variation term.",
             "add tv_weight times total_variation_loss(x)."),
            (c + s + t, "does not use the weights alpha, beta and tv_weight.",
             "combine the three losses with total_loss(...) and the weights passed in."),
        ]
        for value, problem, hint in wrong:
            if _close(got, value):
                _fail(name, problem, hint)
        if np.allclose(x_new, start):
            pass  # reported below, with a better message
        else:
            _fail(name, f"returned the loss {got:.6g}, expected {ref_loss:.6g} (the total "
                        "loss of the image before the update).",
                  "compute content, style and total-variation losses of the current image "
                  "with the features function and the given targets, combine them with "
                  "total_loss, sum over the batch, and return that value.")
    if np.allclose(x_new, start):
        _fail(name, "did not change the image.",
              "after computing the gradient, apply it with "
              "optimizer.apply_gradients([(gradient, x)]), which updates x in place.")
    if _close(x_new, ref_x, rtol=1e-3):
        return
    _, ascent_x = _reference_step(setup, a["alpha"], a["beta"], a["tv_weight"],
                                            a["lr"], sign=-1.0)
    if _close(x_new, ascent_x, rtol=1e-3):
        _fail(name, "moves the image uphill (gradient ascent): the loss grows.",
              "apply the gradient itself; the optimiser already subtracts it.")
    _, unclipped = _reference_step(setup, a["alpha"], a["beta"], a["tv_weight"], a["lr"],
                                   clip=False)
    if _close(x_new, unclipped, rtol=1e-3):
        _fail(name, "does not keep the pixels in the valid range after the update.",
              "after the optimiser step, clip x to [PIXEL_LOW, PIXEL_HIGH] (the VGG-space "
              "values of the pixels 0 and 255) and assign the result back to x.")
    if np.any(x_new < PIXEL_LOW - 1e-3) or np.any(x_new > PIXEL_HIGH + 1e-3):
        _fail(name, "leaves pixels outside the valid range.",
              "clip x to [PIXEL_LOW, PIXEL_HIGH] after each step.")
    _fail(name, "updates the image differently from one Adam step on the total loss.",
          "take the gradient of the loss you return with respect to x, apply it once with "
          "the optimizer that is passed in, then clip.",
          details=f"largest pixel difference from the expected image: "
                  f"{float(np.max(np.abs(x_new - ref_x))):.3g}")


def check_train_step_in_graph(train_step):
    """Task 6b in graph mode: inside tf.function the step must work and do what it does eagerly.

    Only the agreement with the eager run is checked here (the eager run is compared with
    the reference by :func:`check_train_step`), so a wrong loss costs points once.
    """
    name = "train_step"
    out_graph, x_graph, _ = _run_student_step(train_step, in_graph=True)
    out_eager, x_eager, _ = _run_student_step(train_step, in_graph=False)
    got = _to_array(name, out_graph, expect="the scalar loss")
    eager = _to_array(name, out_eager, expect="the scalar loss")
    if got.shape != eager.shape or not _close(got, eager) or not _close(x_graph, x_eager,
                                                                        rtol=1e-3):
        _fail(name, "gives a different result inside tf.function than when run eagerly.",
              "look for Python side effects (print, appending to lists, NumPy calls, Python "
              "numbers computed from tensors) that run only once while tf.function traces; "
              "use TensorFlow ops on the tensors instead.")
