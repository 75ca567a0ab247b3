"""VGG19 feature extraction for style transfer.

Built on ``keras.applications.vgg19.VGG19(include_top=False)``. Layers can be named as
in the paper (``conv1_1``, ``conv4_2``, ``pool3``) or as in Keras (``block1_conv1``,
``block4_conv2``, ``block3_pool``). The extractor stops at the deepest requested layer,
so no work is done past it, and its weights are frozen.

Weights, in the order they are looked for (see :func:`resolve_weights`):
``weights=PATH`` (an .h5 file), else the environment variable
``STYLETRANSFER_VGG19_WEIGHTS``, else the Keras download/cache of the ImageNet weights.
"""

import functools
import os
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

from .errors import StyleTransferError
from .layers import (  # noqa: F401  (re-exported: vgg.STYLE_LAYERS etc. are public API)
    BLOCK_CONVS, CONTENT_LAYERS, LAYER_ORDER, PAPER_NAMES, STYLE_LAYERS, check_image_fits,
    keras_layer_name, layer_depth, min_image_side)
from .options import (  # noqa: F401
    POOLINGS, PRECISIONS, WEIGHTS_ENV, check_pooling, check_precision, check_weights_path)

KERAS_WEIGHTS_FILE = "vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5"
KERAS_WEIGHTS_URL = ("https://storage.googleapis.com/tensorflow/keras-applications/vgg19/"
                     + KERAS_WEIGHTS_FILE)
KERAS_WEIGHTS_MD5 = "253f8cb515780f3b799900260a226db6"

#: Seed of the random network that ``weights=None`` gives (tests only): each conv kernel is
#: drawn from its own fixed seed, so the network is the same in every process whatever ran
#: before it (Keras's default initializers would draw from the global seed generator).
RANDOM_WEIGHTS_SEED = 1508



def resolve_weights(weights="imagenet"):
    """Turn the ``weights`` argument into something ``keras.applications.VGG19`` takes.

    Args:
        weights: ``None`` for random weights (tests only: the features then mean nothing);
            a path to an .h5 weights file; or ``"imagenet"``, which uses the file named by
            the environment variable ``STYLETRANSFER_VGG19_WEIGHTS`` if set, else the Keras
            download (cached in ``~/.keras/models``).

    Returns:
        ``None`` or the path of an existing .h5 file, as a string.
    """
    check_weights_path(weights)
    if weights is None:
        return None
    if weights == "imagenet":
        env_path = os.environ.get(WEIGHTS_ENV)
        return str(Path(env_path).expanduser()) if env_path else download_weights()
    return str(Path(weights).expanduser())


def download_weights(url=KERAS_WEIGHTS_URL):
    """Download (or find in the Keras cache) the VGG19 ImageNet weights; return the path."""
    try:
        return keras.utils.get_file(KERAS_WEIGHTS_FILE, url, cache_subdir="models",
                                    file_hash=KERAS_WEIGHTS_MD5)
    except Exception as exc:  # noqa: BLE001 - urllib, HTTP and hash errors all mean the same here
        reason = (str(exc).splitlines() or [type(exc).__name__])[0].split(" -- ")[-1]
        raise StyleTransferError(
            f"could not download the VGG19 weights from {url} ({reason}); "
            f"get {KERAS_WEIGHTS_FILE} on a machine with internet and either put it in "
            f"~/.keras/models/ or set {WEIGHTS_ENV}=/path/to/the.h5 (or pass --weights PATH)"
        ) from None


def _seed_random_weights(model, seed=None):
    """Give ``model``'s conv layers Keras's default random weights (Glorot-uniform kernels,
    zero biases), drawn from fixed seeds ``seed``, ``seed + 1``, ... in layer order
    (default :data:`RANDOM_WEIGHTS_SEED`)."""
    seed = RANDOM_WEIGHTS_SEED if seed is None else seed
    convs = [layer for layer in model.layers if layer.weights]
    for i, layer in enumerate(convs):
        kernel, bias = layer.get_weights()
        init = keras.initializers.GlorotUniform(seed=seed + i)
        layer.set_weights([np.asarray(init(kernel.shape), kernel.dtype), np.zeros_like(bias)])


@functools.lru_cache(maxsize=4)
def _load_vgg19(weights_path):
    try:
        model = keras.applications.VGG19(include_top=False, weights=weights_path,
                                         input_shape=(None, None, 3))
    except (OSError, ValueError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise StyleTransferError(
            f"could not load VGG19 weights from {weights_path} ({reason})") from None
    if weights_path is None:
        _seed_random_weights(model)
    model.trainable = False
    return model


def load_vgg19(weights="imagenet"):
    """The frozen Keras VGG19 without its classifier, cached per weights file.

    See :func:`resolve_weights` for ``weights``. With ``weights=None`` the network has
    random weights, the same in every process (:data:`RANDOM_WEIGHTS_SEED`): tests only.
    """
    return _load_vgg19(resolve_weights(weights))


@tf.custom_gradient
def _max_pool_even(x):
    """2x2/2 max pooling of a (B, H, W, C) tensor with even H and W, and its gradient.

    The value is ``tf.nn.max_pool2d``'s. The gradient is TensorFlow's too -- each
    window's gradient goes to its first maximum in row-major order, ties included -- but
    computed from the four window positions with element-wise ops, which on the CPU is
    several times faster than the MaxPoolGrad kernel (benchmarks/README.md).
    """
    pooled = tf.nn.max_pool2d(x, 2, 2, "VALID")

    def grad(upstream):
        shape = tf.shape(x)
        b, h, w, c = shape[0], shape[1] // 2, shape[2] // 2, shape[3]
        windows = tf.reshape(x, (b, h, 2, w, 2, c))
        zero, taken, parts = tf.zeros_like(upstream), None, []
        for i, j in ((0, 0), (0, 1), (1, 0), (1, 1)):
            hit = tf.equal(windows[:, :, i, :, j, :], pooled)
            if taken is not None:
                hit = tf.logical_and(hit, tf.logical_not(taken))
            taken = hit if taken is None else tf.logical_or(taken, hit)
            parts.append(tf.where(hit, upstream, zero))
        rows = [tf.stack(parts[:2], axis=3), tf.stack(parts[2:], axis=3)]
        return tf.reshape(tf.stack(rows, axis=2), shape)

    return pooled, grad


class MaxPool2x2(keras.layers.Layer):
    """``keras.layers.MaxPooling2D(2)`` (as in VGG19) with a faster gradient.

    Odd sizes are handled as Keras does: the last row/column is dropped.
    """

    def call(self, x):
        height, width = x.shape[1], x.shape[2]
        if height is None or width is None or height % 2 or width % 2:
            shape = tf.shape(x)
            x = x[:, : shape[1] // 2 * 2, : shape[2] // 2 * 2, :]
        return _max_pool_even(x)

    def compute_output_shape(self, input_shape):
        b, h, w, c = input_shape
        return (b, None if h is None else h // 2, None if w is None else w // 2, c)


@functools.lru_cache(maxsize=4)
def _bfloat16_layers(weights_path):
    """Copies of the VGG19 conv and max-pool layers with the ``bfloat16`` dtype policy.

    The weights are frozen, so no float32 master copy is needed: they are rounded to
    bfloat16 once here instead of being cast on every call (as ``mixed_bfloat16`` would).
    """
    base = _load_vgg19(weights_path)
    copies = {}
    for name in LAYER_ORDER:
        layer = base.get_layer(name)
        clone = type(layer).from_config({**layer.get_config(), "dtype": "bfloat16"})
        if layer.weights:
            clone.build(layer.input.shape)
            clone.set_weights(layer.get_weights())
        clone.trainable = False
        copies[name] = clone
    return copies


def feature_extractor(layers, weights="imagenet", pooling="max", precision="float32"):
    """A Keras model from a preprocessed batch to the features of ``layers``.

    Args:
        layers: layer names (paper or Keras style), any order, duplicates allowed.
        weights: see :func:`resolve_weights`; ``None`` = random weights, for tests only.
        pooling: ``"max"`` (as trained, the Keras default) or ``"avg"`` (the paper
            replaced max pooling by average pooling, Sec. 2).
        precision: ``"float32"`` or ``"mixed"`` (bfloat16 inside the network, float32 in
            and out; see :data:`PRECISIONS`).

    Returns:
        ``keras.Model`` taking (B, H, W, 3) images in VGG input space (see
        ``images.preprocess``) and returning a list of (B, H_l, W_l, C_l) feature maps in
        the order of ``layers``, always float32. The graph ends at the deepest requested
        layer.
    """
    check_pooling(pooling)
    check_precision(precision)
    if not layers:
        raise StyleTransferError("no layers requested")
    names = [keras_layer_name(name) for name in layers]
    deepest = max(LAYER_ORDER.index(name) for name in names)
    mixed = precision == "mixed"
    if mixed:
        source = _bfloat16_layers(resolve_weights(weights))
    else:
        base = load_vgg19(weights)
        source = {name: base.get_layer(name) for name in LAYER_ORDER[: deepest + 1]}
    inputs = keras.Input(shape=(None, None, 3), name="vgg_input")
    x, outputs = (keras.ops.cast(inputs, "bfloat16") if mixed else inputs), {}
    for name in LAYER_ORDER[: deepest + 1]:
        layer = source[name]
        dtype = "bfloat16" if mixed else None
        if name.endswith("pool") and pooling == "avg":
            layer = keras.layers.AveragePooling2D(2, strides=2, name=name, dtype=dtype)
        elif name.endswith("pool"):
            layer = MaxPool2x2(name=name, dtype=dtype)
        x = layer(x)
        outputs[name] = x
    wanted = {name: keras.ops.cast(outputs[name], "float32") if mixed else outputs[name]
              for name in dict.fromkeys(names)}
    model = keras.Model(inputs, [wanted[name] for name in names],
                        name=f"vgg19_{pooling}_to_{LAYER_ORDER[deepest]}"
                        + ("_mixed" if mixed else ""))
    model.trainable = False
    return model


def extract(extractor, images):
    """Run ``extractor`` on a (B, H, W, 3) preprocessed batch; always return a list."""
    feats = extractor(tf.convert_to_tensor(images, dtype=tf.float32), training=False)
    return list(feats) if isinstance(feats, (list, tuple)) else [feats]
