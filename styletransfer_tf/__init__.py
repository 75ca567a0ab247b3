"""styletransfer_tf: neural style transfer as in Gatys, Ecker & Bethge (CVPR 2016), in TensorFlow/Keras.

Start with :func:`stylize`; the pieces it is built from live in
``images`` (loading, VGG preprocessing), ``vgg`` (VGG19 features), ``losses`` (the paper's
equations) and ``optimize`` (Adam and L-BFGS loops).
"""

from .errors import NonFiniteLossError, StyleTransferError
from .images import deprocess, load_image, preprocess, sample_image_path, save_image
from .losses import (content_loss, gram_matrix, style_layer_loss, style_loss, total_loss,
                     total_variation_loss)
from .optimize import stylize
from .vgg import CONTENT_LAYERS, STYLE_LAYERS, feature_extractor

__version__ = "0.1.0"

__all__ = [
    "CONTENT_LAYERS", "STYLE_LAYERS", "NonFiniteLossError", "StyleTransferError",
    "content_loss", "deprocess", "feature_extractor", "gram_matrix", "load_image",
    "preprocess", "sample_image_path", "save_image", "style_layer_loss", "style_loss",
    "stylize", "total_loss", "total_variation_loss",
]
