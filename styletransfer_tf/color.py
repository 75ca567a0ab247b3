"""Colour control: keep the content's colours (Gatys, Ecker, Bethge, Hertzmann & Shechtman,
"Controlling Perceptual Factors in Neural Style Transfer", CVPR 2017, Sec. 5).

Two ways, chosen by ``preserve_color`` (:data:`options.PRESERVE_COLORS`):

- ``"luminance"`` (Sec. 5.1, luminance-only transfer): the style is transferred on the
  luminance channel Y of the YIQ colour space only. The style's luminance is first given
  the content luminance's mean and standard deviation (Y_s' = sigma_c / sigma_s
  (Y_s - mu_s) + mu_c), both images are turned into grey RGB images (Y in all three
  channels, which VGG19 takes as it is), the optimisation runs on those, and at the end
  the result's Y is combined with the content's I and Q channels.
- ``"histogram"`` (Sec. 5.2, colour histogram matching): before the transfer the style
  image's RGB values are mapped by x' = A x + b so that their mean and 3x3 covariance
  equal the content's (A Sigma_s A^T = Sigma_c, b = mu_c - A mu_s); the transfer then
  runs as usual.

Arrays are RGB, channels last, float on the 0-255 scale, (H, W, 3), as in ``images``. No
TensorFlow here.
"""

import numpy as np

from . import images as imgs
from .errors import StyleTransferError
from .options import COLOR_MATCH_METHODS, DEFAULT_COLOR_MATCH, check_preserve_color

#: RGB -> YIQ (the FCC's NTSC definition; rows Y, I, Q). Y's row sums to 1 (a grey pixel
#: R = G = B keeps its value as Y) and the I and Q rows sum to 0 (grey has no chroma).
RGB_TO_YIQ = np.array([[0.299, 0.587, 0.114],
                       [0.5959, -0.2746, -0.3213],
                       [0.2115, -0.5227, 0.3112]])
#: YIQ -> RGB, the exact inverse of :data:`RGB_TO_YIQ` (so a round trip changes nothing).
YIQ_TO_RGB = np.linalg.inv(RGB_TO_YIQ)

#: Added to the diagonal of a style covariance before it is inverted (0-255 units squared,
#: far below one grey level): a style image without variance in some colour direction
#: (a grey painting) then gives a finite transform instead of a division by zero.
COVARIANCE_EPS = 1e-3


def rgb_to_yiq(rgb):
    """RGB (..., 3), 0-255 -> YIQ (..., 3): Y in 0-255, I and Q signed, same units."""
    return np.asarray(rgb, dtype=np.float64) @ RGB_TO_YIQ.T


def yiq_to_rgb(yiq):
    """YIQ (..., 3) -> RGB (..., 3), the exact inverse of :func:`rgb_to_yiq` (not clipped)."""
    return np.asarray(yiq, dtype=np.float64) @ YIQ_TO_RGB.T


def luminance(rgb):
    """The luminance Y (..., ) of an RGB image (..., 3), 0-255."""
    return rgb_to_yiq(rgb)[..., 0]


def grey_image(y):
    """A luminance map Y (H, W) as a grey RGB image (H, W, 3): Y in every channel, float32,
    clipped to 0-255. Its own Y is Y again (Y's coefficients sum to 1) and its I, Q are 0."""
    y = np.clip(np.asarray(y, dtype=np.float64), 0, 255)
    return np.repeat(y[..., None], 3, axis=-1).astype(np.float32)


def match_luminance(style_y, content_y):
    """The style's luminance with the content luminance's mean and standard deviation
    (Sec. 5.1): sigma_c / sigma_s (Y_s - mu_s) + mu_c, not clipped.

    Args:
        style_y, content_y: luminance maps (any shapes), 0-255.

    Returns:
        float64 array of ``style_y``'s shape. A flat style (sigma_s = 0) gets mu_c everywhere.
    """
    style_y = np.asarray(style_y, dtype=np.float64)
    content_y = np.asarray(content_y, dtype=np.float64)
    sigma_s, sigma_c = style_y.std(), content_y.std()
    gain = sigma_c / sigma_s if sigma_s > 0 else 0.0
    return gain * (style_y - style_y.mean()) + content_y.mean()


def combine_luminance(result, content):
    """The result's luminance with the content's chroma (Sec. 5.1): Y of ``result`` and
    I, Q of ``content`` (both RGB (H, W, 3), 0-255, same shape), back to RGB.

    Returns float32 RGB (H, W, 3) clipped to 0-255. Where the combination leaves the RGB
    cube (a bright Y with a strongly coloured I, Q) the clipping changes the colour a
    little; elsewhere the content's I and Q are kept exactly (up to the final rounding).
    """
    result, content = np.asarray(result), np.asarray(content)
    if result.shape != content.shape:
        raise StyleTransferError(f"result {result.shape} and content {content.shape} differ "
                                 "in shape")
    yiq = rgb_to_yiq(content)
    yiq[..., 0] = luminance(result)
    return np.clip(yiq_to_rgb(yiq), 0, 255).astype(np.float32)


def _pixel_stats(rgb):
    """Mean (3,) and covariance (3, 3) of the RGB values of an image (H, W, 3)."""
    pixels = np.asarray(rgb, dtype=np.float64).reshape(-1, 3)
    return pixels.mean(axis=0), np.cov(pixels, rowvar=False, bias=True)


def _sym_power(matrix, power):
    """matrix ** power for a symmetric positive semi-definite 3x3 matrix (eigenvalues
    below 0 from rounding are taken as 0)."""
    values, vectors = np.linalg.eigh(matrix)
    values = np.maximum(values, 0.0)
    with np.errstate(divide="ignore"):
        scaled = np.where(values > 0, values ** power, 0.0)
    return (vectors * scaled) @ vectors.T


def color_transform(style, content, method=DEFAULT_COLOR_MATCH):
    """The affine colour map x' = A x + b of Sec. 5.2 that gives the style image's pixels
    the content's mean and covariance: ``(A, b)``, (3, 3) and (3,).

    With mu and Sigma the mean and covariance of an image's RGB values, b = mu_c - A mu_s
    and A Sigma_s A^T = Sigma_c. Two solutions of the second equation (the paper's two):

    - ``"sqrt"`` (default): A = Sigma_c^(1/2) Sigma_s^(-1/2) with symmetric square roots
      from eigendecompositions (the "3D colour matching" of Image Analogies);
    - ``"cholesky"``: A = L_c L_s^(-1), with Sigma = L L^T the Cholesky factors.

    Sigma_s (and for "cholesky" Sigma_c) gets :data:`COVARIANCE_EPS` on its diagonal
    first, so the match is exact up to that (a relative 1e-3 / variance, negligible for a
    real image).
    """
    if method not in COLOR_MATCH_METHODS:
        raise StyleTransferError(
            f"colour matching method must be one of {COLOR_MATCH_METHODS}, got {method!r}")
    mu_s, sigma_s = _pixel_stats(style)
    mu_c, sigma_c = _pixel_stats(content)
    sigma_s = sigma_s + COVARIANCE_EPS * np.eye(3)
    if method == "sqrt":
        a = _sym_power(sigma_c, 0.5) @ _sym_power(sigma_s, -0.5)
    else:
        lower_c = np.linalg.cholesky(sigma_c + COVARIANCE_EPS * np.eye(3))
        a = lower_c @ np.linalg.inv(np.linalg.cholesky(sigma_s))
    return a, mu_c - a @ mu_s


def match_color(style, content, method=DEFAULT_COLOR_MATCH):
    """The style image (H, W, 3) recoloured with :func:`color_transform` so that its RGB
    mean and covariance are the content's (Sec. 5.2), float32 clipped to 0-255.

    The clipping (where the map leaves the RGB cube) moves the statistics slightly away
    from the content's; tests/test_controls.py measures by how much on its images.
    """
    a, b = color_transform(style, content, method)
    out = np.asarray(style, dtype=np.float64) @ a.T + b
    return np.clip(out, 0, 255).astype(np.float32)


def prepare(content, styles, preserve_color):
    """The images the optimisation works on for ``preserve_color``: ``(content, styles)``.

    ``"none"``: unchanged (the same objects). ``"histogram"``: each style recoloured to
    the content's colour statistics (:func:`match_color`). ``"luminance"``: the content
    as a grey image of its Y, each style as a grey image of its Y matched to the
    content's Y (:func:`match_luminance`), clipped to 0-255.

    Args:
        content: RGB (H, W, 3), 0-255.
        styles: list of RGB (Hs, Ws, 3) images, 0-255.
    """
    mode = check_preserve_color(preserve_color)
    if mode == "none":
        return content, styles
    if mode == "histogram":
        return content, [match_color(style, content) for style in styles]
    content_y = luminance(content)
    return grey_image(content_y), [grey_image(match_luminance(luminance(style), content_y))
                                   for style in styles]


def finish(result, content, preserve_color):
    """The final image for ``preserve_color`` from the optimised ``result`` (RGB (H, W, 3),
    float 0-255): for ``"luminance"`` the result's Y with the I and Q of ``content`` (the
    original colour content image, resized here to the result's shape;
    :func:`combine_luminance`); otherwise ``result`` unchanged."""
    if check_preserve_color(preserve_color) == "luminance":
        return combine_luminance(result, imgs.resize(content, shape=np.shape(result)[:2]))
    return result
