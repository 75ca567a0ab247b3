"""Optimisation loops with random-weight VGG19 and tiny images."""

import numpy as np
import pytest
import tensorflow as tf

import styletransfer_tf as st
from styletransfer_tf import images as imgs
from styletransfer_tf import losses, optimize, vgg
from styletransfer_tf.errors import NonFiniteLossError, StyleTransferError

from conftest import gradient_image

LAYERS = ["block1_conv1", "block2_conv1", "block2_conv2"]
CONTENT, STYLE = ["block2_conv2"], ["block1_conv1", "block2_conv1"]


def problem(batch=1, alpha=1.0, beta=10.0, seed=0):
    rng = np.random.default_rng(seed)
    content = imgs.preprocess(np.stack([gradient_image(12, 16, seed=s) for s in range(batch)])
                              .astype(np.float32))
    style = [imgs.preprocess(gradient_image(16, 12, seed=10 + s).astype(np.float32))
             for s in range(batch)]
    extractor = vgg.feature_extractor(LAYERS, weights=None)
    objective = optimize.make_objective(extractor, LAYERS, CONTENT, STYLE, content, style,
                                        alpha=alpha, beta=beta)
    start = imgs.preprocess(rng.uniform(0, 255, content.shape).astype(np.float32))
    return objective, content, style, start, extractor


def test_objective_matches_losses_by_hand():
    objective, content, style, start, extractor = problem(batch=1, alpha=2.0, beta=3.0)
    total, parts = objective(tf.constant(start))
    f_x, f_c, f_s = (vgg.extract(extractor, a) for a in (start, content, style[0][None]))
    content_value = losses.content_loss(f_x[2], f_c[2])
    style_value = 0.5 * (losses.style_layer_loss(f_x[0], losses.gram_matrix(f_s[0]))
                         + losses.style_layer_loss(f_x[1], losses.gram_matrix(f_s[1])))
    np.testing.assert_allclose(parts["content"], content_value, rtol=1e-5)
    np.testing.assert_allclose(parts["style"], style_value, rtol=1e-5)
    np.testing.assert_allclose(total, 2 * content_value + 3 * style_value
                               + 0 * parts["tv"], rtol=1e-5)


def test_adam_lowers_the_loss_and_records_history():
    objective, _, _, start, _ = problem()
    x, history = optimize.run_adam(objective, start, steps=30, verbose=False, lr=5.0)
    assert len(history["step"]) == 31 and history["step"][-1] == 30
    assert history["total"][-1][0] < 0.5 * history["total"][0][0]
    assert np.all(x >= optimize.PIXEL_LOW - 1e-3) and np.all(x <= optimize.PIXEL_HIGH + 1e-3)


def test_adam_step_traces_once_for_a_fixed_shape():
    objective, _, _, start, _ = problem()
    x = tf.Variable(start)
    step, _ = optimize.adam_step_fn(objective, x)
    for _ in range(4):
        step()
    assert step.experimental_get_tracing_count() == 1


def test_batched_adam_equals_separate_runs():
    objective, content, style, start, extractor = problem(batch=2, alpha=[1.0, 3.0],
                                                          beta=[10.0, 1.0])
    batched, _ = optimize.run_adam(objective, start, steps=5, verbose=False)
    for b, (alpha, beta) in enumerate([(1.0, 10.0), (3.0, 1.0)]):
        single = optimize.make_objective(extractor, LAYERS, CONTENT, STYLE, content[b:b + 1],
                                         [style[b]], alpha=alpha, beta=beta)
        alone, _ = optimize.run_adam(single, start[b:b + 1], steps=5, verbose=False)
        np.testing.assert_allclose(batched[b], alone[0], atol=0.05)


def test_lbfgs_lowers_the_loss_within_bounds():
    objective, _, _, start, _ = problem()
    x, history = optimize.run_lbfgs(objective, start, steps=15, verbose=False)
    assert history["total"][-1][0] < 0.5 * history["total"][0][0]
    assert 2 <= len(history["step"]) <= 16
    assert np.all(x >= optimize.PIXEL_LOW - 1e-3) and np.all(x <= optimize.PIXEL_HIGH + 1e-3)
    assert "message" in history


@pytest.mark.parametrize("optimizer", ["adam", "lbfgs"])
def test_non_finite_loss_stops_with_last_finite_image(optimizer):
    objective, _, _, start, _ = problem(beta=3e38)  # beta * style overflows float32
    runner = optimize.run_adam if optimizer == "adam" else optimize.run_lbfgs
    with pytest.raises(NonFiniteLossError, match="non-finite") as info:
        runner(objective, start, steps=5, verbose=False)
    assert info.value.step == 0
    np.testing.assert_array_equal(info.value.image, imgs.to_uint8(imgs.deprocess(start)))


def nan_from_call(objective, first_bad):
    """Wrap ``objective`` so that its loss is NaN from evaluation ``first_bad`` (0-based) on."""
    calls = tf.Variable(0)

    def wrapped(x):
        total, parts = objective(x)
        bad = calls >= first_bad
        calls.assign_add(1)
        return tf.where(bad, np.float32(np.nan), total), parts

    return wrapped


def test_nan_after_some_steps_keeps_last_finite_image():
    objective, _, _, start, _ = problem()
    with pytest.raises(NonFiniteLossError) as info:
        optimize.run_adam(nan_from_call(objective, 3), start, steps=10, verbose=False)
    assert info.value.step == 3
    two_steps, _ = optimize.run_adam(objective, start, steps=2, verbose=False)
    np.testing.assert_array_equal(info.value.image, imgs.to_uint8(imgs.deprocess(two_steps)))
    assert len(info.value.history["total"]) == 4


def test_stylize_seed_reproduces_and_noise_init(image_files):
    content, style = image_files
    kw = dict(size=32, scales=1, steps=3, optimizer="adam", weights=None, init="noise",
              content_layers=["conv2_2"],
              style_layers=["conv1_1", "conv2_1"], verbose=False)
    a, ha = st.stylize(content, style, seed=3, **kw)
    b, hb = st.stylize(content, style, seed=3, **kw)
    c, _ = st.stylize(content, style, seed=4, **kw)
    np.testing.assert_array_equal(a, b)
    assert ha["total"] == hb["total"]
    assert not np.array_equal(a, c)
    assert a.shape == (27, 32, 3) and a.dtype == np.uint8
    assert isinstance(ha["total"][0], float)


def test_stylize_snapshots_and_options(image_files):
    content, style = image_files
    img, history = st.stylize(content, style, size=32, scales=1, steps=4, optimizer="adam",
                              weights=None,
                              content_layers=["conv2_2"], style_layers=["conv1_1"],
                              snapshot_every=2, init="style", style_size=None,
                              tv_weight=1.0, verbose=False)
    assert [s for s, _ in history["snapshots"]] == [0, 2, 4]
    assert history["snapshots"][-1][1].shape == img.shape
    np.testing.assert_array_equal(history["snapshots"][-1][1], img)
    with pytest.raises(StyleTransferError, match="steps"):
        st.stylize(content, style, steps=0, weights=None)
    with pytest.raises(StyleTransferError, match="optimizer"):
        st.stylize(content, style, optimizer="sgd", weights=None)
    with pytest.raises(StyleTransferError, match="float32"):
        st.stylize(content, style, optimizer="lbfgs", precision="mixed", weights=None)
    with pytest.raises(StyleTransferError, match="too small"):
        st.stylize(content, style, size=8, weights=None)
    with pytest.raises(StyleTransferError, match="alpha"):
        st.stylize(content, style, size=32, scales=1, alpha=float("nan"), weights=None,
                   verbose=False,
                   content_layers=["conv1_1"], style_layers=["conv1_1"])


def test_initial_images():
    content = gradient_image(10, 14).astype(np.float32)
    style = gradient_image(20, 8, seed=5).astype(np.float32)
    assert optimize.initial_image("content", content, style) is content
    assert optimize.initial_image("style", content, style).shape == content.shape
    n1 = optimize.initial_image("noise", content, style, seed=1)
    np.testing.assert_array_equal(n1, optimize.initial_image("noise", content, style, seed=1))
    assert not np.array_equal(n1, optimize.initial_image("noise", content, style, seed=2))
    assert n1.min() >= 0 and n1.max() <= 255


def test_lbfgs_scale_rescues_a_loss_lost_in_float32_rounding():
    """A loss tiny next to its own value (the normalised network's situation): L-BFGS-B's
    unit-length first step changes it by less than float32 rounding and scipy gives up;
    working on pixels / scale, the first step is large enough to register."""
    objective, _, _, start, _ = problem()
    reference, _ = objective(tf.constant(start))

    def tiny(x):
        total, parts = objective(x)
        total = 1.0 + 1e-3 * total / reference
        return total, {**parts, "total": total}

    _, stuck = optimize.run_lbfgs(tiny, start, steps=10, verbose=False)
    x, moved = optimize.run_lbfgs(tiny, start, steps=10, verbose=False,
                                  scale=5 * np.sqrt(start.size))
    assert len(stuck["step"]) <= 2  # the failure the scale exists for
    assert len(moved["step"]) >= 5
    assert moved["total"][-1][0] < 1.0 + 0.5e-3
    assert np.all(x >= optimize.PIXEL_LOW - 1e-3) and np.all(x <= optimize.PIXEL_HIGH + 1e-3)
    with pytest.raises(StyleTransferError, match="scale"):
        optimize.run_lbfgs(objective, start, steps=2, verbose=False, scale=0)
