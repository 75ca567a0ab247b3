"""Loading odd-but-valid images, VGG preprocessing and safe saving."""

import keras
import numpy as np
import pytest
from PIL import Image

from styletransfer_tf import images as imgs
from styletransfer_tf.errors import StyleTransferError

from conftest import gradient_image


def test_preprocess_matches_keras_and_deprocess_inverts():
    rgb = np.random.default_rng(0).uniform(0, 255, (2, 5, 7, 3)).astype(np.float32)
    expected = keras.applications.vgg19.preprocess_input(rgb.copy())
    np.testing.assert_allclose(imgs.preprocess(rgb), expected, rtol=1e-6)
    # By hand: BGR order, ImageNet means 103.939 (B), 116.779 (G), 123.68 (R).
    assert np.isclose(imgs.preprocess(rgb)[0, 0, 0, 0], rgb[0, 0, 0, 2] - 103.939)
    np.testing.assert_allclose(imgs.deprocess(imgs.preprocess(rgb)), rgb, atol=1e-4)


def save(img, path, **kw):
    img.save(path, **kw)
    return path


@pytest.mark.parametrize("mode,suffix", [("L", ".png"), ("RGBA", ".png"), ("P", ".png"),
                                         ("CMYK", ".jpg"), ("RGB", ".webp"), ("RGB", ".bmp"),
                                         ("RGB", ".tiff"), ("LA", ".png")])
def test_odd_modes_load_as_rgb(tmp_path, mode, suffix):
    rgb = Image.fromarray(gradient_image(20, 30))
    path = save(rgb.convert(mode), tmp_path / f"img{suffix}")
    arr = imgs.load_image(path)
    assert arr.shape == (20, 30, 3) and arr.dtype == np.float32
    assert 0 <= arr.min() and arr.max() <= 255


def test_transparent_pixels_become_white(tmp_path):
    rgba = np.zeros((4, 4, 4), dtype=np.uint8)  # black, fully transparent
    path = save(Image.fromarray(rgba, "RGBA"), tmp_path / "t.png")
    np.testing.assert_array_equal(imgs.load_image(path), 255)


def test_16_bit_png_is_scaled_not_clipped(tmp_path):
    values = np.array([[0, 65535], [32896, 1000]], dtype=np.uint16)
    path = save(Image.fromarray(values), tmp_path / "deep.png")
    arr = imgs.load_image(path)
    np.testing.assert_allclose(arr[..., 0], values / 65535 * 255, atol=1e-3)
    assert np.all(arr[..., 0] == arr[..., 2])


def test_exif_rotation_is_applied(tmp_path):
    pixels = np.zeros((10, 20, 3), dtype=np.uint8)
    pixels[:, :10] = 255  # left half white
    img = Image.fromarray(pixels)
    exif = img.getexif()
    exif[0x0112] = 6  # "rotate 90 degrees clockwise to display"
    path = save(img, tmp_path / "rot.jpg", exif=exif, quality=100)
    arr = imgs.load_image(path)
    assert arr.shape == (20, 10, 3)
    assert arr[:8].mean() > 200 and arr[12:].mean() < 50  # white half now on top


def test_resize_keeps_aspect_ratio(tmp_path):
    path = save(Image.fromarray(gradient_image(30, 60)), tmp_path / "w.png")
    assert imgs.load_image(path, size=20).shape == (10, 20, 3)
    assert imgs.load_image(path, shape=(7, 9)).shape == (7, 9, 3)


@pytest.mark.parametrize("size", [0, -5, 10**6, 2.5, True])
def test_impossible_sizes_are_rejected(size):
    with pytest.raises(StyleTransferError, match="size"):
        imgs.check_size(size)


def test_bad_files(tmp_path):
    with pytest.raises(StyleTransferError, match="no such file"):
        imgs.load_image(tmp_path / "missing.png")
    with pytest.raises(StyleTransferError, match="is a directory"):
        imgs.load_image(tmp_path)
    text = tmp_path / "notes.jpg"
    text.write_text("not a picture")
    with pytest.raises(StyleTransferError, match="not an image"):
        imgs.load_image(text)
    good = save(Image.fromarray(gradient_image(64, 64)), tmp_path / "full.jpg")
    cut = tmp_path / "cut.jpg"
    cut.write_bytes(good.read_bytes()[: len(good.read_bytes()) // 2])
    with pytest.raises(StyleTransferError, match="truncated or corrupt"):
        imgs.load_image(cut)


def test_save_png_and_jpeg_and_refuse_overwrite(tmp_path):
    rgb = gradient_image(8, 12)
    png = imgs.save_image(tmp_path / "a.png", rgb)
    np.testing.assert_array_equal(np.asarray(Image.open(png)), rgb)
    jpg = imgs.save_image(tmp_path / "a.jpg", rgb)
    assert Image.open(jpg).format == "JPEG"
    before = png.read_bytes()
    with pytest.raises(StyleTransferError, match="already exists"):
        imgs.save_image(png, np.zeros((8, 12, 3)))
    assert png.read_bytes() == before
    imgs.save_image(png, np.zeros((8, 12, 3)), overwrite=True)
    assert np.asarray(Image.open(png)).max() == 0
    with pytest.raises(StyleTransferError, match=".png, .jpg"):
        imgs.save_image(tmp_path / "a.gif", rgb)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.jpg", "a.png"]  # no temp files


def test_to_uint8_rounds_and_clips():
    np.testing.assert_array_equal(imgs.to_uint8(np.array([-3.0, 0.4, 0.6, 254.6, 300.0])),
                                  [0, 0, 1, 255, 255])


def test_sample_images_are_package_data():
    """The sample images live in the package (so ``pip install .`` ships them) and the
    checkout's ``images/sample_*.png`` are the same files."""
    from conftest import REPO
    package = REPO / "styletransfer_tf"
    for which, name in [("content", "sample_content.png"), ("style", "sample_style.png")]:
        path = imgs.sample_image_path(which)
        assert path == package / "data" / name and path.is_file()
        assert imgs.load_image(path).shape == (256, 384, 3)
        assert (REPO / "images" / name).read_bytes() == path.read_bytes()
    with pytest.raises(StyleTransferError, match="no sample image 'starry'; choose one of "
                                                 "content, style"):
        imgs.sample_image_path("starry")
