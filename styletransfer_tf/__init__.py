"""styletransfer_tf: neural style transfer as in Gatys, Ecker & Bethge (CVPR 2016), in TensorFlow/Keras.

Start with :func:`stylize`; the pieces it is built from live in
``images`` (loading, VGG preprocessing), ``vgg`` (VGG19 features), ``losses`` (the paper's
equations) and ``optimize`` (Adam and L-BFGS loops, coarse to fine).

The names below are loaded on first use, so that ``import styletransfer_tf`` (and the
command line's ``--help``) does not import TensorFlow.
"""

import importlib

from .errors import NonFiniteLossError, StyleTransferError
from .layers import CONTENT_LAYERS, STYLE_LAYERS

__version__ = "0.1.0"

#: public name -> module that defines it (imported when the name is first used)
_LAZY = {
    **{name: "images" for name in ("deprocess", "load_image", "preprocess",
                                    "sample_image_path", "save_image")},
    **{name: "losses" for name in ("content_loss", "gram_matrix", "style_layer_loss",
                                    "style_loss", "total_loss", "total_variation_loss")},
    "stylize": "optimize",
    "feature_extractor": "vgg",
}

__all__ = ["CONTENT_LAYERS", "STYLE_LAYERS", "NonFiniteLossError", "StyleTransferError",
           *sorted(_LAZY)]


def __getattr__(name):
    if name in _LAZY:
        value = getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_LAZY))
