"""Task 1: the checks of ``preprocess`` and ``deprocess`` (VGG input space)."""

import numpy as np
import tensorflow as tf

from .. import images as _images
from .calling import _call, _invoke
from .compare import _check_shape, _close, _compare, _to_array
from .diagnostics import _graph_op_count
from .reference import CheckFailed, _fail, _rng



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
