"""How much memory a style-transfer run needs, checked before TensorFlow allocates it.

A run holds, at its peak, the process itself (Python, TensorFlow, the VGG19 weights), the
feature maps of every VGG19 layer up to the deepest one used -- kept from the forward
pass for the backward pass, plus the gradients of the backward pass -- and, with L-BFGS,
the optimiser's history of the last :data:`LBFGS_HISTORY` steps in float64. All but the
first grow with the image's area, so a 2048 px image needs about 16 times what a 512 px
one needs on top of the fixed part::

    peak = BASE_BYTES + GRADIENT_BYTES_PER_VALUE * (values in the feature maps)
                      + LBFGS_BYTES_PER_VALUE * (values in the image)      [L-BFGS only]

:func:`feature_values` counts the feature maps' values from the layer shapes (each
pooling halves the sides, rounding down). The constants were measured, not derived: peak
resident memory (``ru_maxrss`` of a fresh ``transfer`` process) at 128 to 1024 px on this
project's 2-core machine with TensorFlow 2.21 (``python benchmarks/highres.py
--calibrate`` measures them again and prints the fit; benchmarks/HIGHRES.md). The
estimate is meant as an upper bound for the decision "does this fit?", not as an exact
prediction: TensorFlow's and the C library's allocators put the measured peaks up to 7%
off a straight line in the area.

:func:`check_memory` compares the estimate with the memory the system says is available
(``MemAvailable`` in ``/proc/meminfo``) and raises :class:`StyleTransferError` with one
line when the run would not fit. No TensorFlow here: the command line runs the check
before it imports TensorFlow.
"""

from __future__ import annotations

import os

from .errors import StyleTransferError
from .hardware import proc_field
from .layers import BLOCK_CHANNELS, LAYER_ORDER, keras_layer_name, layer_depth

#: Resident memory of a ``transfer`` process before its image sizes matter: Python,
#: TensorFlow, Keras, VGG19's weights (measured: 848 MiB with Adam at 128 px, where the
#: feature maps hold 13 MiB; 856 MiB where a line through the peaks at 128 to 1024 px
#: meets zero area; rounded up).
BASE_BYTES = 900 * 2 ** 20
#: Peak bytes per feature-map value of the forward and backward pass: the float32 value
#: kept from the forward pass, its gradient, and the backward pass's temporaries (max
#: pooling's gradient, the convolutions' input gradients). Measured with Adam at 256 to
#: 1024 px: (peak - 848 MiB) / values = 7.4 to 9.4 bytes; a least-squares line through
#: the peaks at 128 to 1024 px has slope 8.3 bytes per value and intercept 856 MiB. With
#: 10 (and :data:`BASE_BYTES`) the estimate lies above every measured peak.
GRADIENT_BYTES_PER_VALUE = 10
#: With ``precision="mixed"`` the feature maps are bfloat16 (2 bytes instead of 4).
MIXED_FACTOR = 0.5
#: Bytes per feature-map value of a forward pass without gradients (the style image's
#: Gram matrices are computed once, before the optimisation): Keras keeps every layer's
#: output until the pass ends. Measured: 4.2 bytes per value for style images of 724 and
#: 1024 px; rounded up.
FORWARD_BYTES_PER_VALUE = 5
#: Correction pairs scipy's L-BFGS-B keeps (its default ``maxcor``).
LBFGS_HISTORY = 10
#: L-BFGS bytes per value of the image (3 per pixel): scipy's float64 work space of
#: 2 m + 5 vectors (its documentation of ``wa``) plus about 250 bytes of float64 and
#: float32 copies of the image made by scipy's wrapper and ``optimize.run_lbfgs``.
#: Measured: L-BFGS-B alone on 3 million values with a full history, 486 bytes per value
#: including the test's own 50; a 724 px ``transfer`` after 2 iterations (2 of the 10
#: pairs stored), 250 bytes per value more than with Adam.
LBFGS_BYTES_PER_VALUE = 8 * (2 * LBFGS_HISTORY + 5) + 250

GIB = 2 ** 30


def layer_shapes(shape, layers):
    """``[(keras_name, (h, w, c)), ...]`` of every VGG19 layer from the first up to the
    deepest of ``layers``, for an input image of ``shape`` (H, W, ...), as the network
    computes them: convolutions keep the size (padding "same"), each 2x2 pooling halves
    both sides, rounding down."""
    deepest = max((layer_depth(name) for name in layers), default=-1)
    height, width = int(shape[0]), int(shape[1])
    out = []
    for name in LAYER_ORDER[: deepest + 1]:
        if name.endswith("pool"):
            height, width = height // 2, width // 2
        out.append((name, (height, width, BLOCK_CHANNELS[int(name[5]) - 1])))
    return out


def feature_values(shape, layers):
    """Number of values in the input image (H x W x 3) and the feature maps of every
    VGG19 layer up to the deepest of ``layers`` (what the forward pass keeps for the
    backward pass)."""
    values = int(shape[0]) * int(shape[1]) * 3
    for _, (h, w, c) in layer_shapes(shape, layers):
        values += h * w * c
    return values


def estimate_peak_bytes(shape, layers, optimizer="lbfgs", precision="float32",
                        style_shapes=(), batch=1):
    """Estimated peak resident memory (bytes) of optimising an image of ``shape``
    (H, W, ...) with the network up to the deepest of ``layers``.

    Args:
        shape: the largest (finest) image shape of the run.
        layers: the content and style layers (paper or Keras names).
        optimizer: "lbfgs" adds L-BFGS's history (:data:`LBFGS_BYTES_PER_VALUE`).
        precision: "mixed" halves the feature maps' part (bfloat16).
        style_shapes: shapes of the style images fed through the network (a forward pass
            each, one at a time, before the optimisation); counted if larger than the
            optimisation's own peak.
        batch: images optimised together.

    Returns:
        int, bytes: :data:`BASE_BYTES` plus the larger of the optimisation's and the
        style images' share.
    """
    names = [keras_layer_name(name) for name in layers]
    factor = MIXED_FACTOR if precision == "mixed" else 1.0
    image = batch * int(shape[0]) * int(shape[1]) * 3
    during = batch * feature_values(shape, names) * GRADIENT_BYTES_PER_VALUE * factor
    if optimizer == "lbfgs":
        during += image * LBFGS_BYTES_PER_VALUE
    before = max((feature_values(s, names) * FORWARD_BYTES_PER_VALUE * factor
                  for s in style_shapes), default=0)
    return int(BASE_BYTES + max(during, before))


def proc_bytes(path, key):
    """A ``key: N kB`` line of a /proc file (``hardware.proc_field``) in bytes; None where
    the file, the line or the number is missing."""
    value = proc_field(path, key)
    try:
        return int(value.split()[0]) * 1024
    except (AttributeError, ValueError, IndexError):
        return None


def available_bytes(meminfo="/proc/meminfo"):
    """Memory the system can give a new process without swapping, in bytes:
    ``MemAvailable`` from ``meminfo`` (Linux); elsewhere free physical pages
    (``os.sysconf``); None where neither is known."""
    available = proc_bytes(meminfo, "MemAvailable")
    if available is not None:
        return available
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return None


def resident_bytes(status="/proc/self/status"):
    """This process's resident memory now, in bytes (``VmRSS``; 0 where unknown)."""
    return proc_bytes(status, "VmRSS") or 0


def fmt_gib(nbytes):
    """``3.2 GiB`` (one decimal; two below 1 GiB)."""
    value = nbytes / GIB
    return f"{value:.2f} GiB" if value < 1 else f"{value:.1f} GiB"


def check_memory(shape, layers, optimizer="lbfgs", precision="float32", style_shapes=(),
                 batch=1, what=None, hint="use a smaller --size", available=None):
    """Raise StyleTransferError (one line) if the run's estimated peak
    (:func:`estimate_peak_bytes`) exceeds the available memory (:func:`available_bytes`,
    or ``available`` bytes); return the estimate in bytes otherwise.

    The estimate is the whole process's peak, so what the process already holds counts as
    available too: ``MemAvailable`` plus this process's resident memory
    (:func:`resident_bytes`; in a notebook that has run before, TensorFlow is already
    there). ``what`` names the setting in the message (default "an image of W x H px"),
    ``hint`` says what to do. Where the available memory is unknown, nothing is checked.
    """
    need = estimate_peak_bytes(shape, layers, optimizer, precision, style_shapes, batch)
    if available is None:
        free = available_bytes()
        have = None if free is None else free + resident_bytes()
    else:
        have = available
    if have is not None and need > have:
        what = what or f"an image of {int(shape[1])}x{int(shape[0])} px"
        raise StyleTransferError(
            f"{what} needs about {fmt_gib(need)} of memory, this machine has "
            f"{fmt_gib(have)} available; {hint}")
    return need
