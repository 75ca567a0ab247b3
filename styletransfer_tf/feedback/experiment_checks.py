"""Task 7: the check of the experiment, and the sample images the notebooks run it on."""

import math

import numpy as np

from .. import images as _images
from .reference import _fail


def check_experiment(experiment_results):
    """Task 7: at least two settings were run, each with a finite loss history."""
    name = "experiment_results"
    if experiment_results is None or experiment_results is Ellipsis:
        _fail(name, "is missing: choose your settings in EXPERIMENT_SETTINGS and run the "
                    "experiment cell.", "run the cells of Task 7 from the top.")
    if not isinstance(experiment_results, dict):
        _fail(name, f"should be the dict returned by run_experiment, got a "
                    f"{type(experiment_results).__name__}.",
              "assign experiment_results = run_experiment(EXPERIMENT_SETTINGS).")
    if len(experiment_results) < 2:
        _fail(name, f"has {len(experiment_results)} setting(s); an experiment compares at "
                    "least two.", "add a second entry to EXPERIMENT_SETTINGS and rerun.")
    for label, result in experiment_results.items():
        losses = np.asarray(result.get("losses", []) if isinstance(result, dict) else [],
                            np.float64)
        if losses.size < 2 or not np.all(np.isfinite(losses)):
            _fail(name, f"setting {label!r} has no finite loss history.",
                  "make Tasks 1-6 pass first, then rerun the experiment cell.")


# ---------------------------------------------------------------- helpers for notebooks


def sample_images(size=128):
    """The kit's sample content and style images as float32 RGB (1, H, W, 3) batches.

    Uses the kit's sample images (:func:`styletransfer_tf.images.sample_image_path`);
    if the package is installed without them, draws two simple synthetic pictures.
    """
    paths = [_images.sample_image_path("content"), _images.sample_image_path("style")]
    if all(p.is_file() for p in paths):
        content = _images.load_image(paths[0], size=size)
        style = _images.load_image(paths[1], shape=content.shape[:2])
        return content[None], style[None]
    rows, cols = np.mgrid[0:size, 0:size] / max(size - 1, 1)
    content = np.stack([255 * rows, 255 * cols, 255 * (rows > 0.6)], -1)
    waves = 0.5 + 0.5 * np.sin(12 * math.pi * (rows + 0.3 * np.sin(6 * cols)))
    style = np.stack([255 * waves, 180 * (1 - waves), 255 * cols * waves], -1)
    return content[None].astype(np.float32), style[None].astype(np.float32)
