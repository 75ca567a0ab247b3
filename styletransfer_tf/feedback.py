"""Checks with explanatory feedback for the student assignments in ``assignments/``.

Every ``check_*`` function takes the student's function (or result), runs it on small
inputs drawn from a fixed seed, compares it with this package's own implementation
(``styletransfer_tf.images`` and ``styletransfer_tf.losses``, the single source of
truth) and raises :class:`CheckFailed` with a message that says what is wrong and how
to fix it. It returns ``None`` when everything is right.

The diagnoses are specific where a bug is recognisable: a wrong shape (and which axis
went missing), a Gram matrix that is not symmetric, a loss that is not zero on
identical inputs, alpha and beta swapped, a normalisation that is off by a factor 2 or
4 (and which), a Python loop where one vectorised op is expected, a NumPy call that
breaks on symbolic (``tf.function``) or GPU tensors, the wrong channel order in VGG
preprocessing. Messages describe the bug and the fix in words; they never show the
reference code.

Each check tests one task on its own: while it runs, the other assignment functions
in the student's namespace (``gram_matrix`` inside ``style_layer_loss``, the losses
inside ``train_step``...) are temporarily replaced by the reference versions, so a bug
in one task costs points only in that task.

While a student's function runs under a check, the kit's own implementations of what
the task asks for are switched off: every function of ``styletransfer_tf.images``,
``.losses`` and ``.optimize`` (and Keras's ``preprocess_input``), except those the task
may build on (``gram_matrix`` inside ``style_layer_loss``...), raises when called, and
the check fails with "your gram_matrix calls the kit's own gram_matrix; write it
yourself". A function that *is* the kit's (``gram_matrix = st.gram_matrix``) fails the
same way.

A check can also be given a :class:`RemoteFunction`, a stand-in for a student's function
that lives in another process: the autograder (``assignments/judge.py``) runs the checks
in a clean process and only the student's function calls happen in the process that ran
the notebook, so code in the notebook cannot change how the checks judge.

The notebooks call these functions from Otter-Grader test cells (see
``assignments/README.md``); they work just as well on their own::

    from styletransfer_tf import feedback
    feedback.check_gram_matrix(my_gram_matrix)
"""

import contextlib
import math
import re
import types
from pathlib import Path

import numpy as np
import tensorflow as tf

from . import images as _images
from . import losses as _losses

__all__ = [
    "CheckFailed", "check_preprocess", "check_deprocess", "check_gram_matrix",
    "check_gram_matrix_vectorised", "check_content_loss", "check_style_layer_loss",
    "check_style_layer_loss_properties", "check_style_loss", "check_total_variation_loss",
    "check_total_loss", "check_train_step", "check_train_step_in_graph",
    "check_experiment", "sample_images", "PIXEL_LOW", "PIXEL_HIGH", "RemoteFunction",
    "ALLOWED_KIT_CALLS",
]

#: Valid range of each BGR channel in VGG input space (the pixels 0 and 255).
PIXEL_LOW, PIXEL_HIGH = _images.PIXEL_LOW, _images.PIXEL_HIGH

#: Reference implementations, by the name the notebooks use for them.
REFERENCE = {
    "preprocess": _images.preprocess,
    "deprocess": _images.deprocess,
    "gram_matrix": _losses.gram_matrix,
    "content_loss": _losses.content_loss,
    "style_layer_loss": _losses.style_layer_loss,
    "style_loss": _losses.style_loss,
    "total_variation_loss": _losses.total_variation_loss,
    "total_loss": _losses.total_loss,
}

SEED = 0
RTOL = 1e-3

#: What each task may build on: the kit functions a student's function may call while
#: its check runs (they are the reference versions of the student's other tasks). Every
#: other function of the kit's images, losses and optimize modules is switched off.
ALLOWED_KIT_CALLS = {
    "preprocess": (),
    "deprocess": (),
    "gram_matrix": (),
    "content_loss": (),
    "style_layer_loss": ("gram_matrix",),
    "style_loss": ("gram_matrix", "style_layer_loss"),
    "total_variation_loss": (),
    "total_loss": (),
    "train_step": ("gram_matrix", "content_loss", "style_layer_loss", "style_loss",
                   "total_variation_loss", "total_loss"),
}

_NUMPY_HINT = (
    "Inside tf.function (which the training step uses), on a GPU and under "
    "tf.GradientTape, tensors are symbolic: NumPy cannot read them, and a NumPy result "
    "carries no gradient. Use the TensorFlow ops instead (tf.reshape, tf.linalg.matmul, "
    "tf.reduce_sum, tf.square, tf.reverse, ... or slicing), and never call .numpy() "
    "inside a function that the optimisation differentiates.")


class CheckFailed(AssertionError):
    """A check found a problem; the message explains it and how to fix it."""


# ------------------------------------------------------- the kit's own functions, switched off


class _KitCalled(BaseException):
    """Raised inside a student's function that calls a switched-off kit function.

    A BaseException, so that ``except Exception`` in student code does not swallow it;
    every call is also recorded, so that swallowing it with a bare ``except`` does not
    help either.
    """


_KIT_CALLS = []     # labels of the switched-off functions called since the check began
_TRAP_DEPTH = [0]


def _kit_called(label):
    _KIT_CALLS.append(label)
    return _KitCalled(label)


def _trap_code(name, label):
    """The code of a function that records a call to ``label`` and raises _KitCalled.

    It is swapped into the kit function's ``__code__``, so that every reference to the
    function (an import, an alias, a default argument, a module attribute) reaches it.
    """
    source = (f"def {name}(*args, **kwargs):\n"
              f"    raise __import__('sys').modules[{__name__!r}]._kit_called({label!r})\n")
    namespace = {}
    exec(compile(source, "<kit function switched off during a check>", "exec"), namespace)
    return namespace[name].__code__


_KIT = []           # [(short name, label, function, original code, trap code)]


def _kit_functions():
    """The kit's implementations that a student could call instead of writing their own."""
    if _KIT:
        return _KIT
    from . import optimize as _optimize

    seen = set()

    def add(fn, label):
        while fn is not None and id(fn) not in seen:
            plain = isinstance(fn, types.FunctionType)
            if plain and not fn.__code__.co_freevars and fn.__code__.co_flags & 0x20 == 0:
                seen.add(id(fn))
                name = fn.__name__ if fn.__name__.isidentifier() else "kit_function"
                _KIT.append((fn.__name__, label, fn, fn.__code__, _trap_code(name, label)))
            elif plain:
                seen.add(id(fn))
            fn = getattr(fn, "__wrapped__", None) or getattr(fn, "python_function", None)

    for module in (_images, _losses, _optimize):
        for attr, value in sorted(vars(module).items()):
            target = getattr(value, "python_function", value)
            if getattr(target, "__module__", None) == module.__name__ and callable(value):
                add(target, f"{module.__name__}.{attr}")
    try:  # what keras.applications.vgg19.preprocess_input does
        from keras.src.applications import imagenet_utils
        add(imagenet_utils.preprocess_input, "keras.applications.vgg19.preprocess_input")
    except ImportError:  # pragma: no cover - another Keras layout
        pass
    return _KIT


def _kit_label(fn):
    """The kit's name for ``fn`` if it is one of the kit's implementations, else None."""
    fn = _unwrap(fn)
    for _, label, kit_fn, _, _ in _kit_functions():
        if fn is kit_fn:
            return label
    return None


@contextlib.contextmanager
def _kit_switched_off(name):
    """Switch off the kit functions that task ``name`` may not call; fail if any was called."""
    if _TRAP_DEPTH[0]:
        yield
        return
    allowed = {_unwrap(REFERENCE[n]) for n in ALLOWED_KIT_CALLS.get(name, ())}
    trapped = [(fn, code, trap) for _, _, fn, code, trap in _kit_functions()
               if fn not in allowed]
    del _KIT_CALLS[:]
    _TRAP_DEPTH[0] += 1
    for fn, _, trap in trapped:
        fn.__code__ = trap
    error = None
    try:
        yield
    except BaseException as exc:  # noqa: BLE001 - re-raised below unless a kit call explains it
        error = exc
    finally:
        for fn, code, _ in trapped:
            fn.__code__ = code
        _TRAP_DEPTH[0] -= 1
    called = list(dict.fromkeys(_KIT_CALLS))
    del _KIT_CALLS[:]
    if called:
        _fail_kit_call(name, called)
    if error is not None:
        raise error


_KIT_FIX = ("while a check runs, the kit's own implementations (styletransfer_tf.losses, "
            ".images, .optimize, Keras's preprocess_input) are switched off, and a "
            "function that uses them earns no points for its task. Compute the result "
            "with TensorFlow operations; you may call your own functions from the other "
            "tasks.")


def _whose(label):
    """"the kit's own gram_matrix (styletransfer_tf.losses.gram_matrix)" for a label."""
    owner = "Keras's" if label.startswith("keras.") else "the kit's own"
    return f"{owner} {label.rsplit('.', 1)[-1]} ({label})"


def _fail_kit_call(name, labels):
    what = ", ".join(_whose(label) for label in labels)
    _fail(name, f"your {name} calls {what}; write it yourself.", _KIT_FIX)


def _not_the_kit(name, fn):
    label = _kit_label(fn)
    if label is not None:
        _fail(name, f"your {name} is {_whose(label)}, imported instead of written; write it "
                    "yourself.", _KIT_FIX)


# ------------------------------------------------------- student functions in another process


class RemoteFunction:
    """A student's function that lives in another process.

    The autograder passes these to the checks instead of the functions themselves
    (``assignments/judge.py``). The checks then do all their comparing here and ask the
    other process only to run the student's function: :meth:`call` with given inputs,
    :meth:`run` for the measurements that need the function itself (its gradient, its
    graph under tf.function, one training step). Both raise :class:`CheckFailed` when
    the other process reports a failed check, and rebuild the student's exceptions.
    """

    name = "function"

    def __call__(self, *args, **kwargs):
        return self.call(self.name, args, kwargs, None)

    def call(self, check, args, kwargs, isolate):
        raise NotImplementedError

    def run(self, op, **params):
        raise NotImplementedError


_ISOLATION = [None]  # the `keep` of the innermost _isolated() around a RemoteFunction


def _invoke(name, fn, *args, **kwargs):
    """Call a student's function for the check of task ``name``.

    Here: with the kit's implementations switched off. A RemoteFunction: in its process,
    which does the same.
    """
    if isinstance(fn, RemoteFunction):
        return fn.call(name, args, kwargs, _ISOLATION[0])
    _not_the_kit(name, fn)
    with _kit_switched_off(name):
        return _unwrap(fn)(*args, **kwargs)


# --------------------------------------------------------------------------- helpers


def _fail(name, problem, fix=None, details=None):
    lines = [f"{name}: {problem}"]
    if details:
        lines += ["  " + line for line in details.strip().splitlines()]
    if fix:
        lines.append(f"How to fix: {fix}")
    raise CheckFailed("\n".join(lines))


def _unwrap(fn):
    """The plain Python function behind a tf.function (or the object itself)."""
    return getattr(fn, "python_function", fn)


@contextlib.contextmanager
def _isolated(fn, keep=()):
    """Swap the other assignment functions in ``fn``'s globals for the reference ones."""
    if isinstance(fn, RemoteFunction):  # the swap happens in the function's process
        outer, _ISOLATION[0] = _ISOLATION[0], tuple(keep)
        try:
            yield
        finally:
            _ISOLATION[0] = outer
        return
    namespace = getattr(_unwrap(fn), "__globals__", None)
    saved = {}
    if isinstance(namespace, dict):
        for name, reference in REFERENCE.items():
            if name not in keep and name in namespace:
                saved[name] = namespace[name]
                namespace[name] = reference
    try:
        yield
    finally:
        if saved:
            namespace.update(saved)


def _short_error(exc):
    """One readable line for an exception, without TensorFlow's node decorations."""
    text = str(exc).strip()
    text = re.sub(r"\{\{function_node [^}]*\}\}\s*", "", text)
    text = re.sub(r"\s*\[Op:[^\]]*\].*$", "", text, flags=re.S)
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    # autograph wraps errors as "in user code: File ... <the real error last>"
    line = lines[-1] if lines and "in user code" in lines[0] else (lines[0] if lines else "")
    if line.startswith(type(exc).__name__ + ":"):
        line = line[len(type(exc).__name__) + 1:].strip()
    if len(line) > 300:
        line = line[:297] + "..."
    return f"{type(exc).__name__}: {line}" if line else type(exc).__name__


def _is_numpy_error(exc):
    text = str(exc)
    return ((isinstance(exc, NotImplementedError) and "numpy" in text.lower())
            or (isinstance(exc, AttributeError) and "numpy" in text)
            or "Cannot convert a symbolic" in text
            or "SymbolicTensor" in text and "numpy" in text.lower())


def _describe_shape(shape):
    return "(" + ", ".join(str(d) for d in shape) + (",)" if len(shape) == 1 else ")")


def _call(name, fn, *args, what="", hint=None, **kwargs):
    """Call the student's function eagerly; turn every way it can go wrong into a message."""
    if fn is None:
        _fail(name, "is not defined.",
              f"run the cell in which you define {name} (and the cells above it) first.")
    if not callable(fn):
        _fail(name, f"should be a function, but it is a {type(fn).__name__}.",
              f"define it with `def {name}(...):` and keep that name.")
    try:
        out = _invoke(name, fn, *args, **kwargs)
    except CheckFailed:
        raise
    except Exception as exc:  # noqa: BLE001 - any error in student code becomes feedback
        _fail(name, f"raised an error when called{what}:",
              _hint_for_error(exc) + (" " + hint if hint else ""), details=_short_error(exc))
    if out is None or out is Ellipsis:
        _fail(name, "returned None: it is not implemented yet (or the `return` is missing).",
              "replace the `...` with your code and `return` the result.")
    return out


def _hint_for_error(exc):
    text = str(exc)
    if _is_numpy_error(exc):
        return _NUMPY_HINT
    if isinstance(exc, tf.errors.InvalidArgumentError) or "ncompatible shapes" in text:
        return ("a TensorFlow op received tensors whose shapes do not fit together. Print the "
                "shape of each intermediate tensor (x.shape) and compare with the shapes in "
                "the task description.")
    if isinstance(exc, NameError):
        return ("a name used inside your function is not defined: check the spelling, and "
                "run the cells that define it first.")
    if isinstance(exc, TypeError) and "NoneType" in text:
        return ("something in your function is None: a helper that does not `return`, or a "
                "tensor dimension that is unknown (use tf.shape(x) instead of x.shape when a "
                "size can be unknown).")
    return "read the error above; print the shapes and dtypes of your intermediate tensors."


def _to_array(name, out, expect="a tensor"):
    if isinstance(out, (list, tuple)):
        _fail(name, f"returned a Python {type(out).__name__}, expected {expect}.",
              "return one tensor (combine partial results with a TensorFlow op such as "
              "tf.stack or tf.add_n if you built a list).")
    try:
        arr = np.asarray(out, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        _fail(name, f"returned a {type(out).__name__} that is not a numeric tensor.",
              f"return {expect}.", details=_short_error(exc))
    return arr


def _check_shape(name, arr, expected, hints=()):
    if tuple(arr.shape) == tuple(expected):
        return
    for shape, hint in hints:
        if tuple(arr.shape) == tuple(shape):
            _fail(name, f"returned shape {_describe_shape(arr.shape)}, expected "
                        f"{_describe_shape(expected)}.", hint)
    _fail(name, f"returned shape {_describe_shape(arr.shape)}, expected "
                f"{_describe_shape(expected)}.",
          "print the shape of each intermediate tensor and compare with the task "
          "description.")


def _close(a, b, rtol=RTOL):
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    if a.shape != b.shape:
        return False
    scale = max(float(np.max(np.abs(b))) if b.size else 0.0, 1e-12)
    return bool(np.all(np.abs(a - b) <= rtol * np.abs(b) + 1e-6 * scale))


def _constant_ratio(got, ref):
    """got / ref if that ratio is the same for every entry (ref entries nonzero), else None."""
    got, ref = np.asarray(got, np.float64).ravel(), np.asarray(ref, np.float64).ravel()
    mask = np.abs(ref) > 1e-9 * max(float(np.max(np.abs(ref))), 1e-30)
    if not mask.any() or got.shape != ref.shape:
        return None
    ratio = got[mask] / ref[mask]
    if not np.all(np.isfinite(ratio)):
        return None
    k = float(np.median(ratio))
    if k == 0 or np.max(np.abs(ratio - k)) > RTOL * abs(k):
        return None
    if not _close(got, k * ref.reshape(got.shape)):
        return None
    return k


def _factor_words(k):
    """'2 times too large' / '4 times too small' for a ratio k = got / reference."""
    if k >= 1:
        return f"{_fmt(k)} times too large"
    return f"{_fmt(1 / k)} times too small"


def _fmt(x):
    if abs(x - round(x)) < 1e-6 * max(1.0, abs(x)):
        return str(int(round(x)))
    return f"{x:.4g}"


def _compare(name, got, ref, variants=(), fix="", ratio_hint=None, inputs=""):
    """Compare with the reference; recognise known wrong variants; explain constant factors."""
    if not np.all(np.isfinite(got)):
        _fail(name, f"returned NaN or infinite values{inputs}.",
              "look for a division by zero, a log or sqrt of a negative number, or an "
              "overflow (very large intermediate values).")
    if _close(got, ref):
        return
    for value, problem, hint in variants:
        if _close(got, value):
            _fail(name, problem, hint)
    k = _constant_ratio(got, ref)
    if k is not None:
        if k == -1 or abs(k + 1) < RTOL:
            _fail(name, f"has the wrong sign{inputs}: every value is the negative of the "
                        "expected one.", "check the sign of each term and of any subtraction.")
        problem = f"returns values that are {_factor_words(k)}{inputs} (ratio {_fmt(k)})."
        hint = ratio_hint(k) if ratio_hint else None
        _fail(name, problem, hint or fix)
    err = float(np.max(np.abs(got - ref)) / max(float(np.max(np.abs(ref))), 1e-12))
    _fail(name, f"returns wrong values{inputs}: the largest difference from the reference "
                f"is {err:.3g} relative to the largest reference value.",
          fix, details=f"expected (first values): {_preview(ref)}\nyours    (first values): "
                       f"{_preview(got)}")


def _preview(arr, n=4):
    flat = np.asarray(arr, np.float64).ravel()[:n]
    return "[" + ", ".join(f"{v:.5g}" for v in flat) + (", ...]" if np.size(arr) > n else "]")


def _rng(offset=0):
    return np.random.default_rng(SEED + offset)


def _features(shape, offset=0):
    """Non-negative feature maps like those after a ReLU, float32."""
    return np.abs(_rng(offset).normal(size=shape)).astype(np.float32)


def _gradient_flows(name, fn, args, wrt=0, fix=""):
    """The gradient of sum(fn(args)) with respect to args[wrt] exists and is finite."""
    if isinstance(fn, RemoteFunction):
        fn.run("gradient_flows", check=name, args=[np.asarray(a) for a in args], wrt=wrt,
               fix=fix, isolate=_ISOLATION[0])
        return
    args = [tf.convert_to_tensor(a) for a in args]
    with tf.GradientTape() as tape:
        tape.watch(args[wrt])
        out = _call(name, fn, *args)
        if isinstance(out, np.ndarray) or np.isscalar(out):
            _fail(name, "returns a NumPy value, not a TensorFlow tensor, so no gradient can "
                        "flow through it.", _NUMPY_HINT)
        try:
            total = tf.reduce_sum(tf.cast(out, tf.float32))
        except (TypeError, ValueError) as exc:
            _fail(name, "returns something that is not a tensor.", "return a tf.Tensor.",
                  details=_short_error(exc))
    try:
        grad = tape.gradient(total, args[wrt])
    except Exception as exc:  # noqa: BLE001
        _fail(name, "is not differentiable: computing its gradient failed.",
              "use only differentiable TensorFlow ops on the input.", details=_short_error(exc))
    if grad is None:
        _fail(name, "is not differentiable: tf.GradientTape finds no gradient from its "
                    "result back to its input.",
              fix or ("use only TensorFlow ops on the input tensor: a detour through NumPy "
                      "(np.*, .numpy()), a cast to an integer type or tf.stop_gradient cuts "
                      "the gradient."))
    if not np.all(np.isfinite(grad.numpy())):
        _fail(name, "has NaN or infinite gradients.",
              "avoid sqrt or log of values that can be zero or negative.")


def _graph_op_count(name, fn, shapes):
    """Trace fn under tf.function for static input shapes; return the number of graph ops.

    Raises CheckFailed with an explanation when tracing fails (NumPy on symbolic tensors,
    .numpy(), Python control flow on tensor values).
    """
    if isinstance(fn, RemoteFunction):
        n_ops, loops = fn.run("graph_op_count", check=name, shapes=[list(s) for s in shapes],
                              isolate=_ISOLATION[0])
        return int(n_ops), [str(loop) for loop in loops]
    _not_the_kit(name, fn)
    specs = [tf.TensorSpec(shape, tf.float32) for shape in shapes]
    error = None
    with _kit_switched_off(name):
        try:
            concrete = tf.function(_unwrap(fn)).get_concrete_function(*specs)
        except Exception as exc:  # noqa: BLE001 - explained below
            error = exc
    if error is not None:
        exc = error
        if _is_numpy_error(exc):
            _fail(name, "works on eager tensors but breaks inside tf.function: it calls NumPy "
                        "(or .numpy()) on a tensor.", _NUMPY_HINT,
                  details=_short_error(exc))
        if isinstance(exc, tf.errors.OperatorNotAllowedInGraphError):
            _fail(name, "breaks inside tf.function: it uses a tensor as a Python bool or "
                        "iterates over a tensor.",
                  "use TensorFlow ops on whole tensors instead of Python `if`/`for` on "
                  "tensor values.", details=_short_error(exc))
        _fail(name, "breaks inside tf.function (graph mode), where the training step runs.",
              "use TensorFlow ops only; print shapes inside the function to find the "
              "failing line.", details=_short_error(exc))
    ops = concrete.graph.get_operations()
    loops = sorted({op.type for op in ops if op.type in ("While", "StatelessWhile")})
    return len(ops), loops


def _check_vectorised(name, fn, small, large, fix):
    """Fail if fn's graph grows with the input size (an unrolled Python loop) or has a loop."""
    n_small, loops = _graph_op_count(name, fn, small)
    if loops:
        _fail(name, "loops over the tensor (tf.while_loop / a `for` over tf.range) instead of "
                    "using one vectorised operation.", fix)
    n_large, _ = _graph_op_count(name, fn, large)
    if n_large > n_small + 2:
        sizes = " and ".join(_describe_shape(s) for s in small)
        sizes_large = " and ".join(_describe_shape(s) for s in large)
        _fail(name, "uses a Python loop: traced with tf.function it builds "
                    f"{n_small} operations for input {sizes} but {n_large} for "
                    f"{sizes_large}, so its cost grows with the size of the input. Real "
                    "VGG feature maps have up to 512 channels and tens of thousands of "
                    "positions; one vectorised op is orders of magnitude faster.", fix)


# ---------------------------------------------------------------- Task 1: preprocessing


def check_preprocess(preprocess):
    """Task 1a: RGB 0-255 -> VGG input (BGR, ImageNet mean subtracted, 0-255 scale)."""
    name = "preprocess"
    rgb = (_rng(1).uniform(0, 255, size=(2, 3, 4, 3))).astype(np.float32)
    got = _to_array(name, _call(name, preprocess, tf.constant(rgb),
                                what=" on a (2, 3, 4, 3) batch of RGB images"))
    _check_shape(name, got, rgb.shape, hints=[
        (rgb.shape[1:], "keep the batch axis: only the colour channels change."),
    ])
    ref = np.asarray(_images.preprocess(rgb), np.float64)
    mean_bgr = _images.IMAGENET_MEAN_BGR.astype(np.float64)
    mean_rgb = mean_bgr[::-1]
    x = rgb.astype(np.float64)
    bgr = x[..., ::-1]
    order_fix = ("VGG19 was trained on BGR images: reverse the last (colour) axis so that "
                 "blue comes first, and subtract IMAGENET_MEAN_BGR, whose entries are already "
                 "in B, G, R order (blue mean 103.939 on the blue channel).")
    variants = [
        (x - mean_bgr, "wrong channel order: you subtracted the BGR mean from the channels "
                       "but kept them in RGB order, so red gets the blue mean and the network "
                       "sees red where it expects blue.", order_fix),
        (x - mean_rgb, "wrong channel order: each colour has its own mean removed, but the "
                       "channels are still in RGB order; VGG19 expects BGR.", order_fix),
        (bgr - mean_rgb, "the channels are reversed to BGR, but the mean is subtracted in the "
                         "wrong order (the blue channel gets the red mean).", order_fix),
        (bgr, "the ImageNet mean is not subtracted.",
         "after reversing the channels, subtract IMAGENET_MEAN_BGR."),
        (x, "returns the input unchanged.", order_fix),
        (x[..., ::-1] + mean_bgr, "adds the ImageNet mean instead of subtracting it.",
         "subtract the mean."),
        (x[..., ::-1, :] - mean_bgr, "reverses the wrong axis (the image width instead of the "
                                     "colour channels).",
         "reverse the last axis (axis -1), which holds the three colours."),
        (bgr / 255.0 - mean_bgr, "divides by 255: VGG19's weights expect values on the "
                                 "0-255 scale.", "do not rescale; only reorder and centre."),
        ((bgr - mean_bgr) / 255.0, "divides by 255: VGG19's weights expect values on the "
                                   "0-255 scale.", "do not rescale; only reorder and centre."),
        (x / 127.5 - 1.0, "scales to [-1, 1] (the 'tf' preprocessing mode of other networks).",
         "VGG19 uses the 'caffe' mode: BGR order and the ImageNet mean subtracted, no scaling."),
    ]
    _compare(name, got, ref, variants, fix=order_fix, inputs=" on a batch of RGB images")
    try:
        one = _to_array(name, _invoke(name, preprocess, tf.constant(rgb[0])))
    except CheckFailed:
        raise
    except Exception:  # noqa: BLE001 - reported just below
        one = None
    if one is None or one.shape != rgb[0].shape or not _close(one, ref[0]):
        _fail(name, "works on a batch but not on a single (H, W, 3) image.",
              "index the colour axis from the end (axis -1, or `...` before it) so that the "
              "function works for any number of leading axes.")
    _graph_op_count(name, preprocess, [(2, 3, 4, 3)])


def check_deprocess(deprocess):
    """Task 1b: the exact inverse of preprocess (VGG input -> RGB 0-255, float)."""
    name = "deprocess"
    rgb = (_rng(2).uniform(0, 255, size=(2, 3, 4, 3))).astype(np.float32)
    vgg_input = np.asarray(_images.preprocess(rgb), np.float32)
    got = _to_array(name, _call(name, deprocess, tf.constant(vgg_input),
                                what=" on a (2, 3, 4, 3) batch in VGG input space"))
    _check_shape(name, got, rgb.shape, hints=[
        (rgb.shape[1:], "keep the batch axis: only the colour channels change."),
    ])
    y = vgg_input.astype(np.float64)
    mean_bgr = _images.IMAGENET_MEAN_BGR.astype(np.float64)
    fix = ("undo preprocess step by step in reverse order: add IMAGENET_MEAN_BGR back while "
           "the channels are still in BGR order, then reverse the last axis to get RGB.")
    variants = [
        (y + mean_bgr, "wrong channel order: the mean is added back, but the result is still "
                       "in BGR order (blue first), so red and blue are swapped in the picture.",
         fix),
        (y[..., ::-1] + mean_bgr, "wrong channel order: the channels are reversed before the "
                                  "mean is added, so the red channel gets the blue mean.", fix),
        ((y - mean_bgr)[..., ::-1], "subtracts the mean again instead of adding it back.", fix),
        (y[..., ::-1], "does not add the ImageNet mean back.", fix),
        (np.clip(y[..., ::-1], 0, 255), "does not add the ImageNet mean back.", fix),
        ((y + mean_bgr)[..., ::-1] * 255.0, "multiplies by 255, but preprocess did not "
                                            "rescale.", "do not rescale."),
    ]
    _compare(name, got, rgb, variants, fix=fix,
             inputs=" (deprocess(preprocess(x)) is not x)")
    _graph_op_count(name, deprocess, [(2, 3, 4, 3)])


# ---------------------------------------------------------------- Task 2: Gram matrix

_GRAM_VECTOR_FIX = (
    "compute all channel pairs at once: flatten the spatial positions of each image so the "
    "features become a (B, H*W, C) tensor, then take one batched matrix product of that "
    "tensor with itself so that the H*W positions are summed over (tf.linalg.matmul with "
    "transpose_a or transpose_b, or tf.einsum).")


def check_gram_matrix(gram_matrix):
    """Task 2, values: (B, H, W, C) -> (B, C, C), G = F^T F over the H*W positions."""
    name = "gram_matrix"
    b, h, w, c = 2, 4, 5, 6
    feats = _features((b, h, w, c), 3)
    got = _to_array(name, _call(name, gram_matrix, tf.constant(feats),
                                what=f" on features of shape {_describe_shape(feats.shape)}"))
    _check_shape(name, got, (b, c, c), hints=[
        ((c, c), "you lost the batch axis (summed or indexed over it): compute one C x C "
                 "matrix per image; batched matrix products keep the leading axis."),
        ((b, h * w, h * w), "you multiplied in the wrong order: that is the (H*W) x (H*W) "
                            "matrix of position pairs. The Gram matrix pairs channels: sum "
                            "over the positions (contract the H*W axis, not the C axis)."),
        ((h * w, h * w), "you multiplied in the wrong order and lost the batch axis: the Gram "
                         "matrix pairs channels (C x C per image)."),
        ((b, c), "you kept only the diagonal (or reduced one axis too many): the Gram matrix "
                 "holds the products of every pair of channels, C x C per image."),
        ((b, h, w, c, c), "you did not sum over the positions: add up the products over all "
                          "H*W positions."),
    ])
    asym = float(np.max(np.abs(got - np.swapaxes(got, 1, 2))))
    if asym > 1e-4 * max(float(np.max(np.abs(got))), 1e-12):
        _fail(name, f"is not symmetric (G[b, i, j] != G[b, j, i], largest difference "
                    f"{asym:.3g}). G_ij = sum_k F_ik F_jk multiplies the features with "
                    "themselves, so it must be symmetric.",
              "multiply the flattened features by the transpose of the same tensor, not by "
              "a differently reshaped copy.")
    ref = np.asarray(_losses.gram_matrix(feats), np.float64)
    f64 = feats.astype(np.float64)
    scrambled = f64.reshape(b, c, h * w)
    m = h * w
    variants = [
        (scrambled @ np.swapaxes(scrambled, 1, 2),
         "mixes up channels and positions: reshaping (B, H, W, C) directly to (B, C, H*W) "
         "does not move the channel axis, it regroups the numbers in memory order.",
         "reshape to (B, H*W, C), which keeps each channel's values together, and "
         "contract over the H*W axis (or transpose explicitly before reshaping)."),
        (ref / m, "divides by M = H*W: in this kit (and in the paper, Eq. 3) the Gram matrix "
                  "is not normalised; the normalisation 1/(4 N^2 M^2) belongs in the style "
                  "loss.", "remove the division."),
        (ref / (c * m), "divides by N*M = C*H*W: in this kit (and in the paper, Eq. 3) the "
                        "Gram matrix is not normalised; the normalisation belongs in the "
                        "style loss.", "remove the division."),
        (ref / c, "divides by N = C: in this kit the Gram matrix is not normalised.",
         "remove the division."),
    ]
    _compare(name, got, ref, variants, fix=_GRAM_VECTOR_FIX,
             inputs=f" on seeded features of shape {_describe_shape(feats.shape)}",
             ratio_hint=lambda k: "the Gram matrix in this kit is unnormalised (Eq. 3): "
                                  "just the sum over positions of the products of features.")


def check_gram_matrix_vectorised(gram_matrix):
    """Task 2, implementation: one vectorised op, graph-safe, differentiable."""
    name = "gram_matrix"
    _call(name, gram_matrix, tf.constant(_features((1, 2, 2, 3), 4)))
    _gradient_flows(name, gram_matrix, [_features((2, 3, 3, 4), 5)])
    _check_vectorised(name, gram_matrix, [(1, 2, 2, 3)], [(2, 4, 5, 7)], _GRAM_VECTOR_FIX)


# ---------------------------------------------------------------- Task 3: content loss


def check_content_loss(content_loss):
    """Task 3: L = 1/2 sum (F - P)^2 per image, shape (B,)."""
    name = "content_loss"
    b, h, w, c = 2, 4, 5, 6
    feats, target = _features((b, h, w, c), 6), _features((b, h, w, c), 7)
    got = _to_array(name, _call(name, content_loss, tf.constant(feats), tf.constant(target)))
    _check_shape(name, got, (b,), hints=[
        ((), "you reduced over the batch axis too: return one loss per image, summing only "
             "over the height, width and channel axes (1, 2, 3)."),
        ((b, h, w, c), "you did not sum: add up the squared differences over the height, "
                       "width and channel axes (1, 2, 3)."),
        ((b, c), "you summed over height and width but not over the channels: sum over axes "
                 "1, 2 and 3."),
        ((1,), "you reduced over the batch axis too (keepdims?): return shape (B,)."),
    ])
    same = _to_array(name, _call(name, content_loss, tf.constant(feats), tf.constant(feats),
                                 what=" on identical inputs"))
    if same.shape == (b,) and np.max(np.abs(same)) > 1e-6:
        _fail(name, f"is not zero when the generated and the content features are identical "
                    f"(got {_preview(same)}).",
              "the loss must depend only on the difference between the two feature maps.")
    f64, t64 = feats.astype(np.float64), target.astype(np.float64)
    diff = f64 - t64
    ref = np.asarray(_losses.content_loss(feats, target), np.float64)
    n = h * w * c
    fix = "Eq. 1 of the paper: one half of the sum of the squared differences."
    variants = [
        (np.sqrt((diff ** 2).sum(axis=(1, 2, 3))),
         "takes a square root (a norm): the content loss is the squared error, no root.", fix),
        (0.5 * np.sqrt((diff ** 2).sum(axis=(1, 2, 3))),
         "takes a square root (a norm): the content loss is the squared error, no root.", fix),
        (0.5 * np.abs(diff).sum(axis=(1, 2, 3)),
         "uses absolute differences: square the differences instead.", fix),
        (0.5 * diff.sum(axis=(1, 2, 3)),
         "does not square the differences, so positive and negative ones cancel.", fix),
        (0.5 * (f64 ** 2 - t64 ** 2).sum(axis=(1, 2, 3)),
         "subtracts the squares; square the difference instead.", fix),
    ]

    def ratio_hint(k):
        if abs(k - 2) < 1e-3:
            return "the factor 1/2 in front of the sum is missing (Eq. 1)."
        if abs(k - 0.5) < 1e-3:
            return "the factor 1/2 is applied twice (or 1/4 used): Eq. 1 has a single 1/2."
        if abs(k - 1 / n) < 1e-3 / n or abs(k - 2 / n) < 1e-3 / n:
            return ("you averaged (reduce_mean) instead of summing: Eq. 1 sums over all "
                    "positions and channels.")
        return fix
    _compare(name, got, ref, variants, fix=fix, ratio_hint=ratio_hint,
             inputs=f" on seeded features of shape {_describe_shape(feats.shape)}")
    _gradient_flows(name, content_loss, [feats, target])
    _check_vectorised(name, content_loss, [(1, 2, 2, 3), (1, 2, 2, 3)],
                      [(2, 4, 5, 7), (2, 4, 5, 7)],
                      "use tf.reduce_sum over axes 1, 2, 3 instead of a Python loop.")


# ---------------------------------------------------------------- Task 4: style loss

_STYLE_FIX = ("Eq. 4 of the paper: E_l = 1 / (4 N^2 M^2) * sum over i, j of (G_ij - A_ij)^2, "
              "with N = number of channels C and M = H * W positions.")


_STYLE_ARG_HINT = ("Remember that the second argument is already the target Gram matrix A, "
                   "shape (B, C, C): compare the Gram matrix of the features with it "
                   "directly, without taking its Gram matrix again.")


def _normalisation_hint(k, n, m):
    """Explain a style-layer ratio k = got / reference in terms of the paper's 4 N^2 M^2."""
    for const in (1, 2, 4, 8, 16):
        for a in range(5):
            for b in range(5):
                if abs(k * const * n ** a * m ** b / (4 * n ** 2 * m ** 2) - 1) < 1e-4:
                    return const, a, b
    return None


def _style_ratio_hint(k, n, m):
    found = _normalisation_hint(k, n, m)
    if found is None:
        return _STYLE_FIX
    const, a, b = found
    if (a, b) == (2, 2):
        if const == 1:
            return ("the factor 1/4 is missing: the loss is 4 times too large. The "
                    "normalisation is 1 / (4 N^2 M^2); you divide by N^2 M^2 only.")
        if const == 2:
            return ("the normalisation is off by a factor 2: you divide by 2 N^2 M^2, the "
                    "paper divides by 4 N^2 M^2.")
        if const == 8:
            return ("the normalisation is off by a factor 2 the other way: you divide by "
                    "8 N^2 M^2 instead of 4 N^2 M^2.")
        if const == 16:
            return ("the normalisation is off by a factor 4: you divide by 16 N^2 M^2 "
                    "instead of 4 N^2 M^2 (is the 4 both inside a square and outside?).")
    parts = []
    if a != 2:
        parts.append(f"N (channels) appears with power {a}")
    if b != 2:
        parts.append(f"M (positions H*W) appears with power {b}")
    if const != 4:
        parts.append(f"the constant is {const}")
    text = (f"you divide by {const} N^{a} M^{b} instead of 4 N^2 M^2: " + ", ".join(parts)
            + ". Both N and M are squared in Eq. 4.")
    if a == 4:
        text += (" (If you used reduce_mean over the C x C entries, that divides by another "
                 "N^2: sum them instead.)")
    return text


def _style_inputs():
    b, h, w, c = 2, 4, 5, 6  # N = 6 channels, M = 20 positions: different on purpose
    feats = _features((b, h, w, c), 8)
    target = np.asarray(_losses.gram_matrix(_features((b, h, w, c), 9)), np.float32)
    return feats, target


def check_style_layer_loss(style_layer_loss):
    """Task 4a, values: E_l = 1/(4 N^2 M^2) sum (gram(F) - A)^2 per image (Eq. 4)."""
    name = "style_layer_loss"
    feats, target = _style_inputs()
    b, h, w, c = feats.shape
    with _isolated(style_layer_loss, keep=(name,)):
        got = _to_array(name, _call(name, style_layer_loss, tf.constant(feats),
                                    tf.constant(target),
                                    what=" with features (2, 4, 5, 6) and a target Gram "
                                         "matrix (2, 6, 6)", hint=_STYLE_ARG_HINT))
    _style_shape(name, got, b, c)
    ref = np.asarray(_losses.style_layer_loss(feats, target), np.float64)
    gram = np.asarray(_losses.gram_matrix(feats), np.float64)
    diff = gram - target.astype(np.float64)
    norm = 4.0 * c ** 2 * (h * w) ** 2
    variants = [
        (np.abs(diff).sum(axis=(1, 2)) / norm,
         "uses absolute differences: square the differences of the Gram matrices.",
         _STYLE_FIX),
        (np.sqrt((diff ** 2).sum(axis=(1, 2))) / norm,
         "takes a square root (a norm) of the summed squares: Eq. 4 has no root.",
         _STYLE_FIX),
        (((gram / (h * w) - target / (h * w)) ** 2).sum(axis=(1, 2)) / norm,
         "divides the Gram matrices by M before comparing them and also normalises by "
         "4 N^2 M^2: normalise once.", _STYLE_FIX),
    ]
    _compare(name, got, ref, variants, fix=_STYLE_FIX,
             ratio_hint=lambda k: _style_ratio_hint(k, c, h * w),
             inputs=" (N = 6 channels, M = 20 positions)")


def _style_shape(name, got, b, c):
    _check_shape(name, got, (b,), hints=[
        ((), "you reduced over the batch axis too: return one loss per image, summing only "
             "over the two axes of the C x C Gram matrices (axes 1 and 2)."),
        ((b, c, c), "you did not sum: add up the squared differences over both axes of the "
                    "Gram matrices (axes 1 and 2)."),
        ((b, c), "you summed over one axis of the Gram matrix only: sum over axes 1 and 2."),
    ])


def check_style_layer_loss_properties(style_layer_loss):
    """Task 4a, properties: shape (B,), zero for identical Gram matrices, differentiable,
    graph-safe and vectorised."""
    name = "style_layer_loss"
    feats, target = _style_inputs()
    b, _, _, c = feats.shape
    own = np.asarray(_losses.gram_matrix(feats), np.float32)
    fix = "use tf.reduce_sum over the Gram axes instead of Python loops."
    with _isolated(style_layer_loss, keep=(name,)):
        got = _to_array(name, _call(name, style_layer_loss, tf.constant(feats),
                                    tf.constant(target), hint=_STYLE_ARG_HINT))
        _style_shape(name, got, b, c)
        same = _to_array(name, _call(name, style_layer_loss, tf.constant(feats),
                                     tf.constant(own),
                                     what=" with the Gram matrix of the features themselves"))
        if np.max(np.abs(same)) > 1e-6 * max(float(np.max(np.abs(got))), 1.0):
            _fail(name, "is not zero when the target Gram matrix is the Gram matrix of the "
                        f"features themselves (got {_preview(same)}).",
                  "the loss must depend only on the difference between the Gram matrix of "
                  "the features and the target Gram matrix A (the second argument, which is "
                  "already a Gram matrix: do not take its Gram matrix again).")
        _gradient_flows(name, style_layer_loss, [feats, target])
        _check_vectorised(name, style_layer_loss, [(1, 2, 2, 3), (1, 3, 3)],
                          [(2, 4, 5, 7), (2, 7, 7)], fix)


def check_style_loss(style_loss):
    """Task 4b: L_style = sum_l w_l E_l with default w_l = 1/L (Eq. 5)."""
    name = "style_loss"
    shapes = [(2, 8, 8, 3), (2, 4, 4, 5), (2, 2, 2, 7)]
    feats = [_features(s, 10 + i) for i, s in enumerate(shapes)]
    targets = [np.asarray(_losses.gram_matrix(_features(s, 20 + i)), np.float32)
               for i, s in enumerate(shapes)]
    per_layer = [np.asarray(_losses.style_layer_loss(f, t), np.float64)
                 for f, t in zip(feats, targets)]
    n_layers = len(shapes)
    fix = ("Eq. 5: add up the per-layer losses E_l (from style_layer_loss), each multiplied "
           "by its weight w_l; when layer_weights is None every w_l is 1/L for L layers.")
    as_tensors = ([tf.constant(f) for f in feats], [tf.constant(t) for t in targets])
    with _isolated(style_loss, keep=(name,)):
        got = _to_array(name, _call(name, style_loss, *as_tensors,
                                    what=" with 3 layers and layer_weights=None"))
        _check_shape(name, got, (2,), hints=[
            ((), "you reduced over the batch axis too: return one loss per image."),
            ((n_layers, 2), "you stacked the per-layer losses: add them up (weighted) "
                            "instead."),
            ((n_layers,), "you summed each layer over the batch: keep one value per image "
                          "and add the layers up instead."),
        ])
        ref = sum(per_layer) / n_layers
        variants = [
            (sum(per_layer), "adds up the layers without the default weights: with "
                             "layer_weights=None each layer has weight 1/L (here 1/3).", fix),
            (per_layer[-1] / n_layers, "only the last layer counts: the running total is "
                                       "overwritten (=) instead of added to (+=).", fix),
            (per_layer[-1], "only the last layer counts: the running total is overwritten "
                            "(=) instead of added to (+=).", fix),
            (per_layer[0] / n_layers, "only the first layer counts (a `return` inside the "
                                      "loop?).", fix),
            (per_layer[0], "only the first layer counts (a `return` inside the loop?).", fix),
        ]
        _compare(name, got, ref, variants, fix=fix, inputs=" with 3 layers and default weights")
        weights = [0.5, 0.2, 0.3]
        got_w = _to_array(name, _call(name, style_loss, *as_tensors, weights,
                                      what=" with layer_weights=[0.5, 0.2, 0.3]"))
        ref_w = sum(wt * e for wt, e in zip(weights, per_layer))
        variants = [
            (ref, "ignores the layer_weights argument (it always uses 1/L).",
             "use the given layer_weights when they are not None."),
            (sum(per_layer), "ignores the layer_weights argument.",
             "use the given layer_weights when they are not None."),
            (ref_w / n_layers, "divides by the number of layers even when layer_weights are "
                               "given: the weights already say how much each layer counts.",
             fix),
        ]
        _compare(name, got_w, ref_w, variants, fix=fix,
                 inputs=" with layer_weights=[0.5, 0.2, 0.3]")


# ---------------------------------------------------------------- Task 5: total variation


def check_total_variation_loss(total_variation_loss):
    """Task 5: sum of squared differences of vertical and horizontal neighbours, per image."""
    name = "total_variation_loss"
    x = _rng(30).uniform(0, 255, size=(2, 5, 6, 3)).astype(np.float32)
    got = _to_array(name, _call(name, total_variation_loss, tf.constant(x),
                                what=" on a (2, 5, 6, 3) batch"))
    _check_shape(name, got, (2,), hints=[
        ((), "you reduced over the batch axis too: return one loss per image (sum over axes "
             "1, 2, 3 only)."),
        ((2, 3), "you did not sum over the colour channels: sum over axes 1, 2 and 3."),
    ])
    flat = np.full((2, 5, 6, 3), 77.0, np.float32)
    const = _to_array(name, _call(name, total_variation_loss, tf.constant(flat),
                                  what=" on a constant image"))
    if np.max(np.abs(const)) > 1e-3:
        _fail(name, f"is not zero on a constant image (got {_preview(const)}).",
              "the loss must depend only on differences between neighbouring pixels.")
    x64 = x.astype(np.float64)
    down = x64[:, 1:] - x64[:, :-1]
    right = x64[:, :, 1:] - x64[:, :, :-1]
    sq = lambda d: (d ** 2).sum(axis=(1, 2, 3))  # noqa: E731
    ab = lambda d: np.abs(d).sum(axis=(1, 2, 3))  # noqa: E731
    ref = np.asarray(_losses.total_variation_loss(x), np.float64)
    wrap_down = np.roll(x64, -1, axis=1) - x64
    wrap_right = np.roll(x64, -1, axis=2) - x64
    fix = ("add the squared differences between each pixel and its neighbour below, and "
           "between each pixel and its neighbour to the right, over all pixels and channels "
           "(slices such as x[:, 1:] and x[:, :-1] give the pairs).")
    variants = [
        (ab(down) + ab(right), "uses absolute differences (this is also what "
                               "tf.image.total_variation computes); this loss squares them.",
         fix),
        (sq(down), "only counts vertical neighbours: add the horizontal differences too.", fix),
        (sq(right), "only counts horizontal neighbours: add the vertical differences too.",
         fix),
        (sq(wrap_down) + sq(wrap_right), "also compares the last row/column with the first "
                                         "(wrap-around, e.g. tf.roll): only neighbours inside "
                                         "the image count.", fix),
        (sq(down[:, :, :-1]) + sq(right[:, :-1]),
         "leaves out the last row and column: each direction has its own number of "
         "neighbour pairs; slice each direction separately.", fix),
    ]

    def ratio_hint(k):
        if abs(k - 0.5) < 1e-3:
            return "there is no factor 1/2 in this loss."
        if abs(k - 2) < 1e-3:
            return "the loss is counted twice."
        return ("sum the squared differences (reduce_sum); do not average them.")
    _compare(name, got, ref, variants, fix=fix, ratio_hint=ratio_hint,
             inputs=" on a seeded (2, 5, 6, 3) batch")
    _gradient_flows(name, total_variation_loss, [x])
    _check_vectorised(name, total_variation_loss, [(1, 3, 3, 3)], [(2, 6, 7, 3)],
                      "use slicing of the whole tensor and tf.reduce_sum instead of loops.")


# ---------------------------------------------------------------- Task 6: training step


def check_total_loss(total_loss):
    """Task 6a: alpha * content + beta * style + tv_weight * tv, per image."""
    name = "total_loss"
    content = tf.constant([2.0, 5.0])
    style = tf.constant([3.0, 7.0])
    tv = tf.constant([11.0, 13.0])
    alpha, beta, tv_weight = 1e-2, 1e2, 0.5
    got = _to_array(name, _call(name, total_loss, content, style, tv, alpha, beta, tv_weight,
                                what=" with per-image losses of shape (2,)"))
    _check_shape(name, got, (2,), hints=[
        ((), "you summed over the batch: return one total loss per image (same shape as the "
             "losses you were given)."),
    ])
    c, s, t = content.numpy(), style.numpy(), tv.numpy()
    ref = alpha * c + beta * s + tv_weight * t
    fix = ("Eq. 7: alpha weights the content loss, beta weights the style loss "
           "(alpha/beta is the content-to-style ratio); add tv_weight times the "
           "total-variation loss.")
    variants = [
        (beta * c + alpha * s + tv_weight * t,
         "alpha and beta are swapped: the content loss is multiplied by beta and the style "
         "loss by alpha.", "alpha multiplies the content loss and beta the style loss "
                           "(Eq. 7)."),
        (alpha * c + beta * s, "leaves out the total-variation term.",
         "add tv_weight times the total-variation loss."),
        (alpha * c + beta * s + t, "adds the total-variation loss without its weight.",
         "multiply it by tv_weight."),
        (c + s + t, "ignores the weights alpha, beta and tv_weight.", fix),
        (alpha * c + beta * s - tv_weight * t, "subtracts the total-variation term.", fix),
    ]
    _compare(name, got, ref, variants, fix=fix,
             inputs=" for content=[2, 5], style=[3, 7], tv=[11, 13], alpha=0.01, beta=100, "
                    "tv_weight=0.5")


_TRAIN = {}


def _train_setup(data=None):
    """A tiny random-weight VGG problem (cached): features fn, targets, start image.

    ``data`` (from :func:`_train_setup_data` in another process) rebuilds exactly that
    problem: the same weights, targets and start image.
    """
    if _TRAIN and (data is None or _TRAIN.get("data") is data):
        return _TRAIN
    import keras

    from . import vgg
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


# ---------------------------------------------------------------- Task 7: experiment


def check_experiment(experiment_results):
    """Task 7: at least two settings were run, each with a finite loss history."""
    name = "experiment_results"
    if experiment_results is None or experiment_results is Ellipsis:
        _fail(name, "is missing: choose your settings in EXPERIMENT_SETTINGS and run the "
                    "experiment cell.", "run the cells of Task 7 from the top.")
    if not isinstance(experiment_results, dict):
        _fail(name, f"should be the dict returned by run_experiment, got a "
                    f"{type(experiment_results).__name__}.",
              "assign experiment_results = run_experiment(EXPERIMENT_SETTINGS).")
    if len(experiment_results) < 2:
        _fail(name, f"has {len(experiment_results)} setting(s); an experiment compares at "
                    "least two.", "add a second entry to EXPERIMENT_SETTINGS and rerun.")
    for label, result in experiment_results.items():
        losses = np.asarray(result.get("losses", []) if isinstance(result, dict) else [],
                            np.float64)
        if losses.size < 2 or not np.all(np.isfinite(losses)):
            _fail(name, f"setting {label!r} has no finite loss history.",
                  "make Tasks 1-6 pass first, then rerun the experiment cell.")


# ---------------------------------------------------------------- helpers for notebooks


def sample_images(size=128):
    """The kit's sample content and style images as float32 RGB (1, H, W, 3) batches.

    Uses ``images/sample_content.png`` and ``images/sample_style.png`` of the repository;
    if the package is installed without them, draws two simple synthetic pictures.
    """
    root = Path(__file__).resolve().parent.parent / "images"
    paths = [root / "sample_content.png", root / "sample_style.png"]
    if all(p.is_file() for p in paths):
        content = _images.load_image(paths[0], size=size)
        style = _images.load_image(paths[1], shape=content.shape[:2])
        return content[None], style[None]
    rows, cols = np.mgrid[0:size, 0:size] / max(size - 1, 1)
    content = np.stack([255 * rows, 255 * cols, 255 * (rows > 0.6)], -1)
    waves = 0.5 + 0.5 * np.sin(12 * math.pi * (rows + 0.3 * np.sin(6 * cols)))
    style = np.stack([255 * waves, 180 * (1 - waves), 255 * cols * waves], -1)
    return content[None].astype(np.float32), style[None].astype(np.float32)
