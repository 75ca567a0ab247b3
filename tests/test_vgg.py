"""VGG19 feature extraction: names, cutting, pooling, weights resolution."""

import keras
import numpy as np
import pytest

from styletransfer_tf import vgg
from styletransfer_tf.errors import StyleTransferError


def test_paper_and_keras_names():
    assert vgg.keras_layer_name("conv4_2") == "block4_conv2"
    assert vgg.keras_layer_name("pool3") == "block3_pool"
    assert vgg.keras_layer_name("block5_conv4") == "block5_conv4"
    assert len(vgg.PAPER_NAMES) == 16 + 5 == len(vgg.LAYER_ORDER)


def test_unknown_layer_lists_valid_names():
    with pytest.raises(StyleTransferError) as info:
        vgg.keras_layer_name("conv6_1")
    assert "conv6_1" in str(info.value) and "conv1_1" in str(info.value)
    assert "pool5" in str(info.value)


def test_min_image_side():
    assert vgg.min_image_side(["conv1_1"]) == 1
    assert vgg.min_image_side(["conv1_1", "conv4_2"]) == 8
    assert vgg.min_image_side(["conv5_1"]) == 16
    assert vgg.min_image_side(["pool5"]) == 32
    with pytest.raises(StyleTransferError, match="at least 16 px"):
        vgg.check_image_fits((15, 40, 3), ["conv5_1"], "the style image")


def test_extractor_stops_at_deepest_layer_and_matches_keras():
    model = vgg.feature_extractor(["conv2_1", "conv1_2"], weights=None)
    names = [layer.name for layer in model.layers]
    assert names[-1] == "block2_conv1"
    assert "block2_conv2" not in names and "block5_conv1" not in names
    x = np.random.default_rng(0).normal(0, 50, (2, 20, 24, 3)).astype(np.float32)
    conv2_1, conv1_2 = vgg.extract(model, x)
    assert conv2_1.shape == (2, 10, 12, 128) and conv1_2.shape == (2, 20, 24, 64)
    base = vgg.load_vgg19(None)
    reference = keras.Model(base.input, base.get_layer("block2_conv1").output)
    np.testing.assert_allclose(conv2_1.numpy(), reference(x).numpy(), rtol=1e-4, atol=1e-3)
    assert not model.trainable and not model.trainable_weights


def test_average_pooling_differs_only_after_a_pool():
    x = np.random.default_rng(1).normal(0, 50, (1, 16, 16, 3)).astype(np.float32)
    max_model = vgg.feature_extractor(["conv1_2", "conv2_1"], weights=None, pooling="max")
    avg_model = vgg.feature_extractor(["conv1_2", "conv2_1"], weights=None, pooling="avg")
    (a1, a2), (b1, b2) = vgg.extract(max_model, x), vgg.extract(avg_model, x)
    np.testing.assert_allclose(a1.numpy(), b1.numpy())
    assert not np.allclose(a2.numpy(), b2.numpy())
    pooled = avg_model.get_layer("block1_pool")(a1).numpy()
    by_hand = a1.numpy().reshape(1, 8, 2, 8, 2, 64).mean(axis=(2, 4))
    np.testing.assert_allclose(pooled, by_hand, rtol=1e-5, atol=1e-5)
    with pytest.raises(StyleTransferError, match="pooling"):
        vgg.feature_extractor(["conv1_1"], weights=None, pooling="min")


def test_weights_resolution(tmp_path, monkeypatch):
    assert vgg.resolve_weights(None) is None
    with pytest.raises(StyleTransferError, match="does not exist"):
        vgg.resolve_weights(str(tmp_path / "nope.h5"))
    monkeypatch.setenv(vgg.WEIGHTS_ENV, str(tmp_path / "missing.h5"))
    with pytest.raises(StyleTransferError, match=vgg.WEIGHTS_ENV):
        vgg.resolve_weights("imagenet")
    fake = tmp_path / "w.h5"
    fake.write_bytes(b"x")
    monkeypatch.setenv(vgg.WEIGHTS_ENV, str(fake))
    assert vgg.resolve_weights("imagenet") == str(fake)


def test_download_failure_names_env_var_and_file(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    with pytest.raises(StyleTransferError) as info:
        vgg.download_weights(url=(tmp_path / "offline" / vgg.KERAS_WEIGHTS_FILE).as_uri())
    message = str(info.value)
    assert vgg.WEIGHTS_ENV in message and vgg.KERAS_WEIGHTS_FILE in message
    assert "\n" not in message


def test_corrupt_weights_file_is_a_clear_error(tmp_path):
    bad = tmp_path / "bad.h5"
    bad.write_bytes(b"this is not HDF5")
    with pytest.raises(StyleTransferError, match="could not load VGG19 weights"):
        vgg.load_vgg19(str(bad))


def test_random_weights_are_fixed_whatever_ran_before():
    """``weights=None`` is one network in every process and test order (tests rely on it),
    not whatever the global Keras seed drew first."""
    def draw():
        model = vgg._load_vgg19.__wrapped__(None)  # bypass the per-process cache
        return [layer.get_weights() for layer in model.layers if layer.weights]

    keras.utils.set_random_seed(1)
    first = draw()
    keras.utils.set_random_seed(2)
    keras.random.uniform((10,))  # and move the global generator on
    second = draw()
    cached = [layer.get_weights() for layer in vgg.load_vgg19(None).layers if layer.weights]
    assert len(first) == len(second) == len(cached) == 16
    for (k1, b1), (k2, b2), (k3, b3) in zip(first, second, cached):
        np.testing.assert_array_equal(k1, k2)
        np.testing.assert_array_equal(k1, k3)
        assert not b1.any() and not b2.any() and not b3.any()
    # Keras's default initialisation: Glorot-uniform kernels, a different draw per layer
    kernel = first[0][0]
    limit = np.sqrt(6 / (3 * 3 * 3 + 3 * 3 * 64))
    assert np.abs(kernel).max() <= limit and kernel.std() > limit / 3
    assert not np.allclose(first[2][0][:, :, :64, :64], first[1][0])
