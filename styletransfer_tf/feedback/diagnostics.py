"""Diagnoses beyond the values: is a student's function differentiable, does it work
inside tf.function, is it one vectorised op rather than a Python loop.
"""

import numpy as np
import tensorflow as tf

from .calling import (_ISOLATION, _NUMPY_HINT, RemoteFunction, _call, _is_numpy_error,
                      _short_error)
from .compare import _describe_shape
from .kit_trap import _kit_switched_off, _not_the_kit
from .reference import _fail, _unwrap


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
