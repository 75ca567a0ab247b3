"""Several style images at once: blended style targets, a row of images interpolating
between two styles, and the coarse scale of one style with the fine scale of another
(Gatys et al. 2017, "Controlling Perceptual Factors in Neural Style Transfer", Sec. 6).

With K style images and blend weights w_kl (K styles x L style layers) the target Gram
matrix of layer l is the weighted sum of the styles' size-normalised Gram matrices
(``objective.style_grams``)::

    A^l = sum_k w_kl A_k^l,     sum_k w_kl = 1 for every layer l.

The weights are normalised so that each layer's weights sum to 1 (``--style-blend 7,3``
means 0.7 and 0.3); a blend of a style with itself is that style. K weights give every
layer the same blend; a (K, L) array blends layer by layer, which is how
:func:`coarse_fine_weights` takes the deep layers (the coarse scale) from one image and
the shallow layers (the fine scale) from another.

No TensorFlow here; :func:`interpolate_styles` imports the optimiser when called.
"""

import numpy as np

from .errors import StyleTransferError
from .layers import keras_layer_name, layer_depth
from .options import DEFAULT_INTERPOLATION_STEPS


def blend_weights(weights, styles, layers, name="style_blend"):
    """Checked and normalised blend weights, float64 (K, L), each column summing to 1.

    Args:
        weights: None (equal weights 1/K), K numbers >= 0 (the same blend for every layer),
            or a (K, L) array (one blend per style layer).
        styles: K, the number of style images.
        layers: L, the number of style layers.
        name: how messages call the weights (the command line passes "--style-blend").
    """
    if weights is None:
        return np.full((styles, layers), 1.0 / styles)
    arr = np.asarray(weights, dtype=np.float64)
    if arr.ndim == 2 and arr.shape != (styles, layers):
        raise StyleTransferError(f"{name} has shape {arr.shape} for {styles} style image(s) "
                                 f"and {layers} style layer(s)")
    if arr.ndim not in (1, 2) or arr.shape[0] != styles:
        raise StyleTransferError(
            f"{name} has {arr.size} weight(s) {np.ravel(arr).tolist()} for {styles} style "
            "image(s): give one weight per style")
    if not np.all(np.isfinite(arr)) or np.any(arr < 0):
        raise StyleTransferError(f"{name} weights must be finite and >= 0, got "
                                 f"{np.ravel(arr).tolist()}")
    if arr.ndim == 1:
        arr = np.repeat(arr[:, None], layers, axis=1)
    totals = arr.sum(axis=0)
    if np.any(totals <= 0):
        raise StyleTransferError(f"{name} weights must not all be 0 (for some layer every "
                                 "style has weight 0)")
    return arr / totals


def blend_grams(grams, weights):
    """Blended style targets: sum_k w_kl A_k^l for each layer l.

    Args:
        grams: K lists, one per style, of L arrays (..., C_l, C_l) (the style's
            size-normalised Gram matrices at each style layer).
        weights: (K, L) from :func:`blend_weights`.

    Returns:
        a list of L float32 arrays (..., C_l, C_l). A weight of exactly 1 with all others 0
        returns that style's matrices unchanged (0 * A adds nothing).
    """
    weights = np.asarray(weights, dtype=np.float64)
    if weights.shape != (len(grams), len(grams[0]) if grams else 0):
        raise StyleTransferError(f"blend weights of shape {weights.shape} for {len(grams)} "
                                 "style(s)")
    out = []
    for l in range(weights.shape[1]):
        total = sum(weights[k, l] * np.asarray(grams[k][l], dtype=np.float64)
                    for k in range(len(grams)))
        out.append(np.asarray(total, dtype=np.float32))
    return out


def coarse_fine_weights(style_layers, split):
    """Per-layer blend weights (2, L) for ``[coarse_style, fine_style]``: the style layers
    from ``split`` on (as deep or deeper) take their targets from the first style (the
    coarse scale: large structures), the shallower ones from the second (the fine scale:
    strokes, texture).

    This is the simple form of the scale control of Gatys et al. 2017, Sec. 6: the paper
    first builds a new style image that has the coarse scale of one painting and the
    fine scale of the other and then transfers that image; here the two are combined at
    the level of the targets, in one optimisation. A deep layer's Gram matrix still
    depends on the fine detail of its image, so the split is not perfectly clean.

    >>> coarse_fine_weights(["conv1_1", "conv2_1", "conv3_1", "conv4_1"], "conv3_1").tolist()
    [[0.0, 0.0, 1.0, 1.0], [1.0, 1.0, 0.0, 0.0]]
    """
    keras_layer_name(split)
    coarse = np.array([layer_depth(name) >= layer_depth(split) for name in style_layers])
    if not coarse.any() or coarse.all():
        raise StyleTransferError(
            f"split layer {split} must leave style layers on both sides: the style layers "
            f"are {', '.join(style_layers)}")
    return np.stack([coarse, ~coarse]).astype(np.float64)


def interpolation_weights(n=DEFAULT_INTERPOLATION_STEPS):
    """``n`` >= 2 blend weights from the first style to the second:
    (1, 0), (1 - 1/(n-1), 1/(n-1)), ..., (0, 1); n = 5 gives steps of 0.25."""
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 2:
        raise StyleTransferError(f"an interpolation needs at least 2 images, got {n!r}")
    return [(1.0 - t, t) for t in (k / (n - 1) for k in range(n))]


def interpolate_styles(content, style_a, style_b, n=DEFAULT_INTERPOLATION_STEPS,
                       **stylize_kwargs):
    """A row of ``n`` images interpolating between two styles: the content stylised with
    each blend of :func:`interpolation_weights` (first (1, 0), last (0, 1)).

    Args:
        content, style_a, style_b: image paths or RGB arrays (H, W, 3), 0-255.
        n: number of images (>= 2).
        **stylize_kwargs: passed to ``optimize.stylize`` (size, steps, optimizer, seed, ...).

    Returns:
        a list of ``(weights, image, history)``, one per blend, ``image`` uint8 RGB.
    """
    from .optimize import stylize  # imports TensorFlow

    row = []
    for weights in interpolation_weights(n):
        image, history = stylize(content, [style_a, style_b], style_blend=weights,
                                 **stylize_kwargs)
        row.append((weights, image, history))
    return row
