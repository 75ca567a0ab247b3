"""Controls beyond the 2016 paper (Gatys et al. 2017, "Controlling Perceptual Factors in
Neural Style Transfer"): colour, style scale, several styles with blend weights, region
masks. Random-weight VGG19, tiny images, few steps. The maths is checked against NumPy
written out here (YIQ, pixel statistics, Gram matrices, guided Gram matrices), not
against the kit's own functions.
"""

import json
import os
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

import styletransfer_tf as st
from styletransfer_tf import blend, cli, color, guidance, losses, masks, optimize, vgg
from styletransfer_tf import images as imgs
from styletransfer_tf.errors import StyleTransferError

from conftest import REPO, gradient_image
from test_cli import FAST, snapshot

LAYERS = ["block1_conv1", "block2_conv1", "block2_conv2"]
CONTENT, STYLE = ["block2_conv2"], ["block1_conv1", "block2_conv1"]
RUN = dict(size=32, scales=1, optimizer="adam", weights=None, verbose=False,
           content_layers=["conv2_2"], style_layers=["conv1_1", "conv2_1"])

# YIQ written out here (NTSC): rows Y, I, Q.
Y_ROW = np.array([0.299, 0.587, 0.114])
I_ROW = np.array([0.5959, -0.2746, -0.3213])
Q_ROW = np.array([0.2115, -0.5227, 0.3112])
#: The most a uint8 rounding of R, G, B (each off by <= 0.5) can move I or Q.
ROUNDING_IQ = 0.5 * max(np.abs(I_ROW).sum(), np.abs(Q_ROW).sum())  # 0.596


def soft_image(height, width, seed):
    """A test image with moderate colours (64-192): luminance changes of tens of grey
    levels stay inside the RGB cube, so no clipping blurs the colour checks."""
    return (0.5 * gradient_image(height, width, seed=seed) + 64.0).astype(np.float32)


def gram_np(features):
    """Gram matrices by hand: (B, H, W, C) -> (B, C, C), float64."""
    f = np.asarray(features, dtype=np.float64)
    f = f.reshape(f.shape[0], -1, f.shape[-1])
    return np.einsum("bki,bkj->bij", f, f)


def normalised_gram_np(extractor, image_rgb, content_shape, layer_index):
    """The style target of the 2016 method by hand: A * M / M_s at one layer."""
    feats = vgg.extract(extractor, imgs.preprocess(image_rgb)[None])[layer_index].numpy()
    content = vgg.extract(extractor, np.zeros((1, *content_shape, 3), np.float32))
    m_content = content[layer_index].shape[1] * content[layer_index].shape[2]
    return gram_np(feats)[0] * m_content / (feats.shape[1] * feats.shape[2])


@pytest.fixture(scope="module")
def extractor():
    return vgg.feature_extractor(LAYERS, weights=None)


# ---------------------------------------------------------------- colour (Sec. 5)


def test_yiq_matches_the_ntsc_matrix_and_round_trips():
    rgb = np.random.default_rng(0).uniform(0, 255, (5, 7, 3))
    yiq = color.rgb_to_yiq(rgb)
    np.testing.assert_allclose(yiq[..., 0], rgb @ Y_ROW, atol=1e-9)
    np.testing.assert_allclose(yiq[..., 1], rgb @ I_ROW, atol=1e-9)
    np.testing.assert_allclose(yiq[..., 2], rgb @ Q_ROW, atol=1e-9)
    np.testing.assert_allclose(color.yiq_to_rgb(yiq), rgb, atol=1e-9)
    grey = color.grey_image(rgb @ Y_ROW)
    assert np.all(grey[..., 0] == grey[..., 1]) and np.all(grey[..., 1] == grey[..., 2])


def test_luminance_transfer_matches_style_luminance_to_content():
    content, style = soft_image(20, 24, 1), gradient_image(24, 20, seed=2).astype(np.float32)
    work_content, (work_style,) = color.prepare(content, [style], "luminance")
    # both grey: three equal channels, the content's equal to its own luminance
    for image in (work_content, work_style):
        assert np.array_equal(image[..., 0], image[..., 1]) and np.array_equal(
            image[..., 0], image[..., 2])
    np.testing.assert_allclose(work_content[..., 0], content @ Y_ROW, atol=1e-3)
    # the style's luminance has the content's mean and standard deviation (Sec. 5.1)
    y_content, y_style = content @ Y_ROW, work_style[..., 0].astype(np.float64)
    assert abs(y_style.mean() - y_content.mean()) < 1e-3
    assert abs(y_style.std() - y_content.std()) < 1e-3
    # and is an increasing affine function of the original style luminance
    original = (style @ Y_ROW).ravel()
    a, b = np.polyfit(original, y_style.ravel(), 1)
    assert a > 0
    np.testing.assert_allclose(a * original + b, y_style.ravel(), atol=1e-3)


def test_luminance_mode_keeps_the_content_chroma_and_changes_the_luminance():
    content, style = soft_image(40, 48, 1), gradient_image(48, 40, seed=2)
    result, _ = st.stylize(content, style, steps=15, preserve_color="luminance", lr=8.0,
                           **RUN)
    photo = imgs.resize(content, shape=result.shape[:2]).astype(np.float64)
    out = result.astype(np.float64)
    # I and Q of the result are the content's, up to the final rounding to uint8
    assert np.abs(out @ I_ROW - photo @ I_ROW).max() <= ROUNDING_IQ + 1e-6
    assert np.abs(out @ Q_ROW - photo @ Q_ROW).max() <= ROUNDING_IQ + 1e-6
    # while the luminance was stylised
    assert np.abs(out @ Y_ROW - photo @ Y_ROW).mean() > 2.0
    # without the control the chroma changes too
    plain, _ = st.stylize(content, style, steps=15, lr=8.0, **RUN)
    assert np.abs(plain.astype(np.float64) @ I_ROW - photo @ I_ROW).mean() > 2.0


def pixel_stats(rgb):
    pixels = np.asarray(rgb, dtype=np.float64).reshape(-1, 3)
    centred = pixels - pixels.mean(axis=0)
    return pixels.mean(axis=0), centred.T @ centred / len(pixels)


@pytest.mark.parametrize("method", ["sqrt", "cholesky"])
def test_histogram_matching_gives_the_style_the_content_colour_statistics(method):
    content = soft_image(30, 40, 3)
    style = np.clip(gradient_image(36, 28, seed=4) * 0.6 + np.array([90, 20, 40]), 0, 255)
    mu_c, cov_c = pixel_stats(content)
    mu_s, cov_s = pixel_stats(style)
    # the map itself: A Sigma_s A^T = Sigma_c and A mu_s + b = mu_c (Sec. 5.2)
    a, b = color.color_transform(style, content, method)
    np.testing.assert_allclose(a @ cov_s @ a.T, cov_c, rtol=1e-4, atol=1e-2)
    np.testing.assert_allclose(a @ mu_s + b, mu_c, atol=1e-6)
    # the recoloured image (float32, clipped to 0-255: these colours need no clipping)
    matched = color.match_color(style, content, method)
    mu_m, cov_m = pixel_stats(matched)
    assert not np.any((matched <= 0) | (matched >= 255))
    np.testing.assert_allclose(mu_m, mu_c, atol=0.01)
    assert np.linalg.norm(cov_m - cov_c) / np.linalg.norm(cov_c) < 1e-4
    assert np.linalg.norm(cov_s - cov_c) / np.linalg.norm(cov_c) > 0.2  # it had to change


def test_histogram_mode_recolours_the_style_before_its_gram_matrices(monkeypatch):
    content, style = soft_image(40, 48, 1), gradient_image(48, 40, seed=2)
    seen = []
    real = optimize.make_objective

    def spy(extractor, layers, content_layers, style_layers, content_x, style_x, *a, **k):
        seen.append(imgs.deprocess(np.asarray(style_x[0])))
        return real(extractor, layers, content_layers, style_layers, content_x, style_x,
                    *a, **k)

    monkeypatch.setattr(optimize, "make_objective", spy)
    st.stylize(content, style, steps=1, preserve_color="histogram", **RUN)
    mu_c, cov_c = pixel_stats(content)
    mu_s, cov_s = pixel_stats(seen[0])
    np.testing.assert_allclose(mu_s, mu_c, atol=2.0)  # after the resize to 32 px
    assert np.linalg.norm(cov_s - cov_c) / np.linalg.norm(cov_c) < 0.1


# ---------------------------------------------------------------- several styles, blends


def test_blend_weights_check_and_normalise():
    np.testing.assert_allclose(blend.blend_weights([7, 3], 2, 3), [[0.7] * 3, [0.3] * 3])
    np.testing.assert_allclose(blend.blend_weights(None, 4, 2), np.full((4, 2), 0.25))
    assert blend.interpolation_weights(5) == [(1.0, 0.0), (0.75, 0.25), (0.5, 0.5),
                                              (0.25, 0.75), (0.0, 1.0)]
    np.testing.assert_array_equal(
        blend.coarse_fine_weights(["conv1_1", "conv2_1", "conv3_1"], "conv2_1"),
        [[0, 1, 1], [1, 0, 0]])
    for bad, match in [([1, 2, 3], "3 weight"), ([1, -1], ">= 0"), ([0, 0], "not all be 0"),
                       ([1, float("nan")], ">= 0")]:
        with pytest.raises(StyleTransferError, match=match):
            blend.blend_weights(bad, 2, 3)
    with pytest.raises(StyleTransferError, match="both sides"):
        blend.coarse_fine_weights(["conv1_1", "conv2_1"], "conv1_1")


def test_blend_targets_are_the_weighted_sum_of_gram_matrices(extractor):
    content = soft_image(12, 16, 1)
    style_a, style_b = soft_image(16, 12, 2), gradient_image(20, 20, seed=3).astype(np.float32)
    content_x = imgs.preprocess(content)[None]
    a_x, b_x = imgs.preprocess(style_a), imgs.preprocess(style_b)

    def targets(style, **kw):
        objective = optimize.make_objective(extractor, LAYERS, CONTENT, STYLE, content_x,
                                            style, **kw)
        return [np.asarray(t) for t in objective.targets["style"]]

    single_a, single_b = targets([a_x]), targets([b_x])
    for i, layer in enumerate(STYLE):  # the 2016 targets against NumPy
        position = LAYERS.index(layer)
        np.testing.assert_allclose(single_a[i][0], normalised_gram_np(
            extractor, style_a, (12, 16), position), rtol=1e-5, atol=1e-3)
        np.testing.assert_allclose(single_b[i][0], normalised_gram_np(
            extractor, style_b, (12, 16), position), rtol=1e-5, atol=1e-3)
    # weights 1,0 and 0,1 are exactly the single styles
    for got, want in zip(targets([[a_x, b_x]], style_blend=[1, 0]), single_a):
        np.testing.assert_array_equal(got, want)
    for got, want in zip(targets([[a_x, b_x]], style_blend=[0, 1]), single_b):
        np.testing.assert_array_equal(got, want)
    # in between: linear in the weights (given as 7,3: normalised), against NumPy
    for i, (got, layer) in enumerate(zip(targets([[a_x, b_x]], style_blend=[7, 3]), STYLE)):
        position = LAYERS.index(layer)
        want = (0.7 * normalised_gram_np(extractor, style_a, (12, 16), position)
                + 0.3 * normalised_gram_np(extractor, style_b, (12, 16), position))
        np.testing.assert_allclose(got[0], want, rtol=1e-5, atol=1e-3)
    # default: equal weights; per layer (coarse from a, fine from b)
    for got, a, b in zip(targets([[a_x, b_x]]), single_a, single_b):
        np.testing.assert_allclose(got, 0.5 * a + 0.5 * b, rtol=1e-6)
    split = blend.coarse_fine_weights(STYLE, "conv2_1")
    coarse_fine = targets([[a_x, b_x]], style_blend=split)
    np.testing.assert_array_equal(coarse_fine[0], single_b[0])
    np.testing.assert_array_equal(coarse_fine[1], single_a[1])


def test_blend_one_zero_gives_the_single_style_result(image_files):
    content, style = image_files
    other = np.random.default_rng(7).uniform(0, 60, (30, 30, 3)).astype(np.float32)  # dark
    kw = dict(RUN, steps=3, seed=1)
    alone, _ = st.stylize(content, style, **kw)
    row = blend.interpolate_styles(content, style, other, n=3, **kw)
    assert [w for w, _, _ in row] == [(1.0, 0.0), (0.5, 0.5), (0.0, 1.0)]
    np.testing.assert_array_equal(row[0][1], alone)
    assert not np.array_equal(row[1][1], alone)


# ---------------------------------------------------------------- spatial control (Sec. 4)


def test_guided_gram_matrix_equals_the_gram_of_masked_features_by_hand():
    rng = np.random.default_rng(0)
    features = rng.normal(size=(2, 6, 8, 5)).astype(np.float32)
    guides = rng.uniform(0, 1, size=(3, 6, 8)).astype(np.float32)
    got = guidance.guided_gram_matrix(features, guides).numpy()
    assert got.shape == (2, 3, 5, 5)
    for b in range(2):
        for r in range(3):
            masked = features[b] * guides[r][..., None]
            want = gram_np(masked[None])[0]
            np.testing.assert_allclose(got[b, r], want, rtol=1e-5, atol=1e-5)
    # the loss: sum over regions of 1/(4 N^2 M^2) sum (G_r - A_r)^2; one all-ones guide
    # gives the 2016 Eq. 4
    targets = rng.normal(size=(2, 3, 5, 5)).astype(np.float32)
    loss = guidance.guided_style_layer_loss(features, guides, targets).numpy()
    by_hand = [sum(((got[b, r] - targets[b, r]) ** 2).sum() for r in range(3))
               / (4 * 5 ** 2 * 48 ** 2) for b in range(2)]
    np.testing.assert_allclose(loss, by_hand, rtol=1e-5)
    ones = np.ones((1, 6, 8), np.float32)
    np.testing.assert_allclose(
        guidance.guided_style_layer_loss(features, ones, targets[:, :1]).numpy(),
        losses.style_layer_loss(features, targets[:, 0]).numpy(), rtol=1e-5)


def test_masks_are_area_averaged_to_each_layer():
    mask = np.random.default_rng(1).uniform(0, 1, (8, 12)).astype(np.float32)
    (half,), (same,) = masks.layer_masks(mask[None], [(4, 6), (8, 12)])
    np.testing.assert_allclose(half, mask.reshape(4, 2, 6, 2).mean(axis=(1, 3)), atol=1e-6)
    np.testing.assert_array_equal(same, mask)


def test_masked_objective_targets_and_loss_by_hand(extractor):
    content = soft_image(16, 24, 1)
    style_a, style_b = soft_image(20, 16, 2), gradient_image(24, 24, seed=3).astype(np.float32)
    top = np.zeros((16, 24), np.float32)
    top[:8] = 1.0
    region = np.stack([top, 1.0 - top])
    objective = optimize.make_objective(
        extractor, LAYERS, CONTENT, STYLE, imgs.preprocess(content)[None],
        [[imgs.preprocess(style_a), imgs.preprocess(style_b)]], alpha=0.0, beta=1.0,
        masks=region)
    x = imgs.preprocess(soft_image(16, 24, 9))[None]
    feats_x = vgg.extract(extractor, x)
    expected_loss = 0.0
    for i, layer in enumerate(STYLE):
        position = LAYERS.index(layer)
        h, w = feats_x[position].shape[1:3]
        # the guide: each mask averaged over the (16/h x 24/w) blocks of its feature map
        guide = region.reshape(2, h, 16 // h, w, 24 // w).mean(axis=(2, 4))
        np.testing.assert_allclose(objective.targets["guides"][i], guide, atol=1e-6)
        f = feats_x[position].numpy()[0]
        n, m = f.shape[-1], h * w
        for r, style in enumerate((style_a, style_b)):
            share = (guide[r] ** 2).sum() / m  # S_r / M
            target = share * normalised_gram_np(extractor, style, (16, 24), position)
            np.testing.assert_allclose(np.asarray(objective.targets["style"][i])[0, r],
                                       target, rtol=1e-5, atol=1e-3)
            g_x = gram_np((f * guide[r][..., None])[None])[0]  # Gram of the masked features
            expected_loss += 0.5 * ((g_x - target) ** 2).sum() / (4 * n ** 2 * m ** 2)
    _, parts = objective(x)
    np.testing.assert_allclose(parts["style"].numpy()[0], expected_loss, rtol=1e-4)


def test_a_mask_confines_the_style_to_its_region():
    """One real run: style layer conv1_1 only (3x3 receptive field), no content or TV
    loss, the style masked to the top half: the bottom half gets no gradient at all and
    stays the photo, the top half changes."""
    content, style = soft_image(40, 48, 1), gradient_image(48, 40, seed=2)
    top = np.zeros((40, 48), np.float32)
    top[:20] = 1.0
    result, _ = st.stylize(content, style, masks=[top], steps=10, lr=8.0, alpha=0.0, beta=1e6,
                           tv_weight=0.0, **dict(RUN, style_layers=["conv1_1"]))
    photo = imgs.to_uint8(imgs.resize(content, shape=result.shape[:2]))
    boundary = round(result.shape[0] / 2)  # the mask's edge at 27 rows: row 13.5
    diff = np.abs(result.astype(float) - photo)
    assert diff[boundary + 2:].max() <= 1.0
    assert diff[: boundary - 2].mean() > 3.0


# ---------------------------------------------------------------- style scale (Sec. 6)


def test_style_scale_resizes_the_style_image():
    style = np.zeros((48, 40, 3), np.float32)
    content = np.zeros((27, 32, 3))
    assert imgs.style_image_for(style, content, scale=0.5).shape[:2] == (16, 13)
    assert imgs.style_image_for(style, content, scale=1.0).shape[:2] == (32, 27)
    assert imgs.style_image_for(style, content, "content", scale=2.0).shape[:2] == (54, 64)
    assert imgs.style_image_for(style, content, None, scale=0.25).shape[:2] == (12, 10)
    assert imgs.style_image_for(style, content, None) is style


def test_style_scale_changes_the_targets_as_the_resize_does(monkeypatch, image_files):
    content, style = image_files
    seen = []
    real = optimize.make_objective

    def spy(*args, **kwargs):
        objective = real(*args, **kwargs)
        seen.append(objective)
        return objective

    monkeypatch.setattr(optimize, "make_objective", spy)
    run = dict(RUN, steps=1, style_layers=["conv1_1", "conv2_1"])
    st.stylize(content, style, style_scale=0.5, **run)
    st.stylize(content, style, **run)
    half, full = seen
    style_rgb = imgs.load_image(style)  # 40x48 -> the style's side is 32 px, halved: 16
    extractor = vgg.feature_extractor(["conv1_1", "conv2_1"], weights=None)
    for i in range(2):
        for objective, side in ((half, 16), (full, 32)):
            want = normalised_gram_np(extractor, imgs.resize(style_rgb, size=side), (27, 32), i)
            np.testing.assert_allclose(np.asarray(objective.targets["style"][i])[0], want,
                                       rtol=1e-4, atol=1e-2)
        assert not np.allclose(np.asarray(half.targets["style"][i]),
                               np.asarray(full.targets["style"][i]), rtol=0.05)


# ---------------------------------------------------------------- the command line


def test_cli_runs_the_controls(capsys, image_files, tmp_path):
    content, style = image_files
    other = tmp_path / "other.png"
    Image.fromarray(gradient_image(30, 36, seed=5)).save(other)
    mask = tmp_path / "top.png"
    Image.fromarray(np.where(np.arange(40)[:, None] < 20, 255, 0).astype(np.uint8)
                    .repeat(48, axis=1)).save(mask)
    runs = {
        "blend.png": [style, other, "--style-blend", "0.7,0.3"],
        "coarse.png": [style, other, "--coarse-fine", "conv2_1"],
        "masked.png": [style, "--mask", mask],
        "lum.png": [style, "--preserve-color", "luminance", "--style-scale", "0.8"],
        "hist.png": [style, "--preserve-color", "histogram"],
    }
    for name, extra in runs.items():
        code = cli.main([str(a) for a in ["transfer", content, *extra, "-o", tmp_path / name,
                                          "--size", 32, "--steps", 2, *FAST]])
        _, err = capsys.readouterr()
        assert code == 0, (name, err)
        assert Image.open(tmp_path / name).size == (32, 27)
    settings = json.loads((tmp_path / "blend.json").read_text())["settings"]
    assert settings["style"] == [str(style), str(other)]
    assert settings["style_blend"] == [0.7, 0.3]
    assert json.loads((tmp_path / "lum.json").read_text())["settings"]["style"] == str(style)


def control_bad_cases(tmp_path, content, style):
    """Bad uses of the controls: (arguments, expected part of the message)."""
    other = tmp_path / "other.png"
    Image.fromarray(gradient_image(30, 36, seed=5)).save(other)
    mask = tmp_path / "mask.png"
    Image.fromarray(np.full((40, 48), 255, np.uint8)).save(mask)
    wide = tmp_path / "wide.png"
    Image.fromarray(np.full((20, 48), 255, np.uint8)).save(wide)
    black = tmp_path / "black.png"
    Image.fromarray(np.zeros((40, 48), np.uint8)).save(black)
    out = tmp_path / "out.png"
    return {
        "two masks for one style": ([content, style, "-o", out, "--mask", mask, "--mask", mask],
                                    "2 --mask for 1 style"),
        "mask that does not fit": ([content, style, "-o", out, "--mask", wide],
                                   "does not fit the content"),
        "black mask": ([content, style, "-o", out, "--mask", black], "covers no pixel"),
        "missing mask": ([content, style, "-o", out, "--mask", tmp_path / "no.png"],
                         "no such file"),
        "blend and mask": ([content, style, other, "-o", out, "--mask", mask, "--mask", mask,
                            "--style-blend", "1,1"], "do not combine"),
        "too many blend weights": ([content, style, other, "-o", out, "--style-blend",
                                    "1,2,3"], "--style-blend has 3 weight(s)"),
        "blend weights for one style": ([content, style, "-o", out, "--style-blend", "0.5,0.5"],
                                        "for 1 style image"),
        "negative blend weight": ([content, style, other, "-o", out, "--style-blend", "1,-1"],
                                  ">= 0"),
        "zero blend weights": ([content, style, other, "-o", out, "--style-blend", "0,0"],
                               "not all be 0"),
        "--style-scale 0": ([content, style, "-o", out, "--style-scale", 0],
                            "--style-scale must be > 0"),
        "negative style scale": ([content, style, "-o", out, "--style-scale", -0.5],
                                 "--style-scale must be > 0"),
        "style scale too small": ([content, style, "-o", out, "--style-scale", 0.02],
                                  "at least 16 px"),
        "style scale too small at a coarse scale": (
            [content, style, "-o", out, "--size", 64, "--scales", 3, "--style-scale", 0.4],
            "at least 16 px"),
        "coarse-fine with one style": ([content, style, "-o", out, "--coarse-fine", "conv3_1"],
                                       "needs two style images"),
        "coarse-fine at the first layer": ([content, style, other, "-o", out, "--coarse-fine",
                                            "conv1_1"], "both sides"),
        "unknown preserve-color": ([content, style, "-o", out, "--preserve-color", "sepia"],
                                   "invalid choice"),
    }


def test_bad_controls_are_one_line_exit_2_nothing_written(capsys, image_files, tmp_path):
    content, style = image_files
    for name, (args, expected) in control_bad_cases(tmp_path, content, style).items():
        before = snapshot(tmp_path)
        try:
            code = cli.main(["transfer", *[str(a) for a in args], "--quiet", "--steps", "1"])
        except SystemExit as exc:  # argparse errors
            code = exc.code
        _, err = capsys.readouterr()
        lines = err.strip().splitlines()
        assert code == 2, f"{name}: exit {code}, stderr {err!r}"
        assert len(lines) == 1 and lines[0].startswith("error:"), f"{name}: {err!r}"
        assert expected in lines[0], f"{name}: {lines[0]!r}"
        assert snapshot(tmp_path) == before, f"{name}: files changed"


def test_bad_controls_in_a_real_process_do_not_import_tensorflow(image_files, tmp_path):
    content, style = image_files
    probe = ("import sys, runpy; sys.argv = ['styletransfer_tf', *sys.argv[1:]]\n"
             "try:\n    runpy.run_module('styletransfer_tf', run_name='__main__')\n"
             "finally:\n    print('tensorflow' in sys.modules, file=sys.stdout)")
    cases = control_bad_cases(tmp_path, content, style)
    for name in ("mask that does not fit", "too many blend weights", "negative blend weight",
                 "style scale too small at a coarse scale", "--style-scale 0"):
        args, expected = cases[name]
        before = snapshot(tmp_path)
        proc = subprocess.run(
            [sys.executable, "-c", probe, "transfer", *[str(a) for a in args], "--quiet",
             "--steps", "1"], capture_output=True, text=True, cwd=REPO, timeout=120,
            env={k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"})
        lines = proc.stderr.strip().splitlines()
        assert proc.returncode == 2, f"{name}: exit {proc.returncode}, {proc.stderr!r}"
        assert len(lines) == 1 and expected in lines[0], f"{name}: {proc.stderr!r}"
        assert proc.stdout.strip() == "False", f"{name}: TensorFlow was imported"
        assert snapshot(tmp_path) == before, f"{name}: files changed"


def test_library_rejects_bad_controls(image_files):
    content, style = image_files
    with pytest.raises(StyleTransferError, match="preserve_color"):
        st.stylize(content, style, preserve_color="sepia", weights=None)
    with pytest.raises(StyleTransferError, match="style_scale"):
        st.stylize(content, style, style_scale=0, weights=None)
    with pytest.raises(StyleTransferError, match="1 mask"):
        st.stylize(content, [style, style], masks=[np.ones((40, 48), np.float32)],
                   weights=None)
    with pytest.raises(StyleTransferError, match="do not combine"):
        st.stylize(content, [style, style], style_blend=[1, 1],
                   masks=[np.ones((40, 48), np.float32)] * 2, weights=None)
    with pytest.raises(StyleTransferError, match="2 weight"):
        st.stylize(content, style, style_blend=[1, 1], weights=None)
