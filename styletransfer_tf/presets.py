"""The paper's settings: what each figure of Gatys, Ecker & Bethge (CVPR 2016) uses, and
the named presets (``paper``, ``fast``) with the loss weights they imply.

Figure numbers are the CVPR ones; the arXiv preprint 1508.06576 ("A Neural Algorithm of
Artistic Style") numbers some of them differently. No TensorFlow here.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from . import images as imgs
from . import options
from .errors import StyleTransferError
from .layers import STYLE_LAYERS

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


#: Factor between the paper's alpha/beta and the ratio that gives the same balance here
#: (the normalised VGG19): with the paper's ratios as printed, every column of Fig. 4
#: comes out as the photo. The paper does not say how its implementation scaled the two
#: losses beyond Eqs. 1-5, nor on which images it normalised; either can account for the
#: factor. Measured on Fig. 3 at 512 px against the reference reproduction with
#: ``benchmarks/paper_figures.py`` (the sweep is in benchmarks/README.md).
RATIO_CALIBRATION = 3e-5


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
        norm_floor: when normalising, no filter's mean is taken below this fraction of
            its layer's median (``normalize.floored_means``), which caps the gain of
            filters that barely fire on the six images. Without it one such ``conv4_2``
            filter made the content loss jump about 50-fold at every change of scale
            (``benchmarks/README.md``); 0 is the paper's rule exactly.
        ratio_scaling: "area" multiplies every alpha/beta by (512 / size)^2 so that content
            and style pull on each pixel as they did at the paper's 512 px (see
            :func:`loss_weights`); "none" leaves that factor out.
        ratio_calibration: every paper ratio is multiplied by this factor (see
            :data:`RATIO_CALIBRATION`); 1.0 uses the paper's numbers as printed.
        lr: Adam learning rate in pixel units (0-255 scale).
        lr_final: the learning rate decays along a cosine to ``lr * lr_final``.
        epsilon: Adam's epsilon; tiny, so Adam ignores the loss's overall scale (the
            normalised network's losses are many orders smaller than Keras's).
        style_size: how the painting is sized for the photo (``images.style_image_for``):
            "size" keeps its aspect ratio with the photo's longest side (Eq. 4 then
            compares size-normalised Gram matrices); "content" stretches it to the
            photo's H x W. A portrait painting stretched to a landscape photo is no
            longer the painting: The Scream stretched to Tübingen's shape scores S
            7.6x that of the reference reproduction (``benchmarks/README.md``).
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
    norm_floor: float = 0.1
    ratio_scaling: str = "area"
    ratio_calibration: float = RATIO_CALIBRATION
    lr: float = 4.0
    lr_final: float = 0.1
    epsilon: float = 1e-8
    style_size: str = "size"
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


#: The paper's setup as far as this kit reproduces it: VGG19 with rescaled weights and
#: average pooling, L-BFGS, about 512 px, no TV term, the paper's alpha/beta ratios (times
#: :data:`RATIO_CALIBRATION`), white-noise starts. The paper does not give its number of
#: iterations; the kit's choice is three scales (256, 362, 512 px) with 178, 133 and 100
#: L-BFGS iterations, so that Fig. 3 fits in half an hour on a 2-core CPU
#: (benchmarks/README.md); ``steps=`` and ``scales=1`` give a single-scale run.
PAPER_PRESET = Settings(size=512, steps=100, scales=3, optimizer="lbfgs", pooling="avg",
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
    if result.style_size not in ("size", "content"):
        raise StyleTransferError(f"style_size must be size or content, got {result.style_size!r}")
    if not (isinstance(result.norm_floor, (int, float)) and 0 <= result.norm_floor < 1):
        raise StyleTransferError(f"norm_floor must be a number in [0, 1), got {result.norm_floor!r}")
    if result.ratio_scaling not in ("area", "none"):
        raise StyleTransferError(f"ratio_scaling must be area or none, got {result.ratio_scaling!r}")
    return result


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
