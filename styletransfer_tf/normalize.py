"""The paper's "normalised" VGG19: every filter's mean activation over the images is 1.

Gatys, Ecker & Bethge (CVPR 2016, Sec. 2; arXiv 1508.06576, Methods) used VGG19 with
rescaled weights: "We normalized the network by scaling the weights such that the mean
activation of each convolutional filter over images and positions is equal to one. Such
re-scaling can be done for the VGG network without changing its output, because it
contains only rectifying linear activation functions and no normalization or pooling
over feature maps." Their network was normalised on their own image set; we do it on the
images at hand (a figure's content and style images), which is what
:func:`normalize_vgg` computes.

Why the rescaling is exact. ReLU and (max or average) pooling commute with multiplying
a channel by a positive number. If the filters of layer l are divided by their mean
activations m_l (kernel and bias), its outputs are divided by m_l; multiplying the
matching input channels of layer l+1 by m_l undoes that for layer l+1, whose own filters
are then divided by m_{l+1}, and so on. So the normalised network's features are
``F'_l = F_l / m_l`` per channel and every m_l can be read off ONE forward pass of the
original network. Filters that never fire on the images (m = 0) are left as they are.

Why it matters here. The style loss (Eq. 5) adds the layers' errors with equal weights
w_l, and alpha/beta (Eq. 7) weighs it against the content loss. Keras's ImageNet weights
give typical activations that differ between layers by orders of magnitude (median
filter means from about 0.02 to 300 on the paper's images), so equal w_l do not weigh
the layers equally and the paper's ratios mean something else. After normalisation every
filter averages 1, as in the paper's network. One overall factor between the paper's
ratios and this implementation remained and was measured (``experiments.RATIO_CALIBRATION``,
and ``experiments.loss_weights`` for the dependence on image size).

One departure, on by default in the presets (``Settings.norm_floor``): six images estimate
the mean of a filter that rarely fires poorly, and dividing by a tiny mean gives that
filter a gain far above its layer's. :func:`floored_means` raises every mean to at least
a fraction of its layer's median before rescaling, so those few filters average below 1.

The result is written as a Keras ``.weights.h5`` file (cached by a hash of the inputs),
so it plugs into everything that takes ``weights=PATH``::

    path = normalize_vgg([content_rgb, style_rgb], pooling="avg")
    extractor = vgg.feature_extractor(layers, weights=path, pooling="avg")
"""

import hashlib
from pathlib import Path

import keras
import numpy as np

from . import images as imgs
from . import paths, vgg

#: Conv layers in network order (Keras names).
CONV_LAYERS = tuple(name for name in vgg.LAYER_ORDER if "conv" in name)

#: Environment variable that moves the cache folder (see :func:`default_cache_dir`).
CACHE_ENV = paths.CACHE_ENV


def default_cache_dir():
    """``$STYLETRANSFER_CACHE`` if set, else ``styletransfer_tf/`` in the user's cache
    folder (``$XDG_CACHE_HOME`` or ``~/.cache``): see :func:`paths.user_cache_dir`."""
    return paths.user_cache_dir()


def mean_activations(images, weights="imagenet", pooling="avg"):
    """Mean activation of every conv filter over ``images`` and positions.

    Args:
        images: RGB arrays (H, W, 3), 0-255, possibly of different sizes.
        weights: as for ``vgg.feature_extractor``.
        pooling: "max" or "avg"; the means after the first pooling layer depend on it.

    Returns:
        dict Keras layer name -> float64 (C,) array. Each image counts equally (the mean
        over an image's positions, then over images).
    """
    if not len(images):
        raise ValueError("mean_activations needs at least one image")
    extractor = vgg.feature_extractor(list(CONV_LAYERS), weights=weights, pooling=pooling)
    sums = {name: 0.0 for name in CONV_LAYERS}
    for image in images:
        feats = vgg.extract(extractor, imgs.preprocess(np.asarray(image, np.float32))[None])
        for name, feat in zip(CONV_LAYERS, feats):
            sums[name] = sums[name] + np.asarray(feat, np.float64).mean(axis=(0, 1, 2))
    return {name: total / len(images) for name, total in sums.items()}


def floored_means(means, floor):
    """``means`` with every filter's mean raised to at least ``floor`` x its layer's median.

    Six images estimate the mean of a filter that rarely fires badly, and dividing by a
    tiny mean gives that filter a huge gain: the rescaled losses then hinge on it (see
    benchmarks/README.md, "the loss jump at a change of scale"). ``floor=0`` keeps the
    means as they are (every mean exactly 1 after rescaling, as the paper says).

    Args:
        means: dict layer name -> (C,) array, from :func:`mean_activations`.
        floor: fraction of the layer's median, >= 0.

    Returns:
        dict layer name -> float64 (C,) array.
    """
    if not floor >= 0:
        raise ValueError(f"floor must be >= 0, got {floor!r}")
    out = {}
    for name, m in means.items():
        m = np.asarray(m, np.float64)
        out[name] = np.maximum(m, floor * np.median(m)) if floor > 0 else m
    return out


def rescaled_weights(base, means):
    """The rescaled (kernel, bias) of every conv layer of ``base`` given the ``means``.

    Args:
        base: the Keras VGG19 (``vgg.load_vgg19``).
        means: from :func:`mean_activations`.

    Returns:
        dict Keras layer name -> [kernel, bias] arrays (float32).
    """
    out, previous = {}, np.ones(3)
    for name in CONV_LAYERS:
        kernel, bias = (np.asarray(w, np.float64) for w in base.get_layer(name).get_weights())
        scale = np.asarray(means[name], np.float64)
        scale = np.where(scale > 0, scale, 1.0)  # dead filters stay as they are
        kernel = kernel * previous[None, None, :, None] / scale[None, None, None, :]
        out[name] = [kernel.astype(np.float32), (bias / scale).astype(np.float32)]
        previous = scale
    return out


def _cache_key(images, weights_path, pooling, floor=0.0):
    digest = hashlib.sha256()
    digest.update(f"normalize-v1|{pooling}|".encode())
    if floor > 0:  # files written before the floor existed keep their names
        digest.update(f"floor-{floor!r}|".encode())
    if weights_path is None:  # the fixed random network of vgg.load_vgg19(None)
        digest.update(f"random-seed-{vgg.RANDOM_WEIGHTS_SEED}".encode())
    else:
        stat = Path(weights_path).stat()
        digest.update(f"{Path(weights_path).resolve()}|{stat.st_size}|{stat.st_mtime_ns}".encode())
    for image in images:
        arr = imgs.to_uint8(image)
        digest.update(str(arr.shape).encode())
        digest.update(arr.tobytes())
    return digest.hexdigest()[:16]


def normalize_vgg(images, weights="imagenet", pooling="avg", cache_dir=None, verbose=False,
                  floor=0.0):
    """Write VGG19 weights rescaled so that each filter's mean activation over ``images`` is 1.

    Args:
        images: the images at hand, RGB (H, W, 3) 0-255 (e.g. a figure's content and
            style images at the size they are used at).
        weights: the weights to start from (see ``vgg.resolve_weights``); ``None`` =
            random weights (tests).
        pooling: the pooling the normalised network will be used with.
        cache_dir: folder for the weights file (default :func:`default_cache_dir`).
        verbose: print where the file went.
        floor: no filter's mean is taken below this fraction of its layer's median
            (:func:`floored_means`); 0 = the paper's rule exactly.

    Returns:
        Path of a ``.weights.h5`` file for ``vgg.feature_extractor(weights=...)``. Files are
        named by a hash of the images, the weights and the pooling, so a second call with
        the same inputs costs nothing.
    """
    weights_path = vgg.resolve_weights(weights)
    folder = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    folder = folder / "normalized_vgg"
    path = folder / f"vgg19_normalized_{_cache_key(images, weights_path, pooling, floor)}.weights.h5"
    if path.is_file():
        return path
    folder.mkdir(parents=True, exist_ok=True)
    base = vgg.load_vgg19(weights_path)
    means = floored_means(mean_activations(images, weights_path, pooling), floor)
    new = rescaled_weights(base, means)
    model = keras.applications.VGG19(include_top=False, weights=None, input_shape=(None, None, 3))
    for name, values in new.items():
        model.get_layer(name).set_weights(values)
    with paths.atomic_path(path) as tmp:
        model.save_weights(tmp)
    if verbose:
        print(f"normalised VGG19 weights written to {path}")
    return path
