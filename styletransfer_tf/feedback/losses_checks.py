"""Tasks 2 to 6a: the checks of the losses (Gram matrix, content, style, total
variation, total loss), with their diagnoses of the usual bugs.
"""

import numpy as np
import tensorflow as tf

from .. import losses as _losses
from .calling import _call, _isolated
from .compare import _check_shape, _compare, _describe_shape, _preview, _to_array
from .diagnostics import _check_vectorised, _gradient_flows
from .reference import _fail, _features, _rng

# ---------------------------------------------------------------- Task 2: Gram matrix

_GRAM_VECTOR_FIX = (
    "compute all channel pairs at once: flatten the spatial positions of each image so the "
    "features become a (B, H*W, C) tensor, then take one batched matrix product of that "
    "tensor with itself so that the H*W positions are summed over (tf.linalg.matmul with "
    "transpose_a or transpose_b, or tf.einsum).")


def check_gram_matrix(gram_matrix):
    """Task 2, values: (B, H, W, C) -> (B, C, C), G = F^T F over the H*W positions."""
    name = "gram_matrix"
    b, h, w, c = 2, 4, 5, 6
    feats = _features((b, h, w, c), 3)
    got = _to_array(name, _call(name, gram_matrix, tf.constant(feats),
                                what=f" on features of shape {_describe_shape(feats.shape)}"))
    _check_shape(name, got, (b, c, c), hints=[
        ((c, c), "you lost the batch axis (summed or indexed over it): compute one C x C "
                 "matrix per image; batched matrix products keep the leading axis."),
        ((b, h * w, h * w), "you multiplied in the wrong order: that is the (H*W) x (H*W) "
                            "matrix of position pairs. The Gram matrix pairs channels: sum "
                            "over the positions (contract the H*W axis, not the C axis)."),
        ((h * w, h * w), "you multiplied in the wrong order and lost the batch axis: the Gram "
                         "matrix pairs channels (C x C per image)."),
        ((b, c), "you kept only the diagonal (or reduced one axis too many): the Gram matrix "
                 "holds the products of every pair of channels, C x C per image."),
        ((b, h, w, c, c), "you did not sum over the positions: add up the products over all "
                          "H*W positions."),
    ])
    asym = float(np.max(np.abs(got - np.swapaxes(got, 1, 2))))
    if asym > 1e-4 * max(float(np.max(np.abs(got))), 1e-12):
        _fail(name, f"is not symmetric (G[b, i, j] != G[b, j, i], largest difference "
                    f"{asym:.3g}). G_ij = sum_k F_ik F_jk multiplies the features with "
                    "themselves, so it must be symmetric.",
              "multiply the flattened features by the transpose of the same tensor, not by "
              "a differently reshaped copy.")
    ref = np.asarray(_losses.gram_matrix(feats), np.float64)
    f64 = feats.astype(np.float64)
    scrambled = f64.reshape(b, c, h * w)
    m = h * w
    variants = [
        (scrambled @ np.swapaxes(scrambled, 1, 2),
         "mixes up channels and positions: reshaping (B, H, W, C) directly to (B, C, H*W) "
         "does not move the channel axis, it regroups the numbers in memory order.",
         "reshape to (B, H*W, C), which keeps each channel's values together, and "
         "contract over the H*W axis (or transpose explicitly before reshaping)."),
        (ref / m, "divides by M = H*W: in this kit (and in the paper, Eq. 3) the Gram matrix "
                  "is not normalised; the normalisation 1/(4 N^2 M^2) belongs in the style "
                  "loss.", "remove the division."),
        (ref / (c * m), "divides by N*M = C*H*W: in this kit (and in the paper, Eq. 3) the "
                        "Gram matrix is not normalised; the normalisation belongs in the "
                        "style loss.", "remove the division."),
        (ref / c, "divides by N = C: in this kit the Gram matrix is not normalised.",
         "remove the division."),
    ]
    _compare(name, got, ref, variants, fix=_GRAM_VECTOR_FIX,
             inputs=f" on seeded features of shape {_describe_shape(feats.shape)}",
             ratio_hint=lambda k: "the Gram matrix in this kit is unnormalised (Eq. 3): "
                                  "just the sum over positions of the products of features.")


def check_gram_matrix_vectorised(gram_matrix):
    """Task 2, implementation: one vectorised op, graph-safe, differentiable."""
    name = "gram_matrix"
    _call(name, gram_matrix, tf.constant(_features((1, 2, 2, 3), 4)))
    _gradient_flows(name, gram_matrix, [_features((2, 3, 3, 4), 5)])
    _check_vectorised(name, gram_matrix, [(1, 2, 2, 3)], [(2, 4, 5, 7)], _GRAM_VECTOR_FIX)


# ---------------------------------------------------------------- Task 3: content loss


def check_content_loss(content_loss):
    """Task 3: L = 1/2 sum (F - P)^2 per image, shape (B,)."""
    name = "content_loss"
    b, h, w, c = 2, 4, 5, 6
    feats, target = _features((b, h, w, c), 6), _features((b, h, w, c), 7)
    got = _to_array(name, _call(name, content_loss, tf.constant(feats), tf.constant(target)))
    _check_shape(name, got, (b,), hints=[
        ((), "you reduced over the batch axis too: return one loss per image, summing only "
             "over the height, width and channel axes (1, 2, 3)."),
        ((b, h, w, c), "you did not sum: add up the squared differences over the height, "
                       "width and channel axes (1, 2, 3)."),
        ((b, c), "you summed over height and width but not over the channels: sum over axes "
                 "1, 2 and 3."),
        ((1,), "you reduced over the batch axis too (keepdims?): return shape (B,)."),
    ])
    same = _to_array(name, _call(name, content_loss, tf.constant(feats), tf.constant(feats),
                                 what=" on identical inputs"))
    if same.shape == (b,) and np.max(np.abs(same)) > 1e-6:
        _fail(name, f"is not zero when the generated and the content features are identical "
                    f"(got {_preview(same)}).",
              "the loss must depend only on the difference between the two feature maps.")
    f64, t64 = feats.astype(np.float64), target.astype(np.float64)
    diff = f64 - t64
    ref = np.asarray(_losses.content_loss(feats, target), np.float64)
    n = h * w * c
    fix = "Eq. 1 of the paper: one half of the sum of the squared differences."
    variants = [
        (np.sqrt((diff ** 2).sum(axis=(1, 2, 3))),
         "takes a square root (a norm): the content loss is the squared error, no root.", fix),
        (0.5 * np.sqrt((diff ** 2).sum(axis=(1, 2, 3))),
         "takes a square root (a norm): the content loss is the squared error, no root.", fix),
        (0.5 * np.abs(diff).sum(axis=(1, 2, 3)),
         "uses absolute differences: square the differences instead.", fix),
        (0.5 * diff.sum(axis=(1, 2, 3)),
         "does not square the differences, so positive and negative ones cancel.", fix),
        (0.5 * (f64 ** 2 - t64 ** 2).sum(axis=(1, 2, 3)),
         "subtracts the squares; square the difference instead.", fix),
    ]

    def ratio_hint(k):
        if abs(k - 2) < 1e-3:
            return "the factor 1/2 in front of the sum is missing (Eq. 1)."
        if abs(k - 0.5) < 1e-3:
            return "the factor 1/2 is applied twice (or 1/4 used): Eq. 1 has a single 1/2."
        if abs(k - 1 / n) < 1e-3 / n or abs(k - 2 / n) < 1e-3 / n:
            return ("you averaged (reduce_mean) instead of summing: Eq. 1 sums over all "
                    "positions and channels.")
        return fix
    _compare(name, got, ref, variants, fix=fix, ratio_hint=ratio_hint,
             inputs=f" on seeded features of shape {_describe_shape(feats.shape)}")
    _gradient_flows(name, content_loss, [feats, target])
    _check_vectorised(name, content_loss, [(1, 2, 2, 3), (1, 2, 2, 3)],
                      [(2, 4, 5, 7), (2, 4, 5, 7)],
                      "use tf.reduce_sum over axes 1, 2, 3 instead of a Python loop.")


# ---------------------------------------------------------------- Task 4: style loss

_STYLE_FIX = ("Eq. 4 of the paper: E_l = 1 / (4 N^2 M^2) * sum over i, j of (G_ij - A_ij)^2, "
              "with N = number of channels C and M = H * W positions.")


_STYLE_ARG_HINT = ("Remember that the second argument is already the target Gram matrix A, "
                   "shape (B, C, C): compare the Gram matrix of the features with it "
                   "directly, without taking its Gram matrix again.")


def _normalisation_hint(k, n, m):
    """Explain a style-layer ratio k = got / reference in terms of the paper's 4 N^2 M^2."""
    for const in (1, 2, 4, 8, 16):
        for a in range(5):
            for b in range(5):
                if abs(k * const * n ** a * m ** b / (4 * n ** 2 * m ** 2) - 1) < 1e-4:
                    return const, a, b
    return None


def _style_ratio_hint(k, n, m):
    found = _normalisation_hint(k, n, m)
    if found is None:
        return _STYLE_FIX
    const, a, b = found
    if (a, b) == (2, 2):
        if const == 1:
            return ("the factor 1/4 is missing: the loss is 4 times too large. The "
                    "normalisation is 1 / (4 N^2 M^2); you divide by N^2 M^2 only.")
        if const == 2:
            return ("the normalisation is off by a factor 2: you divide by 2 N^2 M^2, the "
                    "paper divides by 4 N^2 M^2.")
        if const == 8:
            return ("the normalisation is off by a factor 2 the other way: you divide by "
                    "8 N^2 M^2 instead of 4 N^2 M^2.")
        if const == 16:
            return ("the normalisation is off by a factor 4: you divide by 16 N^2 M^2 "
                    "instead of 4 N^2 M^2 (is the 4 both inside a square and outside?).")
    parts = []
    if a != 2:
        parts.append(f"N (channels) appears with power {a}")
    if b != 2:
        parts.append(f"M (positions H*W) appears with power {b}")
    if const != 4:
        parts.append(f"the constant is {const}")
    text = (f"you divide by {const} N^{a} M^{b} instead of 4 N^2 M^2: " + ", ".join(parts)
            + ". Both N and M are squared in Eq. 4.")
    if a == 4:
        text += (" (If you used reduce_mean over the C x C entries, that divides by another "
                 "N^2: sum them instead.)")
    return text


def _style_inputs():
    b, h, w, c = 2, 4, 5, 6  # N = 6 channels, M = 20 positions: different on purpose
    feats = _features((b, h, w, c), 8)
    target = np.asarray(_losses.gram_matrix(_features((b, h, w, c), 9)), np.float32)
    return feats, target


def check_style_layer_loss(style_layer_loss):
    """Task 4a, values: E_l = 1/(4 N^2 M^2) sum (gram(F) - A)^2 per image (Eq. 4)."""
    name = "style_layer_loss"
    feats, target = _style_inputs()
    b, h, w, c = feats.shape
    with _isolated(style_layer_loss, keep=(name,)):
        got = _to_array(name, _call(name, style_layer_loss, tf.constant(feats),
                                    tf.constant(target),
                                    what=" with features (2, 4, 5, 6) and a target Gram "
                                         "matrix (2, 6, 6)", hint=_STYLE_ARG_HINT))
    _style_shape(name, got, b, c)
    ref = np.asarray(_losses.style_layer_loss(feats, target), np.float64)
    gram = np.asarray(_losses.gram_matrix(feats), np.float64)
    diff = gram - target.astype(np.float64)
    norm = 4.0 * c ** 2 * (h * w) ** 2
    variants = [
        (np.abs(diff).sum(axis=(1, 2)) / norm,
         "uses absolute differences: square the differences of the Gram matrices.",
         _STYLE_FIX),
        (np.sqrt((diff ** 2).sum(axis=(1, 2))) / norm,
         "takes a square root (a norm) of the summed squares: Eq. 4 has no root.",
         _STYLE_FIX),
        (((gram / (h * w) - target / (h * w)) ** 2).sum(axis=(1, 2)) / norm,
         "divides the Gram matrices by M before comparing them and also normalises by "
         "4 N^2 M^2: normalise once.", _STYLE_FIX),
    ]
    _compare(name, got, ref, variants, fix=_STYLE_FIX,
             ratio_hint=lambda k: _style_ratio_hint(k, c, h * w),
             inputs=" (N = 6 channels, M = 20 positions)")


def _style_shape(name, got, b, c):
    _check_shape(name, got, (b,), hints=[
        ((), "you reduced over the batch axis too: return one loss per image, summing only "
             "over the two axes of the C x C Gram matrices (axes 1 and 2)."),
        ((b, c, c), "you did not sum: add up the squared differences over both axes of the "
                    "Gram matrices (axes 1 and 2)."),
        ((b, c), "you summed over one axis of the Gram matrix only: sum over axes 1 and 2."),
    ])


def check_style_layer_loss_properties(style_layer_loss):
    """Task 4a, properties: shape (B,), zero for identical Gram matrices, differentiable,
    graph-safe and vectorised."""
    name = "style_layer_loss"
    feats, target = _style_inputs()
    b, _, _, c = feats.shape
    own = np.asarray(_losses.gram_matrix(feats), np.float32)
    fix = "use tf.reduce_sum over the Gram axes instead of Python loops."
    with _isolated(style_layer_loss, keep=(name,)):
        got = _to_array(name, _call(name, style_layer_loss, tf.constant(feats),
                                    tf.constant(target), hint=_STYLE_ARG_HINT))
        _style_shape(name, got, b, c)
        same = _to_array(name, _call(name, style_layer_loss, tf.constant(feats),
                                     tf.constant(own),
                                     what=" with the Gram matrix of the features themselves"))
        if np.max(np.abs(same)) > 1e-6 * max(float(np.max(np.abs(got))), 1.0):
            _fail(name, "is not zero when the target Gram matrix is the Gram matrix of the "
                        f"features themselves (got {_preview(same)}).",
                  "the loss must depend only on the difference between the Gram matrix of "
                  "the features and the target Gram matrix A (the second argument, which is "
                  "already a Gram matrix: do not take its Gram matrix again).")
        _gradient_flows(name, style_layer_loss, [feats, target])
        _check_vectorised(name, style_layer_loss, [(1, 2, 2, 3), (1, 3, 3)],
                          [(2, 4, 5, 7), (2, 7, 7)], fix)


def check_style_loss(style_loss):
    """Task 4b: L_style = sum_l w_l E_l with default w_l = 1/L (Eq. 5)."""
    name = "style_loss"
    shapes = [(2, 8, 8, 3), (2, 4, 4, 5), (2, 2, 2, 7)]
    feats = [_features(s, 10 + i) for i, s in enumerate(shapes)]
    targets = [np.asarray(_losses.gram_matrix(_features(s, 20 + i)), np.float32)
               for i, s in enumerate(shapes)]
    per_layer = [np.asarray(_losses.style_layer_loss(f, t), np.float64)
                 for f, t in zip(feats, targets)]
    n_layers = len(shapes)
    fix = ("Eq. 5: add up the per-layer losses E_l (from style_layer_loss), each multiplied "
           "by its weight w_l; when layer_weights is None every w_l is 1/L for L layers.")
    as_tensors = ([tf.constant(f) for f in feats], [tf.constant(t) for t in targets])
    with _isolated(style_loss, keep=(name,)):
        got = _to_array(name, _call(name, style_loss, *as_tensors,
                                    what=" with 3 layers and layer_weights=None"))
        _check_shape(name, got, (2,), hints=[
            ((), "you reduced over the batch axis too: return one loss per image."),
            ((n_layers, 2), "you stacked the per-layer losses: add them up (weighted) "
                            "instead."),
            ((n_layers,), "you summed each layer over the batch: keep one value per image "
                          "and add the layers up instead."),
        ])
        ref = sum(per_layer) / n_layers
        variants = [
            (sum(per_layer), "adds up the layers without the default weights: with "
                             "layer_weights=None each layer has weight 1/L (here 1/3).", fix),
            (per_layer[-1] / n_layers, "only the last layer counts: the running total is "
                                       "overwritten (=) instead of added to (+=).", fix),
            (per_layer[-1], "only the last layer counts: the running total is overwritten "
                            "(=) instead of added to (+=).", fix),
            (per_layer[0] / n_layers, "only the first layer counts (a `return` inside the "
                                      "loop?).", fix),
            (per_layer[0], "only the first layer counts (a `return` inside the loop?).", fix),
        ]
        _compare(name, got, ref, variants, fix=fix, inputs=" with 3 layers and default weights")
        weights = [0.5, 0.2, 0.3]
        got_w = _to_array(name, _call(name, style_loss, *as_tensors, weights,
                                      what=" with layer_weights=[0.5, 0.2, 0.3]"))
        ref_w = sum(wt * e for wt, e in zip(weights, per_layer))
        variants = [
            (ref, "ignores the layer_weights argument (it always uses 1/L).",
             "use the given layer_weights when they are not None."),
            (sum(per_layer), "ignores the layer_weights argument.",
             "use the given layer_weights when they are not None."),
            (ref_w / n_layers, "divides by the number of layers even when layer_weights are "
                               "given: the weights already say how much each layer counts.",
             fix),
        ]
        _compare(name, got_w, ref_w, variants, fix=fix,
                 inputs=" with layer_weights=[0.5, 0.2, 0.3]")


# ---------------------------------------------------------------- Task 5: total variation


def check_total_variation_loss(total_variation_loss):
    """Task 5: sum of squared differences of vertical and horizontal neighbours, per image."""
    name = "total_variation_loss"
    x = _rng(30).uniform(0, 255, size=(2, 5, 6, 3)).astype(np.float32)
    got = _to_array(name, _call(name, total_variation_loss, tf.constant(x),
                                what=" on a (2, 5, 6, 3) batch"))
    _check_shape(name, got, (2,), hints=[
        ((), "you reduced over the batch axis too: return one loss per image (sum over axes "
             "1, 2, 3 only)."),
        ((2, 3), "you did not sum over the colour channels: sum over axes 1, 2 and 3."),
    ])
    flat = np.full((2, 5, 6, 3), 77.0, np.float32)
    const = _to_array(name, _call(name, total_variation_loss, tf.constant(flat),
                                  what=" on a constant image"))
    if np.max(np.abs(const)) > 1e-3:
        _fail(name, f"is not zero on a constant image (got {_preview(const)}).",
              "the loss must depend only on differences between neighbouring pixels.")
    x64 = x.astype(np.float64)
    down = x64[:, 1:] - x64[:, :-1]
    right = x64[:, :, 1:] - x64[:, :, :-1]
    sq = lambda d: (d ** 2).sum(axis=(1, 2, 3))  # noqa: E731
    ab = lambda d: np.abs(d).sum(axis=(1, 2, 3))  # noqa: E731
    ref = np.asarray(_losses.total_variation_loss(x), np.float64)
    wrap_down = np.roll(x64, -1, axis=1) - x64
    wrap_right = np.roll(x64, -1, axis=2) - x64
    fix = ("add the squared differences between each pixel and its neighbour below, and "
           "between each pixel and its neighbour to the right, over all pixels and channels "
           "(slices such as x[:, 1:] and x[:, :-1] give the pairs).")
    variants = [
        (ab(down) + ab(right), "uses absolute differences (this is also what "
                               "tf.image.total_variation computes); this loss squares them.",
         fix),
        (sq(down), "only counts vertical neighbours: add the horizontal differences too.", fix),
        (sq(right), "only counts horizontal neighbours: add the vertical differences too.",
         fix),
        (sq(wrap_down) + sq(wrap_right), "also compares the last row/column with the first "
                                         "(wrap-around, e.g. tf.roll): only neighbours inside "
                                         "the image count.", fix),
        (sq(down[:, :, :-1]) + sq(right[:, :-1]),
         "leaves out the last row and column: each direction has its own number of "
         "neighbour pairs; slice each direction separately.", fix),
    ]

    def ratio_hint(k):
        if abs(k - 0.5) < 1e-3:
            return "there is no factor 1/2 in this loss."
        if abs(k - 2) < 1e-3:
            return "the loss is counted twice."
        return ("sum the squared differences (reduce_sum); do not average them.")
    _compare(name, got, ref, variants, fix=fix, ratio_hint=ratio_hint,
             inputs=" on a seeded (2, 5, 6, 3) batch")
    _gradient_flows(name, total_variation_loss, [x])
    _check_vectorised(name, total_variation_loss, [(1, 3, 3, 3)], [(2, 6, 7, 3)],
                      "use slicing of the whole tensor and tf.reduce_sum instead of loops.")


# ---------------------------------------------------------------- Task 6: training step


def check_total_loss(total_loss):
    """Task 6a: alpha * content + beta * style + tv_weight * tv, per image."""
    name = "total_loss"
    content = tf.constant([2.0, 5.0])
    style = tf.constant([3.0, 7.0])
    tv = tf.constant([11.0, 13.0])
    alpha, beta, tv_weight = 1e-2, 1e2, 0.5
    got = _to_array(name, _call(name, total_loss, content, style, tv, alpha, beta, tv_weight,
                                what=" with per-image losses of shape (2,)"))
    _check_shape(name, got, (2,), hints=[
        ((), "you summed over the batch: return one total loss per image (same shape as the "
             "losses you were given)."),
    ])
    c, s, t = content.numpy(), style.numpy(), tv.numpy()
    ref = alpha * c + beta * s + tv_weight * t
    fix = ("Eq. 7: alpha weights the content loss, beta weights the style loss "
           "(alpha/beta is the content-to-style ratio); add tv_weight times the "
           "total-variation loss.")
    variants = [
        (beta * c + alpha * s + tv_weight * t,
         "alpha and beta are swapped: the content loss is multiplied by beta and the style "
         "loss by alpha.", "alpha multiplies the content loss and beta the style loss "
                           "(Eq. 7)."),
        (alpha * c + beta * s, "leaves out the total-variation term.",
         "add tv_weight times the total-variation loss."),
        (alpha * c + beta * s + t, "adds the total-variation loss without its weight.",
         "multiply it by tv_weight."),
        (c + s + t, "ignores the weights alpha, beta and tv_weight.", fix),
        (alpha * c + beta * s - tv_weight * t, "subtracts the total-variation term.", fix),
    ]
    _compare(name, got, ref, variants, fix=fix,
             inputs=" for content=[2, 5], style=[3, 7], tv=[11, 13], alpha=0.01, beta=100, "
                    "tv_weight=0.5")
