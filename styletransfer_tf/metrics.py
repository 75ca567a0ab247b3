"""How good is a result? Style distance S, content distance C and grain HF.

Three numbers that score a finished image against its content photo and its style
image, on one common yardstick whatever settings made the image: Keras's VGG19 as
trained (max pooling), every image with its longest side :data:`SCORE_SIZE` px (the
content photo resized to the result's shape, the style image keeping its aspect ratio).

* S, style distance: Eq. 5 of Gatys et al. (2016) with w_l = 1/5 over conv1_1 ...
  conv5_1, each layer's Eq. 4 written with size-normalised Gram matrices,
  ``sum((G/M - A/M_s)^2) / (4 N^2)``, so the style image may have another size.
* C, content distance: ``sum((F - P)^2) / sum(P^2)`` at conv4_2 (Eq. 1 relative to the
  photo's own feature energy): 0 is the photo, about 1 means "as far from the photo's
  features as the features are large".
* HF, grain: mean squared 3x3 Laplacian of the luminance relative to the same for the
  content photo: 1 is as much fine detail as the photo; noise and dotted skies raise it.

``benchmarks/quality.py`` uses these to compare results with a reference reproduction.
The lectures also use :func:`psnr_ssim` (a reconstruction against its photo),
:func:`pairwise_distances` (how different a set of results is) and
:func:`layer_style_distances` (S layer by layer).
"""

import numpy as np
import tensorflow as tf

from . import images as imgs
from . import losses, vgg

#: Longest side (px) at which every image is scored.
SCORE_SIZE = 512
#: Layer of the content distance.
SCORE_CONTENT_LAYER = "conv4_2"
#: ITU-R 601 luma weights of R, G, B.
LUMA = np.array([0.299, 0.587, 0.114], dtype=np.float64)


def luminance(rgb):
    """Luma 0.299 R + 0.587 G + 0.114 B of an (H, W, 3) 0-255 image, as (H, W) float64."""
    return np.asarray(rgb, dtype=np.float64) @ LUMA


def laplacian_energy(rgb):
    """Mean squared 3x3 Laplacian (4 x centre - the 4 neighbours) of the luminance, over
    the pixels that have all four neighbours."""
    y = luminance(rgb)
    lap = 4 * y[1:-1, 1:-1] - y[:-2, 1:-1] - y[2:, 1:-1] - y[1:-1, :-2] - y[1:-1, 2:]
    return float(np.mean(lap ** 2))


def normalized_gram(features):
    """Gram matrix divided by the number of positions: (B, H, W, C) -> (B, C, C) G/M."""
    shape = tf.shape(features)
    return losses.gram_matrix(features) / tf.cast(shape[1] * shape[2], features.dtype)


def style_distance(features, style_features):
    """S: mean over layers of ``sum((G/M - A/M_s)^2) / (4 N^2)``.

    Args:
        features, style_features: lists of (1, H_l, W_l, N_l) feature maps (result and
            style image, same layers in the same order; sizes may differ).

    Returns:
        float.
    """
    values = []
    for f, s in zip(features, style_features):
        n = float(f.shape[-1])
        diff = normalized_gram(f) - normalized_gram(s)
        values.append(float(tf.reduce_sum(tf.square(tf.cast(diff, tf.float64)))) / (4 * n * n))
    return float(np.mean(values))


def content_distance(features, content_features):
    """C: ``sum((F - P)^2) / sum(P^2)`` of two feature maps of the same shape."""
    f = np.asarray(features, np.float64)
    p = np.asarray(content_features, np.float64)
    return float(np.sum((f - p) ** 2) / np.sum(p ** 2))


def scoring_extractor(weights="imagenet"):
    """The yardstick network: VGG19 as trained (max pooling, float32), returning the
    five style layers and then the content layer."""
    return vgg.feature_extractor([*vgg.STYLE_LAYERS, SCORE_CONTENT_LAYER], weights=weights,
                                 pooling="max", precision="float32")


def score_images(result, content, style, extractor=None, size=SCORE_SIZE):
    """Score a result (RGB 0-255 array) against its content and style images (arrays or
    paths): ``{"S": ..., "C": ..., "HF": ...}``, each image resized as described above.

    ``extractor``: from :func:`scoring_extractor` (built with the ImageNet weights if
    None); pass one to score many images without rebuilding it.
    """
    extractor = extractor or scoring_extractor()
    result = imgs.resize(imgs.as_rgb(result), size=size)
    content = imgs.resize(imgs.as_rgb(content), shape=result.shape[:2])
    style = imgs.resize(imgs.as_rgb(style), size=size)
    feats = {name: vgg.extract(extractor, imgs.preprocess(image)[None])
             for name, image in (("result", result), ("content", content), ("style", style))}
    n_style = len(vgg.STYLE_LAYERS)
    return {"S": style_distance(feats["result"][:n_style], feats["style"][:n_style]),
            "C": content_distance(feats["result"][n_style], feats["content"][n_style]),
            "HF": laplacian_energy(result) / laplacian_energy(content)}


def layer_style_distances(image, style, extractor=None, size=SCORE_SIZE):
    """S layer by layer: ``{paper layer name: sum((G/M - A/M_s)^2) / (4 N^2)}`` for
    conv1_1 ... conv5_1, an image against a style image (arrays or paths), both resized
    as in :func:`score_images` (longest side ``size``). Their mean is :func:`score_images`'s
    S. Lecture 6 uses it to see which layers' statistics a result took from which painting.
    ``extractor``: from :func:`scoring_extractor`."""
    extractor = extractor or scoring_extractor()
    feats = [vgg.extract(extractor, imgs.preprocess(imgs.resize(imgs.as_rgb(x), size=size))[None])
             for x in (image, style)]
    return {name: style_distance([feats[0][i]], [feats[1][i]])
            for i, name in enumerate(vgg.STYLE_LAYERS)}


def psnr_ssim(reference, image):
    """PSNR (dB) and SSIM of ``image`` against ``reference`` (uint8 or 0-255 RGB, same shape),
    with ``tf.image.psnr`` and ``tf.image.ssim``."""
    a = tf.convert_to_tensor(np.asarray(imgs.to_uint8(reference), np.float32))
    b = tf.convert_to_tensor(np.asarray(imgs.to_uint8(image), np.float32))
    return (float(tf.image.psnr(a, b, max_val=255.0)),
            float(tf.image.ssim(a, b, max_val=255.0, filter_size=min(11, *a.shape[:2]))))


def pairwise_distances(images):
    """Root-mean-square pixel difference (0-255 scale) between every pair of images.

    Returns a (N, N) symmetric float array with zeros on the diagonal.
    """
    stack = np.stack([np.asarray(i, np.float64) for i in images])
    n = len(stack)
    out = np.zeros((n, n))
    for i in range(n):
        for j in range(i + 1, n):
            out[i, j] = out[j, i] = float(np.sqrt(np.mean((stack[i] - stack[j]) ** 2)))
    return out
