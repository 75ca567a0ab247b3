"""The style-transfer objective of Gatys et al. (2016), Eq. 7 (plus a TV term), for a batch.

The image lives in VGG input space (BGR, mean subtracted, 0-255 scale, see
``images.preprocess``) as a (B, H, W, 3) batch. Every batch entry is an independent
problem with its own targets and weights: its loss depends only on its own pixels, so
Adam (an element-wise method) on a batch gives the same images as B separate runs.
The targets (content features, style Gram matrices) are computed once, when the
objective is built.

Beyond the 2016 paper (Gatys et al. 2017, "Controlling Perceptual Factors in Neural Style
Transfer"), an entry may have several style images, whose Gram matrices are blended
(``blend.py``) or each confined to a region of the image by a mask (guided Gram
matrices, ``guidance.py``).
"""

import numpy as np
import tensorflow as tf

from . import blend, guidance, losses, vgg
from . import masks as region_masks
from .errors import StyleTransferError

#: The parts of the loss an objective reports, each (B,).
PARTS = ("content", "style", "tv", "total")


def per_entry(value, batch, name):
    """Broadcast a scalar or length-B sequence to a float32 (B,) array; reject non-finite."""
    arr = np.broadcast_to(np.asarray(value, dtype=np.float64), (batch,)).astype(np.float32)
    if not np.all(np.isfinite(arr)) or np.any(arr < 0):
        raise StyleTransferError(f"{name} must be finite and >= 0, got {value!r}")
    return arr


def layer_weight_matrix(weights, layers, batch, name):
    """Per-entry layer weights as a float32 (B, L) array.

    ``weights`` is None (1/L each), one list of L weights for every entry, or B lists.
    """
    if weights is None:
        weights = [1.0 / max(1, len(layers))] * len(layers)
    arr = np.asarray(weights, dtype=np.float32)
    if arr.ndim == 1:
        arr = np.broadcast_to(arr, (batch, arr.shape[0]))
    if arr.shape != (batch, len(layers)):
        raise StyleTransferError(
            f"{name}: expected {len(layers)} weights (one per layer {list(layers)}), "
            f"got shape {np.shape(weights)}")
    if not np.all(np.isfinite(arr)) or np.any(arr < 0):
        raise StyleTransferError(f"{name} must be finite and >= 0")
    return arr


def make_objective(extractor, layers, content_layers, style_layers, content, style,
                   alpha=1.0, beta=10.0, tv_weight=0.0,
                   content_layer_weights=None, style_layer_weights=None,
                   style_blend=None, masks=None):
    """Build the loss of Eq. 7 for a batch, with all targets computed once.

    Args:
        extractor: model from ``vgg.feature_extractor(layers, ...)``.
        layers: the extractor's layer list; must contain the content and style layers.
        content_layers, style_layers: layer names (as in ``layers``).
        content: (B, H, W, 3) content images in VGG input space.
        style: a (B, Hs, Ws, 3) array, or a list of B (Hs_b, Ws_b, 3) arrays of
            possibly different sizes, in VGG input space; or a list of B lists of K such
            arrays (several styles per entry, the same K for every entry).
        alpha, beta, tv_weight: scalars or (B,) per-entry weights.
        content_layer_weights: None (1 per layer), L weights, or (B, L).
        style_layer_weights: None (the paper's 1/L), L weights, or (B, L).
        style_blend: for several styles: None (equal weights), K weights, or (K, L)
            weights per style layer (``blend.blend_weights``; normalised to sum 1 per
            layer). The targets are the blended Gram matrices (``blend.blend_grams``).
        masks: (K, H, W) region masks in [0, 1] at the content's resolution, the same for
            every entry; mask k goes with style k. The style loss is then the guided one
            of ``guidance`` (Gatys et al. 2017, Sec. 4.1); positions no mask covers get
            no style loss. Not with ``style_blend``.

    Returns:
        ``objective(x) -> (total, parts)``: ``x`` a (B, H, W, 3) tensor, ``total`` (B,)
        and ``parts`` a dict of (B,) tensors with keys content, style, tv, total. Its
        attribute ``targets`` holds what it compares with: ``{"content": [(B, H_l, W_l,
        C_l) per content layer], "style": [(B, C_l, C_l) per style layer, or (B, K, C_l,
        C_l) with masks], "guides": None or [(K, H_l, W_l) per style layer]}``.
    """
    batch = len(content)
    index = {name: layers.index(name) for name in set(content_layers) | set(style_layers)}
    content_feats = vgg.extract(extractor, content)
    content_targets = [tf.constant(content_feats[index[name]]) for name in content_layers]
    positions = [index[n] for n in style_layers]
    several = not isinstance(style, np.ndarray) and any(
        isinstance(entry, (list, tuple)) for entry in style)
    guides = None
    if several or style_blend is not None or masks is not None:
        style_targets, guides = _several_style_targets(
            extractor, style, positions, tuple(content.shape[1:3]), content_feats,
            style_blend, masks)
    else:
        style_targets = _style_grams(extractor, style, positions, batch, content_feats)
    alpha = tf.constant(per_entry(alpha, batch, "alpha"))
    beta = tf.constant(per_entry(beta, batch, "beta"))
    tv_weight = per_entry(tv_weight, batch, "tv_weight")
    tv_used = bool(np.any(tv_weight > 0))
    tv_weight = tf.constant(tv_weight)
    cw = tf.constant(layer_weight_matrix(
        content_layer_weights or [1.0] * len(content_layers), content_layers, batch,
        "content layer weights"))
    sw = tf.constant(layer_weight_matrix(style_layer_weights, style_layers, batch,
                                         "style layer weights"))

    guide_constants = None if guides is None else [tf.constant(g) for g in guides]

    def objective(x):
        feats = extractor(x, training=False)
        feats = list(feats) if isinstance(feats, (list, tuple)) else [feats]
        content_value = tf.zeros((batch,))
        for i, (name, target) in enumerate(zip(content_layers, content_targets)):
            content_value += cw[:, i] * losses.content_loss(feats[index[name]], target)
        style_value = tf.zeros((batch,))
        for i, (name, target) in enumerate(zip(style_layers, style_targets)):
            if guides is None:
                layer_loss = losses.style_layer_loss(feats[index[name]], target,
                                                     gram=losses.fast_gram_matrix)
            else:
                layer_loss = guidance.guided_style_layer_loss(
                    feats[index[name]], guide_constants[i], target,
                    gram=losses.fast_gram_matrix)
            style_value += sw[:, i] * layer_loss
        tv_value = losses.total_variation_loss(x)
        if not tv_used:  # still reported, but its gradient (times 0) is not worth computing
            tv_value = tf.stop_gradient(tv_value)
        total = losses.total_loss(content_value, style_value, tv_value, alpha, beta, tv_weight)
        return total, {"content": content_value, "style": style_value, "tv": tv_value,
                       "total": total}

    objective.targets = {"content": content_targets, "style": style_targets, "guides": guides}
    return objective


def _style_grams(extractor, style, positions, batch, content_feats):
    """Target Gram matrices, one (B, C_l, C_l) constant per style layer.

    A style image of another size than the content is matched through its
    size-normalised Gram matrix: its Gram A is rescaled by M/M_s (the content's number
    of positions at that layer over the style's), so that Eq. 4 compares G/M with A/M_s.
    For a style image of the content's size nothing changes.
    """
    if isinstance(style, np.ndarray) and style.ndim == 4:
        style = list(style)
    if len(style) != batch:
        raise StyleTransferError(f"{batch} content images but {len(style)} style images")
    per_image = [style_grams(extractor, image, positions, content_feats) for image in style]
    return [tf.constant(tf.concat([grams[i] for grams in per_image], axis=0))
            for i in range(len(positions))]


def style_grams(extractor, image, positions, content_feats):
    """Size-normalised Gram matrices of one style image (Hs, Ws, 3) in VGG input space:
    one (1, C_l, C_l) tensor per extractor output position in ``positions``, the Gram
    matrix A (Eq. 3) times M/M_s (the content's positions at that layer, from
    ``content_feats``, over the style's)."""
    feats = vgg.extract(extractor, image[None])
    return [losses.gram_matrix(feats[p]) * _positions(content_feats[p]) / _positions(feats[p])
            for p in positions]


def _several_style_targets(extractor, style, positions, content_shape, content_feats,
                           style_blend, masks):
    """Targets from several style images per entry: blended (``blend``) or, with
    ``masks``, one guided target per region (``guidance``). Returns ``(targets, guides)``:
    one (B, C_l, C_l) or (B, K, C_l, C_l) constant per style layer, and None or one
    (K, H_l, W_l) array per style layer."""
    entries = [list(entry) if isinstance(entry, (list, tuple)) else [entry]
               for entry in (list(style) if isinstance(style, np.ndarray) else style)]
    batch = len(content_feats[0])
    if len(entries) != batch:
        raise StyleTransferError(f"{batch} content images but {len(entries)} style entries")
    count = len(entries[0])
    if count == 0 or any(len(entry) != count for entry in entries):
        raise StyleTransferError("every batch entry needs the same number (>= 1) of styles")
    guides, weights = None, None
    if masks is not None:
        if style_blend is not None:
            raise StyleTransferError("blend weights and masks do not combine: with masks, "
                                     "mask k gives style k its region")
        masks = np.asarray(masks, dtype=np.float32)
        if masks.ndim != 3 or masks.shape[0] != count:
            raise StyleTransferError(f"masks of shape {masks.shape} for {count} style(s): "
                                     "give one (H, W) mask per style")
        if masks.shape[1:] != tuple(content_shape):
            raise StyleTransferError(
                f"masks are {masks.shape[2]}x{masks.shape[1]} px but the content is "
                f"{content_shape[1]}x{content_shape[0]} px (resize them with it)")
        guides = region_masks.layer_masks(
            masks, [tuple(content_feats[p].shape[1:3]) for p in positions])
    else:
        weights = blend.blend_weights(style_blend, count, len(positions))
    per_entry = []
    for entry in entries:
        grams = [[g.numpy() for g in style_grams(extractor, image, positions, content_feats)]
                 for image in entry]
        per_entry.append(guidance.guided_targets(grams, guides) if guides is not None
                         else blend.blend_grams(grams, weights))
    targets = [tf.constant(np.concatenate([t[i] for t in per_entry], axis=0))
               for i in range(len(positions))]
    return targets, guides


def _positions(features):
    """Number of positions M = H * W of a (B, H, W, C) feature map, as a float."""
    return float(features.shape[1] * features.shape[2])
