"""Checks with the real ImageNet VGG19 weights (skipped when STYLETRANSFER_VGG19_WEIGHTS is unset)."""

import numpy as np
import tensorflow as tf

import styletransfer_tf as st
from styletransfer_tf import images as imgs

from conftest import REPO, SHARED_IMAGES, real_weights_path, requires_weights

pytestmark = requires_weights


def content_image():
    """The paper's Tuebingen photo when ../shared/images has it, else the project's sample."""
    paper = SHARED_IMAGES / "tubingen.jpg"
    return paper if paper.exists() else REPO / "images" / "sample_content.png"


def style_image():
    paper = SHARED_IMAGES / "starry_night.jpg"
    return paper if paper.exists() else REPO / "images" / "sample_style.png"


def test_style_transfer_lowers_style_loss_by_90_percent():
    _, history = st.stylize(content_image(), style_image(), size=96, scales=1, steps=100,
                            optimizer="adam", alpha=1.0 * (96 / 512) ** 2, beta=10.0,
                            style_size="content", weights=real_weights_path(),
                            init="content", verbose=False)
    drop = 1 - history["style"][-1] / history["style"][0]
    print(f"style loss {history['style'][0]:.4g} -> {history['style'][-1]:.4g} ({drop:.1%} lower)")
    assert drop >= 0.90


def test_conv1_2_reconstruction_from_noise_reaches_22_db():
    size = 128
    content = imgs.load_image(content_image(), size=size)
    image, history = st.stylize(content, content, size=size, scales=1, steps=500,
                                optimizer="lbfgs",
                                alpha=1.0, beta=0.0, content_layers=["conv1_2"],
                                style_layers=["conv1_1"], init="noise", seed=0,
                                weights=real_weights_path(), verbose=False)
    psnr = float(tf.image.psnr(imgs.to_uint8(content), image, max_val=255))
    print(f"conv1_2 reconstruction: PSNR {psnr:.2f} dB after {history['step'][-1]} L-BFGS "
          f"iterations ({history['seconds'][-1]:.1f} s)")
    assert psnr >= 22.0
    assert history["step"][-1] <= 500
