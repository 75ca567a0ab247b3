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
# **The paper's claims** (CVPR 2016): matching content at a lower layer (`conv2_2`) keeps so
# much of the photo's fine structure that the painting's texture looks merely "blended
# over" it, while at `conv4_2` photo and painting merge (Sec. 3, Fig. 5); average pooling
# "improves the gradient flow and one obtains slightly more appealing results" (Sec. 2);
# L-BFGS "works best for image synthesis" (Sec. 3).
#
# **Plan.** (1) Content layer (Fig. 5). (2) Max versus average pooling. (3) Adam versus
# L-BFGS on the same problem, against wall-clock time. (4) Exercises.
#
# **Images.** The notebooks use the paper's images when they find them: set the environment variable `STYLETRANSFER_IMAGES` to a folder holding `tubingen.jpg`, `starry_night.jpg`, ... or fetch them into `images/paper/` with `python -m styletransfer_tf download-images`. Without them the project's own `images/sample_content.png` and `images/sample_style.png` stand in (the setup cell says which files were used).

# %% [markdown] tags=["run-info"]
# **This copy was executed** on 2026-11-21 with `SIZE = 256`, `STEPS = 150`, `PRESET = 'fast'`, `PRECISION = 'mixed'`, `WEIGHTS = 'imagenet'`, `CACHE = True`; real VGG19 ImageNet weights, the paper's images from `$STYLETRANSFER_IMAGES`; on 2 CPU cores (AMD EPYC), no GPU used. Wall-clock time of the whole notebook: **0.1 min** (results already computed by another notebook or the gallery come from the cache; the last cell says how long their optimisations took when they ran).

# %% tags=["parameters"]
# Parameters (papermill-style: this cell is tagged "parameters"; run_notebooks.py and the
# tests replace these values). SIZE = longest image side in px, STEPS = Adam steps per image.
SIZE = 256
STEPS = 150
PRESET = "fast"          # "fast" (Adam, batched) or "paper" (L-BFGS, one image at a time)
PRECISION = "mixed"      # "float32" or "mixed" (VGG19 in bfloat16: about 1.4x faster on this CPU)
WEIGHTS = "imagenet"     # $STYLETRANSFER_VGG19_WEIGHTS or the Keras download; None = random (tests)
CACHE = True             # reuse results computed before (by another notebook or the gallery)

# %%
# %matplotlib inline
import sys
import time
from pathlib import Path

try:
    import styletransfer_tf
except ImportError:  # running from notebooks/ without `pip install -e .`
    sys.path.insert(0, str(Path.cwd().parent))

import numpy as np
import matplotlib.pyplot as plt
from IPython.display import display, Markdown

from styletransfer_tf import experiments as ex, plotting, vgg, losses
from styletransfer_tf import images as imgs
import tensorflow as tf
tf.get_logger().setLevel("ERROR")  # every figure row traces its own step function; that is expected

NOTEBOOK_START = time.perf_counter()
config = ex.settings(PRESET, size=SIZE, steps=STEPS, weights=WEIGHTS, precision=PRECISION)
print("settings:", ", ".join(f"{k}={v}" for k, v in config.record().items()))
for name in ("tubingen", "starry_night", "shipwreck", "the_scream", "composition_vii", "wave"):
    path, substituted = ex.image_path(name)
    print(f"  {name:16s} -> {path}" + ("   (STAND-IN: the paper's image was not found)" if substituted else ""))

# %% [markdown]
# ## 1. Content at `conv2_2` or `conv4_2` (Fig. 5)
#
# Same painting, same $\alpha/\beta = 10^{-3}$, same start; only the content layer differs.
# (The paper's painting for Fig. 5 is by Lyonel Feininger and not in our image set; we use
# *The Starry Night*.)

# %%
fig5 = ex.figure5(config, cache=CACHE, verbose=False)
print("differences from the paper:", *fig5.notes, sep="\n  - ")
display(plotting.plot_figure(fig5))
c, s = ex.evaluate([r.image for r in fig5.results], config)
for r, ci, si in zip(fig5.results, c, s):
    print(f"{r.job.label}: content loss at conv4_2 {ci:.4g}, style loss {si:.4g}")

# %% [markdown]
# **What it shows.** With content at `conv2_2`, the photo's edges and fine detail are kept
# almost exactly and the painting's texture lies on top of it like a filter; with
# `conv4_2`, the houses are re-drawn in the painting's strokes. The `conv2_2` result also
# has the higher style loss: the low content layer constrains the pixels so tightly that
# there is less room for the style.
#
# ## 2. Max or average pooling
#
# Both networks are normalised on the same images and run with the same settings; the two
# results are compared with one yardstick (the average-pooling network's losses).

# %%
pool = ex.pooling_comparison(config, cache=CACHE, verbose=False)
display(plotting.plot_figure(pool, suptitle=False))
c, s = ex.evaluate([r.image for r in pool.results], config)
for r, ci, si in zip(pool.results, c, s):
    print(f"{r.job.label}: content loss {ci:.4g}, style loss {si:.4g} (measured with average pooling)")

# %% [markdown]
# **What it shows.** The two results are similar at first sight; max pooling leaves
# sharper, higher-contrast strokes and more high-frequency grain, average pooling softer,
# smoother ones. (Measured with the average-pooling network, the max-pooling result has
# about three times the content loss; part of that is the yardstick being the other network.) Max pooling
# passes the gradient to one input of each 2x2 window only, average pooling to all four:
# this is the paper's "gradient flow". The difference is a matter of taste more than of
# principle, as the paper's "slightly" says.
#
# ## 3. Adam or L-BFGS, against the clock
#
# The same problem (Fig. 6's noise seed 0) run alone with each optimiser for the same
# number of steps, so that each run's wall-clock time is its own, and both in float32
# (with the bfloat16 network, `PRECISION = "mixed"`, L-BFGS's line search fails after one
# iteration: its rounding noise breaks the line search's assumptions). One L-BFGS iteration
# can evaluate the loss and gradient more than once (line search); one Adam step is exactly
# one evaluation.

# %%
opt = ex.optimizer_comparison(config, cache=CACHE, verbose=False)
RESULTS = [fig5, pool, opt]
display(plotting.plot_figure(opt, suptitle=False))
display(plotting.plot_losses(opt.histories(), parts=("total",), x="seconds",
                             title="Weighted total loss against wall-clock time"))
display(plotting.plot_losses(opt.histories(), parts=("total",), x="step",
                             title="... and against steps / iterations"))
for r in opt.results:
    h = r.history
    print(f"{r.job.label:7s}: {h['step'][-1]} steps in {h['seconds'][-1]:.1f} s, final total loss {h['total'][-1]:.4g}")

# %% [markdown]
# **What it shows.** One Adam step and one L-BFGS iteration cost about the same here
# (about 0.4 s: both are one loss-and-gradient evaluation, L-BFGS's line search rarely
# needs a second). Adam is ahead for the first ten seconds or so, while L-BFGS is still
# building its picture of the curvature; then L-BFGS overtakes, keeps descending steadily
# and ends clearly lower after its 150 iterations (total loss about 1.0 against Adam's
# 1.3), while Adam, its learning rate decayed, has levelled off. L-BFGS uses curvature
# information from past gradients and needs no learning rate: the paper's reason to prefer
# it. Adam's advantages are elsewhere: a batch of independent images at once (a whole
# figure row in one optimisation, as the kit does), and bfloat16 works with it (L-BFGS
# needs float32: see above). (How the two compare over 1000 steps, with other Adam
# settings: `benchmarks/README.md`.)
#
# ## 4. Summary and exercises
#
# * Content at `conv4_2` lets the painting re-draw the photo; at `conv2_2` it can only tint it.
# * Average pooling gives slightly smoother results; the effect is small.
# * L-BFGS gets further per iteration and, after the first seconds, per second; Adam batches.
#
# **Exercise 1.** Try `conv3_2` and `conv5_2` as content layers with `ex.run_jobs` and
# `ex.Job(..., content_layers=("conv3_2",))`. Where between `conv2_2` and `conv4_2` does
# the picture change from "tinted photo" to "painting"?
#
# **Exercise 2.** Adam's learning rate is `config.lr` pixel units per step, decaying along
# a cosine to `config.lr * config.lr_final`. Try a constant learning rate (`lr_final=1.0`)
# and a larger one (`lr=8.0`). Does any setting catch up with L-BFGS?

# %% [markdown]
# ---
# *Time taken*

# %%
shown = [r for res in RESULTS for r in res.results]
compute = sum({(r.seconds, r.batch): r.seconds for r in shown}.values())
print(f"this notebook ran for {(time.perf_counter() - NOTEBOOK_START) / 60:.1f} min; "
      f"the optimisations behind its {len(shown)} images took {compute / 60:.1f} min when they ran "
      f"({sum(r.cached for r in shown)} of them were taken from the cache)")
