"""What a lecture notebook does before its first experiment, in one call: :func:`notebook_setup`.

Every lecture's setup cell installs the kit when ``import styletransfer_tf`` fails (that
part has to stay in the cell) and then calls :func:`notebook_setup`, which

* picks the numeric precision: float32 unless asked otherwise; ``"auto"`` uses bfloat16
  (``"mixed"``) only where :func:`hardware.bfloat16_support` finds fast bfloat16;
* finds the VGG19 weights (``vgg.resolve_weights``: a path, ``$STYLETRANSFER_VGG19_WEIGHTS``
  or the Keras download) and says which weights they are;
* finds the paper's images in ``paths.images_dir()`` (``$STYLETRANSFER_IMAGES``, else the
  user cache), downloads missing ones as ``python -m styletransfer_tf download-images``
  does, and says which images are used: the paper's, or the kit's drawn samples standing in;

and prints all of it, with paths relative to the folder the user set (never the
machine's absolute paths, so executed notebooks can be shared). :func:`report` prints
what a figure cell ran and what it cost; :func:`fmt_minutes` formats a duration.
:func:`cached_stylize` runs ``stylize`` for a lecture that calls it directly (lecture 6),
keeps the result in the cache folder and prints what it cost; :func:`cost_line` sums a
cell's runs.
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import json
import os
import platform
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import paths

#: sha256 of the 8-bit quantised copy of the ImageNet VGG19 weights that the course
#: machines use (``shared/weights/vgg19_notop.h5.xz``, decompressed): every kernel value is
#: one of 256 centroids per layer, biases exact.
QUANTISED_WEIGHTS_SHA256 = "f0fc0dd60edce189c2d7a29499953f94b9555d45ea145d4b3efda534366c0f58"

#: The paper's image names, in the order the lectures list them.
IMAGE_NAMES = ("tubingen", "starry_night", "shipwreck", "the_scream", "composition_vii", "wave")

#: PRECISION values a notebook accepts: the kit's two plus "auto".
NOTEBOOK_PRECISIONS = ("float32", "mixed", "auto")


@dataclass
class NotebookSetup:
    """What :func:`notebook_setup` found; its ``summary`` is what it printed.

    Attributes:
        weights: the ``weights`` argument for the kit (``"imagenet"``, a path or None).
        weights_note: which weights these are, in words (file shown relative to the folder set).
        precision: ``"float32"`` or ``"mixed"``, for ``experiments.settings``.
        precision_note: how it was chosen.
        images: paper image name -> the file used, as printed (relative).
        stand_ins: the names for which a drawn sample image stands in.
        started: ``time.perf_counter()`` when the setup ran (see :meth:`minutes`).
    """

    weights: object
    weights_note: str
    precision: str
    precision_note: str
    images: dict = field(default_factory=dict)
    stand_ins: list = field(default_factory=list)
    started: float = field(default_factory=time.perf_counter)
    summary: str = ""

    def minutes(self):
        """Minutes since the setup ran."""
        return (time.perf_counter() - self.started) / 60


def fmt_minutes(seconds):
    """``75.3`` -> ``"1.3 min"``; under a minute in seconds (``"42 s"``)."""
    return f"{seconds:.0f} s" if seconds < 60 else f"{seconds / 60:.1f} min"


# ------------------------------------------------------------------------------------------
# Paths as printed


def _roots():
    """(label, folder) pairs a printed path may be relative to, most specific first."""
    roots = []
    for env in (paths.IMAGES_ENV, paths.CACHE_ENV):
        if os.environ.get(env):
            roots.append((f"${env}", Path(os.environ[env]).expanduser()))
    roots.append(("styletransfer_tf", Path(__file__).resolve().parent))
    roots.append(("~", Path.home()))
    return roots


def shown_path(path):
    """``path`` as the notebooks print it: relative to ``$STYLETRANSFER_IMAGES``,
    ``$STYLETRANSFER_CACHE``, the kit's package folder or the home folder (``~``), whichever
    holds it first; else the file name alone. Never an absolute path of the machine."""
    path = Path(path).expanduser()
    for label, root in _roots():
        for a, b in ((path.absolute(), root.absolute()), (path.resolve(), root.resolve())):
            try:
                rest = a.relative_to(b)
            except ValueError:
                continue
            return label if str(rest) == "." else f"{label}/{rest.as_posix()}"
    return path.name


# ------------------------------------------------------------------------------------------
# Precision


def choose_precision(requested="float32", optimizer="adam", support=None):
    """``(precision, note)`` for a notebook's ``PRECISION`` parameter.

    Args:
        requested: ``"float32"`` (the default: right everywhere), ``"mixed"`` (VGG19 in
            bfloat16, as asked) or ``"auto"`` (``"mixed"`` only where the machine has fast
            bfloat16, see :func:`hardware.bfloat16_support`).
        optimizer: the preset's optimiser; L-BFGS needs float32 (``options.check_precision``).
        support: a :class:`hardware.Bfloat16Support`; default: ask the machine (only for
            ``"auto"`` and ``"mixed"``).
    """
    from .errors import StyleTransferError
    if requested not in NOTEBOOK_PRECISIONS:
        raise StyleTransferError(f"PRECISION must be one of {', '.join(NOTEBOOK_PRECISIONS)}, "
                                 f"got {requested!r}")
    if requested == "float32":
        return "float32", "float32 (PRECISION = \"float32\", the default)"
    if support is None:
        from .hardware import bfloat16_support
        support = bfloat16_support()
    if requested == "mixed":
        if optimizer == "lbfgs":
            raise StyleTransferError("PRECISION = \"mixed\" does not work with L-BFGS (its line "
                                     "search fails on bfloat16's rounding): use float32")
        speed = "fast here" if support.fast else "NOT fast here, expect it slower than float32"
        return "mixed", f"bfloat16 VGG19 (PRECISION = \"mixed\"; bfloat16 is {speed}: {support.reason})"
    if optimizer == "lbfgs":
        return "float32", "float32 (PRECISION = \"auto\": L-BFGS needs float32)"
    if support.fast:
        return "mixed", f"bfloat16 VGG19 (PRECISION = \"auto\": {support.reason})"
    return "float32", f"float32 (PRECISION = \"auto\": {support.reason})"


# ------------------------------------------------------------------------------------------
# Weights


def _hashes(path):
    md5, sha256 = hashlib.md5(), hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            md5.update(chunk)
            sha256.update(chunk)
    return md5.hexdigest(), sha256.hexdigest()


def weights_kind(path):
    """Which VGG19 weights the file at ``path`` holds, in words (by its checksum)."""
    from .vgg import KERAS_WEIGHTS_MD5
    md5, sha256 = _hashes(path)
    if sha256 == QUANTISED_WEIGHTS_SHA256:
        return ("an 8-bit quantised copy of the ImageNet weights (256 values per layer; "
                "features differ slightly from the full-precision file)")
    if md5 == KERAS_WEIGHTS_MD5:
        return "Keras's ImageNet weights (full precision)"
    return "a weights file the kit does not know (not Keras's ImageNet file)"


def describe_weights(weights):
    """``(weights, note)``: find (or download) the VGG19 weights and say which they are."""
    if weights is None:
        return None, "RANDOM weights (WEIGHTS = None, for tests): the pictures mean nothing"
    from . import vgg
    path = vgg.resolve_weights(weights)
    env = os.environ.get(vgg.WEIGHTS_ENV)
    if weights == "imagenet" and env:
        where = f"${vgg.WEIGHTS_ENV} ({Path(path).name})"
    elif weights == "imagenet":
        where = f"the Keras download ({shown_path(path)})"
    else:
        where = shown_path(path)
    return weights, f"{where}: {weights_kind(path)}"


# ------------------------------------------------------------------------------------------
# Images


def _download(missing, say):
    """Fetch the missing paper images as ``download-images`` does; say what happened."""
    from . import paper_images
    from .errors import StyleTransferError
    folder = paths.images_dir()
    try:
        paper_images.download_paper_images(names=[f"{n}.jpg" for n in missing], progress=None)
    except StyleTransferError as exc:
        reason = str(exc).replace(str(folder), shown_path(folder))
        say(f"could not download the paper's images ({reason})")
        return
    say(f"downloaded {len(missing)} of the paper's images into {shown_path(folder)} "
        "(as `python -m styletransfer_tf download-images` does)")


def find_images(download=True, say=print):
    """``(images, stand_ins)``: paper image name -> the file used (as printed), and the
    names for which the kit's drawn sample stands in. Missing images are downloaded first
    when ``download`` is true."""
    from .jobs import image_path
    missing = [n for n in IMAGE_NAMES if image_path(n)[1]]
    if missing and download:
        _download(missing, say)
    images, stand_ins = {}, []
    for name in IMAGE_NAMES:
        path, substituted = image_path(name)
        images[name] = shown_path(path)
        if substituted:
            stand_ins.append(name)
    return images, stand_ins


def _image_lines(images, stand_ins):
    found = len(images) - len(stand_ins)
    folder = shown_path(paths.images_dir())
    if not stand_ins:
        head = f"images: the paper's, all {found}, from {folder}"
    else:
        head = (f"images: {found} of the paper's {len(images)} found in {folder}; the kit's "
                "DRAWN SAMPLES STAND IN for the others (get them: python -m styletransfer_tf "
                "download-images, or set $STYLETRANSFER_IMAGES)")
    lines = [head]
    for name, shown in images.items():
        mark = "STAND-IN " if name in stand_ins else ""
        lines.append(f"  {name:16s} {mark}{shown}")
    return lines


# ------------------------------------------------------------------------------------------
# The setup


@contextlib.contextmanager
def quiet_stderr():
    """Send what is written to file descriptor 2 (C++ libraries' logs) to the null device
    while the block runs; Python exceptions still propagate as usual."""
    sys.stderr.flush()
    saved, null = os.dup(2), os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 2)
    try:
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(null)


def machine():
    """CPU cores and model, and the GPUs TensorFlow sees, in one line."""
    from .hardware import cpu_model, gpu_capabilities
    cpu = cpu_model() or platform.processor() or platform.machine()
    gpus = [name for name, _ in gpu_capabilities()]
    return f"{os.cpu_count()} CPU cores ({cpu}); GPU: {', '.join(gpus) or 'none'}"


def notebook_setup(weights="imagenet", precision="float32", preset="fast", download=True,
                   say=print):
    """Get a lecture ready: precision, VGG19 weights, the paper's images; print what is used.

    Args:
        weights: the notebook's ``WEIGHTS``: ``"imagenet"`` (``$STYLETRANSFER_VGG19_WEIGHTS``
            or the Keras download), a path to an .h5 file, or None (random; tests).
        precision: the notebook's ``PRECISION``, see :func:`choose_precision`.
        preset: the notebook's ``PRESET`` (its optimiser matters for the precision).
        download: download the paper's images that are missing (needs the internet).
        say: where the lines go (``print``).

    Returns:
        :class:`NotebookSetup`.
    """
    with quiet_stderr():  # TensorFlow's C++ start-up messages (CUDA, oneDNN): not for students
        import tensorflow as tf
        tf.config.list_physical_devices()
    tf.get_logger().setLevel("ERROR")  # each figure row traces its own step: expected
    from . import __version__
    from .presets import PRESETS
    lines = []

    def collect(line):
        lines.append(line)
        say(line)

    started = time.perf_counter()
    collect(f"styletransfer_tf {__version__}, {datetime.date.today().isoformat()}, "
            f"{machine()}")
    optimizer = PRESETS[preset].optimizer if preset in PRESETS else "adam"
    chosen, precision_note = choose_precision(precision, optimizer)
    collect(f"precision: {precision_note}")
    weights, weights_note = describe_weights(weights)
    collect(f"VGG19 weights: {weights_note}")
    images, stand_ins = find_images(download, collect)
    for line in _image_lines(images, stand_ins):
        collect(line)
    return NotebookSetup(weights, weights_note, chosen, precision_note, images, stand_ins,
                         started, "\n".join(lines))


def report(result, say=print):
    """Print what a figure cell ran: images, their optimisation time, cache use, and the
    notes on how the run differs from the paper (``FigureResult.notes``)."""
    shown = result.results
    cached = sum(r.cached for r in shown)
    groups = {(r.seconds, r.batch) for r in shown if not r.cached}
    fresh = sum(seconds for seconds, _ in groups)
    line = f"{result.title}: {len(shown)} image(s)"
    if cached < len(shown):
        line += f"; optimised here in {fmt_minutes(fresh)}"
    if cached:
        line += (f"; {cached} from the cache (they took {fmt_minutes(result.compute_seconds - fresh)}"
                 " when they ran)")
    say(line)
    if result.notes:
        say("differences from the paper:\n  - " + "\n  - ".join(result.notes))


def time_taken(figures, setup):
    """The last line of lectures 1-5: how long the notebook ran (``setup.minutes()``) and
    how long the optimisations behind its figures' images took when they ran (images
    optimised together in one batch counted once), and how many came from the cache.
    ``figures``: the figure results (``FigureResult``) the lecture showed."""
    shown = [r for figure in figures for r in figure.results]
    compute = sum({(r.seconds, r.batch): r.seconds for r in shown}.values())
    return (f"this notebook ran for {setup.minutes():.1f} min; the optimisations behind its "
            f"{len(shown)} images took {compute / 60:.1f} min when they ran "
            f"({sum(r.cached for r in shown)} of them were taken from the cache)")


def finest_scale(history, part):
    """``(first, last)`` value of ``history[part]`` at the finest scale of a run.

    A coarse-to-fine run records every scale's steps in one history (``history["scale"]``:
    0 for the coarsest). The content loss (Eq. 1) is a sum over positions, so it grows with
    the image and only values at one scale compare; a single-scale run is all one scale.
    """
    values = list(history[part])
    scales = list(history.get("scale") or [0] * len(values))
    if len(scales) != len(values) or not values:
        raise ValueError(f"history has {len(values)} {part!r} values and {len(scales)} scale indices")
    first = scales.index(max(scales))
    return values[first], values[-1]


# ------------------------------------------------------------------------------------------
# Cached stylize runs (lecture 6)

#: Bump when a change to the kit changes what ``stylize`` computes, so old entries are ignored.
STYLIZE_CACHE_VERSION = 1

@dataclass
class Stylized:
    """One ``stylize`` result as a lecture shows it.

    Attributes:
        label: what the figure calls it.
        image: uint8 RGB (H, W, 3).
        history: ``step``, ``seconds``, ``scale`` and the losses per step (lists).
        seconds: wall time of the ``stylize`` call that made it (network, targets and
            optimisation), here or when it was cached.
        cached: taken from the cache.
    """

    label: str
    image: object
    history: dict
    seconds: float
    cached: bool = False


def stylize_cache_dir():
    """``stylize/`` in the kit's cache folder (``paths.user_cache_dir``)."""
    return paths.user_cache_dir() / "stylize"


def _digest(value):
    """A JSON-able stand-in for an argument of ``stylize``: arrays, and images given as
    paths, by their content's sha256; everything else as it is."""
    import numpy as np
    if isinstance(value, (str, Path)) and (isinstance(value, Path) or Path(value).is_file()):
        return {"file": paths.file_sha256(value)}
    if isinstance(value, np.ndarray):
        array = np.ascontiguousarray(value)
        return {"array": hashlib.sha256(array.tobytes()).hexdigest(),
                "shape": list(array.shape), "dtype": str(array.dtype)}
    if isinstance(value, (list, tuple)):
        return [_digest(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _digest(v) for k, v in sorted(value.items())}
    if isinstance(value, (np.integer, np.floating)):
        return value.item()
    return value


def stylize_key(content, style, options):
    """Hex digest naming the cache entry of ``stylize(content, style, **options)``, or
    None when it must not be cached (random weights differ per process). Images, masks and
    the weights file enter by their content, so a changed file is a new entry."""
    weights = options.get("weights", "imagenet")
    if weights is None:
        return None
    from . import __version__
    if weights == "imagenet":
        from .vgg import resolve_weights  # imports TensorFlow; finds (or downloads) the file
        weights = resolve_weights(weights)
    record = {"version": STYLIZE_CACHE_VERSION, "kit": __version__,
              "content": _digest(content), "style": _digest(style),
              "options": _digest({k: v for k, v in options.items()
                                  if k not in ("weights", "verbose")}),
              "weights": _digest(Path(weights).expanduser())}
    text = json.dumps(record, sort_keys=True, default=repr)
    return hashlib.sha256(text.encode()).hexdigest()[:20]


def _load_stylized(key, label):
    from .jobs import load_result
    found = None if key is None else load_result(stylize_cache_dir() / f"{key}.npz")
    if found is None:
        return None
    image, history, meta = found
    return Stylized(label, image, history, meta["seconds"], True)


def _save_stylized(key, result):
    from .jobs import save_result
    save_result(stylize_cache_dir() / f"{key}.npz", result.image, result.history,
                {"seconds": result.seconds, "label": result.label})


def cached_stylize(label, content, style, cache=True, say=print, run=None, **options):
    """``optimize.stylize(content, style, **options)``, cached, with one printed line.

    The result is kept in :func:`stylize_cache_dir` under :func:`stylize_key` (never with
    random weights), so a lecture run a second time takes its images from there. The
    line says what was made and what it cost: ``label: W x H px, 2.9 min`` or ``label:
    W x H px, from the cache (it took 2.9 min when it ran)``. ``run`` replaces
    ``optimize.stylize`` (tests).

    Returns:
        :class:`Stylized`.
    """
    key = stylize_key(content, style, options) if cache else None
    found = _load_stylized(key, label) if key is not None else None
    if found is not None:
        say(f"{label}: {found.image.shape[1]}x{found.image.shape[0]} px, from the cache "
            f"(it took {fmt_minutes(found.seconds)} when it ran)")
        return found
    if run is None:
        from .optimize import stylize as run
    start = time.perf_counter()
    image, history = run(content, style, **options)
    from .jobs import HISTORY_KEYS
    result = Stylized(label, image, {k: history[k] for k in HISTORY_KEYS if k in history},
                      time.perf_counter() - start)
    if key is not None:
        _save_stylized(key, result)
    say(f"{label}: {image.shape[1]}x{image.shape[0]} px, {fmt_minutes(result.seconds)}")
    return result


def cost_line(results, what="this cell"):
    """One line: how many images, the time of those optimised now, and of those taken
    from the cache when they ran (:class:`Stylized` results)."""
    fresh = [r for r in results if not r.cached]
    cached = [r for r in results if r.cached]
    line = f"{what}: {len(results)} image(s)"
    if fresh:
        line += f", {len(fresh)} optimised here in {fmt_minutes(sum(r.seconds for r in fresh))}"
    if cached:
        line += (f", {len(cached)} from the cache (they took "
                 f"{fmt_minutes(sum(r.seconds for r in cached))} when they ran)")
    return line
