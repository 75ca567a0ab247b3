"""Spatial control with guided Gram matrices (Gatys et al. 2017, "Controlling Perceptual
Factors in Neural Style Transfer", Sec. 4.1).

R regions are given by guidance channels T_r (the masks of ``masks.py``), downsampled to
each layer's feature map: T_r^l, (H_l, W_l). The guided feature maps are the features
weighted position by position, F_r^l = T_r^l o F^l, and their Gram matrices

    G_r^l = (F_r^l)^T F_r^l,   i.e.  G_r,ij^l = sum_k T_r^l(k)^2 F_ik^l F_jk^l.

Region r is stylised with style image r: its target is that style's Gram matrix with the
region's share of the positions,

    A_r^l = (S_r^l / M_s^l) A_s^l,   S_r^l = sum_k T_r^l(k)^2,

(A_s^l / M_s^l is the style's Gram matrix per position; for a region covering the whole
image, S_r^l = M^l and this is the size-normalised target of ``objective.style_grams``).
Each layer's style loss sums Eq. 4 of the 2016 paper over the regions, with the image's
N_l and M_l:

    E_l = sum_r 1/(4 N_l^2 M_l^2) sum_ij (G_r,ij^l - A_r,ij^l)^2,

so a single all-ones mask gives exactly the unguided loss. Positions that no mask covers
do not enter the style loss at all. The masks are downsampled by area averaging to the
feature map's size (``masks.layer_masks``), one of the two ways the paper describes.
"""

import numpy as np
import tensorflow as tf

from . import losses
from .errors import StyleTransferError


def guided_gram_matrix(features, guides, gram=losses.gram_matrix):
    """Guided Gram matrices G_r = (T_r o F)^T (T_r o F) of R regions.

    Args:
        features: (B, H, W, C) feature maps.
        guides: (R, H, W) guidance channels at this layer's resolution.
        gram: the Gram matrix function (the optimisation passes ``losses.fast_gram_matrix``).

    Returns:
        (B, R, C, C) tensor.
    """
    guides = tf.convert_to_tensor(guides, features.dtype)
    shape = tf.shape(features)
    regions = guides.shape[0]
    guided = features[:, None] * guides[None, :, :, :, None]  # (B, R, H, W, C)
    flat = tf.reshape(guided, (shape[0] * regions, shape[1], shape[2], shape[3]))
    return tf.reshape(gram(flat), (shape[0], regions, shape[3], shape[3]))


def guided_style_layer_loss(features, guides, targets, gram=losses.gram_matrix):
    """E_l = sum_r 1/(4 N^2 M^2) sum_ij (G_r,ij - A_r,ij)^2 (module docstring), shape (B,).

    Args:
        features: (B, H, W, C) features of the generated image at layer l.
        guides: (R, H, W) guidance channels at that layer.
        targets: (B, R, C, C) target Gram matrices A_r (:func:`guided_targets`).
        gram: as in :func:`guided_gram_matrix`.
    """
    shape = tf.shape(features)
    n = tf.cast(shape[3], features.dtype)
    m = tf.cast(shape[1] * shape[2], features.dtype)
    diff = (guided_gram_matrix(features, guides, gram) - targets) / (2.0 * n * m)
    return tf.reduce_sum(tf.square(diff), axis=[1, 2, 3])


def guided_targets(style_grams, guides):
    """Targets A_r^l = (S_r^l / M^l) * (style r's size-normalised Gram at layer l).

    Args:
        style_grams: R lists, one per region's style, of L arrays (1, C_l, C_l): the
            style's Gram matrices normalised to the image's M^l positions
            (``objective.style_grams``, i.e. A_s M^l / M_s).
        guides: L arrays (R, H_l, W_l): the guidance channels at each layer.

    Returns:
        a list of L float32 arrays (1, R, C_l, C_l).
    """
    if any(len(g) != len(style_grams) for g in guides):
        raise StyleTransferError(f"{len(guides[0])} regions but {len(style_grams)} styles")
    out = []
    for l, guide in enumerate(guides):
        guide = np.asarray(guide, dtype=np.float64)
        positions = guide.shape[1] * guide.shape[2]
        share = (guide ** 2).sum(axis=(1, 2)) / positions  # S_r / M, (R,)
        per_region = [share[r] * np.asarray(style_grams[r][l], dtype=np.float64)[0]
                      for r in range(len(style_grams))]
        out.append(np.stack(per_region)[None].astype(np.float32))
    return out
