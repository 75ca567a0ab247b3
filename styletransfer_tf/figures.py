"""The paper's figures, one function per figure, shared by the notebooks and the CLI.

Every figure function (:func:`figure1` ... :func:`figure6`, plus :func:`pooling_comparison`,
:func:`optimizer_comparison` and :func:`ratio_sweep` for the notebooks) returns a
:class:`FigureResult`: the synthesised images laid out as the paper's grid, each with its
loss history, the settings used and the time taken. ``plotting.plot_figure(result)``
draws it. The settings come from ``presets``; the work is done by ``jobs``.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass, field

import numpy as np

from . import images as imgs
from . import options
from .errors import StyleTransferError
from .jobs import (Job, JobResult, _cache_load, _cache_save, _keras_layers, job_key,
                   load_named, network_weights, run_group, run_jobs, substitution_notes)
from .presets import (FIG1_CONTENT_LAYERS, FIG1_STYLE_SETS, FIG3_STYLES, FIG4_RATIOS,
                      FIG4_STYLE, FIG5_CONTENT_LAYERS, FIG5_RATIO, FIG5_STYLE, FIG6_NOISE_SEEDS,
                      FIG6_RATIO, FIG6_STYLE, FIGURES, PAPER_SIZE, STYLE_LAYERS, TITLES, Settings,
                      settings)

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
    varies: tuple = ()

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


def _differences(config, ratios=True):
    """Ways in which ``config`` differs from the paper's setup, as notes; ``ratios=False``
    leaves out the notes on alpha/beta (for runs with only a content or a style term)."""
    notes = []
    if config.optimizer != "lbfgs":
        notes.append("Adam instead of the paper's L-BFGS")
    if config.size != PAPER_SIZE:
        notes.append(f"{config.size} px instead of about {PAPER_SIZE} px"
                     + (f"; alpha/beta multiplied by (512/{config.size})^2 = "
                        f"{(PAPER_SIZE / config.size) ** 2:g} to keep the paper's balance"
                        if ratios and config.ratio_scaling == "area" else ""))
    if config.pooling != "avg":
        notes.append("max pooling instead of the paper's average pooling")
    if config.normalize:
        notes.append("VGG19 normalised on the kit's six images, not the paper's image set"
                     + (f", no filter's mean taken below {config.norm_floor:g} x its layer's "
                        "median (norm_floor)" if config.norm_floor > 0 else ""))
    else:
        notes.append("Keras's unnormalised VGG19 weights: the paper's ratios do not carry over")
    if config.style_size == "content":
        notes.append("each painting stretched to the photo's shape")
    if ratios and config.ratio_calibration != 1.0:
        notes.append(f"the paper's alpha/beta multiplied by {config.ratio_calibration:g} "
                     "(RATIO_CALIBRATION, measured) so that they give the paper's balance here")
    what = "Adam steps" if config.optimizer == "adam" else "L-BFGS iterations"
    if config.scales > 1:
        sizes = "/".join(str(s) for s in options.pyramid_sizes(config.size, config.scales))
        steps = "/".join(str(n) for n in options.steps_per_scale(config.steps, config.scales))
        notes.append(f"coarse to fine over {config.scales} scales ({sizes} px) with {steps} "
                     f"{what}; the paper optimises at one scale and does not state its "
                     "number of iterations")
    else:
        notes.append(f"{config.steps} {what} (the paper does not state its number of "
                     "iterations)")
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
    optimisation (padding the shallow ones to conv5_2 would cost twice as much). Like the
    paper, and unlike the other figures, these run at one scale: a multi-scale setting
    becomes one scale with :func:`options.single_scale_steps` iterations.
    """
    start, config = time.perf_counter(), settings(preset, **overrides)
    notes = []
    if config.scales > 1:
        # Measured at 512 px before the normalisation floor existed (notebooks/README.md):
        # enlarging a coarse conv4_2 reconstruction raised its loss hundreds of times above
        # the noise start's, and the finest scale's iterations did not recover it.
        steps = options.single_scale_steps(config.size, config.scales, config.steps)
        notes.append(f"content reconstructions at one scale, as in the paper, with the work "
                     f"of the preset's {config.scales}-scale schedule")
        config = dataclasses.replace(config, scales=1, steps=steps)
    jobs = [Job(label=layer, content="tubingen", style="tubingen", content_layers=(layer,),
                style_layers=(), init="noise") for layer in FIG1_CONTENT_LAYERS]
    layout = [[_input_panel("tubingen", config), *range(len(jobs))]]
    return _finish("1 top", "Content reconstructions from white noise (Fig. 1, top)", jobs,
                   layout, config, start, cache, verbose,
                   notes=_differences(config, ratios=False) + notes)


def figure1_style(preset="fast", cache=True, verbose=True, **overrides):
    """Fig. 1 bottom (CVPR 2016): style reconstructions of The Starry Night from white noise,
    matching the Gram matrices (Eqs. 3-5, no content term) of conv1_1; conv1_1+conv2_1;
    ...; conv1_1 ... conv5_1, with w_l = 1/(number of layers).

    The paper used L-BFGS on its normalised VGG19 at about 512 px; the ``fast`` preset uses
    Adam at 256 px. Each layer set needs a different depth, so each is its own run.
    """
    start, config = time.perf_counter(), settings(preset, **overrides)
    jobs = [Job(label=_set_label(layers), content="tubingen", style="starry_night",
                content_layers=(), style_layers=layers, init="noise")
            for layers in FIG1_STYLE_SETS]
    layout = [[_input_panel("starry_night", config), *range(len(jobs))]]
    return _finish("1 bottom", "Style reconstructions from white noise (Fig. 1, bottom)", jobs,
                   layout, config, start, cache, verbose, notes=_differences(config, ratios=False))


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
        inputs={**top.inputs, **bottom.inputs}, settings=bottom.settings,
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
    start, config = time.perf_counter(), settings(preset, **overrides)
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
    start, config = time.perf_counter(), settings(preset, **overrides)
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
    start, config = time.perf_counter(), settings(preset, **overrides)
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
    start, config = time.perf_counter(), settings(preset, **overrides)
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
    start, config = time.perf_counter(), settings(preset, **overrides)
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
        varies=("pooling",), notes=[n for n in _differences(config) if "pooling" not in n]
        + substitution_notes(["tubingen", FIG6_STYLE]))


def optimizer_comparison(preset="fast", cache=True, verbose=True, **overrides):
    """Adam versus L-BFGS on one problem (Starry Night on Tübingen, alpha/beta = 1e-3, from
    noise seed 0), each run alone and in float32 so that its wall-clock time is its own; compare
    ``history["seconds"]`` against the losses. Not a figure of the paper (which only says
    L-BFGS worked best)."""
    start, config = time.perf_counter(), settings(preset, **overrides)
    results = []
    for optimizer in ("adam", "lbfgs"):
        # float32 for both: L-BFGS's line search fails on bfloat16's rounding noise
        cfg = dataclasses.replace(config, optimizer=optimizer, precision="float32")
        job = Job(label=f"{'Adam' if optimizer == 'adam' else 'L-BFGS'}", style=FIG6_STYLE,
                  ratio=FIG6_RATIO, seed=0)
        key = job_key(job, cfg) if cache else None
        hit = _cache_load(None if key is None else f"solo-{key}")
        if hit is None and key is not None:
            # the figures' own cache holds it when it ran alone there (L-BFGS always does)
            hit = _cache_load(key)
            hit = hit if hit is not None and hit[2]["batch"] == 1 else None
        if hit is not None:
            image, history, meta = hit
            results.append(JobResult(job, image, history, meta["seconds"], 1, True))
            continue
        res = run_group([job], cfg, network_weights(cfg), verbose)[0]
        if key is not None:
            _cache_save(f"solo-{key}", res)
        results.append(res)
    return FigureResult(
        figure="optimizers", title="Adam vs L-BFGS", grid=[results],
        inputs={n: imgs.to_uint8(load_named(n, size=config.size)) for n in ("tubingen", FIG6_STYLE)},
        settings=config, seconds=time.perf_counter() - start,
        compute_seconds=sum(r.seconds for r in results), varies=("optimizer", "steps"),
        notes=[n for n in _differences(config) if "Adam" not in n and "iterations" not in n]
        + substitution_notes(["tubingen", FIG6_STYLE]))


def ratio_sweep(preset="fast", cache=True, verbose=True, style="starry_night",
                applied=(1e-8, 1e-7, 1e-6, 1e-5, 1e-4), **overrides):
    """The measurement behind :data:`RATIO_CALIBRATION`: style transfer from noise with
    alpha/beta set directly (no calibration, no size scaling) to ``applied``. Not a figure
    of the paper. At 96 px, 200 Adam steps, results turn from texture into a stylised
    photo around 1e-5."""
    start = time.perf_counter()
    config = settings(preset, **{**overrides, "ratio_calibration": 1.0, "ratio_scaling": "none"})
    jobs = [Job(label=f"applied α/β = {fmt_ratio(r)}", style=style, ratio=r) for r in applied]
    return _finish("sweep", f"Applied alpha/beta at {config.size} px, {TITLES.get(style, style)}",
                   jobs, [list(range(len(jobs)))], config, start, cache, verbose,
                   notes=_differences(config))


#: Figure number -> function, for the CLI.
FIGURE_FUNCTIONS = {"1": figure1, "3": figure3, "4": figure4, "5": figure5, "6": figure6}


def run_figure(number, preset="fast", cache=True, verbose=True, **overrides):
    """Run the experiment of paper figure ``number`` ("1", "3", "4", "5" or "6")."""
    number = check_figure_number(number)
    return FIGURE_FUNCTIONS[number](preset, cache=cache, verbose=verbose, **overrides)


def check_figure_number(number):
    """``number`` as a string if the kit can make that figure, else StyleTransferError."""
    number = str(number)
    if number == "2":
        raise StyleTransferError("figure 2 is the paper's diagram of the algorithm; there is "
                                 f"nothing to compute (figures: {', '.join(FIGURES)})")
    if number not in FIGURE_FUNCTIONS:
        raise StyleTransferError(f"no figure {number}; choose from {', '.join(FIGURES)}")
    return number


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
