"""The options of a style-transfer run: their choices, defaults and checks.

One home for each of these facts, shared by ``optimize.stylize``, the experiments and the
command line. No TensorFlow here: the command line validates everything before it
imports TensorFlow.
"""

import os
from pathlib import Path

import numpy as np

from .errors import StyleTransferError
from .images import fit_shape
from .layers import min_image_side

#: Environment variable naming the VGG19 weights file (see ``vgg.resolve_weights``).
WEIGHTS_ENV = "STYLETRANSFER_VGG19_WEIGHTS"

INITS = ("content", "style", "noise")
OPTIMIZERS = ("adam", "lbfgs")
POOLINGS = ("max", "avg")
#: ``"float32"``: everything in float32. ``"mixed"``: the VGG convolutions, ReLUs and
#: poolings run in bfloat16 (weights rounded to bfloat16 once), the image fed in and the
#: features handed out are float32, so Gram matrices and losses stay float32.
PRECISIONS = ("float32", "mixed")

#: Size ratio between neighbouring scales of a coarse-to-fine schedule.
SCALE_FACTOR = 2 ** 0.5
#: Each coarser scale gets this many times the steps of the next finer one (see
#: :func:`steps_per_scale`).
COARSER_STEPS = 4 / 3

#: Loss weights are stated for an image of this longest side (px); see :func:`weight_factor`.
WEIGHT_SIZE = 512

# Defaults of ``optimize.stylize`` and the ``transfer`` command (benchmarks/quality.py
# measures them).
DEFAULT_SIZE = 512
DEFAULT_SCALES = 3
#: Steps at the finest scale, per optimiser (coarser scales get more, see
#: :func:`steps_per_scale`).
DEFAULT_STEPS = {"lbfgs": 60, "adam": 100}
DEFAULT_OPTIMIZER = "lbfgs"
DEFAULT_ALPHA = 5e-4
DEFAULT_BETA = 1.0
DEFAULT_TV_WEIGHT = 0.1
DEFAULT_INIT = "content"

#: Adam settings for the 0-255 pixel scale (lr in pixel units per step).
ADAM_DEFAULTS = {"lr": 4.0, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-1}
#: Default ``lr_final`` of :func:`run_adam` (``optimize.run_adam``: cosine decay of the learning rate).
ADAM_LR_FINAL = 1.0

# Controls beyond the 2016 paper (Gatys et al. 2017, "Controlling Perceptual Factors in
# Neural Style Transfer"; README "Beyond the paper: controls").
#: Colour control (``color.py``): "none" (the 2016 method: the style's colours),
#: "luminance" (2017 Sec. 5.1: transfer on the luminance only, the content's chroma kept),
#: "histogram" (Sec. 5.2: the style image recoloured to the content's colour statistics).
PRESERVE_COLORS = ("none", "luminance", "histogram")
DEFAULT_PRESERVE_COLOR = "none"
#: How ``color.color_transform`` solves A Sigma_s A^T = Sigma_c (Sec. 5.2).
COLOR_MATCH_METHODS = ("sqrt", "cholesky")
DEFAULT_COLOR_MATCH = "sqrt"
#: The style image's size relative to the size it would otherwise have (``--style-scale``).
DEFAULT_STYLE_SCALE = 1.0
#: Images in a row interpolating between two styles (``blend.interpolate_styles``):
#: blend weights (1, 0), (0.75, 0.25), ..., (0, 1).
DEFAULT_INTERPOLATION_STEPS = 5

#: Default numeric precision of the VGG network (see :data:`PRECISIONS`). float32: the
#: bfloat16 "mixed" mode is opt-in because it changes the result slightly
#: (benchmarks/README.md has the measured speed and loss differences).
DEFAULT_PRECISION = "float32"

#: Default for ``jit_compile`` (XLA) of the compiled step. Off: on the CPU, XLA's
#: convolutions were several times slower than TensorFlow's oneDNN kernels
#: (benchmarks/README.md), and off is the safe choice on a GPU too.
DEFAULT_JIT_COMPILE = False


def check_weights_path(weights):
    """Raise StyleTransferError unless ``weights`` ("imagenet", None or a path) can be
    found without a download: an existing file, or "imagenet" with :data:`WEIGHTS_ENV`
    unset (then Keras downloads it) or naming an existing file."""
    if weights is None:
        return
    if weights == "imagenet":
        env_path = os.environ.get(WEIGHTS_ENV)
        if env_path and not Path(env_path).expanduser().is_file():
            raise StyleTransferError(
                f"{WEIGHTS_ENV}={env_path} does not name an existing weights file")
        return
    if not Path(weights).expanduser().is_file():
        raise StyleTransferError(f"weights file {weights} does not exist")


def check_optimizer(optimizer):
    """Return ``optimizer`` if it is one of :data:`OPTIMIZERS`, else raise StyleTransferError."""
    if optimizer not in OPTIMIZERS:
        raise StyleTransferError(f"optimizer must be one of {OPTIMIZERS}, got {optimizer!r}")
    return optimizer


def check_pooling(pooling):
    """Return ``pooling`` if it is one of :data:`POOLINGS`, else raise StyleTransferError."""
    if pooling not in POOLINGS:
        raise StyleTransferError(f"pooling must be one of {POOLINGS}, got {pooling!r}")
    return pooling


def check_precision(precision, optimizer=None):
    """Return ``precision`` if it is one of :data:`PRECISIONS` (and usable with
    ``optimizer``), else raise StyleTransferError."""
    if precision not in PRECISIONS:
        raise StyleTransferError(f"precision must be one of {PRECISIONS}, got {precision!r}")
    if optimizer == "lbfgs" and precision == "mixed":
        raise StyleTransferError(
            "L-BFGS needs --precision float32: with the bfloat16 network its line search "
            "stops after one iteration (measured at 64-256 px)")
    return precision


def check_preserve_color(preserve_color):
    """Return ``preserve_color`` if it is one of :data:`PRESERVE_COLORS`, else raise
    StyleTransferError."""
    if preserve_color not in PRESERVE_COLORS:
        raise StyleTransferError(
            f"preserve_color must be one of {PRESERVE_COLORS}, got {preserve_color!r}")
    return preserve_color


def check_style_scale(scale, name="style_scale"):
    """Return ``scale`` as a float if it is a finite number > 0, else raise StyleTransferError."""
    try:
        value = float(scale)
    except (TypeError, ValueError):
        raise StyleTransferError(f"{name} must be a number > 0, got {scale!r}") from None
    if isinstance(scale, bool) or not np.isfinite(value) or value <= 0:
        raise StyleTransferError(f"{name} must be > 0, got {scale!r}")
    return value


def steps_per_scale(steps, scales):
    """Steps (Adam steps or L-BFGS iterations) for each of ``scales`` scales, coarse to fine.

    ``steps`` is a list of one int per scale, or one int for the finest scale; each
    coarser scale then gets :data:`COARSER_STEPS` times as many as the next finer one
    (its steps cost about half as much). ``steps_per_scale(60, 3)`` -> [107, 80, 60].
    Raises StyleTransferError for anything but whole numbers >= 1.
    """
    check_scales(scales)
    if np.ndim(steps) == 0:
        _check_steps(steps)
        steps = [round(steps * COARSER_STEPS ** (scales - 1 - k)) for k in range(scales)]
    steps = list(steps)
    if len(steps) != scales:
        raise StyleTransferError(f"{scales} scale(s) but {len(steps)} step counts {steps}")
    for n in steps:
        _check_steps(n)
    return [int(n) for n in steps]


def single_scale_steps(size, scales, steps):
    """Steps at ``size`` alone that cost about as much as the coarse-to-fine schedule of
    ``scales`` scales and ``steps`` (:func:`steps_per_scale`): each scale's steps weighted by
    its share of the pixels, (its size / ``size``)^2. ``single_scale_steps(512, 3, 100)``
    -> 211 (178 x 1/4 + 133 x 1/2 + 100)."""
    sizes, counts = pyramid_sizes(size, scales), steps_per_scale(steps, scales)
    return max(1, int(round(sum(n * (s / size) ** 2 for s, n in zip(sizes, counts)))))


def _check_steps(n):
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise StyleTransferError(f"steps must be whole numbers >= 1, got {n!r}")


def check_scales(scales):
    """Return ``scales`` if it is a whole number >= 1, else raise StyleTransferError."""
    if isinstance(scales, bool) or not isinstance(scales, (int, np.integer)) or scales < 1:
        raise StyleTransferError(f"scales must be a whole number >= 1, got {scales!r}")
    return scales


def pyramid_sizes(size, scales, factor=SCALE_FACTOR):
    """Longest sides of a coarse-to-fine schedule of ``scales`` scales ending at ``size``,
    each ``factor`` times the one before: ``pyramid_sizes(512, 3)`` -> [256, 362, 512]."""
    check_scales(scales)
    if not factor > 1:
        raise StyleTransferError(f"the scale factor must be > 1, got {factor!r}")
    return [int(round(size / factor ** k)) for k in reversed(range(scales))]


def pyramid_shapes(image_shape, size, scales, steps, layers):
    """The scales of a coarse-to-fine run on an image of ``image_shape`` (H, W, ...) that
    ends at longest side ``size``: ``(shapes, steps)``, the (H, W) of each scale of
    :func:`pyramid_sizes` and its steps (:func:`steps_per_scale`), leaving out the scales
    too small for ``layers`` (so a small size still works)."""
    need = min_image_side(layers)
    kept = [(fit_shape(image_shape, s), n) for s, n in
            zip(pyramid_sizes(size, scales), steps_per_scale(steps, scales))]
    kept = [(shape, n) for shape, n in kept if min(shape) >= need]
    return [shape for shape, _ in kept], [n for _, n in kept]


def weight_factor(shape):
    """Factor applied to alpha and tv_weight for an image of ``shape`` (H, W, ...):
    (:data:`WEIGHT_SIZE` / longest side)^2.

    The content loss (Eq. 1) and the TV term are sums over positions, so they grow with
    the image's area, while Eq. 4 (whose Gram matrices are divided by M^2) does not:
    scaling alpha and tv_weight by the inverse area keeps the balance of Eq. 7 the same
    at every size. At :data:`WEIGHT_SIZE` px the weights are used as given.
    """
    return (WEIGHT_SIZE / max(shape[:2])) ** 2
