"""VGG19's layer names, as in the paper (``conv4_2``) and in Keras (``block4_conv2``),
and the image sizes they need. No TensorFlow here: the command line checks layer names
and sizes before it imports TensorFlow.
"""

from .errors import StyleTransferError

#: Convolutions per block in VGG19.
BLOCK_CONVS = (2, 2, 4, 4, 4)

#: Output channels of VGG19's blocks 1-5 (every conv and the pooling after it).
BLOCK_CHANNELS = (64, 128, 256, 512, 512)

#: Keras layer names in network order (the input layer excluded).
LAYER_ORDER = tuple(
    name
    for block, convs in enumerate(BLOCK_CONVS, start=1)
    for name in [f"block{block}_conv{i}" for i in range(1, convs + 1)] + [f"block{block}_pool"]
)

#: Paper name -> Keras name, e.g. "conv4_2" -> "block4_conv2", "pool3" -> "block3_pool".
PAPER_NAMES = {
    **{f"conv{b}_{i}": f"block{b}_conv{i}"
       for b, convs in enumerate(BLOCK_CONVS, start=1) for i in range(1, convs + 1)},
    **{f"pool{b}": f"block{b}_pool" for b in range(1, 6)},
}

#: The paper's style layers (Fig. 2/3): conv1_1, conv2_1, conv3_1, conv4_1, conv5_1.
STYLE_LAYERS = ("conv1_1", "conv2_1", "conv3_1", "conv4_1", "conv5_1")
#: The paper's content layer (Fig. 2/3): conv4_2.
CONTENT_LAYERS = ("conv4_2",)


def keras_layer_name(name):
    """Map a paper or Keras layer name to the Keras name; unknown names raise.

    >>> keras_layer_name("conv4_2")
    'block4_conv2'
    """
    if name in LAYER_ORDER:
        return name
    if name in PAPER_NAMES:
        return PAPER_NAMES[name]
    raise StyleTransferError(
        f"unknown VGG19 layer {name!r}; valid names: {', '.join(PAPER_NAMES)} "
        f"(or Keras names such as block1_conv1)")


def layer_depth(name):
    """Position of a layer in the network (0 = block1_conv1)."""
    return LAYER_ORDER.index(keras_layer_name(name))


def min_image_side(layers):
    """Smallest image side (px) for which every layer in ``layers`` has at least 1x1 output.

    Every pooling layer halves the size (rounding down), so a layer after p poolings needs
    2**p pixels; ``pool5`` needs 32.
    """
    deepest = max((layer_depth(name) for name in layers), default=0)
    pools = sum(1 for name in LAYER_ORDER[: deepest + 1] if name.endswith("pool"))
    return 2 ** pools


def check_image_fits(shape, layers, what="image"):
    """Raise StyleTransferError if an image of ``shape`` (H, W, ...) is too small for ``layers``."""
    need = min_image_side(layers)
    height, width = shape[0], shape[1]
    if min(height, width) < need:
        raise StyleTransferError(
            f"{what} is {width}x{height} px, too small for layer(s) {', '.join(layers)}: "
            f"each side needs at least {need} px (use a larger --size)")
