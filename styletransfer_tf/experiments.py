"""The paper's experiments, one function per figure, shared by the notebooks and the CLI.

Gatys, Ecker & Bethge, "Image Style Transfer Using Convolutional Neural Networks",
CVPR 2016 (figure numbers below are the CVPR ones; the arXiv preprint 1508.06576,
"A Neural Algorithm of Artistic Style", numbers some of them differently).

Every figure function (:func:`figure1` ... :func:`figure6`, plus :func:`pooling_comparison`
and :func:`optimizer_comparison` for the notebooks) returns a :class:`FigureResult`: the
synthesised images laid out as the paper's grid, each with its loss history, the
settings used and the time taken. ``plotting.plot_figure(result)`` draws it.

How the work is done
--------------------
* A figure is a list of :class:`Job` s (one synthesised image each). Jobs that need the
  VGG19 up to the same depth are optimised together as ONE batch with Adam: one image
  per batch entry, each with its own alpha, beta and layer weights (zero for layers an
  entry does not use). Adam is element-wise and the entries' losses do not interact, so
  the batch gives the same images as separate runs (``tests/test_experiments.py`` checks
  it). Jobs needing a shallower network are not padded to the deepest one, because on a
  CPU every batch entry costs the full depth. L-BFGS couples the entries through its
  line search, so with L-BFGS every job runs alone.
* Every finished job is cached as an ``.npz`` under ``~/.cache/styletransfer_tf/experiments/``
  (``$STYLETRANSFER_CACHE`` moves it), keyed by everything that determines the result:
  the job, the settings, the image files' bytes and the weights file. The same run in
  two figures or in a notebook and the gallery is computed once. Random weights
  (``weights=None``, tests) are never cached.

Settings (presets)
------------------
:data:`PRESETS` holds ``paper`` (as close to the paper as this kit gets: L-BFGS, average
pooling, normalised VGG19, 512 px) and ``fast`` (Adam, 256 px, 300 steps, batched).
Both use the normalised network (``normalize.normalize_vgg``), average pooling and
the paper's alpha/beta ratios, translated to this implementation by a measured factor
and rescaled for the image size: see :func:`loss_weights` and :data:`RATIO_CALIBRATION`.

Images
------
By name from the paper's set (``paper_images.paper_image_path``: the folder in
``$STYLETRANSFER_IMAGES`` or the folder ``download-images`` fills). Where a file is
missing, the kit's sample content image (for the photograph) or sample style image (for
every painting, ``images.sample_image_path``) stands in, and :attr:`FigureResult.notes`
says so.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import os
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from . import images as imgs
from . import options, paper_images
from .errors import StyleTransferError
from .layers import STYLE_LAYERS, keras_layer_name, layer_depth

SAMPLE_CONTENT = imgs.sample_image_path("content")
SAMPLE_STYLE = imgs.sample_image_path("style")

#: Bump when a change to this module changes results, so old cache entries are ignored.
CACHE_VERSION = 1

#: The paper's image size: about 512 px (CVPR 2016, Sec. 4: "images of size 512 x 512").
PAPER_SIZE = 512


# ----------------------------------------------------------------------------------------
# The paper's settings, figure by figure (CVPR 2016 numbering).

#: Fig. 1, top row (CVPR 2016; arXiv 1508.06576 Fig. 1 "content reconstructions"):
#: the Tübingen photo reconstructed from white noise from each of these layers alone.
FIG1_CONTENT_LAYERS = ("conv1_2", "conv2_2", "conv3_2", "conv4_2", "conv5_2")

#: Fig. 1, bottom row (CVPR 2016; arXiv Fig. 1 "style reconstructions"): The Starry Night's
#: style reconstructed from white noise from growing sets of layers, w_l = 1/len(set).
FIG1_STYLE_SETS = tuple(STYLE_LAYERS[:k] for k in range(1, 6))

#: Fig. 3 (CVPR 2016; arXiv Fig. 2): Tübingen in five styles, (image, alpha/beta, title).
#: The paper's fifth painting, Picasso's "Femme nue assise" (1910, alpha/beta 5e-4), is
#: still under copyright; Hokusai's Great Wave (public domain) takes its place at 5e-4.
FIG3_STYLES = (
    ("shipwreck", 1e-3, "The Shipwreck of the Minotaur (Turner)"),
    ("starry_night", 8e-4, "The Starry Night (van Gogh)"),
    ("the_scream", 5e-3, "The Scream (Munch)"),
    ("wave", 5e-4, "The Great Wave (Hokusai), in place of Picasso"),
    ("composition_vii", 5e-4, "Composition VII (Kandinsky)"),
)

#: Fig. 4 (CVPR 2016; arXiv Fig. 3): Composition VII on Tübingen, content at conv4_2; rows
#: are the style layer sets of Fig. 1, columns these alpha/beta ratios.
FIG4_RATIOS = (1e-5, 1e-4, 1e-3, 1e-2)
FIG4_STYLE = "composition_vii"

#: Fig. 5 (CVPR 2016 only): content matched at conv2_2 versus conv4_2, alpha/beta = 1e-3.
#: The paper's style image there is a painting by Lyonel Feininger that is not in the
#: kit's image set; we use The Starry Night (so the conv4_2 panel is Fig. 6's first noise
#: sample and is computed once).
FIG5_CONTENT_LAYERS = ("conv2_2", "conv4_2")
FIG5_RATIO = 1e-3
FIG5_STYLE = "starry_night"

#: Fig. 6 (CVPR 2016 only): initialised from the content image, the style image and four
#: white-noise images; alpha/beta = 1e-3 for all. Style: The Starry Night.
FIG6_RATIO = 1e-3
FIG6_STYLE = "starry_night"
FIG6_NOISE_SEEDS = (0, 1, 2, 3)

#: Figure numbers the ``figure`` command can make (Fig. 2 is the algorithm's diagram).
FIGURES = ("1", "3", "4", "5", "6")

#: Paper image names and who they stand for (for titles).
TITLES = {"tubingen": "Tübingen (photo)", "starry_night": "The Starry Night",
          "shipwreck": "The Shipwreck of the Minotaur", "the_scream": "The Scream",
          "composition_vii": "Composition VII", "wave": "The Great Wave"}
CONTENT_IMAGES = ("tubingen",)


# ----------------------------------------------------------------------------------------
# Presets


@dataclass(frozen=True)
class Settings:
    """Everything besides the jobs themselves that determines a result.

    Attributes:
        size: longest side of the synthesised images in px.
        steps: Adam steps or L-BFGS iterations per image, at the finest scale (coarser
            scales get more, see ``optimize.steps_per_scale``).
        scales: coarse-to-fine scales (``optimize.run_pyramid``); 1 = the paper's single
            scale.
        optimizer: "adam" (batched) or "lbfgs" (one image at a time, the paper's).
        pooling: "avg" (the paper's) or "max" (Keras's).
        normalize: use the paper's rescaled VGG19 (``normalize.normalize_vgg`` over the
            images at hand; see :func:`normalization_images`). Without it the paper's
            alpha/beta ratios give nearly pure texture.
        ratio_scaling: "area" multiplies every alpha/beta by (512 / size)^2 so that content
            and style pull on each pixel as they did at the paper's 512 px (see
            :func:`loss_weights`); "none" leaves that factor out.
        ratio_calibration: every paper ratio is multiplied by this factor (see
            :data:`RATIO_CALIBRATION`); 1.0 uses the paper's numbers as printed.
        lr: Adam learning rate in pixel units (0-255 scale).
        lr_final: the learning rate decays along a cosine to ``lr * lr_final``.
        epsilon: Adam's epsilon; tiny, so Adam ignores the loss's overall scale (the
            normalised network's losses are many orders smaller than Keras's).
        noise_std: white-noise start images are the ImageNet mean colour plus Gaussian
            noise of this standard deviation (pixel units). Full-range uniform noise
            leaves visible grain after a few hundred Adam steps; the paper's white noise
            amplitude is not stated.
        weights: "imagenet" (``$STYLETRANSFER_VGG19_WEIGHTS`` or the Keras download), a
            path, or None (random weights: tests only, never cached).
        precision: "float32" or "mixed" (VGG19 in bfloat16, see ``vgg.PRECISIONS``).
        jit: compile the Adam step / L-BFGS loss-and-gradient with XLA. Off by default:
            on the CPU XLA made the step 3-4x slower (``benchmarks/README.md``).
        preset: name of the preset these came from (for the record).
    """

    size: int = 256
    steps: int = 300
    scales: int = 1
    optimizer: str = "adam"
    pooling: str = "avg"
    normalize: bool = True
    ratio_scaling: str = "area"
    ratio_calibration: float = 3e-4
    lr: float = 4.0
    lr_final: float = 0.1
    epsilon: float = 1e-8
    noise_std: float = 10.0
    weights: object = "imagenet"
    precision: str = "float32"
    jit: bool = False
    preset: str = "fast"

    def record(self):
        """A JSON-able dict of the settings (weights as a file name)."""
        out = dataclasses.asdict(self)
        out["weights"] = None if self.weights is None else str(self.weights)
        return out


#: The paper's setup as far as this kit reproduces it. Sources: CVPR 2016 Sec. 2
#: (VGG19, average pooling, rescaled weights; "L-BFGS ... we found it to work best for
#: image synthesis"), Sec. 4 (about 512 x 512 px). The number of iterations is not given
#: in the paper; 1000 L-BFGS iterations are the kit's choice. Run time: about an hour per
#: image on a 2-core CPU, minutes on a GPU.
PAPER_PRESET = Settings(size=512, steps=1000, optimizer="lbfgs", pooling="avg",
                        normalize=True, preset="paper")

#: A lecture-friendly version: same network, pooling and ratios as the paper, but Adam
#: (batched: a figure row is one optimisation), 256 px and 300 steps. Differences from
#: the paper: optimiser, image size (ratios rescaled for it), fewer iterations, and the
#: normalisation computed on the kit's images instead of the paper's image set.
FAST_PRESET = Settings(size=256, steps=300, optimizer="adam", pooling="avg", normalize=True,
                       preset="fast")

PRESETS = {"paper": PAPER_PRESET, "fast": FAST_PRESET}


def settings(preset="fast", **overrides):
    """A preset with some fields replaced; ``None`` overrides are ignored.

    >>> settings("fast", size=128).size
    128
    """
    if isinstance(preset, Settings):
        base = preset
    elif preset in PRESETS:
        base = PRESETS[preset]
    else:
        raise StyleTransferError(f"unknown preset {preset!r}; choose from {', '.join(PRESETS)}")
    overrides = {k: v for k, v in overrides.items() if v is not None or k == "weights"}
    unknown = set(overrides) - {f.name for f in dataclasses.fields(Settings)}
    if unknown:
        raise StyleTransferError(f"unknown setting(s): {', '.join(sorted(unknown))}")
    result = dataclasses.replace(base, **overrides)
    imgs.check_size(result.size)
    options.steps_per_scale(result.steps, result.scales)
    options.check_optimizer(result.optimizer)
    options.check_pooling(result.pooling)
    options.check_precision(result.precision, result.optimizer)
    if not isinstance(result.jit, (bool, np.bool_)):
        raise StyleTransferError(f"jit must be True or False, got {result.jit!r}")
    if result.ratio_scaling not in ("area", "none"):
        raise StyleTransferError(f"ratio_scaling must be area or none, got {result.ratio_scaling!r}")
    return result


#: Factor between the paper's alpha/beta and the ratio that gives the same balance here,
#: measured once (the kit's normalised VGG19, Adam 200 steps from noise, Tübingen at
#: 96 px, with The Starry Night and with Composition VII, applied ratios 1e-8 ... 1e-4):
#: results turn from texture to stylised photo at an applied alpha/beta of about 1e-5 at
#: 96 px, which is 1e-5 / (512/96)^2 = 3.5e-7 in 512 px terms, where the paper's
#: Fig. 4 has its middle, 1e-3 (the ratios of its Fig. 3 are 5e-4 ... 5e-3). With the
#: paper's ratios as printed, every column of Fig. 4 comes out as the photo. The paper
#: does not say how its implementation scaled the two losses beyond Eqs. 1-5, nor on
#: which images it normalised; either can account for the factor. 3e-4 (about
#: 1/3000) places the paper's ratios on the same part of the trade-off here.
RATIO_CALIBRATION = 3e-4


def loss_weights(ratio, size, ratio_scaling="area", calibration=RATIO_CALIBRATION):
    """(alpha, beta) for the paper's ratio alpha/beta at image size ``size``.

    alpha/beta = ratio x ``calibration`` (see :data:`RATIO_CALIBRATION`) x (512/size)^2.

    The content loss (Eq. 1) is a sum over the M_l positions of a layer, so its gradient
    with respect to one pixel does not depend on the image size; the style loss (Eq. 4)
    divides by M_l^2 while the Gram matrix grows like M_l, so its per-pixel gradient
    shrinks like 1/M_l. At half the paper's size the same ratio therefore lets style pull
    four times harder. ``ratio_scaling="area"`` multiplies the ratio by (512/size)^2 to
    keep the paper's balance; at 512 px nothing changes.

    Returns ``(alpha, beta)`` with beta = 1.
    """
    factor = options.weight_factor((size, size)) if ratio_scaling == "area" else 1.0
    return float(ratio) * calibration * factor, 1.0


# ----------------------------------------------------------------------------------------
# Jobs and results


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


@dataclass
class FigureResult:
    """What a figure function returns.

    Attributes:
        figure: "1", "3", ... (or a name for the notebooks' extra experiments).
        title: one line describing the figure.
        grid: rows of panels; a panel is a :class:`JobResult` or an ``("input", title,
            image)`` tuple for the photograph/painting shown beside the results.
        row_labels, col_labels: labels for the grid's rows/columns (may be empty).
        inputs: name -> RGB image of every input used (at the working size).
        settings: the :class:`Settings` used.
        seconds: wall time of this call (cached jobs cost nothing).
        compute_seconds: time the optimisations took when they ran (cached or not).
        notes: how the run differs from the paper; which images were substituted.
    """

    figure: str
    title: str
    grid: list
    row_labels: list = field(default_factory=list)
    col_labels: list = field(default_factory=list)
    inputs: dict = field(default_factory=dict)
    settings: Settings = None
    seconds: float = 0.0
    compute_seconds: float = 0.0
    notes: list = field(default_factory=list)

    @property
    def results(self):
        """Every :class:`JobResult` in the grid, row by row."""
        return [p for row in self.grid for p in row if isinstance(p, JobResult)]

    def histories(self):
        """label -> loss history of every synthesised panel."""
        return {r.job.label: r.history for r in self.results}

    def images(self):
        """label -> uint8 image of every synthesised panel."""
        return {r.job.label: r.image for r in self.results}

    def summary(self):
        """A JSON-able record: settings, timings, notes and final losses per panel."""
        return {
            "figure": self.figure, "title": self.title, "settings": self.settings.record(),
            "seconds": round(self.seconds, 1), "compute_seconds": round(self.compute_seconds, 1),
            "notes": self.notes,
            "panels": [{"label": r.job.label, "job": r.job.key_fields(),
                        "final_content_loss": r.history["content"][-1],
                        "final_style_loss": r.history["style"][-1],
                        "steps": r.history["step"][-1], "seconds": round(r.seconds, 1),
                        "batch": r.batch, "cached": r.cached} for r in self.results],
        }


# ----------------------------------------------------------------------------------------
# Images


_NOTED_SUBSTITUTES = set()


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
                                       pooling=config.pooling, cache_dir=cache_dir))


# ----------------------------------------------------------------------------------------
# Cache


def cache_dir():
    from .normalize import default_cache_dir
    return default_cache_dir() / "experiments"


_FILE_HASHES = {}


def _file_hash(path):
    path = Path(path)
    stat = path.stat()
    key = (str(path.resolve()), stat.st_size, stat.st_mtime_ns)
    if key not in _FILE_HASHES:
        _FILE_HASHES[key] = hashlib.sha256(path.read_bytes()).hexdigest()
    return _FILE_HASHES[key]


def job_key(job, config):
    """Hex digest naming a job's cache entry; None when it must not be cached."""
    if config.weights is None:
        return None
    from . import vgg
    record = {"version": CACHE_VERSION, "job": job.key_fields(), "settings": config.record(),
              "weights": _file_hash(vgg.resolve_weights(config.weights)),
              "content_file": _file_hash(image_path(job.content)[0]),
              "style_file": _file_hash(image_path(job.style)[0])}
    record["settings"].pop("weights")
    record["settings"].pop("preset")
    if not record["settings"]["jit"]:
        # entries made before the setting existed ran without XLA: keep their names
        record["settings"].pop("jit")
    text = json.dumps(record, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:20]


def _cache_load(key):
    if key is None:
        return None
    path = cache_dir() / f"{key}.npz"
    if not path.is_file():
        return None
    try:
        with np.load(path, allow_pickle=False) as data:
            meta = json.loads(str(data["meta"]))
            history = {part: data[part].tolist() for part in
                       ("step", "seconds", "content", "style", "tv", "total")}
            return data["image"].copy(), history, meta
    except (OSError, ValueError, KeyError):
        return None  # a broken entry is recomputed


def _cache_save(key, result):
    if key is None:
        return
    folder = cache_dir()
    folder.mkdir(parents=True, exist_ok=True)
    meta = json.dumps({"seconds": result.seconds, "batch": result.batch,
                       "job": result.job.key_fields()})
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=".npz")
    os.close(fd)
    try:
        np.savez_compressed(tmp, image=result.image, meta=np.array(meta),
                            **{k: np.asarray(v, np.float64) for k, v in result.history.items()
                               if k in ("step", "seconds", "content", "style", "tv", "total")})
        os.replace(tmp, folder / f"{key}.npz")
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


# ----------------------------------------------------------------------------------------
# Running jobs


def _keras_layers(names):
    return [keras_layer_name(n) for n in names]


def _depth(job):
    return max(layer_depth(n) for n in (*job.content_layers, *job.style_layers))


def initial_image(job, content, style, noise_std):
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


def _split_history(history, b):
    out = {"step": list(history["step"]), "seconds": list(history["seconds"]),
           "scale": list(history["scale"])}
    for part in ("content", "style", "tv", "total"):
        out[part] = [row[b] for row in history[part]]
    return out


def _run_group(jobs, config, weights, verbose):
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
        vgg.check_image_fits(imgs.resize(photos[job.content], size=config.size).shape, layers,
                             f"{job.content} at --size {config.size}")
        own_c, own_s = set(_keras_layers(job.content_layers)), set(_keras_layers(job.style_layers))
        cws.append([1.0 if n in own_c else 0.0 for n in content_layers])
        sws.append([1.0 / len(own_s) if n in own_s else 0.0 for n in style_layers])
    shapes = {imgs.resize(photos[job.content], size=config.size).shape for job in jobs}
    if len(shapes) != 1:
        raise StyleTransferError("jobs in one batch need content images of one shape")
    # coarse to fine; scales too small for the layers are left out
    scales = [imgs.resize(photos[jobs[0].content], size=s).shape[:2]
              for s in optimize.pyramid_sizes(config.size, config.scales)]
    steps = [n for shape, n in zip(scales, optimize.steps_per_scale(config.steps, config.scales))
             if min(shape) >= vgg.min_image_side(layers)]
    scales = [shape for shape in scales if min(shape) >= vgg.min_image_side(layers)]

    def objective_at(shape):
        contents = [imgs.preprocess(imgs.resize(photos[job.content], shape=shape)) for job in jobs]
        # the paper's setting: the painting resized to the photo's shape
        styles = [imgs.preprocess(imgs.resize(paintings[job.style], shape=shape)) for job in jobs]
        alphas, betas = zip(*[_entry_weights(job, config, max(shape)) for job in jobs])
        return optimize.make_objective(
            extractor, layers, content_layers, style_layers, np.stack(contents), styles,
            alpha=list(alphas), beta=list(betas), content_layer_weights=cws,
            style_layer_weights=sws)

    first = scales[0]
    init = np.stack([initial_image(job, imgs.resize(photos[job.content], shape=first),
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
    return [JobResult(job, rgb[b], _split_history(history, b), seconds, len(jobs))
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
            for result in _run_group(group, config, weights, verbose):
                results[same(result.job)] = result
                if cache:
                    _cache_save(job_key(result.job, config), result)
    return [dataclasses.replace(results[same(job)], job=job) for job in jobs]


def _finish(figure, title, jobs, layout, config, start, cache, verbose, row_labels=(),
            col_labels=(), inputs=(), notes=()):
    """Run ``jobs`` and place them in ``layout`` (rows of job indices or input tuples)."""
    results = run_jobs(jobs, config, cache=cache, verbose=verbose)
    grid = [[results[p] if isinstance(p, int) else p for p in row] for row in layout]
    groups = {}
    for r in results:
        groups[(r.seconds, r.batch, r.cached)] = r.seconds
    names = {j.content for j in jobs} | {j.style for j in jobs}
    return FigureResult(
        figure=figure, title=title, grid=grid, row_labels=list(row_labels),
        col_labels=list(col_labels),
        inputs={n: imgs.to_uint8(load_named(n, size=config.size)) for n in sorted(names)},
        settings=config, seconds=time.perf_counter() - start,
        compute_seconds=float(sum(groups.values())),
        notes=[*notes, *substitution_notes(sorted(names))])


def fmt_ratio(ratio):
    """1e-05 -> "1e-5", 0.0008 -> "8e-4" (as the paper prints its ratios)."""
    mantissa, exponent = f"{ratio:.1e}".split("e")
    mantissa = mantissa.rstrip("0").rstrip(".")
    return f"{mantissa}e{int(exponent)}"


def _input_panel(name, config, title=None):
    return ("input", title or TITLES.get(name, name),
            imgs.to_uint8(load_named(name, size=config.size)))


def _set_label(layers):
    layers = list(layers)
    return layers[0] if len(layers) == 1 else f"{layers[0]} … {layers[-1]}"


def _config(preset, **overrides):
    return settings(preset, **overrides)


def _differences(config):
    """Ways in which ``config`` differs from the paper's setup, as notes."""
    notes = []
    if config.optimizer != "lbfgs":
        notes.append("Adam instead of the paper's L-BFGS")
    if config.size != PAPER_SIZE:
        notes.append(f"{config.size} px instead of about {PAPER_SIZE} px"
                     + (f"; alpha/beta multiplied by (512/{config.size})^2 = "
                        f"{(PAPER_SIZE / config.size) ** 2:g} to keep the paper's balance"
                        if config.ratio_scaling == "area" else ""))
    if config.pooling != "avg":
        notes.append("max pooling instead of the paper's average pooling")
    if config.normalize:
        notes.append("VGG19 normalised on the kit's six images, not the paper's image set")
    else:
        notes.append("Keras's unnormalised VGG19 weights: the paper's ratios do not carry over")
    if config.ratio_calibration != 1.0:
        notes.append(f"the paper's alpha/beta multiplied by {config.ratio_calibration:g} "
                     "(RATIO_CALIBRATION, measured) so that they give the paper's balance here")
    notes.append(f"{config.steps} {'Adam steps' if config.optimizer == 'adam' else 'L-BFGS iterations'}"
                 " (the paper does not state its number of iterations)")
    if config.weights is None:
        notes.append("RANDOM VGG19 weights (test run): the pictures mean nothing")
    return notes


# ----------------------------------------------------------------------------------------
# The figures


def figure1_content(preset="fast", cache=True, verbose=True, **overrides):
    """Fig. 1 top (CVPR 2016): content reconstructions of the Tübingen photo from white noise,
    from conv1_2, conv2_2, conv3_2, conv4_2 and conv5_2 alone (Eq. 1, no style term).

    The paper used L-BFGS on its normalised VGG19 at about 512 px; the ``fast`` preset uses
    Adam at 256 px. Each layer needs a network of different depth, so each is its own
    optimisation (padding the shallow ones to conv5_2 would cost twice as much).
    """
    start, config = time.perf_counter(), _config(preset, **overrides)
    jobs = [Job(label=layer, content="tubingen", style="tubingen", content_layers=(layer,),
                style_layers=(), init="noise") for layer in FIG1_CONTENT_LAYERS]
    layout = [[_input_panel("tubingen", config), *range(len(jobs))]]
    return _finish("1 top", "Content reconstructions from white noise (Fig. 1, top)", jobs,
                   layout, config, start, cache, verbose, notes=_differences(config))


def figure1_style(preset="fast", cache=True, verbose=True, **overrides):
    """Fig. 1 bottom (CVPR 2016): style reconstructions of The Starry Night from white noise,
    matching the Gram matrices (Eqs. 3-5, no content term) of conv1_1; conv1_1+conv2_1;
    ...; conv1_1 ... conv5_1, with w_l = 1/(number of layers).

    The paper used L-BFGS on its normalised VGG19 at about 512 px; the ``fast`` preset uses
    Adam at 256 px. Each layer set needs a different depth, so each is its own run.
    """
    start, config = time.perf_counter(), _config(preset, **overrides)
    jobs = [Job(label=_set_label(layers), content="tubingen", style="starry_night",
                content_layers=(), style_layers=layers, init="noise")
            for layers in FIG1_STYLE_SETS]
    layout = [[_input_panel("starry_night", config), *range(len(jobs))]]
    return _finish("1 bottom", "Style reconstructions from white noise (Fig. 1, bottom)", jobs,
                   layout, config, start, cache, verbose, notes=_differences(config))


def figure1(preset="fast", cache=True, verbose=True, **overrides):
    """Fig. 1 (CVPR 2016), both rows: :func:`figure1_content` above :func:`figure1_style`.

    Differences from the paper: as in the two halves (optimiser and size per preset; the
    input images are shown in the first column).
    """
    start = time.perf_counter()
    top = figure1_content(preset, cache, verbose, **overrides)
    bottom = figure1_style(preset, cache, verbose, **overrides)
    return FigureResult(
        figure="1", title="Fig. 1: content (top) and style (bottom) reconstructions",
        grid=top.grid + bottom.grid, row_labels=["content", "style"],
        inputs={**top.inputs, **bottom.inputs}, settings=top.settings,
        seconds=time.perf_counter() - start,
        compute_seconds=top.compute_seconds + bottom.compute_seconds,
        notes=list(dict.fromkeys(top.notes + bottom.notes)))


def figure3(preset="fast", cache=True, verbose=True, **overrides):
    """Fig. 3 (CVPR 2016; arXiv Fig. 2): the Tübingen photo in five styles, from white
    noise, content at conv4_2, style at conv1_1 ... conv5_1 (w_l = 1/5), alpha/beta per
    painting as in the paper: Shipwreck 1e-3, Starry Night 8e-4, The Scream 5e-3,
    Composition VII 5e-4, and 5e-4 for Hokusai's wave, which replaces the paper's Picasso
    (Femme nue assise, still under copyright).

    ``fast``: Adam at 256 px, all five as one batch. The paper: L-BFGS at ~512 px.
    """
    start, config = time.perf_counter(), _config(preset, **overrides)
    jobs = [Job(label=f"{title}\nα/β = {fmt_ratio(ratio)}", style=name, ratio=ratio)
            for name, ratio, title in FIG3_STYLES]
    layout = [[_input_panel("tubingen", config), 0, 1], [2, 3, 4]]
    return _finish("3", "Tübingen in five styles (Fig. 3)", jobs, layout, config, start,
                   cache, verbose, notes=[*_differences(config),
                                          "Hokusai's Great Wave replaces Picasso's Femme nue "
                                          "assise (under copyright), at the same 5e-4"])


def figure4(preset="fast", cache=True, verbose=True, ratios=FIG4_RATIOS,
            style_sets=FIG1_STYLE_SETS, **overrides):
    """Fig. 4 (CVPR 2016; arXiv Fig. 3): Composition VII on Tübingen. Rows: style matched
    on conv1_1, conv1_1..conv2_1, ..., conv1_1..conv5_1 (w_l = 1/number); columns:
    alpha/beta = 1e-5, 1e-4, 1e-3, 1e-2; content at conv4_2; from white noise.

    ``fast``: Adam at 256 px; the first four rows (network up to conv4_2) are one batch of
    16 images, the last row (up to conv5_1) a batch of 4. The paper: L-BFGS at ~512 px.
    """
    start, config = time.perf_counter(), _config(preset, **overrides)
    jobs, layout = [], []
    for layers in style_sets:
        row = []
        for ratio in ratios:
            row.append(len(jobs))
            jobs.append(Job(label=f"{_set_label(layers)}, α/β = {fmt_ratio(ratio)}", style=FIG4_STYLE,
                            style_layers=tuple(layers), ratio=ratio))
        layout.append(row)
    return _finish("4", "Style layers (rows) and alpha/beta (columns), Composition VII (Fig. 4)",
                   jobs, layout, config, start, cache, verbose,
                   row_labels=[_set_label(s) for s in style_sets],
                   col_labels=[f"α/β = {fmt_ratio(r)}" for r in ratios], notes=_differences(config))


def figure5(preset="fast", cache=True, verbose=True, **overrides):
    """Fig. 5 (CVPR 2016): content matched at conv2_2 versus conv4_2, alpha/beta = 1e-3,
    style at conv1_1 ... conv5_1, from white noise.

    The paper's style image here is a painting by Lyonel Feininger, which the kit does not
    have; The Starry Night is used instead. ``fast``: Adam at 256 px, both in one batch.
    """
    start, config = time.perf_counter(), _config(preset, **overrides)
    jobs = [Job(label=f"content at {layer}", style=FIG5_STYLE, content_layers=(layer,),
                ratio=FIG5_RATIO) for layer in FIG5_CONTENT_LAYERS]
    layout = [[_input_panel("tubingen", config), _input_panel(FIG5_STYLE, config), 0, 1]]
    return _finish("5", "Content matched at conv2_2 vs conv4_2, α/β = 1e-3 (Fig. 5)", jobs,
                   layout, config, start, cache, verbose,
                   notes=[*_differences(config), "style: The Starry Night instead of the "
                          "paper's Feininger painting"])


def figure6(preset="fast", cache=True, verbose=True, seeds=FIG6_NOISE_SEEDS, **overrides):
    """Fig. 6 (CVPR 2016): The Starry Night on Tübingen, alpha/beta = 1e-3, started from
    the content image, the style image and four white-noise images (seeds 0-3).

    ``fast``: Adam at 256 px, all six in one batch. The paper: L-BFGS at ~512 px, where
    the optimisation runs to convergence; with a fixed step budget the start matters more.
    """
    start, config = time.perf_counter(), _config(preset, **overrides)
    jobs = [Job(label="from the content image", style=FIG6_STYLE, ratio=FIG6_RATIO,
                init="content"),
            Job(label="from the style image", style=FIG6_STYLE, ratio=FIG6_RATIO, init="style")]
    jobs += [Job(label=f"from noise (seed {s})", style=FIG6_STYLE, ratio=FIG6_RATIO,
                 init="noise", seed=s) for s in seeds]
    n = len(jobs)
    layout = [list(range(min(3, n))), list(range(3, n))] if n > 3 else [list(range(n))]
    return _finish("6", "Initialisation: content, style, white noise (Fig. 6)", jobs, layout,
                   config, start, cache, verbose, notes=_differences(config))


def pooling_comparison(preset="fast", cache=True, verbose=True, **overrides):
    """Max versus average pooling (the paper, Sec. 2: average pooling "improves the
    gradient flow and one obtains slightly more appealing results"). Starry Night on
    Tübingen, alpha/beta = 1e-3, from noise seed 0; both networks normalised on the same
    images. Not a figure of the paper."""
    start, config = time.perf_counter(), _config(preset, **overrides)
    results, compute = [], 0.0
    for pooling in ("max", "avg"):
        cfg = dataclasses.replace(config, pooling=pooling)
        job = Job(label=f"{pooling} pooling", style=FIG6_STYLE, ratio=FIG6_RATIO, seed=0)
        res = run_jobs([job], cfg, cache=cache, verbose=verbose)[0]
        results.append(res)
        compute += res.seconds
    return FigureResult(
        figure="pooling", title="Max vs average pooling", grid=[results],
        inputs={n: imgs.to_uint8(load_named(n, size=config.size)) for n in ("tubingen", FIG6_STYLE)},
        settings=config, seconds=time.perf_counter() - start, compute_seconds=compute,
        notes=[n for n in _differences(config) if "pooling" not in n]
        + substitution_notes(["tubingen", FIG6_STYLE]))


def optimizer_comparison(preset="fast", cache=True, verbose=True, **overrides):
    """Adam versus L-BFGS on one problem (Starry Night on Tübingen, alpha/beta = 1e-3, from
    noise seed 0), each run alone and in float32 so that its wall-clock time is its own; compare
    ``history["seconds"]`` against the losses. Not a figure of the paper (which only says
    L-BFGS worked best)."""
    start, config = time.perf_counter(), _config(preset, **overrides)
    results = []
    for optimizer in ("adam", "lbfgs"):
        # float32 for both: L-BFGS's line search fails on bfloat16's rounding noise
        cfg = dataclasses.replace(config, optimizer=optimizer, precision="float32")
        job = Job(label=f"{'Adam' if optimizer == 'adam' else 'L-BFGS'}", style=FIG6_STYLE,
                  ratio=FIG6_RATIO, seed=0)
        key = job_key(job, cfg) if cache else None
        hit = _cache_load(None if key is None else f"solo-{key}")
        if hit is not None:
            image, history, meta = hit
            results.append(JobResult(job, image, history, meta["seconds"], 1, True))
            continue
        res = _run_group([job], cfg, network_weights(cfg), verbose)[0]
        if key is not None:
            _cache_save(f"solo-{key}", res)
        results.append(res)
    return FigureResult(
        figure="optimizers", title="Adam vs L-BFGS", grid=[results],
        inputs={n: imgs.to_uint8(load_named(n, size=config.size)) for n in ("tubingen", FIG6_STYLE)},
        settings=config, seconds=time.perf_counter() - start,
        compute_seconds=sum(r.seconds for r in results),
        notes=[n for n in _differences(config) if "Adam" not in n and "iterations" not in n]
        + substitution_notes(["tubingen", FIG6_STYLE]))


def ratio_sweep(preset="fast", cache=True, verbose=True, style="starry_night",
                applied=(1e-8, 1e-7, 1e-6, 1e-5, 1e-4), **overrides):
    """The measurement behind :data:`RATIO_CALIBRATION`: style transfer from noise with
    alpha/beta set directly (no calibration, no size scaling) to ``applied``. Not a figure
    of the paper. At 96 px, 200 Adam steps, results turn from texture into a stylised
    photo around 1e-5."""
    start = time.perf_counter()
    config = _config(preset, **{**overrides, "ratio_calibration": 1.0, "ratio_scaling": "none"})
    jobs = [Job(label=f"applied α/β = {fmt_ratio(r)}", style=style, ratio=r) for r in applied]
    return _finish("sweep", f"Applied alpha/beta at {config.size} px, {TITLES.get(style, style)}",
                   jobs, [list(range(len(jobs)))], config, start, cache, verbose,
                   notes=_differences(config))


#: Figure number -> function, for the CLI.
FIGURE_FUNCTIONS = {"1": figure1, "3": figure3, "4": figure4, "5": figure5, "6": figure6}


def run_figure(number, preset="fast", cache=True, verbose=True, **overrides):
    """Run the experiment of paper figure ``number`` ("1", "3", "4", "5" or "6")."""
    number = str(number)
    if number == "2":
        raise StyleTransferError("figure 2 is the paper's diagram of the algorithm; there is "
                                 f"nothing to compute (figures: {', '.join(FIGURES)})")
    if number not in FIGURE_FUNCTIONS:
        raise StyleTransferError(f"no figure {number}; choose from {', '.join(FIGURES)}")
    return FIGURE_FUNCTIONS[number](preset, cache=cache, verbose=verbose, **overrides)


# ----------------------------------------------------------------------------------------
# Measures used by the notebooks


def psnr_ssim(reference, image):
    """PSNR (dB) and SSIM of ``image`` against ``reference`` (uint8 or 0-255 RGB, same shape),
    with ``tf.image.psnr`` and ``tf.image.ssim``."""
    import tensorflow as tf
    a = tf.convert_to_tensor(np.asarray(imgs.to_uint8(reference), np.float32))
    b = tf.convert_to_tensor(np.asarray(imgs.to_uint8(image), np.float32))
    return (float(tf.image.psnr(a, b, max_val=255.0)),
            float(tf.image.ssim(a, b, max_val=255.0, filter_size=min(11, *a.shape[:2]))))


def pairwise_distances(images):
    """Root-mean-square pixel difference (0-255 scale) between every pair of images.

    Returns a (N, N) symmetric float array with zeros on the diagonal.
    """
    stack = np.stack([np.asarray(i, np.float64) for i in images])
    n = len(stack)
    out = np.zeros((n, n))
    for i in range(n):
        for j in range(i + 1, n):
            out[i, j] = out[j, i] = float(np.sqrt(np.mean((stack[i] - stack[j]) ** 2)))
    return out


def evaluate(images, config, content="tubingen", style="starry_night",
             content_layers=("conv4_2",), style_layers=STYLE_LAYERS):
    """Content loss (Eq. 1) and style loss (Eq. 5, w_l = 1/L) of finished images, measured
    with one common yardstick: the normalised network of ``config``, content at
    ``content_layers`` of ``content``, style at ``style_layers`` of ``style``.

    Use it to compare results that were optimised with different layers, ratios or
    networks (the losses in their histories are each measured their own way).

    Args:
        images: uint8 RGB images of the content image's shape at ``config.size``.

    Returns:
        ``(content_losses, style_losses)``, two float arrays, one value per image.
    """
    from . import optimize, vgg
    c_layers, s_layers = _keras_layers(content_layers), _keras_layers(style_layers)
    layers = list(dict.fromkeys([*c_layers, *s_layers]))
    content_rgb = load_named(content, size=config.size)
    style_rgb = load_named(style, shape=content_rgb.shape[:2])
    extractor = vgg.feature_extractor(layers, weights=network_weights(config),
                                      pooling=config.pooling, precision=config.precision)
    batch = np.stack([imgs.preprocess(np.asarray(i, np.float32)) for i in images])
    objective = optimize.make_objective(
        extractor, layers, c_layers, s_layers,
        np.repeat(imgs.preprocess(content_rgb)[None], len(batch), axis=0),
        [imgs.preprocess(style_rgb)] * len(batch))
    _, parts = objective(batch)
    return np.asarray(parts["content"], np.float64), np.asarray(parts["style"], np.float64)


# ----------------------------------------------------------------------------------------
# Command line: python -m styletransfer_tf figure N -o figN.png


def add_arguments(parser):
    """Add the ``figure`` arguments to an ``argparse`` (sub)parser."""
    a = parser.add_argument
    a("number", metavar="N", help=f"paper figure (CVPR 2016 numbering): {', '.join(FIGURES)}")
    a("-o", "--output", required=True,
      help="the figure, .png (or .jpg); its settings, timings and final losses go to OUTPUT.json")
    a("--preset", choices=sorted(PRESETS), default="fast",
      help="fast (default: Adam, batched, 256 px, 300 steps) or paper (L-BFGS, 512 px, "
      "1000 iterations: hours on a CPU)")
    a("--size", type=int, default=None, help="longest side in px (overrides the preset)")
    a("--steps", type=int, default=None, help="Adam steps / L-BFGS iterations (overrides)")
    a("--scales", type=int, default=None,
      help="coarse-to-fine scales (overrides the preset; 1 = single scale, the paper's)")
    a("--optimizer", choices=("adam", "lbfgs"), default=None, help="overrides the preset")
    a("--pooling", choices=("avg", "max"), default=None, help="overrides the preset (avg)")
    a("--lr", type=float, default=None, help="Adam learning rate in pixel units (default 4)")
    a("--ratio-calibration", type=float, default=None,
      help=f"factor applied to the paper's alpha/beta (default {RATIO_CALIBRATION:g}, measured; "
      "1 = as printed in the paper)")
    a("--no-normalize", action="store_true",
      help="use Keras's VGG19 weights as they are instead of the paper's normalised network")
    a("--ratio-scaling", choices=("area", "none"), default=None,
      help="area (default): multiply the paper's alpha/beta by (512/size)^2; none: use as is")
    a("--weights", default="imagenet",
      help="'imagenet' ($STYLETRANSFER_VGG19_WEIGHTS or the Keras download), a .h5 path, "
      "or 'none' for random weights (tests only)")
    a("--precision", choices=("float32", "mixed"), default=None,
      help="float32 (default) or mixed (VGG19 in bfloat16; faster on CPUs with bf16 units)")
    a("--jit", action=argparse.BooleanOptionalAction, default=None,
      help="compile the step with XLA (default off: 3-4x slower on the CPU, see "
      "benchmarks/README.md; try it on a GPU)")
    a("--no-cache", action="store_true",
      help="recompute everything (results are otherwise cached in ~/.cache/styletransfer_tf/experiments/)")
    a("--dpi", type=int, default=100, help="resolution of the saved figure (default 100)")
    a("--colors", type=int, default=None, metavar="N",
      help="save the PNG with a palette of N <= 256 colours (several times smaller files)")
    a("--overwrite", action="store_true", help="replace existing output files")
    a("--quiet", action="store_true", help="no progress output")


def run(args, when_valid=None):
    """Carry out ``figure`` for parsed ``args``; return 0 or raise StyleTransferError.

    ``when_valid()`` is called once the arguments are checked, before any TensorFlow work
    (the command line imports TensorFlow quietly there)."""
    number = str(args.number)
    if number not in FIGURES:
        run_figure(number)  # raises the explanatory error
    output = Path(args.output)
    imgs.check_output_path(output, overwrite=args.overwrite)
    record_path = output.with_suffix(".json")
    if record_path.exists() and not args.overwrite:
        raise StyleTransferError(f"{record_path} already exists; choose another name or pass "
                                 "--overwrite")
    if args.steps is not None and args.steps < 1:
        raise StyleTransferError(f"--steps must be at least 1, got {args.steps}")
    if args.dpi < 10:
        raise StyleTransferError(f"--dpi must be at least 10, got {args.dpi}")
    if args.colors is not None and not 2 <= args.colors <= 256:
        raise StyleTransferError(f"--colors must be between 2 and 256, got {args.colors}")
    if args.scales is not None and args.scales < 1:
        raise StyleTransferError(f"--scales must be at least 1, got {args.scales}")
    overrides = dict(size=args.size, steps=args.steps, scales=args.scales,
                     optimizer=args.optimizer,
                     pooling=args.pooling, lr=args.lr, ratio_scaling=args.ratio_scaling,
                     normalize=False if args.no_normalize else None, precision=args.precision,
                     ratio_calibration=args.ratio_calibration, jit=args.jit)
    weights = None if args.weights == "none" else args.weights
    config = settings(args.preset, weights=weights, **overrides)
    options.check_weights_path(weights)  # fail now, not after the images are loaded
    if when_valid is not None:
        when_valid()
    result = run_figure(number, config, cache=not args.no_cache, verbose=not args.quiet)
    from . import plotting
    fig = plotting.plot_figure(result)
    tmp = output.with_name(f".tmp-{output.name}")
    try:
        plotting.save_figure(fig, tmp, dpi=args.dpi, colors=args.colors)
        os.replace(tmp, output)
    finally:
        if tmp.exists():
            tmp.unlink()
    record_path.write_text(json.dumps(result.summary(), indent=1, ensure_ascii=False))
    print(f"wrote {output} and {record_path}: figure {number}, {len(result.results)} images, "
          f"preset {config.preset} ({config.size} px, {config.steps} {config.optimizer} steps), "
          f"{result.seconds:.1f} s (optimisation {result.compute_seconds:.1f} s"
          f"{', partly cached' if any(r.cached for r in result.results) else ''})")
    for note in result.notes:
        print(f"  note: {note}")
    return 0
