"""Mixed precision, XLA switches and the speed-related promises of the compiled step.

Random-weight VGG19 and tiny images, as in test_optimize.py. bfloat16 keeps 8 bits of
mantissa (about 0.4% relative rounding per operation), so mixed-precision results are
compared with float32 ones with tolerances of a few percent.
"""

import glob
import importlib.util
import json
from types import SimpleNamespace

import keras
import numpy as np
import pytest
import tensorflow as tf

import styletransfer_tf as st
from styletransfer_tf import cli, losses, optimize, vgg
from styletransfer_tf import images as imgs
from styletransfer_tf.errors import StyleTransferError

from conftest import REPO, gradient_image, requires_weights

LAYERS = ["block1_conv1", "block2_conv1", "block2_conv2"]
CONTENT, STYLE = ["block2_conv2"], ["block1_conv1", "block2_conv1"]


def problem(precision, batch=1, beta=10.0):
    content = imgs.preprocess(np.stack([gradient_image(16, 20, seed=s) for s in range(batch)])
                              .astype(np.float32))
    style = [imgs.preprocess(gradient_image(20, 16, seed=10 + s).astype(np.float32))
             for s in range(batch)]
    extractor = vgg.feature_extractor(LAYERS, weights=None, precision=precision)
    objective = optimize.make_objective(extractor, LAYERS, CONTENT, STYLE, content, style,
                                        alpha=1.0, beta=beta)
    start = imgs.preprocess(np.random.default_rng(0).uniform(0, 255, content.shape)
                            .astype(np.float32))
    return objective, start, extractor


def relative_error(a, b):
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    return np.linalg.norm(a - b) / np.linalg.norm(b)


def test_mixed_extractor_is_bfloat16_inside_and_float32_outside():
    model = vgg.feature_extractor(["conv2_1", "conv1_1", "conv2_1"], weights=None,
                                  precision="mixed")
    reference = vgg.feature_extractor(["conv2_1", "conv1_1", "conv2_1"], weights=None)
    convs = [layer for layer in model.layers if "conv" in layer.name]
    assert convs and all(layer.compute_dtype == "bfloat16" for layer in convs)
    assert all(w.dtype == "bfloat16" for layer in convs for w in layer.weights)
    assert not model.trainable_weights
    x = np.random.default_rng(0).normal(0, 50, (2, 12, 16, 3)).astype(np.float32)
    mixed, exact = vgg.extract(model, x), vgg.extract(reference, x)
    assert [f.dtype for f in mixed] == [tf.float32] * 3
    for a, b in zip(mixed, exact):
        assert a.shape == b.shape
        assert relative_error(a, b) < 0.02
    assert [layer.name for layer in model.layers][-1] == "block2_conv1"


def test_mixed_average_pooling_and_bad_precision():
    model = vgg.feature_extractor(["conv2_1"], weights=None, pooling="avg", precision="mixed")
    assert model.get_layer("block1_pool").compute_dtype == "bfloat16"
    with pytest.raises(StyleTransferError, match="precision"):
        vgg.feature_extractor(["conv1_1"], weights=None, precision="float16")


def test_mixed_losses_and_gradient_are_float32_and_close():
    objective32, start, _ = problem("float32")
    objective16, _, _ = problem("mixed")
    x = tf.Variable(start)
    results = {}
    for name, objective in [("float32", objective32), ("mixed", objective16)]:
        with tf.GradientTape() as tape:
            total, parts = objective(x)
            loss = tf.reduce_sum(total)
        grad = tape.gradient(loss, x)
        assert total.dtype == tf.float32 and grad.dtype == tf.float32
        assert all(v.dtype == tf.float32 for v in parts.values())
        results[name] = (total.numpy(), grad.numpy())
    assert relative_error(results["mixed"][0], results["float32"][0]) < 0.02
    # bfloat16 backward passes: the gradient points the same way, within a few percent
    g16, g32 = results["mixed"][1].ravel(), results["float32"][1].ravel()
    assert np.dot(g16, g32) / (np.linalg.norm(g16) * np.linalg.norm(g32)) > 0.99
    assert relative_error(g16, g32) < 0.15


def test_mixed_adam_run_ends_close_to_float32():
    finals = {}
    for precision in ("float32", "mixed"):
        objective, start, _ = problem(precision)
        x, history = optimize.run_adam(objective, start, steps=20, verbose=False, lr=5.0)
        assert x.dtype == np.float32
        finals[precision] = (history["total"][-1][0], x)
    loss32, x32 = finals["float32"]
    loss16, x16 = finals["mixed"]
    assert abs(loss16 - loss32) / loss32 < 0.02
    # same start, 20 steps of at most ~5 px each: the images stay close
    assert np.mean(np.abs(x16 - x32)) < 2.0


def test_mixed_batched_adam_matches_separate_runs():
    objective, start, extractor = problem("mixed", batch=2, beta=[10.0, 1.0])
    batched, _ = optimize.run_adam(objective, start, steps=5, verbose=False)
    content = imgs.preprocess(np.stack([gradient_image(16, 20, seed=s) for s in range(2)])
                              .astype(np.float32))
    for b, beta in enumerate([10.0, 1.0]):
        style = imgs.preprocess(gradient_image(20, 16, seed=10 + b).astype(np.float32))
        single = optimize.make_objective(extractor, LAYERS, CONTENT, STYLE, content[b:b + 1],
                                         [style], beta=beta)
        alone, _ = optimize.run_adam(single, start[b:b + 1], steps=5, verbose=False)
        np.testing.assert_allclose(batched[b], alone[0], atol=0.5)


@pytest.mark.parametrize("precision", ["float32", "mixed"])
def test_compiled_step_traces_once(precision):
    objective, start, _ = problem(precision)
    x = tf.Variable(start)
    step, _ = optimize.adam_step_fn(objective, x)
    for _ in range(3):
        step()
    assert step.experimental_get_tracing_count() == 1


def test_step_never_computes_weight_gradients(tmp_path):
    """The FLOP count of benchmarks/speed.py assumes no Conv2DBackpropFilter runs."""
    xplane = pytest.importorskip("tensorflow.tsl.profiler.protobuf.xplane_pb2")
    objective, start, _ = problem("float32")
    x = tf.Variable(start)
    step, _ = optimize.adam_step_fn(objective, x)
    step()
    tf.profiler.experimental.start(str(tmp_path))
    step()
    tf.profiler.experimental.stop()
    space = xplane.XSpace()
    space.ParseFromString(open(glob.glob(f"{tmp_path}/**/*.xplane.pb", recursive=True)[0],
                               "rb").read())
    names = " ".join(meta.name for plane in space.planes
                     for meta in plane.event_metadata.values())
    assert "Conv2DBackpropInput" in names  # the gradient to the image runs ...
    assert "Conv2DBackpropFilter" not in names  # ... the one to the frozen weights does not


def test_lbfgs_stops_at_target_loss():
    objective, start, _ = problem("float32")
    _, full = optimize.run_lbfgs(objective, start, steps=15, verbose=False)
    target = full["total"][5][0]
    _, early = optimize.run_lbfgs(objective, start, steps=15, verbose=False, target_loss=target)
    assert early["total"][-1][0] <= target
    assert len(early["step"]) <= 7 and "target" in early["message"]


def test_stylize_precision_and_xla(image_files):
    content, style = image_files
    # start from noise: from the content image the loss is a small difference of large
    # terms, whose relative bfloat16 error says little
    kw = dict(size=32, scales=1, steps=3, weights=None, content_layers=["conv2_1"],
              style_layers=["conv1_1"], verbose=False, init="noise")
    a, ha = st.stylize(content, style, optimizer="adam", **kw)
    b, hb = st.stylize(content, style, optimizer="adam", precision="mixed", **kw)
    c, hc = st.stylize(content, style, optimizer="adam", jit_compile=True, **kw)
    assert a.shape == b.shape == c.shape
    assert abs(hb["total"][-1] - ha["total"][-1]) / ha["total"][-1] < 0.02
    assert abs(hc["total"][-1] - ha["total"][-1]) / ha["total"][-1] < 1e-3
    d, _ = st.stylize(content, style, optimizer="lbfgs", jit_compile=True, **kw)
    assert d.shape == a.shape
    # bfloat16 loss noise breaks L-BFGS's line search, so that combination is refused
    with pytest.raises(StyleTransferError, match="float32"):
        st.stylize(content, style, optimizer="lbfgs", precision="mixed", **kw)
    with pytest.raises(StyleTransferError, match="precision"):
        st.stylize(content, style, optimizer="adam", precision="half", **kw)


def test_cli_precision_and_jit_options(capsys, image_files, tmp_path):
    content, style = image_files
    out = tmp_path / "mixed.png"
    code = cli.main([
        "transfer", str(content), str(style), "-o", str(out), "--size", "32", "--steps", "2",
        "--weights", "none", "--quiet", "--content-layers", "conv2_1", "--style-layers",
        "conv1_1", "--precision", "mixed", "--no-jit", "--optimizer", "adam"])
    assert code == 0, capsys.readouterr().err
    settings = json.loads(out.with_suffix(".json").read_text())["settings"]
    assert settings["precision"] == "mixed" and settings["jit"] is False
    args = cli.build_parser().parse_args(["transfer", "a", "b", "-o", "c.png"])
    assert args.precision == optimize.DEFAULT_PRECISION and args.jit is optimize.DEFAULT_JIT_COMPILE
    assert cli.build_parser().parse_args(["transfer", "a", "b", "-o", "c.png", "--jit"]).jit
    with pytest.raises(SystemExit) as info:
        cli.build_parser().parse_args(["transfer", "a", "b", "-o", "c.png", "--precision", "fp8"])
    assert info.value.code == 2


def load_benchmark():
    spec = importlib.util.spec_from_file_location("speed", REPO / "benchmarks" / "speed.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_benchmark_flop_formula_by_hand():
    speed = load_benchmark()
    # conv1_1 only (3 -> 64 on 8x10), style there: forward + dX, Gram 2MC^2 + 2MC^2
    flops = speed.step_flops(8, 10, style=["conv1_1"], content=["conv1_1"])
    conv = 2 * 9 * 3 * 64 * 80
    assert flops["total"] == 2 * conv + 4 * 80 * 64 ** 2
    # conv2_1 as content: conv1_1, conv1_2 at 16x16, pool, conv2_1 at 8x8
    flops = speed.step_flops(16, 16, style=["conv1_1"], content=["conv2_1"], batch=3)
    conv = 2 * 9 * (3 * 64 * 256 + 64 * 64 * 256 + 64 * 128 * 64)
    assert flops["conv_forward"] == 3 * conv
    assert flops["total"] == 3 * (2 * conv + 4 * 256 * 64 ** 2)


def test_objective_gradient_matches_plain_autodiff():
    """The objective's hand-written Gram gradient (Eq. 6) equals TensorFlow's own, with
    the losses written out here without the kit's functions."""
    objective, start, extractor = problem("float32")
    content = imgs.preprocess(gradient_image(16, 20, seed=0).astype(np.float32))[None]
    style = imgs.preprocess(gradient_image(20, 16, seed=10).astype(np.float32))
    f_c, f_s = vgg.extract(extractor, content), vgg.extract(extractor, style[None])
    x = tf.Variable(start)
    with tf.GradientTape(persistent=True) as tape:
        total, _ = objective(x)
        f_x = vgg.extract(extractor, x)
        def plain_gram(f):  # F^T F with TensorFlow's own gradient
            flat = tf.reshape(f, (f.shape[0], -1, f.shape[-1]))
            return tf.matmul(flat, flat, transpose_a=True)

        style = 0.0
        for fx, fs in zip(f_x[:2], f_s[:2]):
            n, m = fx.shape[-1], fx.shape[1] * fx.shape[2]
            style += 0.5 * tf.reduce_sum(tf.square(plain_gram(fx) - plain_gram(fs)),
                                         axis=[1, 2]) / (4.0 * n * n * m * m)
        by_hand = 0.5 * tf.reduce_sum(tf.square(f_x[2] - f_c[2]), axis=[1, 2, 3]) + 10.0 * style
    np.testing.assert_allclose(total.numpy(), by_hand.numpy(), rtol=1e-5)
    np.testing.assert_allclose(tape.gradient(total, x).numpy(), tape.gradient(by_hand, x).numpy(),
                               rtol=1e-3, atol=1e-3 * np.abs(tape.gradient(by_hand, x)).max())


def test_lbfgs_limits_openblas_threads_only_while_it_runs():
    import ctypes
    import os

    if not os.path.exists("/proc/self/maps"):
        pytest.skip("needs Linux's /proc/self/maps")
    with open("/proc/self/maps") as maps:
        paths = sorted({line.split()[-1] for line in maps if "openblas" in line.lower()})
    getters = []
    for path in paths:
        lib = ctypes.CDLL(path)
        for name in ("openblas_get_num_threads", "scipy_openblas_get_num_threads",
                     "scipy_openblas_get_num_threads64_"):
            if hasattr(lib, name):
                getters.append(getattr(lib, name))
                break
    if not getters:
        pytest.skip("no OpenBLAS loaded in this process")
    before = [g() for g in getters]
    with optimize.single_threaded_openblas():
        assert [g() for g in getters] == [1] * len(getters)
    assert [g() for g in getters] == before


@pytest.mark.parametrize("dtype", ["float32", "bfloat16"])
@pytest.mark.parametrize("shape", [(2, 8, 10, 5), (1, 7, 9, 3)])
def test_max_pool_value_and_gradient_match_keras(dtype, shape):
    rng = np.random.default_rng(0)
    # small integers: many ties inside the windows, where the gradient must pick the first
    x = tf.cast(tf.constant(rng.integers(0, 3, shape), tf.float32), dtype)
    upstream = tf.cast(tf.constant(rng.normal(size=(shape[0], shape[1] // 2, shape[2] // 2,
                                                    shape[3])), tf.float32), dtype)
    results = []
    for layer in (vgg.MaxPool2x2(dtype=dtype), keras.layers.MaxPooling2D(2, dtype=dtype)):
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = layer(x)
            loss = tf.reduce_sum(tf.cast(y * upstream, tf.float32))
        results.append((y.numpy().astype(np.float32), tape.gradient(loss, x).numpy()
                        .astype(np.float32)))
    np.testing.assert_array_equal(results[0][0], results[1][0])
    np.testing.assert_array_equal(results[0][1], results[1][1])


@pytest.mark.parametrize("precision", ["float32", "mixed"])
def test_step_runs_one_forward_pass_only_to_the_deepest_layer(precision):
    """Targets are constants made once: the compiled step holds exactly one forward pass
    (conv1_1, conv1_2, conv2_1, conv2_2 for these layers), nothing past conv2_2."""
    objective, start, _ = problem(precision)
    x = tf.Variable(start)
    step, _ = optimize.adam_step_fn(objective, x)
    graph = step.get_concrete_function().graph
    forward = [op for op in graph.get_operations() if op.type == "Conv2D"]
    assert len(forward) == 4


@requires_weights
def test_lbfgs_variants_benchmark_plain_row_is_run_lbfgs():
    """benchmarks/lbfgs_variants.py drives scipy itself; its 'plain' variant must be the
    kit's run_lbfgs, iteration for iteration, or its comparison says nothing."""
    spec = importlib.util.spec_from_file_location(
        "lbfgs_variants", REPO / "benchmarks" / "lbfgs_variants.py")
    variants = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(variants)
    content, style = variants.speed.default_images()
    args = SimpleNamespace(size=48, iters=8, target=None, coarse_iters=3)
    log = variants.run_plain(args, content, style)
    objective, start = variants.problem(48, content, style)
    _, history = optimize.run_lbfgs(objective, start, 8, verbose=False)
    kit = [row[0] for row in history["total"][1:]]
    assert len(log) == len(kit) == 8
    np.testing.assert_allclose([row[3] for row in log], kit, rtol=1e-5)
    assert kit[-1] < 0.8 * history["total"][0][0]
    for name in ("coarse-to-fine", "pyramid"):
        rows = variants.VARIANTS[name](args, content, style)
        assert sum(r[0] == "full" for r in rows) == 8 and np.isfinite(rows[-1][3])
