"""What the checks judge against: the reference implementations, the tolerance, the
seeded inputs, what each task may build on, and how a check fails (:class:`CheckFailed`).
"""

import numpy as np

from .. import images as _images
from .. import losses as _losses

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


class CheckFailed(AssertionError):
    """A check found a problem; the message explains it and how to fix it."""



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


def _rng(offset=0):
    return np.random.default_rng(SEED + offset)


def _features(shape, offset=0):
    """Non-negative feature maps like those after a ReLU, float32."""
    return np.abs(_rng(offset).normal(size=shape)).astype(np.float32)
