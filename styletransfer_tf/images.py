"""Loading, resizing, VGG preprocessing and saving of images.

Arrays in this module are RGB, channels last, float32 on the 0-255 scale unless a
function says otherwise: one image is (H, W, 3), a batch is (B, H, W, 3).

VGG19 was trained on BGR images with the ImageNet mean subtracted (the "caffe"
mode of ``keras.applications.vgg19.preprocess_input``); :func:`preprocess` does
exactly that and :func:`deprocess` is its exact inverse.
"""

import os
from importlib import resources
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from .errors import StyleTransferError
from .paths import atomic_path

#: ImageNet channel means in BGR order, as used by keras.applications.vgg19.
IMAGENET_MEAN_BGR = np.array([103.939, 116.779, 123.68], dtype=np.float32)

#: Lowest and highest value of each BGR channel in VGG input space (the pixels 0 and 255).
PIXEL_LOW = -IMAGENET_MEAN_BGR
PIXEL_HIGH = 255.0 - IMAGENET_MEAN_BGR

#: Largest longest side we accept. VGG19 memory grows with H*W; at 4096 px one
#: forward/backward pass already needs tens of GB.
MAX_SIZE = 4096

SAVE_FORMATS = {".png": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG"}

#: The kit's own sample images, shipped inside the package (``styletransfer_tf/data/``).
SAMPLE_IMAGES = {"content": "sample_content.png", "style": "sample_style.png"}


def sample_image_path(which):
    """Path of the kit's sample ``"content"`` or ``"style"`` image (package data).

    They are drawn by ``images/make_sample_images.py`` and installed with the package,
    so this works from a checkout and after ``pip install .`` alike.
    """
    if which not in SAMPLE_IMAGES:
        raise StyleTransferError(
            f"no sample image {which!r}; choose one of {', '.join(SAMPLE_IMAGES)}")
    return Path(str(resources.files(__package__).joinpath("data", SAMPLE_IMAGES[which])))


def check_size(size, name="size"):
    """Return ``size`` as an int in [1, MAX_SIZE] or raise StyleTransferError."""
    if isinstance(size, bool) or not isinstance(size, (int, np.integer)):
        raise StyleTransferError(f"{name} must be a whole number of pixels, got {size!r}")
    if not 1 <= size <= MAX_SIZE:
        raise StyleTransferError(f"{name} must be between 1 and {MAX_SIZE} pixels, got {size}")
    return int(size)


def open_image(path):
    """Open an image file with Pillow and decode it fully.

    Returns a ``PIL.Image`` with EXIF orientation applied. Raises
    StyleTransferError with one line for a missing file, a directory, a file that is
    not an image, or a truncated/corrupt image.
    """
    path = Path(path)
    if not path.exists():
        raise StyleTransferError(f"no such file: {path}")
    if path.is_dir():
        raise StyleTransferError(f"{path} is a directory, not an image file")
    try:
        with Image.open(path) as img:
            img.load()  # decode now so that truncated files fail here
            return ImageOps.exif_transpose(img)
    except UnidentifiedImageError:
        raise StyleTransferError(f"{path} is not an image Pillow can read") from None
    except (OSError, SyntaxError, ValueError) as exc:
        raise StyleTransferError(f"{path} is truncated or corrupt ({exc})") from None


def to_rgb_array(img):
    """Convert a PIL image of any mode to a float32 RGB array (H, W, 3) in 0-255.

    16-bit and 32-bit integer images are scaled down to 8 bits (not clipped);
    transparent images (RGBA, LA, palette with transparency) are composited on white;
    CMYK, grayscale and palette images are converted to RGB.
    """
    if img.mode in ("I;16", "I;16L", "I;16B", "I;16N", "I"):
        values = np.asarray(img, dtype=np.float64)
        scale = 65535.0 if img.mode != "I" or values.max() > 255 else 255.0
        gray = np.clip(values / scale * 255.0, 0, 255)
        return np.repeat(gray[..., None], 3, axis=-1).astype(np.float32)
    if img.mode == "F":
        values = np.asarray(img, dtype=np.float64)
        top = max(values.max(), 1.0)
        gray = np.clip(values / top * 255.0, 0, 255)
        return np.repeat(gray[..., None], 3, axis=-1).astype(np.float32)
    if img.mode == "P" and "transparency" in img.info:
        img = img.convert("RGBA")
    if img.mode in ("RGBA", "LA", "PA", "RGBa", "La"):
        rgba = img.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        img = Image.alpha_composite(background, rgba)
    return np.asarray(img.convert("RGB"), dtype=np.float32)


def resize(image, size=None, shape=None):
    """Resize an RGB array (H, W, 3) with Lanczos filtering.

    Args:
        image: float or uint8 array (H, W, 3), 0-255.
        size: new longest side in pixels; the aspect ratio is kept.
        shape: exact (height, width) instead of ``size``.

    Returns:
        float32 array (H', W', 3) in 0-255.
    """
    height, width = image.shape[:2]
    if shape is None:
        if size is None:
            return np.asarray(image, dtype=np.float32)
        shape = fit_shape((height, width), size)
    if tuple(shape) == (height, width):
        return np.asarray(image, dtype=np.float32)
    pil = Image.fromarray(np.clip(np.rint(image), 0, 255).astype(np.uint8))
    pil = pil.resize((int(shape[1]), int(shape[0])), Image.LANCZOS)
    return np.asarray(pil, dtype=np.float32)


def as_rgb(image, size=None):
    """An image path or RGB array -> float32 (H, W, 3) array, longest side ``size`` if given."""
    if isinstance(image, np.ndarray):
        if image.ndim != 3 or image.shape[-1] != 3:
            raise StyleTransferError(f"expected an RGB array (H, W, 3), got shape {image.shape}")
        return resize(image, size=size)
    return load_image(image, size=size)


def fit_shape(shape, size):
    """(height, width) of an image of ``shape`` (H, W, ...) resized so that its longest
    side is ``size`` px, aspect ratio kept (as :func:`resize` does)."""
    height, width = shape[:2]
    scale = check_size(size) / max(height, width)
    return (max(1, round(height * scale)), max(1, round(width * scale)))


def load_image(path, size=None, shape=None):
    """Load an image file as a float32 RGB array (H, W, 3) in 0-255.

    Any format Pillow reads (JPEG, PNG, WebP, BMP, TIFF...) works; EXIF rotation is
    applied and odd modes are converted (see :func:`to_rgb_array`).

    Args:
        path: image file.
        size: if given, resize so that the longest side is ``size`` pixels.
        shape: if given, resize to exactly (height, width).
    """
    if size is not None:
        check_size(size)
    return resize(to_rgb_array(open_image(path)), size=size, shape=shape)


def preprocess(rgb):
    """RGB 0-255 -> VGG input: BGR with the ImageNet mean subtracted, 0-255 scale.

    Identical to ``keras.applications.vgg19.preprocess_input`` (caffe mode). Works on
    NumPy arrays and TensorFlow tensors of shape (..., H, W, 3).
    """
    return rgb[..., ::-1] - IMAGENET_MEAN_BGR


def deprocess(x):
    """Exact inverse of :func:`preprocess`: VGG input -> float RGB 0-255 (not clipped)."""
    return (x + IMAGENET_MEAN_BGR)[..., ::-1]


def to_uint8(rgb):
    """Round and clip a float RGB array in 0-255 to uint8 (same shape)."""
    return np.clip(np.rint(np.asarray(rgb, dtype=np.float32)), 0, 255).astype(np.uint8)


def check_output_path(path, overwrite=False, inputs=()):
    """Check that an image can be written to ``path`` without harming the user's files.

    Raises StyleTransferError if the suffix is not .png/.jpg/.jpeg, if ``path`` is one of
    ``inputs``, if it exists and ``overwrite`` is false, or if its folder is missing or
    not writable. Returns the Path.
    """
    path = Path(path)
    if path.suffix.lower() not in SAVE_FORMATS:
        raise StyleTransferError(
            f"cannot save {path}: use a .png, .jpg or .jpeg file name")
    for other in inputs:
        if Path(other).exists() and path.exists() and path.resolve() == Path(other).resolve():
            raise StyleTransferError(f"output {path} is also an input; choose another name")
    if path.is_dir():
        raise StyleTransferError(f"output {path} is a directory; give a file name")
    if path.exists() and not overwrite:
        raise StyleTransferError(
            f"output {path} already exists; choose another name or pass --overwrite")
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise StyleTransferError(f"output folder {folder} does not exist")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise StyleTransferError(f"output folder {folder} is not writable")
    return path


def save_image(path, rgb, overwrite=False):
    """Save an RGB image (H, W, 3) (float 0-255 or uint8) as PNG or JPEG.

    The format follows the suffix. The file is written to a temporary name and moved
    into place, so an existing file is never left half-written; an existing file is
    only replaced when ``overwrite`` is true.
    """
    path = check_output_path(path, overwrite=overwrite)
    pil = Image.fromarray(to_uint8(rgb))
    with atomic_path(path) as tmp:
        pil.save(tmp, format=SAVE_FORMATS[path.suffix.lower()], quality=95)
    return path


def style_shape_for(style_shape, content_shape, style_size="size", final_size=None,
                    scale=1.0):
    """(height, width) that :func:`style_image_for` gives a style image of ``style_shape``
    (H, W, ...) for a content image of ``content_shape`` (H, W, ...); see there."""
    longest = max(content_shape[:2])
    if not scale > 0:
        raise StyleTransferError(f"style scale must be > 0, got {scale!r}")
    if style_size == "size":
        side = longest * scale
    elif style_size == "content" or style_size is None:
        base = content_shape[:2] if style_size == "content" else style_shape[:2]
        if scale == 1:
            return (int(base[0]), int(base[1]))
        height, width = base[0] * scale, base[1] * scale
        _check_scaled_side(max(height, width), scale)
        return (max(1, round(height)), max(1, round(width)))
    else:
        size = check_size(style_size, "style size")
        side = size * longest / (final_size or longest) * scale
    _check_scaled_side(side, scale)
    return fit_shape(style_shape, max(1, round(side)))


def _check_scaled_side(side, scale):
    if round(side) > MAX_SIZE:
        raise StyleTransferError(f"the style image at style scale {scale:g} would be "
                                 f"{round(side)} px, above the {MAX_SIZE} px limit")


def style_image_for(style, content, style_size="size", final_size=None, scale=1.0):
    """Resize the style image for a content image (H, W, 3) at one scale.

    ``style_size``: "size" = longest side equal to the content's, aspect ratio kept;
    "content" = exactly the content's H x W (as in the paper); an int = that longest side
    at the final scale (``final_size``), proportionally smaller at coarser scales;
    None = the style image's own size.

    ``scale`` (``--style-scale``, as jcjohnson/neural-style's ``-style_scale``): the
    style image is made ``scale`` times the size ``style_size`` gives (both sides, aspect
    ratio kept), so its strokes and patterns come out ``scale`` times as large in the
    result; 1 changes nothing.
    """
    shape = style_shape_for(style.shape, content.shape, style_size, final_size, scale)
    if style_size is None and scale == 1:
        return style
    return resize(style, shape=shape)
