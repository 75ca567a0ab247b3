"""How a check calls a student's function: here or in another process
(:class:`RemoteFunction`), with the kit's implementations switched off and the other
assignment functions swapped for the reference ones, every error turned into a message.
"""

import contextlib
import re

import tensorflow as tf

from .kit_trap import _kit_switched_off, _not_the_kit
from .reference import REFERENCE, CheckFailed, _fail, _unwrap

_NUMPY_HINT = (
    "Inside tf.function (which the training step uses), on a GPU and under "
    "tf.GradientTape, tensors are symbolic: NumPy cannot read them, and a NumPy result "
    "carries no gradient. Use the TensorFlow ops instead (tf.reshape, tf.linalg.matmul, "
    "tf.reduce_sum, tf.square, tf.reverse, ... or slicing), and never call .numpy() "
    "inside a function that the optimisation differentiates.")




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
