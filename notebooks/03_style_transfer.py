# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Lecture 3 · Style transfer: content of one image, style of another
#
# **Question.** Lectures 1 and 2 gave two representations: features of a high layer
# (content) and Gram matrices of several layers (style). Can an image have the content of a
# photograph and the style of a painting at the same time?
#
# **The paper's claim** (CVPR 2016, Sec. 3, Figs. 3 and 4): minimising a weighted sum of
# the two losses from white noise yields images that show the photograph's scene painted in
# the painting's style, for paintings of very different kinds; the ratio $\alpha/\beta$ of the
# weights moves the result smoothly between the two, and matching style on more layers
# gives smoother, more convincing results.
#
# **Plan.** (1) The algorithm and its loss. (2) Why the network is rescaled, and what the
# ratio means. (3) Fig. 3: five styles. (4) Fig. 4: layers and ratios. (5) The trade-off
# curve. (6) Exercises.
#
# **Images.** The notebooks use the paper's images when they find them: set the environment variable `STYLETRANSFER_IMAGES` to a folder holding `tubingen.jpg`, `starry_night.jpg`, ... or fetch them into `images/paper/` with `python -m styletransfer_tf download-images`. Without them the project's own `images/sample_content.png` and `images/sample_style.png` stand in (the setup cell says which files were used).

# %% [markdown] tags=["run-info"]
# **This copy was executed** on 2026-11-21 with `SIZE = 256`, `STEPS = 150`, `PRESET = 'fast'`, `PRECISION = 'mixed'`, `WEIGHTS = 'imagenet'`, `CACHE = True`; real VGG19 ImageNet weights, the paper's images from `$STYLETRANSFER_IMAGES`; on 2 CPU cores (AMD EPYC), no GPU used. Wall-clock time of the whole notebook: **0.3 min** (results already computed by another notebook or the gallery come from the cache; the last cell says how long their optimisations took when they ran).

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
# ## 1. The algorithm
#
# $$\mathcal L_{total}(\vec p, \vec a, \vec x) = \alpha\,\mathcal L_{content}(\vec p, \vec x)
# + \beta\,\mathcal L_{style}(\vec a, \vec x) \qquad \text{(paper, Eq. 7)}$$
#
# with the content loss at `conv4_2` of the photograph $\vec p$ (Lecture 1) and the style loss
# on `conv1_1` ... `conv5_1` of the painting $\vec a$ (Lecture 2). The image $\vec x$ starts as
# white noise and is optimised. Before optimising anything, evaluate the two terms on three
# images: the photo, the painting (resized to the photo's shape) and white noise.

# %%
content = ex.load_named("tubingen", size=SIZE)
painting = ex.load_named("starry_night", shape=content.shape[:2])
noise = imgs.deprocess(ex.job_start_image(ex.Job("noise"), content, painting, 40.0))
c_loss, s_loss = ex.evaluate([imgs.to_uint8(i) for i in (content, painting, noise)], config)
for name, c, s in zip(("the photo", "the painting", "white noise"), c_loss, s_loss):
    print(f"{name:13s} content loss {c:10.4g}   style loss {s:10.4g}")

# %% [markdown]
# The photo has zero content loss and a large style loss, the painting the reverse, and
# noise is bad at both. The optimisation has to find an image that is good at both, which
# no existing image is.
#
# ## 2. The rescaled network and the meaning of $\alpha/\beta$
#
# The paper's ratios ($10^{-3}$ and so on) refer to its own network: VGG19 rescaled "such
# that the mean activation of each convolutional filter over images and positions is equal
# to one". Keras's VGG19 weights are not rescaled: their layers work at very different
# scales, so the same ratio means something else. `normalize.normalize_vgg` rescales the
# weights (on the kit's six images) without changing what the network computes up to a
# factor per filter.

# %%
from styletransfer_tf import normalize
sample = [ex.load_named(n, size=min(SIZE, 128)) for n in ("tubingen", "starry_night")]
raw = normalize.mean_activations(sample, weights=config.weights, pooling=config.pooling)
rescaled = normalize.mean_activations(sample, weights=ex.network_weights(config), pooling=config.pooling)
names = list(raw)
fig, ax = plt.subplots(figsize=(8, 3.2))
ax.semilogy(range(len(names)), [np.median(raw[n]) for n in names], "o-", label="Keras weights")
ax.semilogy(range(len(names)), [np.median(rescaled[n][rescaled[n] > 0]) for n in names], "s-", label="normalised")
ax.set_xticks(range(len(names)), [n.replace("block", "conv").replace("_conv", "_") for n in names], rotation=60)
ax.set_ylabel("median mean activation"); ax.legend(); ax.grid(alpha=0.3)
ax.set_title("Mean activation per filter, median over filters"); plt.show()

# %% [markdown]
# With Keras's weights the typical activation spans four orders of magnitude across the
# network (from a few hundred in block 3 to 0.02 at `conv5_4`), so a Gram matrix of
# `conv1_1` and the content features of `conv4_2` live on unrelated scales; after
# normalisation every filter averages 1, as in the paper (here measured on two of the
# images at 128 px, not the six the network was normalised on, hence "about 1").
#
# Two more corrections turn the paper's ratio into the $\alpha/\beta$ used here.
#
# *Image size.* The content loss is a *sum* over positions; the style loss is divided by
# $M_l^2$ while the Gram matrix grows like $M_l$. Per pixel, the pull of the style term
# grows as the image gets smaller. The paper's images were about 512 px, so at `SIZE` px
# the kit multiplies every ratio by $(512/\mathrm{SIZE})^2$.
#
# *Calibration.* Even with the normalised network, the paper's ratios as printed give
# the photo with a little colour in *every* column of Fig. 4 here. The sweep below sets
# $\alpha/\beta$ directly (no corrections) over four orders of magnitude: the result turns
# from texture into a stylised photo around $10^{-5}$ at 96 px, which corresponds to
# $3.5\times10^{-7}$ at 512 px — about 3000 times below the middle of the paper's range
# ($10^{-3}$). The kit therefore multiplies the paper's ratios by a measured factor,
# `ex.RATIO_CALIBRATION` $= 3\times10^{-4}$. The paper does not say how its code scaled the
# two losses beyond Eqs. 1–5, nor on which images its network was normalised; either can
# account for such a factor. Panel titles always show the *paper's* ratio.

# %%
sweep = ex.ratio_sweep(config, cache=CACHE, verbose=False, size=min(SIZE, 96), steps=min(STEPS, 200))
display(plotting.plot_figure(sweep, panel_width=2.0, footer=False))
alpha, beta = ex.loss_weights(1e-3, config.size, config.ratio_scaling, config.ratio_calibration)
print(f"at {config.size} px the paper's alpha/beta = 1e-3 becomes alpha = {alpha:.3g}, beta = {beta:g}")

# %% [markdown]
# ## 3. One photograph, five paintings (Fig. 3)
#
# The paper's Fig. 3 uses a different ratio per painting. Its fifth painting (Picasso,
# *Femme nue assise*) is under copyright; Hokusai's *Great Wave* takes its place at the same
# ratio. All five are optimised together as one batch (one image per batch entry, each
# with its own style image and ratio).

# %%
fig3 = ex.figure3(config, cache=CACHE, verbose=False)
print("differences from the paper:", *fig3.notes, sep="\n  - ")
display(plotting.plot_figure(fig3))

# %% [markdown]
# **What it shows.** Each result keeps the layout of the Neckarfront — the row of houses,
# the river, the sky — and takes colours, brush strokes and texture from its painting:
# Turner's stormy browns, van Gogh's swirls, Munch's bands of orange and blue, Hokusai's
# Prussian blue with white foam, Kandinsky's coloured patches. The larger ratio of *The Scream*
# ($5\times10^{-3}$) keeps more of the photo, as in the paper.
#
# ## 4. Which layers, how much style (Fig. 4)
#
# Rows: style matched on `conv1_1`, then `conv1_1`+`conv2_1`, ..., up to all five layers.
# Columns: $\alpha/\beta = 10^{-5}$ (mostly style) to $10^{-2}$ (mostly content). Painting:
# Kandinsky's *Composition VII*. The sixteen images of the first four rows are one batch
# (they need the network up to `conv4_2`), the last row another.

# %%
fig4 = ex.figure4(config, cache=CACHE, verbose=False)
RESULTS = [sweep, fig3, fig4]
display(plotting.plot_figure(fig4, panel_width=2.2))

# %% [markdown]
# **What it shows.** Along a row, the photograph emerges as $\alpha/\beta$ grows: at
# $10^{-5}$ the image is mostly the painting's texture, at $10^{-2}$ mostly the photo with
# the painting's colours. Down a column, matching style on more layers turns small
# repetitive colour patterns (row 1, `conv1_1`) into larger, smoother painted structures
# (last row): the higher layers carry the painting's larger-scale features. The paper
# makes both observations about its Fig. 4.
#
# ## 5. The trade-off curve
#
# Measure every Fig. 4 result with one yardstick: content loss at `conv4_2` of the photo and
# style loss on all five layers of the painting (the full objective; `ex.evaluate`).
# Each row of Fig. 4 gives one curve through its four ratios.

# %%
rows = [[p for p in row] for row in fig4.grid]
fig, ax = plt.subplots(figsize=(6.4, 4.4))
for label, row in zip(fig4.row_labels, rows):
    c, s = ex.evaluate([p.image for p in row], config, style=ex.FIG4_STYLE)
    ax.loglog(c, s, "o-", label=f"style on {label}")
    if label == fig4.row_labels[-1]:
        for ratio, ci, si in zip(ex.FIG4_RATIOS, c, s):
            ax.annotate(f"α/β={ratio:g}", (ci, si), textcoords="offset points", xytext=(5, 4), fontsize=8)
ax.set_xlabel("content loss (conv4_2 of the photo)")
ax.set_ylabel("style loss (conv1_1 … conv5_1 of the painting)")
ax.set_title("Content versus style across α/β (Fig. 4 results)")
ax.grid(alpha=0.3, which="both"); ax.legend(fontsize=7); plt.show()

# %% [markdown]
# **What it shows.** From $10^{-5}$ to $10^{-3}$, a larger $\alpha/\beta$ buys a lower
# content loss with a higher style loss, most clearly in the rows that match style on
# several layers: no image is best at both, and the ratio picks a point on the curve. At
# $10^{-2}$ the content loss rises again. For exact minimisers that cannot happen (more
# weight on content never gives a higher content loss); it is the fixed budget of Adam steps
# showing: a content-dominated run behaves like the content reconstruction of lecture 1 and
# keeps a fine speckle in flat areas (see the sky in Fig. 4's last column), which the
# style term would have smoothed away. Rows that matched style on fewer layers have a high
# full style loss whatever the ratio — they were not asked to match the higher layers' Gram
# matrices.
#
# ## 6. Summary and exercises
#
# * Style transfer is the optimisation of Eq. 7 from noise; $\alpha/\beta$ moves along a
#   trade-off between the photo's content and the painting's style; style on more layers
#   gives larger-scale, smoother stylisation.
# * The paper's ratios only carry over with the paper's normalised network, a size
#   correction, and (for this implementation) one measured factor.
#
# **Exercise 1.** Rerun Fig. 4's last row with `ex.figure4(ex.settings(config, normalize=False), style_sets=[ex.STYLE_LAYERS])`
# (Keras's weights, paper ratios). Which ratio now gives a balanced image? Explain with the
# plot of section 2.
#
# **Exercise 2.** Turn off the size correction (`ratio_scaling="none"`) and rerun one
# column of Fig. 4. Does the result look like the next column to the left? Should it?
#
# **Exercise 3.** Repeat the calibration sweep with *The Scream* and with *The Great Wave*.
# Is the transition at the same applied ratio? The paper chose a different ratio per
# painting (Fig. 3): does your measurement agree with its choices?

# %% [markdown]
# ---
# *Time taken*

# %%
shown = [r for res in RESULTS for r in res.results]
compute = sum({(r.seconds, r.batch): r.seconds for r in shown}.values())
print(f"this notebook ran for {(time.perf_counter() - NOTEBOOK_START) / 60:.1f} min; "
      f"the optimisations behind its {len(shown)} images took {compute / 60:.1f} min when they ran "
      f"({sum(r.cached for r in shown)} of them were taken from the cache)")
