"""What lecture 6 (notebooks/06_controlling_perceptual_factors) is built on, besides the
controls themselves (tests/test_controls.py): its figures (plotting.plot_image_rows,
overlay_masks, plot_masks) and its cached stylize runs (notebook.cached_stylize). No
network here: stylize is replaced by a stand-in that counts its calls."""

import numpy as np
import pytest
from matplotlib.figure import Figure
from PIL import Image

from styletransfer_tf import notebook, plotting


def rgb(height, width, value):
    return np.full((height, width, 3), value, np.uint8)


def test_image_rows_of_different_lengths_with_labels():
    rows = [[("photo", rgb(30, 40, 10)), ("painting", rgb(60, 40, 200))],
            [("a", rgb(30, 40, 1)), ("b", rgb(30, 40, 2)), ("mask", np.eye(30, 40))]]
    fig = plotting.plot_image_rows(rows, row_labels=["inputs", "results"], suptitle="S")
    assert isinstance(fig, Figure)
    assert len(fig.axes) == 6                        # 2 rows x 3 columns
    titles = [ax.get_title() for ax in fig.axes]
    assert titles == ["photo", "painting", "", "a", "b", "mask"]
    assert not fig.axes[2].axison                     # the blank panel of the short row
    assert [t.get_text() for t in fig.axes[0].texts] == ["inputs"]
    assert [t.get_text() for t in fig.axes[3].texts] == ["results"]
    np.testing.assert_array_equal(fig.axes[1].get_images()[0].get_array(), rgb(60, 40, 200))
    assert fig.axes[5].get_images()[0].get_cmap().name == "gray"   # a 2-D array: grey
    assert fig.get_suptitle() == "S"
    with pytest.raises(ValueError):
        plotting.plot_image_rows([[]])


def test_overlay_masks_by_hand():
    image = rgb(2, 3, 100)
    first = np.array([[1, 0, 0.5], [0, 0, 0]], float)
    second = np.array([[0, 0, 0], [1, 1, 0]], float)
    out = plotting.overlay_masks(image, [first, second], colors=[(255, 0, 0), (0, 0, 255)],
                                 opacity=0.5)
    assert out.dtype == np.uint8
    np.testing.assert_array_equal(out[0, 0], [178, 50, 50])          # half red over 100
    np.testing.assert_array_equal(out[0, 2], [139, 75, 75])          # a quarter red
    np.testing.assert_array_equal(out[1, 0], [50, 50, 178])          # half blue
    np.testing.assert_array_equal(out[0, 1], [100, 100, 100])        # no mask: unchanged
    np.testing.assert_array_equal(out[1, 2], [100, 100, 100])
    with pytest.raises(ValueError, match="mask 1"):
        plotting.overlay_masks(image, [np.ones((3, 3))])


def test_plot_masks_shows_the_regions_then_each_mask():
    image = rgb(20, 30, 120)
    top = np.zeros((20, 30))
    top[:8] = 1
    fig = plotting.plot_masks(image, [top, 1 - top], ["Starry", "Scream"])
    titles = [ax.get_title() for ax in fig.axes]
    assert titles == ["Regions: Starry (red), Scream (blue)", "mask 1: Starry",
                      "mask 2: Scream"]
    np.testing.assert_array_equal(fig.axes[0].get_images()[0].get_array(),
                                  plotting.overlay_masks(image, [top, 1 - top]))
    with pytest.raises(ValueError, match="2 labels for 1 masks"):
        plotting.plot_masks(image, [top], ["a", "b"])


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("STYLETRANSFER_CACHE", str(tmp_path / "cache"))
    content, style, weights = tmp_path / "c.png", tmp_path / "s.png", tmp_path / "w.h5"
    Image.fromarray(rgb(8, 12, 50)).save(content)
    Image.fromarray(rgb(12, 8, 90)).save(style)
    weights.write_bytes(b"weights")
    return content, style, weights


class FakeStylize:
    """Stands in for optimize.stylize: records its calls, returns a small image."""

    def __init__(self):
        self.calls = []

    def __call__(self, content, style, **options):
        self.calls.append((content, style, options))
        history = {"step": [0, 1], "seconds": [0.0, 0.5], "scale": [0, 0],
                   "content": [2.0, 1.0], "style": [4.0, 3.0], "tv": [0.0, 0.0],
                   "total": [6.0, 4.0], "message": "done"}
        return rgb(6, 9, len(self.calls)), history


def test_cached_stylize_runs_once_then_reads_the_cache(cache):
    content, style, weights = cache
    fake, lines = FakeStylize(), []
    options = dict(size=12, steps=2, weights=str(weights), style_scale=2.0,
                   masks=[np.ones((8, 12))])
    first = notebook.cached_stylize("run", content, style, say=lines.append, run=fake, **options)
    again = notebook.cached_stylize("run", content, style, say=lines.append, run=fake, **options)
    assert len(fake.calls) == 1 and not first.cached and again.cached
    np.testing.assert_array_equal(first.image, again.image)
    assert again.history["total"] == [6.0, 4.0] and again.seconds == first.seconds
    assert lines[0].startswith("run: 9x6 px, ") and lines[0].endswith(" s")
    assert lines[1].startswith("run: 9x6 px, from the cache (it took ")
    assert len(list(notebook.stylize_cache_dir().glob("*.npz"))) == 1
    # anything that changes the result is a new entry: an option, a mask, a file's bytes
    notebook.cached_stylize("x", content, style, say=lines.append, run=fake,
                            **dict(options, style_scale=0.5))
    notebook.cached_stylize("x", content, style, say=lines.append, run=fake,
                            **dict(options, masks=[np.zeros((8, 12))]))
    Image.fromarray(rgb(8, 12, 51)).save(content)
    notebook.cached_stylize("x", content, style, say=lines.append, run=fake, **options)
    assert len(fake.calls) == 4
    # progress bars do not matter; CACHE = False recomputes
    notebook.cached_stylize("x", content, style, say=lines.append, run=fake, verbose=False,
                            **options)
    notebook.cached_stylize("x", content, style, cache=False, say=lines.append, run=fake,
                            **options)
    assert len(fake.calls) == 5


def test_random_weights_are_never_cached(cache):
    content, style, _ = cache
    fake = FakeStylize()
    assert notebook.stylize_key(content, style, {"weights": None}) is None
    for _ in range(2):
        notebook.cached_stylize("r", content, style, say=lambda line: None, run=fake,
                                weights=None)
    assert len(fake.calls) == 2
    assert not notebook.stylize_cache_dir().exists()


def test_cost_line():
    runs = [notebook.Stylized("a", None, {}, 120.0), notebook.Stylized("b", None, {}, 60.0),
            notebook.Stylized("c", None, {}, 30.0, cached=True)]
    assert notebook.cost_line(runs) == ("this cell: 3 image(s), 2 optimised here in 3.0 min, "
                                        "1 from the cache (they took 30 s when they ran)")
    assert notebook.cost_line(runs[:1], "colour") == \
        "colour: 1 image(s), 1 optimised here in 2.0 min"


def test_layer_style_distances_average_to_the_style_distance():
    from conftest import gradient_image
    from styletransfer_tf import metrics
    extractor = metrics.scoring_extractor(weights=None)
    image, style = gradient_image(40, 48, seed=1), gradient_image(48, 40, seed=2)
    per_layer = metrics.layer_style_distances(image, style, extractor, size=48)
    assert list(per_layer) == ["conv1_1", "conv2_1", "conv3_1", "conv4_1", "conv5_1"]
    scores = metrics.score_images(image, image, style, extractor, size=48)
    assert np.mean(list(per_layer.values())) == pytest.approx(scores["S"], rel=1e-9)
    assert all(v == 0 for v in metrics.layer_style_distances(style, style, extractor,
                                                              size=48).values())
