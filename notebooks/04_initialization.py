# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Lecture 4 · Where the optimisation starts
#
# **Question.** Style transfer is a non-convex optimisation: the result could depend on the
# start image. Does it matter whether we start from the photo, from the painting, or from
# noise? And how different are results started from different noise images?
#
# **The paper's claim** (Gatys, Ecker & Bethge, CVPR 2016, Fig. 6 and the section on the
# initialisation of gradient descent): the initialisation has little influence on the final
# result; starting from a fixed image (the photo or the painting) always gives the same
# result, while different white-noise starts give different images — the only way to make
# many images for one pair.
#
# **Plan.** (1) Six runs from six starts (Fig. 6). (2) Convergence curves. (3) A number for
# how different the results are. (4) Exercises.
#
# **Running it.** The parameters cell sets the image size (`SIZE`, the paper's 512 px by
# default), the number of steps and the precision; the setup cell below it makes the lecture
# run on a laptop or on Google Colab: it installs the kit where it is missing, finds the
# VGG19 weights and the paper's images (downloading them if needed) and prints which are
# used. Where a paper image cannot be had, one of the kit's drawn sample images stands in,
# and the setup cell says so. Every figure cell prints how long its optimisations took;
# for a first look on a laptop, set `SIZE = 128`.

# %% tags=["parameters"]
# Parameters: papermill replaces them (papermill -p SIZE 128 ...; see notebooks/README.md).
SIZE = 512               # longest side of the figures' images, px (the paper's size)
STEPS = 100              # L-BFGS iterations at the finest scale (Adam steps with the "fast" preset)
PRESET = "paper"         # "paper" (L-BFGS, 3 scales, as the gallery) or "fast" (Adam, 1 scale, a figure row as one batch)
PRECISION = "float32"    # "float32"; "mixed" (VGG19 in bfloat16); "auto" (bfloat16 only where it is fast here)
WEIGHTS = "imagenet"     # $STYLETRANSFER_VGG19_WEIGHTS, else the Keras download; a path; None: random (tests)
DOWNLOAD = True          # download the paper's images that are missing (needs the internet)
CACHE = True             # reuse images computed before, by this or another lecture

# %%
# Setup, the same in every lecture. Where the kit is missing (Google Colab) it is installed
# from KIT: the repository's git URL, or a folder holding a copy of the repository.
KIT = "git+https://github.com/OWNER/styletransfer_tf.git"
try:
    import styletransfer_tf
except ImportError:
    import importlib, subprocess, sys
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", KIT], check=True)
    importlib.invalidate_caches()
    import styletransfer_tf
from styletransfer_tf.notebook import notebook_setup  # weights, images, precision: says which
setup = notebook_setup(weights=WEIGHTS, precision=PRECISION, preset=PRESET, download=DOWNLOAD)

# %%
import keras
import numpy as np
import tensorflow as tf
from tqdm.auto import tqdm

from styletransfer_tf import experiments as ex, images as imgs, losses, plotting, vgg
from styletransfer_tf.notebook import finest_scale, report, time_taken
from styletransfer_tf.plotting import show, show_figure

config = ex.settings(PRESET, size=SIZE, steps=STEPS, weights=WEIGHTS, precision=setup.precision)
RESULTS = []  # every figure this lecture shows, for the last cell
print("settings:", ", ".join(f"{k}={v}" for k, v in config.record().items()))

# %% [markdown]
# ## 1. Six starting points (Fig. 6)
#
# *The Starry Night* on Tübingen, $\alpha/\beta = 10^{-3}$, content at `conv4_2`, style on
# `conv1_1` … `conv5_1`, started from (A) the photo, (B) the painting (resized to the photo's
# shape) and (C) four noise images (seeds 0–3). "Noise" here is what the paper calls white
# noise, with an amplitude the paper does not give: the ImageNet mean colour plus Gaussian
# noise of standard deviation `config.noise_std` (10 on the 0–255 scale), independently for
# every pixel and colour. With `PRESET = "paper"` each run is its own L-BFGS optimisation,
# coarse to fine; with `"fast"` the six are one Adam batch.

# %%
result = ex.figure6(config, cache=CACHE)
RESULTS.append(result)
report(result)
show_figure(result)

# %% [markdown]
# **What to look for.** Whether all six show the Neckarfront in van Gogh's style; whether
# the photo start keeps more photographic detail and the painting start more of the
# painting's own layout (its moon, its swirls) than the noise starts; how the four noise
# starts differ from each other. The paper ran L-BFGS to convergence (its number of
# iterations is not given); this lecture runs a fixed budget of iterations per scale,
# after which the start can still show.
#
# **What this run shows.** All six show the Neckarfront in van Gogh's colours and strokes,
# but the start shows. The photo start keeps the most of the photograph: sharp façades and
# windows, the trees on the left. The painting start keeps much of the painting's own
# layout: its cypress stands on the left and a large star in the middle, with the houses
# painted in beside and through them. The four noise starts are alike in kind (swirls
# in the sky, yellow stars, the houses recognisable) and differ in where the stars and
# swirls sit.
#
# ## 2. Convergence
#
# The losses of every run, and (printed) their values at the start and after the first
# step, then at the start and the end of the finest scale. The content loss is a sum over
# positions, so it is only comparable within one scale.

# %%
show(plotting.plot_losses(result.histories(), parts=("content", "style"),
                          title="Losses during the optimisation, by start image"))
print(f"{'':24s} {'content loss':^45s}   {'style loss':^45s}")
print(f"{'':24s} {'start -> step 1 | finest scale: start -> end':45s}   {'start -> step 1 | finest scale: start -> end':45s}")
for label, h in result.histories().items():
    line = f"{label:24s}"
    for part in ("content", "style"):
        first, last = finest_scale(h, part)
        line += f" {h[part][0]:8.3g} -> {h[part][1]:8.3g} | {first:8.3g} -> {last:8.3g}    "
    print(line)

# %% [markdown]
# The photo start begins with zero content loss (its features are the target) and the
# painting start with a small style loss; what happens after the first step, and how far
# apart the runs end, the printed values tell.
#
# In this run the photo start's content loss goes from 0 to 5.31e+05 after the first
# iteration, while its style loss falls from 1.09 to 0.808: one L-BFGS step already trades
# some of the photo for the painting. The painting start begins with a style loss of
# 0.0539, not 0: the start is the painting resized to the photo's shape, while the targets
# come from the painting at its own aspect ratio. It ends with the lowest style loss
# (0.0255) and the highest content loss (2.66e+06) of the six. The four noise runs start
# from the same losses and end close together (content 2.52e+06 to 2.59e+06, style 0.0285
# to 0.0287). The curves also show what coarse to fine costs: at each of the two changes
# of scale both losses jump up and fall back within a few iterations. The content loss is
# a sum over positions, so part of its jump is the larger image (about twice the
# positions per scale); the finest scale starts at 5.03e+06 to 5.79e+06. (Without the
# normalisation floor of lecture 3 this jump was far larger: `benchmarks/README.md`.)
#
# ## 3. How different are the results? A number
#
# Root-mean-square pixel difference between every pair of results (0–255 scale), and the
# same for their start images:

# %%
labels = [r.job.label.replace("from ", "") for r in result.results]
final = ex.pairwise_distances([r.image for r in result.results])
content = ex.load_named("tubingen", size=config.size)
painting = ex.load_named(ex.FIG6_STYLE, shape=content.shape[:2])
starts = [imgs.to_uint8(imgs.deprocess(ex.job_start_image(r.job, content, painting, config.noise_std)))
          for r in result.results]
start = ex.pairwise_distances(starts)
show(plotting.plot_distance_matrices({"RMS pixel difference between start images": start,
                                      "RMS pixel difference between results": final}, labels))

noise = [i for i, r in enumerate(result.results) if r.job.init == "noise"]
pairs = [(i, j) for k, i in enumerate(noise) for j in noise[k + 1:]]
noise_final = np.mean([final[i, j] for i, j in pairs]) if pairs else float("nan")
ssim = np.mean([ex.psnr_ssim(result.results[i].image, result.results[j].image)[1] for i, j in pairs]) if pairs else float("nan")
print(f"between noise-started results: mean RMS difference {noise_final:.1f} (of 255), mean SSIM {ssim:.2f}")
print(f"photo start vs painting start: RMS difference {final[0, 1]:.1f}")
print(f"photo-started result vs the photo itself: RMS difference "
      f"{ex.pairwise_distances([result.results[0].image, imgs.to_uint8(content)])[0, 1]:.1f}")

# %% [markdown]
# **What to look for.** Whether the noise-started results are further apart than zero (the
# optimisation turns different noise into different brush strokes) but closer to each other
# than the photo and painting starts are; whether their mutual SSIM is well below 1 although
# they look alike from afar (their differences are in the fine texture, not the
# composition).
#
# In this run the noise-started results are 67.2 apart on average (RMS, of 255), with a
# mean SSIM of 0.06: as far apart, pixel by pixel, as unrelated pictures, although from afar
# they look alike. Their start images were 14 apart; the photo and painting starts 75,
# their results 70.8. The photo-started result is 41.3 away from the photo itself. So the
# optimisation does not pull different starts together: it turns different noise into
# different strokes and stars, and only the composition, set by the content loss, is
# shared.
#
# ## 4. Summary and exercises
#
# * The paper's claim: the start image changes the details of the result, not what it is;
#   only noise starts give many different results for one pair. Whether that holds after a
#   fixed budget of iterations is what this lecture measures.
#
# **Exercise 1.** Run Fig. 6 again with twice the number of steps,
# `ex.figure6(config, steps=2 * STEPS)`, and rerun section 3 on it. Do the noise-started
# results get closer to each other or not? What does that say about the loss landscape?
#
# **Exercise 2.** The noise start here is small: Gaussian noise of standard deviation
# `config.noise_std` = 10 around the mean colour. Try a start that fills most of the 0–255
# range, `ex.figure6(config, noise_std=60.0, seeds=(0,))` (pixels outside the range are
# clipped after the first step). Compare its loss curves with those above: how many more
# iterations (`steps=...`) does it need before the sky is as smooth?

# %% [markdown]
# ---
# *Time taken*

# %%
print(time_taken(RESULTS, setup))
