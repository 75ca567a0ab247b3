# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Lecture 5 · Choices: content layer, pooling, optimiser
#
# **Question.** The paper makes three design choices we have taken for granted: content is
# matched at `conv4_2`, max pooling is replaced by average pooling, and the optimiser is
# L-BFGS. What happens with the alternatives?
#
# **The paper's claims** (Gatys, Ecker & Bethge, CVPR 2016), paraphrased: matching the
# content at a lower layer (`conv2_2`) keeps so much of the photo's detailed pixel
# information that the painting's texture looks merely blended over the photo, while at
# `conv4_2` photo and painting merge (Fig. 5); replacing max pooling by average pooling gave
# slightly more appealing results, which is why the paper's images use it; and L-BFGS is the
# optimiser the authors found to work best for image synthesis.
#
# **Plan.** (1) Content layer (Fig. 5). (2) Max versus average pooling. (3) Adam versus
# L-BFGS on the same problem, against wall-clock time. (4) Exercises.
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
from styletransfer_tf.notebook import report, time_taken
from styletransfer_tf.plotting import show, show_figure

config = ex.settings(PRESET, size=SIZE, steps=STEPS, weights=WEIGHTS, precision=setup.precision)
RESULTS = []  # every figure this lecture shows, for the last cell
print("settings:", ", ".join(f"{k}={v}" for k, v in config.record().items()))

# %% [markdown]
# ## 1. Content at `conv2_2` or `conv4_2` (Fig. 5)
#
# Same painting, same $\alpha/\beta = 10^{-3}$, same start; only the content layer differs.
# (The paper's painting for Fig. 5 is by Lyonel Feininger and not in our image set; we use
# *The Starry Night*.) Both results are then measured with one yardstick: content loss at
# `conv4_2`, style loss on all five layers.

# %%
fig5 = ex.figure5(config, cache=CACHE)
RESULTS.append(fig5)
report(fig5)
show_figure(fig5, max_cols=2)
c, s = ex.evaluate([r.image for r in fig5.results], config)
for r, ci, si in zip(fig5.results, c, s):
    print(f"{r.job.label}: content loss at conv4_2 {ci:.4g}, style loss {si:.4g}")

# %% [markdown]
# **What to look for.** The paper's description: with content at `conv2_2`, the photo's
# edges and fine detail stay and the painting's texture lies on top like a filter; with
# `conv4_2`, the houses are re-drawn in the painting's strokes. The printed style losses
# say which result matches the painting's statistics more closely.
#
# **What this run shows.** With content at `conv2_2` the photograph stays: the façades,
# windows and the tower are sharp, with the painting's swirls and a few yellow stars laid
# over the sky and the river like a filter. With `conv4_2` the town is re-drawn in
# strokes; the painting's stars and swirls spread over the sky and the river, and the
# houses are recognisable but painted. Measured with one yardstick (printed above), the
# `conv4_2` result is closer on both counts: content loss at `conv4_2` 2.55e+06 against
# 4.18e+06, style loss 0.0460 against 0.0972. (Its content loss is measured where it was
# optimised; the `conv2_2` result was held to the photo's fine detail instead, which this
# yardstick does not reward.)
#
# ## 2. Max or average pooling
#
# Both networks are normalised on the same images and run with the same settings except
# the pooling; the two results are then measured with one yardstick, the average-pooling
# network's losses (which favours the average-pooling result).

# %%
pool = ex.pooling_comparison(config, cache=CACHE)
RESULTS.append(pool)
report(pool)
show_figure(pool, suptitle=False, footer=False)
c, s = ex.evaluate([r.image for r in pool.results], config)
for r, ci, si in zip(pool.results, c, s):
    print(f"{r.job.label}: content loss {ci:.4g}, style loss {si:.4g} (measured with average pooling)")

# %% [markdown]
# Max pooling passes the gradient to one input of each 2x2 window only, average pooling to
# all four: an argument for average pooling in an optimisation over pixels. The paper itself
# only calls the difference slight.
#
# **What this run shows.** Both are clearly van Gogh's Tübingen; they differ in layout
# more than in quality (the stars and swirls sit elsewhere, and the max-pooling result
# turned the church tower into a tall dark cypress-like shape). On the average-pooling
# yardstick, which favours its own result, average pooling scores better on both losses:
# content 2.55e+06 against 3.96e+06, style 0.0460 against 0.0923. From these two pictures
# one would not call either more appealing; the paper's "slightly" fits.
#
# ## 3. Adam or L-BFGS, against the clock
#
# The same problem (Fig. 6's noise seed 0) run alone with each optimiser for the same number
# of steps, so that each run's wall-clock time is its own, and both in float32 (L-BFGS
# needs float32: with the bfloat16 network its line search fails on the rounding noise).
# One L-BFGS iteration can evaluate the loss and gradient more than once (line search); one
# Adam step is exactly one evaluation. The cell prints each run's steps, time and final loss.

# %%
opt = ex.optimizer_comparison(config, cache=CACHE)
RESULTS.append(opt)
report(opt)
show_figure(opt, suptitle=False, footer=False)
show(plotting.plot_losses(opt.histories(), parts=("total",), x="seconds",
                          title="Weighted total loss against wall-clock time"))
show(plotting.plot_losses(opt.histories(), parts=("total",), x="step",
                          title="... and against steps / iterations"))
for r in opt.results:
    h = r.history
    print(f"{r.job.label:7s}: {int(h['step'][-1])} steps in {h['seconds'][-1]:.1f} s "
          f"({h['seconds'][-1] / max(h['step'][-1], 1):.2f} s per step), final total loss {h['total'][-1]:.4g}")

# %% [markdown]
# **What to look for.** Which optimiser is ahead after the first seconds and which at the
# end, per second and per step; whether either curve has spikes. L-BFGS uses curvature
# information from past gradients and needs no learning rate: the paper's reason to prefer
# it. Adam's advantages are elsewhere: a batch of independent images at once (a whole figure
# row in one optimisation, as the kit does), and bfloat16 works with it. (How the two compare
# over 1000 steps, with other Adam settings: `benchmarks/README.md`.)
#
# **What this run shows.** Both ran the preset's 178/133/100 steps over three scales
# (411 in all): Adam in 186.3 s (0.45 s per step), L-BFGS in 213.8 s (0.52 s per step,
# its line search sometimes evaluating the loss twice). L-BFGS ends lower: total loss
# 0.1052 against Adam's 0.1475. L-BFGS is slightly ahead already at the coarsest scale
# and pulls away at the two finer ones, while Adam flattens. The spikes in both curves
# are the changes of scale: the enlarged image starts each finer scale with a higher loss
# (lecture 4, section 2), and both optimisers remove most of it within a few steps. In
# the pictures the L-BFGS result keeps more of the town; in Adam's the houses on the left
# dissolve into swirls.
#
# ## 4. Summary and exercises
#
# * The paper's claims: content at `conv4_2` lets the painting re-draw the photo, at
#   `conv2_2` it can only tint it; average pooling gives slightly more appealing results;
#   L-BFGS works best. Sections 1–3 put each to a test on this machine.
#
# **Exercise 1.** Try `conv3_2` and `conv5_2` as content layers:
# `ex.run_jobs([ex.Job("conv3_2", content_layers=("conv3_2",))], config)`. Where between
# `conv2_2` and `conv4_2` does the picture change from "tinted photo" to "painting"?
#
# **Exercise 2.** Adam's learning rate is `config.lr` pixel units per step, decaying along
# a cosine to `config.lr * config.lr_final`. Try a constant learning rate,
# `ex.optimizer_comparison(config, lr_final=1.0)`, and a larger one,
# `ex.optimizer_comparison(config, lr=8.0)`. Does any setting catch up with L-BFGS?

# %% [markdown]
# ---
# *Time taken*

# %%
print(time_taken(RESULTS, setup))
