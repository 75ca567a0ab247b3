"""Comparing a student's result with the reference: its type, its shape, its values,
with known wrong variants recognised and constant factors explained.
"""

import numpy as np

from .calling import _short_error
from .reference import RTOL, _fail

def _describe_shape(shape):
    return "(" + ", ".join(str(d) for d in shape) + (",)" if len(shape) == 1 else ")")



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
