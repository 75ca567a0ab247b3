"""The lectures' plots (styletransfer_tf/plotting.py) draw what they are given; no network."""

import base64
import io

import numpy as np
import pytest
from matplotlib.figure import Figure
from PIL import Image

from styletransfer_tf import plotting

LAYERS = ["conv1_2", "conv2_2", "conv3_2", "conv4_2", "conv5_2"]


def test_layer_scores_two_axes():
    fig = plotting.plot_layer_scores(LAYERS, [30, 25, 20, 15, 12], [0.9, 0.8, 0.5, 0.3, 0.2])
    assert isinstance(fig, Figure) and len(fig.axes) == 2
    psnr, ssim = (ax.lines[0].get_ydata() for ax in fig.axes)
    assert list(psnr) == [30, 25, 20, 15, 12] and ssim[0] == 0.9
    assert fig.axes[1].get_ylim() == (0, 1)


def test_gram_beside_image():
    image = np.zeros((12, 16, 3), np.uint8)
    gram = np.arange(16.0).reshape(4, 4)
    fig = plotting.plot_gram(image, gram, "painting", "G / M")
    left, right = fig.axes[:2]
    assert left.get_title() == "painting" and right.get_title() == "G / M"
    np.testing.assert_array_equal(right.get_images()[0].get_array(), gram)
    assert len(fig.axes) == 3  # and a colour bar


def test_mean_activations_medians_skip_dead_filters():
    raw = {"block1_conv1": np.array([1.0, 3.0, 100.0]), "block5_conv4": np.array([0.0, 0.02, 0.04])}
    rescaled = {"block1_conv1": np.ones(3), "block5_conv4": np.array([0.0, 1.0, 1.0])}
    fig = plotting.plot_mean_activations({"Keras weights": raw, "normalised": rescaled})
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["conv1_1", "conv5_4"]
    np.testing.assert_allclose(ax.lines[0].get_ydata(), [3.0, 0.03])
    np.testing.assert_allclose(ax.lines[1].get_ydata(), [1.0, 1.0])


def test_tradeoff_labels_last_curve():
    curves = {"conv1_1": ([1, 2], [4, 3]), "conv1_1 … conv5_1": ([5, 6], [8, 7])}
    fig = plotting.plot_tradeoff(curves, labels=["a", "b"])
    ax = fig.axes[0]
    assert ax.get_xscale() == "log" and ax.get_yscale() == "log" and len(ax.lines) == 2
    assert [t.get_text() for t in ax.texts] == ["a", "b"]
    assert ax.texts[0].xy == (5, 8)


def test_distance_matrices_share_one_scale_and_print_values():
    a = np.array([[0.0, 10.0], [10.0, 0.0]])
    b = np.array([[0.0, 40.0], [40.0, 0.0]])
    fig = plotting.plot_distance_matrices({"starts": a, "results": b}, ["x", "y"])
    heat_a, heat_b = (ax.get_images()[0] for ax in fig.axes[:2])
    assert heat_a.get_clim() == heat_b.get_clim() == (0, 40.0)
    assert [t.get_text() for t in fig.axes[1].texts] == ["0", "40", "40", "0"]
    assert [ax.get_title() for ax in fig.axes[:2]] == ["starts", "results"]
    # row labels once, on the left: on the second panel they would overlap the first
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == ["x", "y"]
    assert [t.get_text() for t in fig.axes[1].get_yticklabels()] == ["", ""]


def test_screen_panels_are_at_least_400_px():
    assert plotting.SCREEN_PANEL_WIDTH * plotting.SCREEN_DPI >= 400


@pytest.mark.parametrize("with_image, expected", [(True, "image/jpeg"), (False, "image/png")])
def test_show_displays_full_size_unconfined(monkeypatch, with_image, expected):
    shown = []
    import IPython.display
    monkeypatch.setattr(IPython.display, "display", lambda obj: shown.append(obj))
    fig = Figure(figsize=(8, 2))
    ax = fig.subplots()
    if with_image:
        ax.imshow(np.zeros((4, 4, 3)))
    else:
        ax.plot([0, 1], [0, 1])
    plotting.show(fig)
    (image,) = shown
    data, metadata = image._repr_mimebundle_()
    assert expected in data and metadata.get(expected, {}).get("unconfined") is True
    raw = data[expected]
    raw = base64.b64decode(raw) if isinstance(raw, str) else raw
    assert Image.open(io.BytesIO(raw)).size == (800, 200)


def _figure_of_inputs(n, row_labels=(), col_labels=()):
    from styletransfer_tf.figures import FigureResult
    panel = ("input", "photo", np.zeros((30, 40, 3), np.uint8))
    return FigureResult(figure="t", title="test", grid=[[panel] * n],
                        row_labels=list(row_labels), col_labels=list(col_labels))


def test_long_rows_wrap_but_labelled_columns_stay():
    fig = plotting.plot_figure(_figure_of_inputs(5, row_labels=["r"]), footer=False, max_cols=3)
    rows = sorted({round(ax.get_position().y0, 3) for ax in fig.axes})
    assert len(fig.axes) == 5 and len(rows) == 2
    assert [t.get_text() for ax in fig.axes for t in ax.texts] == ["r", ""]
    fig = plotting.plot_figure(_figure_of_inputs(5, col_labels="abcde"), footer=False, max_cols=3)
    assert len({round(ax.get_position().y0, 3) for ax in fig.axes}) == 1


def test_show_figure_panels_are_screen_wide(monkeypatch):
    shown = []
    import IPython.display
    monkeypatch.setattr(IPython.display, "display", lambda obj: shown.append(obj))
    plotting.show_figure(_figure_of_inputs(2), footer=False, suptitle=False)
    data, _ = shown[0]._repr_mimebundle_()
    raw = data["image/jpeg"]
    raw = base64.b64decode(raw) if isinstance(raw, str) else raw
    width = Image.open(io.BytesIO(raw)).size[0]
    assert width >= 2 * 400
