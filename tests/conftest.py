"""Shared fixtures.

Fast tests use VGG19 with random weights (``weights=None``) and tiny images. Tests marked
``weights`` need the real ImageNet weights, found through STYLETRANSFER_VGG19_WEIGHTS;
they skip with a reason when it is unset (.ci/run sets it from ../shared/weights).
"""

import os
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

REPO = Path(__file__).resolve().parents[1]
SHARED_IMAGES = REPO.parent / "shared" / "images"


def real_weights_path():
    path = os.environ.get("STYLETRANSFER_VGG19_WEIGHTS")
    return path if path and Path(path).is_file() else None


requires_weights = pytest.mark.skipif(
    real_weights_path() is None,
    reason="real VGG19 weights not found: set STYLETRANSFER_VGG19_WEIGHTS to the .h5 file "
    "(.ci/run does this from ../shared/weights)")


def gradient_image(height, width, seed=0):
    """A smooth colourful RGB uint8 test image with some noise, (H, W, 3)."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:height, 0:width]
    base = np.stack([255 * xx / max(width - 1, 1), 255 * yy / max(height - 1, 1),
                     127 + 100 * np.sin(xx / 3.0 + yy / 5.0)], axis=-1)
    return np.clip(base + rng.normal(0, 10, base.shape), 0, 255).astype(np.uint8)


@pytest.fixture
def image_files(tmp_path):
    """Two small PNG files (content 48x40, style 40x48) and their folder."""
    content, style = tmp_path / "content.png", tmp_path / "style.png"
    Image.fromarray(gradient_image(40, 48, seed=1)).save(content)
    Image.fromarray(gradient_image(48, 40, seed=2)).save(style)
    return content, style
