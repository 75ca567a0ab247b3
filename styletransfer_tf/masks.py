"""Region masks for spatial control (Gatys et al. 2017, "Controlling Perceptual Factors in
Neural Style Transfer", Sec. 4): loading, checking and resizing them. No TensorFlow here
(the command line checks masks before it imports TensorFlow); the guided Gram matrices
built from them live in ``guidance.py``.

A mask is a float32 array (H, W) with values in [0, 1]: 1 where its region is, 0 where it
is not, values in between for a soft edge. Mask k goes with style k: region k is
stylised with style image k. Pixels that no mask covers get no style loss at all, so only
the content loss (and the TV term) acts there and they keep the photo. Masks may
overlap; where they do, both styles act.

A mask image is read with ``images.load_image`` (any format Pillow reads) and its value is
the mean of R, G and B divided by 255 (white = 1, black = 0). It must have the content
image's aspect ratio (it is resized with the content image to each scale); its pixel size
may differ.
"""

import numpy as np
from PIL import Image

from . import images as imgs
from .errors import StyleTransferError


def as_mask(mask):
    """A mask image path, an RGB array (H, W, 3) in 0-255, or a 2-D array already in [0, 1]
    -> float32 (H, W) in [0, 1]."""
    if isinstance(mask, np.ndarray) and mask.ndim == 2:
        values = np.asarray(mask, dtype=np.float32)
        if not np.all(np.isfinite(values)) or values.min() < 0 or values.max() > 1:
            raise StyleTransferError("a mask given as a 2-D array must have values in [0, 1]")
        return values
    rgb = imgs.as_rgb(mask)
    return (rgb.mean(axis=-1) / 255.0).astype(np.float32)


def check_mask(mask_shape, content_shape, name="mask"):
    """Raise StyleTransferError unless a mask of ``mask_shape`` (H, W, ...) fits a content
    image of ``content_shape`` (H, W, ...): resized to the content's longest side it must
    have the content's height and width (the same aspect ratio, up to rounding)."""
    content_hw = tuple(int(v) for v in content_shape[:2])
    if imgs.fit_shape(mask_shape, max(content_hw)) != content_hw:
        raise StyleTransferError(
            f"{name} is {mask_shape[1]}x{mask_shape[0]} px, which does not fit the content "
            f"image ({content_hw[1]}x{content_hw[0]} px): give it the content's size or "
            "aspect ratio")


def check_masks(masks, content_shape, styles, names=None):
    """Check a list of masks (arrays (H, W)) against the content image's shape and the
    number of style images: one mask per style, each fitting the content
    (:func:`check_mask`) and covering at least one pixel. ``names`` label the messages
    (e.g. the file names)."""
    names = names or [f"mask {k + 1}" for k in range(len(masks))]
    if len(masks) != styles:
        raise StyleTransferError(
            f"{len(masks)} mask(s) for {styles} style image(s): give one mask per style "
            "(mask k goes with style k)")
    for mask, name in zip(masks, names):
        check_mask(mask.shape, content_shape, name)
        if not np.any(mask > 0):
            raise StyleTransferError(f"{name} covers no pixel (it is black everywhere)")


def resize_mask(mask, shape):
    """Resize a mask (H, W) to ``shape`` (H', W'), float32 in [0, 1].

    Shrinking averages over the area each output pixel covers (a box filter); growing
    interpolates bilinearly.
    """
    mask = np.asarray(mask, dtype=np.float32)
    shape = (int(shape[0]), int(shape[1]))
    if mask.shape == shape:
        return mask
    shrink = shape[0] <= mask.shape[0] and shape[1] <= mask.shape[1]
    pil = Image.fromarray(mask).resize((shape[1], shape[0]),
                                       Image.BOX if shrink else Image.BILINEAR)
    return np.clip(np.asarray(pil, dtype=np.float32), 0.0, 1.0)


def layer_masks(masks, shapes):
    """The guidance channels of R masks at each layer (2017, Sec. 4.1: the masks are
    downsampled to each layer's feature map).

    Args:
        masks: (R, H, W) masks at the image's resolution.
        shapes: the (H_l, W_l) of each layer's feature map.

    Returns:
        one float32 (R, H_l, W_l) array per entry of ``shapes``, each mask area-averaged
        (:func:`resize_mask`) to that size.
    """
    return [np.stack([resize_mask(mask, shape) for mask in masks]) for shape in shapes]
