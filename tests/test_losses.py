"""The paper's equations against independent NumPy computations written out by hand."""

import numpy as np
import pytest
import tensorflow as tf

import styletransfer_tf as st
from styletransfer_tf import losses


def np_gram(feats):
    """G_ij = sum_k F_ik F_jk with explicit loops over the filter pairs (one image)."""
    h, w, c = feats.shape
    flat = feats.reshape(h * w, c)
    gram = np.zeros((c, c))
    for i in range(c):
        for j in range(c):
            gram[i, j] = np.sum(flat[:, i] * flat[:, j])
    return gram


@pytest.fixture
def feats():
    rng = np.random.default_rng(0)
    return rng.normal(size=(3, 5, 4, 6)).astype(np.float32)


def test_gram_matrix_matches_numpy_loops(feats):
    got = st.gram_matrix(tf.constant(feats)).numpy()
    assert got.shape == (3, 6, 6)
    for b in range(3):
        np.testing.assert_allclose(got[b], np_gram(feats[b].astype(np.float64)), rtol=1e-5)
    np.testing.assert_allclose(got, np.transpose(got, (0, 2, 1)), rtol=1e-6)


def test_content_loss_is_half_sum_of_squares(feats):
    target = feats[::-1].copy()
    got = st.content_loss(tf.constant(feats), tf.constant(target)).numpy()
    expected = [0.5 * np.sum((feats[b].astype(np.float64) - target[b]) ** 2) for b in range(3)]
    assert got.shape == (3,)
    np.testing.assert_allclose(got, expected, rtol=1e-5)
    np.testing.assert_allclose(st.content_loss(feats, feats).numpy(), 0.0)


def test_style_layer_loss_normalisation(feats):
    rng = np.random.default_rng(1)
    target = rng.normal(size=(3, 6, 6)).astype(np.float32)
    got = st.style_layer_loss(tf.constant(feats), tf.constant(target)).numpy()
    n, m = 6, 5 * 4
    expected = [np.sum((np_gram(feats[b].astype(np.float64)) - target[b]) ** 2)
                / (4.0 * n ** 2 * m ** 2) for b in range(3)]
    assert got.shape == (3,)
    np.testing.assert_allclose(got, expected, rtol=1e-5)


def test_style_layer_loss_zero_for_own_gram(feats):
    own = st.gram_matrix(feats)
    np.testing.assert_allclose(st.style_layer_loss(feats, own).numpy(), 0.0, atol=1e-12)


def test_style_loss_weighted_sum_and_default_weights():
    rng = np.random.default_rng(2)
    layers = [rng.normal(size=(2, 6, 6, 3)).astype(np.float32),
              rng.normal(size=(2, 3, 3, 5)).astype(np.float32)]
    grams = [rng.normal(size=(2, 3, 3)).astype(np.float32),
             rng.normal(size=(2, 5, 5)).astype(np.float32)]

    def e(f, a):
        h, w, c = f.shape
        return np.sum((np_gram(f.astype(np.float64)) - a) ** 2) / (4.0 * c ** 2 * (h * w) ** 2)

    per_layer = np.array([[e(layers[l][b], grams[l][b]) for l in range(2)] for b in range(2)])
    got = st.style_loss(layers, grams, [0.25, 2.0]).numpy()
    np.testing.assert_allclose(got, per_layer @ np.array([0.25, 2.0]), rtol=1e-5)
    default = st.style_loss(layers, grams).numpy()
    np.testing.assert_allclose(default, per_layer.mean(axis=1), rtol=1e-5)
    per_entry = st.style_loss(layers, grams, [np.array([1.0, 0.0]), np.array([0.0, 1.0])])
    np.testing.assert_allclose(per_entry.numpy(), [per_layer[0, 0], per_layer[1, 1]], rtol=1e-5)


def test_total_variation_loss_matches_loops():
    rng = np.random.default_rng(3)
    x = rng.normal(size=(2, 4, 5, 3))
    expected = np.zeros(2)
    for b in range(2):
        for i in range(4):
            for j in range(5):
                for c in range(3):
                    if i + 1 < 4:
                        expected[b] += (x[b, i + 1, j, c] - x[b, i, j, c]) ** 2
                    if j + 1 < 5:
                        expected[b] += (x[b, i, j + 1, c] - x[b, i, j, c]) ** 2
    got = st.total_variation_loss(tf.constant(x, dtype=tf.float32)).numpy()
    np.testing.assert_allclose(got, expected, rtol=1e-5)
    assert st.total_variation_loss(tf.ones((1, 4, 4, 3))).numpy()[0] == 0.0


def test_total_loss_weights_each_term():
    got = st.total_loss(np.array([1.0, 2.0]), np.array([3.0, 4.0]), np.array([5.0, 6.0]),
                        alpha=np.array([10.0, 1.0]), beta=100.0, tv_weight=0.5)
    np.testing.assert_allclose(got, [10 + 300 + 2.5, 2 + 400 + 3.0])


def test_gram_matrix_gradient_by_hand():
    """d/dF sum(W * G) = F (W + W^T) per image, for the hand-written Gram gradient (and
    the same value as the plain Gram matrix)."""
    rng = np.random.default_rng(3)
    f = rng.normal(size=(2, 3, 4, 5)).astype(np.float32)
    w = rng.normal(size=(2, 5, 5)).astype(np.float32)
    x = tf.constant(f)
    with tf.GradientTape() as tape:
        tape.watch(x)
        value = tf.reduce_sum(tf.constant(w) * losses.fast_gram_matrix(x))
    grad = tape.gradient(value, x).numpy()
    flat = f.astype(np.float64).reshape(2, 12, 5)
    expected = np.einsum("bmc,bdc->bmd", flat, w + np.transpose(w, (0, 2, 1))).reshape(f.shape)
    np.testing.assert_allclose(grad, expected, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(losses.fast_gram_matrix(x), st.gram_matrix(x), rtol=1e-6)
