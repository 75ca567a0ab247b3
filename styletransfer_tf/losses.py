"""The losses of Gatys, Ecker & Bethge, "Image Style Transfer Using Convolutional
Neural Networks" (CVPR 2016), equations numbered as in that paper.

Every function is batch-first and returns one value per image, shape (B,).
Feature maps F are (B, H, W, C): N_l = C filters, each a map of M_l = H*W positions.
"""

import tensorflow as tf


def gram_matrix(features):
    """Gram matrix G^l_ij = sum_k F^l_ik F^l_jk (paper, Eq. 3), unnormalised.

    Args:
        features: (B, H, W, C) feature maps.

    Returns:
        (B, C, C) tensor: inner products between the C filter responses over the
        H*W positions.
    """
    shape = tf.shape(features)
    flat = tf.reshape(features, (shape[0], shape[1] * shape[2], shape[3]))
    return tf.matmul(flat, flat, transpose_a=True)


@tf.custom_gradient
def fast_gram_matrix(features):
    """:func:`gram_matrix` (same value) with its gradient written out by hand, for the
    optimisation: G uses F twice, so automatic differentiation forms two matrix products
    and adds them; by hand, dL/dF = F (dL/dG + dL/dG^T), one product (the same rule gives
    the paper's Eq. 6)."""
    shape = tf.shape(features)
    flat = tf.reshape(features, (shape[0], shape[1] * shape[2], shape[3]))

    def grad(upstream):
        both = upstream + tf.linalg.matrix_transpose(upstream)
        return tf.reshape(tf.matmul(flat, both), shape)

    return tf.matmul(flat, flat, transpose_a=True), grad


def content_loss(features, target):
    """L_content = 1/2 sum_ij (F^l_ij - P^l_ij)^2 (paper, Eq. 1).

    Args:
        features: (B, H, W, C) features of the generated image.
        target: (B, H, W, C) (or broadcastable) features of the content image.

    Returns:
        (B,) loss per image.
    """
    return 0.5 * tf.reduce_sum(tf.square(features - target), axis=[1, 2, 3])


def style_layer_loss(features, target_gram, gram=gram_matrix):
    """E_l = 1/(4 N_l^2 M_l^2) sum_ij (G^l_ij - A^l_ij)^2 (paper, Eq. 4).

    Args:
        features: (B, H, W, C) features of the generated image at layer l.
        target_gram: (B, C, C) (or (C, C)) Gram matrix A^l of the style image.
        gram: the Gram matrix function (the optimisation passes :func:`fast_gram_matrix`).

    Returns:
        (B,) loss per image. The difference is divided by 2 N M before squaring,
        which is the same value but keeps float32 far from overflow.
    """
    shape = tf.shape(features)
    n = tf.cast(shape[3], features.dtype)
    m = tf.cast(shape[1] * shape[2], features.dtype)
    diff = (gram(features) - target_gram) / (2.0 * n * m)
    return tf.reduce_sum(tf.square(diff), axis=[1, 2])


def style_loss(features, target_grams, layer_weights=None):
    """L_style = sum_l w_l E_l (paper, Eq. 5).

    Args:
        features: list of (B, H_l, W_l, C_l) feature maps, one per style layer.
        target_grams: list of (B, C_l, C_l) target Gram matrices, same order.
        layer_weights: list of weights w_l (scalars or (B,) tensors for per-image
            weights); default 1/L for each of the L layers, as in the paper.

    Returns:
        (B,) loss per image.
    """
    if len(features) != len(target_grams):
        raise ValueError(f"{len(features)} feature maps but {len(target_grams)} Gram matrices")
    if layer_weights is None:
        layer_weights = [1.0 / len(features)] * len(features)
    total = 0.0
    for feats, gram, weight in zip(features, target_grams, layer_weights):
        total += weight * style_layer_loss(feats, gram)
    return total


def total_variation_loss(images):
    """Sum of squared differences between vertically and horizontally neighbouring pixels.

    Not in the paper; a common smoothness prior that removes high-frequency noise.

    Args:
        images: (B, H, W, C).

    Returns:
        (B,) loss per image.
    """
    down = images[:, 1:, :, :] - images[:, :-1, :, :]
    right = images[:, :, 1:, :] - images[:, :, :-1, :]
    return (tf.reduce_sum(tf.square(down), axis=[1, 2, 3])
            + tf.reduce_sum(tf.square(right), axis=[1, 2, 3]))


def total_loss(content, style, tv, alpha, beta, tv_weight=0.0):
    """L_total = alpha L_content + beta L_style (+ tv_weight L_tv) (paper, Eq. 7).

    All arguments broadcast: (B,) losses with scalar or (B,) weights give (B,).
    """
    return alpha * content + beta * style + tv_weight * tv
