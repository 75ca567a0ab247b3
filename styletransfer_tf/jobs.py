"""Running the paper's experiments: jobs (one synthesised image each), batching, the cache.

* A figure is a list of :class:`Job` s. Jobs that need the VGG19 up to the same depth are
  optimised together as ONE batch with Adam: one image per batch entry, each with its own
  alpha, beta and layer weights (zero for layers an entry does not use). Adam is
  element-wise and the entries' losses do not interact, so the batch gives the same images
  as separate runs (tested). Jobs needing a shallower network are not padded to the
  deepest one, because on a CPU every batch entry costs the full depth. L-BFGS couples the
  entries through its line search, so with L-BFGS every job runs alone.
* Every finished job is cached as an ``.npz`` under ``~/.cache/styletransfer_tf/experiments/``
  (``$STYLETRANSFER_CACHE`` moves it), keyed by everything that determines the result:
  the job, the settings, the image files' bytes and the weights file. Random weights
  (``weights=None``, tests) are never cached.
* Images are named as in the paper's set (``paper_images.paper_image_path``); where a file
  is missing, the kit's sample content image (for the photograph) or sample style image
  (for every painting) stands in, and the figures' notes say so.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import images as imgs
from . import paper_images
from .errors import StyleTransferError
from .layers import STYLE_LAYERS, keras_layer_name, layer_depth
from .paths import atomic_path, file_sha256
from .presets import CONTENT_IMAGES, loss_weights

SAMPLE_CONTENT = imgs.sample_image_path("content")
SAMPLE_STYLE = imgs.sample_image_path("style")

#: Bump when a change to this module changes results, so old cache entries are ignored.
CACHE_VERSION = 1

#: The parts of a loss history kept in the cache.
HISTORY_KEYS = ("step", "seconds", "scale", "content", "style", "tv", "total")


@dataclass(frozen=True)
class Job:
    """One image to synthesise.

    Attributes:
        label: panel title.
        content, style: paper image names (see :data:`TITLES`).
        content_layers: layers whose features are matched (Eq. 1); empty for pure style.
        style_layers: layers whose Gram matrices are matched, w_l = 1/len (Eq. 5); empty
            for pure content.
        ratio: alpha/beta as in the paper (ignored when one of the layer lists is empty).
        init: "noise", "content" or "style".
        seed: seed of the noise start image.
    """

    label: str
    content: str = "tubingen"
    style: str = "starry_night"
    content_layers: tuple = ("conv4_2",)
    style_layers: tuple = STYLE_LAYERS
    ratio: float = 1e-3
    init: str = "noise"
    seed: int = 0

    def key_fields(self):
        out = dataclasses.asdict(self)
        del out["label"]
        out["content_layers"] = list(self.content_layers)
        out["style_layers"] = list(self.style_layers)
        return out


@dataclass
class JobResult:
    """A synthesised image (uint8 RGB) with its loss history and timing.

    ``history`` holds lists ``step``, ``seconds``, ``content``, ``style``, ``tv``,
    ``total`` (one float per step, raw loss values of Eqs. 1 and 5, not weighted).
    ``seconds`` is the wall time of the optimisation the job was part of and
    ``batch`` the number of images optimised together in it.
    """

    job: Job
    image: np.ndarray
    history: dict
    seconds: float
    batch: int
    cached: bool = False


# ----------------------------------------------------------------------------------------
# Images


def image_path(name):
    """Path of a paper image by name, or the project's sample standing in for it.

    Returns ``(path, substituted)``.
    """
    path = paper_images.paper_image_path(name)
    if path is not None:
        return path, False
    return (SAMPLE_CONTENT if name in CONTENT_IMAGES else SAMPLE_STYLE), True


def load_named(name, size=None, shape=None):
    """A paper image (or its stand-in) as float32 RGB, longest side ``size`` or ``shape``."""
    path, _ = image_path(name)
    return imgs.load_image(path, size=size, shape=shape)


def substitution_notes(names):
    """One note per paper image that is missing and replaced by a sample image."""
    notes = []
    for name in dict.fromkeys(names):
        path, substituted = image_path(name)
        if substituted:
            notes.append(f"{name}.jpg not found (set ${paper_images.ENV_VAR} or run "
                         f"`python -m styletransfer_tf download-images`); used {path.name}")
    return notes


def normalization_images(size):
    """The images the network is normalised on: the six paper images (stand-ins where
    missing), each with longest side ``size``. Using one fixed set for every figure keeps
    the network, and so the cache, shared between figures."""
    paths = dict.fromkeys(image_path(Path(n).stem)[0] for n in paper_images.PAPER_IMAGES)
    return [imgs.load_image(p, size=size) for p in paths]


_RANDOM_NORM_DIR = None


def network_weights(config):
    """The weights argument for ``vgg.feature_extractor`` under ``config``: a normalised
    ``.weights.h5`` file (made once per size/pooling) or ``config.weights`` itself."""
    from . import normalize
    if not config.normalize:
        return config.weights
    cache_dir = None
    if config.weights is None:  # random weights differ per process: keep them private
        global _RANDOM_NORM_DIR
        if _RANDOM_NORM_DIR is None:
            _RANDOM_NORM_DIR = tempfile.mkdtemp(prefix="styletransfer-random-")
        cache_dir = _RANDOM_NORM_DIR
    return str(normalize.normalize_vgg(normalization_images(config.size), weights=config.weights,
                                       pooling=config.pooling, cache_dir=cache_dir,
                                       floor=config.norm_floor))


# ----------------------------------------------------------------------------------------
# Cache


def cache_dir():
    from .normalize import default_cache_dir
    return default_cache_dir() / "experiments"


def job_key(job, config):
    """Hex digest naming a job's cache entry; None when it must not be cached."""
    if config.weights is None:
        return None
    from . import vgg
    record = {"version": CACHE_VERSION, "job": job.key_fields(), "settings": config.record(),
              "weights": file_sha256(vgg.resolve_weights(config.weights)),
              "content_file": file_sha256(image_path(job.content)[0]),
              "style_file": file_sha256(image_path(job.style)[0])}
    record["settings"].pop("weights")
    record["settings"].pop("preset")
    if not record["settings"]["norm_floor"]:
        record["settings"].pop("norm_floor")  # entries made before the setting existed
    if not record["settings"]["jit"]:
        # entries made before the setting existed ran without XLA: keep their names
        record["settings"].pop("jit")
    text = json.dumps(record, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:20]


def load_result(path):
    """``(image, history, meta)`` from a result file written by :func:`save_result`, or
    None when it is missing or broken (it is then recomputed)."""
    path = Path(path)
    if not path.is_file():
        return None
    try:
        with np.load(path, allow_pickle=False) as data:
            meta = json.loads(str(data["meta"]))
            history = {part: data[part].tolist() for part in HISTORY_KEYS}
            return data["image"].copy(), history, meta
    except (OSError, ValueError, KeyError):
        return None


def save_result(path, image, history, meta):
    """Store a uint8 image, the :data:`HISTORY_KEYS` parts of its loss history and a
    JSON-able ``meta`` dict as one ``.npz`` (written atomically, folder created)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(path) as tmp:
        np.savez_compressed(tmp, image=image, meta=np.array(json.dumps(meta)),
                            **{k: np.asarray(v, np.float64) for k, v in history.items()
                               if k in HISTORY_KEYS})


def _cache_load(key):
    return None if key is None else load_result(cache_dir() / f"{key}.npz")


def _cache_save(key, result):
    if key is None:
        return
    save_result(cache_dir() / f"{key}.npz", result.image, result.history,
                {"seconds": result.seconds, "batch": result.batch,
                 "job": result.job.key_fields()})


# ----------------------------------------------------------------------------------------
# Running jobs


def _keras_layers(names):
    return [keras_layer_name(n) for n in names]


def _depth(job):
    return max(layer_depth(n) for n in (*job.content_layers, *job.style_layers))


def job_start_image(job, content, style, noise_std):
    """The start image in VGG input space: the content, the style (resized to the
    content's shape), or the ImageNet mean colour plus Gaussian noise (``seed``)."""
    if job.init == "content":
        return imgs.preprocess(content)
    if job.init == "style":
        return imgs.preprocess(imgs.resize(style, shape=content.shape[:2]))
    if job.init == "noise":
        rng = np.random.default_rng(job.seed)
        return (rng.standard_normal(content.shape) * noise_std).astype(np.float32)
    raise StyleTransferError(f"init must be noise, content or style, got {job.init!r}")


def _entry_weights(job, config, size=None):
    """(alpha, beta) of a job at an image of longest side ``size`` (default config.size)."""
    if not job.style_layers:
        return 1.0, 0.0
    if not job.content_layers:
        return 0.0, 1.0
    return loss_weights(job.ratio, size or config.size, config.ratio_scaling,
                        config.ratio_calibration)


def _adam_options(config):
    return {"lr": config.lr, "lr_final": config.lr_final, "epsilon": config.epsilon,
            "jit_compile": config.jit}


def run_group(jobs, config, weights, verbose):
    """Optimise ``jobs`` (same size) as one batch; return one JobResult per job."""
    from . import optimize, vgg
    content_layers = list(dict.fromkeys(_keras_layers(
        [n for j in jobs for n in j.content_layers]))) or ["block1_conv1"]
    style_layers = list(dict.fromkeys(_keras_layers(
        [n for j in jobs for n in j.style_layers]))) or ["block1_conv1"]
    layers = list(dict.fromkeys([*content_layers, *style_layers]))
    photos = {name: load_named(name) for name in {job.content for job in jobs}}
    paintings = {name: load_named(name) for name in {job.style for job in jobs}}
    cws, sws = [], []
    for job in jobs:
        vgg.check_image_fits(imgs.fit_shape(photos[job.content].shape, config.size), layers,
                             f"{job.content} at --size {config.size}")
        own_c, own_s = set(_keras_layers(job.content_layers)), set(_keras_layers(job.style_layers))
        cws.append([1.0 if n in own_c else 0.0 for n in content_layers])
        sws.append([1.0 / len(own_s) if n in own_s else 0.0 for n in style_layers])
    shapes = {imgs.fit_shape(photos[job.content].shape, config.size) for job in jobs}
    if len(shapes) != 1:
        raise StyleTransferError("jobs in one batch need content images of one shape")
    scales, steps = optimize.pyramid_shapes(photos[jobs[0].content].shape, config.size,
                                            config.scales, config.steps, layers)

    def objective_at(shape):
        contents = [imgs.preprocess(imgs.resize(photos[job.content], shape=shape)) for job in jobs]
        styles = [imgs.preprocess(imgs.style_image_for(paintings[job.style], np.empty((*shape, 3)),
                                                      config.style_size))
                  for job in jobs]
        alphas, betas = zip(*[_entry_weights(job, config, max(shape)) for job in jobs])
        return optimize.make_objective(
            extractor, layers, content_layers, style_layers, np.stack(contents), styles,
            alpha=list(alphas), beta=list(betas), content_layer_weights=cws,
            style_layer_weights=sws)

    first = scales[0]
    init = np.stack([job_start_image(job, imgs.resize(photos[job.content], shape=first),
                                   paintings[job.style], config.noise_std) for job in jobs])
    import keras
    keras.utils.set_random_seed(0)
    start = time.perf_counter()
    extractor = vgg.feature_extractor(layers, weights=weights, pooling=config.pooling,
                                      precision=config.precision)
    if config.optimizer == "adam":
        options = _adam_options(config)
    else:
        if len(jobs) != 1:
            raise StyleTransferError("L-BFGS runs one image at a time")
        # scaled so that the first step is not lost in the normalised network's tiny loss
        options = {"jit_compile": config.jit, "scale": 5.0 * np.sqrt(init.size)}
    x, history = optimize.run_pyramid(objective_at, init, scales, steps, config.optimizer,
                                      verbose=verbose, **options)
    seconds = time.perf_counter() - start
    rgb = imgs.to_uint8(imgs.deprocess(np.asarray(x)))
    return [JobResult(job, rgb[b], optimize.history_entry(history, b), seconds, len(jobs))
            for b, job in enumerate(jobs)]


def plan_batches(jobs, optimizer="adam"):
    """Group jobs into optimisations: with Adam, jobs of equal network depth share one
    batch; with L-BFGS every job is its own. Returns a list of lists of jobs."""
    if optimizer != "adam":
        return [[job] for job in jobs]
    groups = {}
    for job in jobs:
        groups.setdefault(_depth(job), []).append(job)
    return [groups[d] for d in sorted(groups)]


def run_jobs(jobs, config, cache=True, verbose=True):
    """Run (or fetch from the cache) every job; results in the order of ``jobs``.

    Identical jobs are computed once. Returns a list of :class:`JobResult`.
    """
    def same(job):  # jobs that differ only in their label are one computation
        return json.dumps(job.key_fields(), sort_keys=True)

    results, todo = {}, {}
    for job in jobs:
        if same(job) in results or same(job) in todo:
            continue
        key = job_key(job, config) if cache else None
        hit = _cache_load(key)
        if hit is not None:
            image, history, meta = hit
            results[same(job)] = JobResult(job, image, history, meta["seconds"], meta["batch"],
                                           True)
        else:
            todo[same(job)] = job
    if todo:
        weights = network_weights(config)
        for group in plan_batches(list(todo.values()), config.optimizer):
            if verbose:
                print(f"optimising {len(group)} image(s) together with {config.optimizer}: "
                      + "; ".join(j.label.replace(chr(10), " ") for j in group), flush=True)
            for result in run_group(group, config, weights, verbose):
                results[same(result.job)] = result
                if cache:
                    _cache_save(job_key(result.job, config), result)
    return [dataclasses.replace(results[same(job)], job=job) for job in jobs]
