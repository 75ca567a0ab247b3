"""Coarse-to-fine (multi-scale) optimisation, with random-weight VGG19 and tiny images."""

import numpy as np
import pytest
import tensorflow as tf

import styletransfer_tf as st
from styletransfer_tf import images as imgs
from styletransfer_tf import optimize, vgg
from styletransfer_tf.errors import StyleTransferError

from conftest import gradient_image

LAYERS = ["block1_conv1", "block2_conv1", "block2_conv2"]
CONTENT, STYLE = ["block2_conv2"], ["block1_conv1", "block2_conv1"]


def test_pyramid_sizes_and_steps_per_scale():
    assert optimize.pyramid_sizes(512, 3) == [256, 362, 512]
    assert optimize.pyramid_sizes(512, 1) == [512]
    assert optimize.pyramid_sizes(400, 3, factor=2) == [100, 200, 400]
    assert optimize.steps_per_scale(60, 3) == [107, 80, 60]  # coarser scales get 4/3 more
    assert optimize.steps_per_scale(7, 1) == [7]
    assert optimize.steps_per_scale((5, 4), 2) == [5, 4]
    for scales in (0, -1, 1.5, True):
        with pytest.raises(StyleTransferError, match="scales"):
            optimize.pyramid_sizes(512, scales)
    with pytest.raises(StyleTransferError, match="factor"):
        optimize.pyramid_sizes(512, 2, factor=1.0)
    with pytest.raises(StyleTransferError, match="3 scale"):
        optimize.steps_per_scale([5, 4], 3)
    with pytest.raises(StyleTransferError, match="steps"):
        optimize.steps_per_scale([5, 0], 2)


def test_upsample_resizes_and_clips():
    x = np.zeros((1, 4, 6, 3), np.float32)
    x[0, :, :3] = optimize.PIXEL_HIGH
    x[0, :, 3:] = optimize.PIXEL_LOW
    up = optimize.upsample(x, (8, 12))
    assert up.shape == (1, 8, 12, 3)
    # bicubic overshoots at the edge; the result must stay inside the pixel range
    assert np.all(up <= optimize.PIXEL_HIGH + 1e-4) and np.all(up >= optimize.PIXEL_LOW - 1e-4)
    np.testing.assert_allclose(up[0, :, 0], np.broadcast_to(optimize.PIXEL_HIGH, (8, 3)))


def _objective_at_factory(calls, extractor):
    content_full = gradient_image(24, 32, seed=1).astype(np.float32)
    style_full = gradient_image(32, 24, seed=2).astype(np.float32)

    def objective_at(shape):
        calls.append(shape)
        content = imgs.resize(content_full, shape=shape)
        style = imgs.resize(style_full, size=max(shape))
        return optimize.make_objective(extractor, LAYERS, CONTENT, STYLE,
                                       imgs.preprocess(content)[None],
                                       [imgs.preprocess(style)], alpha=1.0, beta=10.0)
    return objective_at, content_full


@pytest.mark.parametrize("optimizer", ["adam", "lbfgs"])
def test_run_pyramid_starts_each_scale_from_the_previous_result(monkeypatch, optimizer):
    extractor = vgg.feature_extractor(LAYERS, weights=None)
    calls, starts, results = [], [], []
    objective_at, content_full = _objective_at_factory(calls, extractor)
    real = {"adam": optimize.run_adam, "lbfgs": optimize.run_lbfgs}[optimizer]

    def spy(objective, init, steps, **kwargs):
        starts.append(np.array(init))
        x, history = real(objective, init, steps, **kwargs)
        results.append(np.array(x))
        return x, history

    monkeypatch.setattr(optimize, f"run_{optimizer}", spy)
    shapes = [(12, 16), (17, 23), (24, 32)]
    init = imgs.preprocess(content_full)[None]
    x, history = optimize.run_pyramid(objective_at, init, shapes, [3, 2, 2], optimizer,
                                      verbose=False, snapshot_every=1)
    assert calls == shapes
    assert [s.shape[1:3] for s in starts] == shapes
    np.testing.assert_allclose(starts[0], optimize.upsample(init, shapes[0]), atol=1e-4)
    for k in (1, 2):  # the upsampled result of the scale before is the next start
        np.testing.assert_allclose(starts[k], optimize.upsample(results[k - 1], shapes[k]),
                                   atol=1e-4)
    np.testing.assert_array_equal(x, results[-1])
    assert x.shape == (1, 24, 32, 3)
    assert np.all(x >= optimize.PIXEL_LOW - 1e-3) and np.all(x <= optimize.PIXEL_HIGH + 1e-3)
    # one history over all scales: steps numbered on, rows tagged with their scale
    assert history["shapes"] == shapes
    assert sorted(set(history["scale"])) == [0, 1, 2]
    assert history["step"] == sorted(history["step"])
    assert np.all(np.diff(history["seconds"]) >= 0)
    assert len(history["total"]) == len(history["step"]) == len(history["scale"])
    if optimizer == "adam":  # Adam takes exactly its steps: 4 + 3 + 3 rows
        assert history["step"] == [0, 1, 2, 3, 3, 4, 5, 5, 6, 7]
    # snapshots only at the last scale, numbered like the history
    last_steps = [s for s, sc in zip(history["step"], history["scale"]) if sc == 2]
    assert [s for s, _ in history["snapshots"]][0] == last_steps[0]
    assert all(img.shape == (1, 24, 32, 3) for _, img in history["snapshots"])


def test_run_pyramid_rejects_bad_options():
    with pytest.raises(StyleTransferError, match="optimizer"):
        optimize.run_pyramid(lambda shape: None, np.zeros((1, 8, 8, 3), np.float32),
                             [(8, 8)], 1, "sgd", verbose=False)
    with pytest.raises(StyleTransferError, match="2 scale"):
        optimize.run_pyramid(lambda shape: None, np.zeros((1, 8, 8, 3), np.float32),
                             [(4, 4), (8, 8)], [1, 1, 1], "adam", verbose=False)


def test_style_targets_of_another_size_compare_size_normalised_grams():
    """Eq. 4 with G/M against A/M_s, computed by hand in NumPy."""
    extractor = vgg.feature_extractor(LAYERS, weights=None)
    content = imgs.preprocess(gradient_image(12, 16, seed=1).astype(np.float32))[None]
    style = imgs.preprocess(gradient_image(30, 20, seed=2).astype(np.float32))
    x = imgs.preprocess(gradient_image(12, 16, seed=3).astype(np.float32))[None]
    objective = optimize.make_objective(extractor, LAYERS, [], STYLE, content, [style],
                                        alpha=0.0, beta=1.0)
    _, parts = objective(tf.constant(x))
    fx = [np.asarray(f, np.float64)[0] for f in vgg.extract(extractor, x)]
    fs = [np.asarray(f, np.float64)[0] for f in vgg.extract(extractor, style[None])]
    expected = 0.0
    for i in (0, 1):  # block1_conv1, block2_conv1
        a, b = fx[i].reshape(-1, fx[i].shape[-1]), fs[i].reshape(-1, fs[i].shape[-1])
        n = a.shape[1]
        diff = a.T @ a / a.shape[0] - b.T @ b / b.shape[0]
        expected += 0.5 * np.sum(diff ** 2) / (4 * n * n)
    np.testing.assert_allclose(parts["style"][0], expected, rtol=2e-4)
    np.testing.assert_allclose(parts["content"][0], 0.0)


def test_stylize_multiscale_shapes_weights_and_history(image_files, monkeypatch):
    content, style = image_files
    made = []
    real = optimize.make_objective

    def spy(extractor, layers, content_layers, style_layers, content_x, style_x, alpha, beta,
            tv_weight, **kw):
        made.append((content_x.shape[1:3], style_x[0].shape[:2], alpha, beta, tv_weight))
        return real(extractor, layers, content_layers, style_layers, content_x, style_x,
                    alpha, beta, tv_weight, **kw)

    monkeypatch.setattr(optimize, "make_objective", spy)
    image, history = st.stylize(content, style, size=48, scales=2, steps=[3, 2],
                                optimizer="adam", alpha=2.0, beta=3.0, tv_weight=1.0,
                                weights=None, content_layers=["conv2_2"],
                                style_layers=["conv1_1"], verbose=False)
    assert image.shape == (40, 48, 3)
    assert [m[0] for m in made] == [(28, 34), (40, 48)]
    # style keeps its aspect (40x48 file, portrait) with the scale's longest side
    assert [m[1] for m in made] == [(34, 28), (48, 40)]
    # alpha and the TV weight follow the image's area, beta does not (weights at 512 px)
    np.testing.assert_allclose([m[2] for m in made], [2.0 * (512 / 34) ** 2, 2.0 * (512 / 48) ** 2])
    np.testing.assert_allclose([m[4] for m in made], [(512 / 34) ** 2, (512 / 48) ** 2])
    assert [m[3] for m in made] == [3.0, 3.0]
    assert history["scale"] == [0] * 4 + [1] * 3
    assert isinstance(history["total"][-1], float)


def test_stylize_content_reconstruction_without_style_layers(image_files):
    content, style = image_files
    image, history = st.stylize(content, style, size=32, scales=1, steps=2, optimizer="adam",
                                weights=None, content_layers=["conv1_2"], style_layers=[],
                                verbose=False)
    assert image.shape == (27, 32, 3)
    assert history["style"] == [0.0] * 3
    with pytest.raises(StyleTransferError, match="at least one"):
        st.stylize(content, style, weights=None, content_layers=[], style_layers=[])


def test_stylize_leaves_out_scales_too_small_for_the_layers(image_files):
    content, style = image_files
    # default layers reach conv5_1 (16 px); at 40 px the scales are 14, 20, 28, 40 px
    _, history = st.stylize(content, style, size=40, scales=4, steps=[5, 4, 3, 2],
                            optimizer="adam", weights=None, verbose=False)
    assert history["shapes"] == [(17, 20), (23, 28), (33, 40)]
    assert history["scale"] == [0] * 5 + [1] * 4 + [2] * 3
    with pytest.raises(StyleTransferError, match="too small"):
        st.stylize(content, style, size=12, scales=1, weights=None, verbose=False)


def test_time_budget_stops_each_optimiser_and_every_scale():
    extractor = vgg.feature_extractor(LAYERS, weights=None)
    calls = []
    objective_at, content_full = _objective_at_factory(calls, extractor)
    init = imgs.preprocess(content_full)[None]
    objective = objective_at((24, 32))
    _, adam = optimize.run_adam(objective, init, steps=50, verbose=False, max_seconds=0)
    assert adam["step"] == [0, 1]  # one step, then the final evaluation
    _, lbfgs = optimize.run_lbfgs(objective, init, steps=50, verbose=False, max_seconds=0)
    assert lbfgs["step"] == [0, 1] and "time budget" in lbfgs["message"]
    # a spent budget leaves every scale one step, and the run still ends at full size
    x, history = optimize.run_pyramid(objective_at, init, [(12, 16), (24, 32)], [30, 30],
                                      "adam", verbose=False, max_seconds=0)
    assert x.shape == (1, 24, 32, 3)
    assert history["step"] == [0, 1, 1, 2] and history["scale"] == [0, 0, 1, 1]
