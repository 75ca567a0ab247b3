# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Lecture 2 · Style as correlations between features: the Gram matrix
#
# **Question.** What is the "style" of a painting, in numbers? The paper's answer: which
# features of a layer fire *together*, summed over the whole image — the Gram matrix.
# What does that representation keep, and what does it throw away?
#
# **The paper's claim** (Gatys, Ecker & Bethge, CVPR 2016, Fig. 1 and the section on the
# style representation): the correlations between a layer's features capture the texture
# of an image but not its global arrangement; matching them on more and more layers
# reproduces the painting's texture at larger and larger scales, while the arrangement of
# the scene is lost.
#
# **Plan.** (1) The Gram matrix and what it loses (a scrambling experiment). (2) Texture
# synthesis from the Gram matrices of growing layer sets (Fig. 1, bottom). (3) The loss
# curves. (4) Exercises.
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
# ## 1. The Gram matrix
#
# For layer $l$ with feature maps $F^l$ ($N_l$ filters $\times$ $M_l$ positions):
#
# $$G^l_{ij} = \sum_k F^l_{ik} F^l_{jk} \qquad \text{(paper, Eq. 3)}$$
#
# $G^l_{ij}$ is large when filters $i$ and $j$ respond strongly at the same positions. The
# sum over positions $k$ is the point: *where* something happens is summed away.

# %%
style = ex.load_named("starry_night", size=SIZE)
x = imgs.preprocess(style)[None]
style_layers = list(ex.STYLE_LAYERS)
extractor = vgg.feature_extractor(style_layers, weights=ex.network_weights(config), pooling=config.pooling)
feats = vgg.extract(extractor, x)
gram = np.asarray(losses.gram_matrix(feats[0])[0])
m = feats[0].shape[1] * feats[0].shape[2]
show(plotting.plot_gram(imgs.to_uint8(style), gram / m, "The Starry Night",
                        "Gram matrix of conv1_1 / M (64 x 64)"))
for name, f in zip(style_layers, feats):
    n = f.shape[-1]
    print(f"{name}: {n} x {n} Gram matrix = {n * n:7d} numbers, from {np.prod(f.shape[1:]):8d} feature values")

# %% [markdown]
# ### What the Gram matrix loses: scramble the picture
#
# Cut the painting into tiles and shuffle them. Every local texture survives, but the
# composition is destroyed. If the Gram matrix only cares about what occurs, not where, it
# should change much less than the feature maps themselves (the *content* representation
# of Lecture 1). The cell prints both changes, layer by layer, as a fraction of the
# original's size.

# %%
def scramble(image, tiles=4, seed=0):
    h, w = (image.shape[0] // tiles) * tiles, (image.shape[1] // tiles) * tiles
    image = image[:h, :w]
    th, tw = h // tiles, w // tiles
    blocks = [image[r * th:(r + 1) * th, c * tw:(c + 1) * tw] for r in range(tiles) for c in range(tiles)]
    order = np.random.default_rng(seed).permutation(len(blocks))
    rows = [np.concatenate([blocks[order[r * tiles + c]] for c in range(tiles)], axis=1) for r in range(tiles)]
    return np.concatenate(rows, axis=0)

tiles = 4
h, w = (style.shape[0] // tiles) * tiles, (style.shape[1] // tiles) * tiles
original = style[:h, :w]
shuffled = scramble(style, tiles)
show(plotting.plot_images([imgs.to_uint8(original), imgs.to_uint8(shuffled)],
                          ["original", f"{tiles}x{tiles} tiles shuffled"], panel_width=plotting.SCREEN_PANEL_WIDTH))
fa = vgg.extract(extractor, imgs.preprocess(original)[None])
fb = vgg.extract(extractor, imgs.preprocess(shuffled)[None])
print(f"{'layer':8s} {'features change':>16s} {'Gram matrix changes':>20s}")
for name, a, b in zip(style_layers, fa, fb):
    a, b = np.asarray(a), np.asarray(b)
    ga, gb = (np.asarray(losses.gram_matrix(t))[0] for t in (a, b))
    df = np.linalg.norm(a - b) / np.linalg.norm(a)
    dg = np.linalg.norm(ga - gb) / np.linalg.norm(ga)
    print(f"{name:8s} {df:15.1%} {dg:19.1%}")

# %% [markdown]
# **What to look for.** In every row of the table, whether the Gram matrix changes much
# less than the features; and whether the deepest layer, `conv5_1`, whose filters each see
# a large part of the image, notices the tile seams and the broken composition more than
# the others (deep Gram matrices describe texture at a larger scale).
#
# In this run every layer's features change by more than their own size (109–126 %: the
# shuffled picture is a different picture to them), while the Gram matrices change by 4.0 %
# (`conv1_1`) to 12.7 % (`conv4_1`). `conv5_1` stands out: its Gram matrix changes by
# 42.5 %. Its filters see large parts of the picture, so they notice the seams and the
# broken composition.
#
# ## 2. Texture from Gram matrices alone (Fig. 1, bottom)
#
# Now start from noise (the ImageNet mean colour plus Gaussian noise of standard deviation
# `config.noise_std`, as in Lecture 1) and match only the Gram matrices of the painting, on
# `conv1_1`; then on `conv1_1` and `conv2_1`; ... up to all five layers:
#
# $$E_l = \frac{1}{4N_l^2M_l^2}\sum_{i,j}(G^l_{ij}-A^l_{ij})^2, \qquad
# \mathcal L_{style} = \sum_l w_l E_l,\quad w_l = \frac{1}{\text{number of layers}}
# \qquad\text{(Eqs. 4, 5)}$$

# %%
result = ex.figure1_style(config, cache=CACHE)
RESULTS.append(result)
report(result)
show_figure(result)

# %% [markdown]
# **What to look for.** The paper's claim: each added layer extends the scale of the
# structure that is reproduced, from the colour statistics (`conv1_1` alone) to brush
# strokes and larger patterns; nowhere do the village, the cypress or the moon come back
# *in place*.
#
# **What this run shows.** With `conv1_1` alone the result is blobs of the painting's
# blues, yellows and black, without strokes. (The blobs are far larger than the 3 x 3
# pixels a `conv1_1` filter sees, so the loss cannot have made them: they are what
# enlarging the coarser scales' results left behind. The paper's `conv1_1` panel, made at
# one scale, is fine-grained.) Adding `conv2_1` brings short strokes and yellow patches;
# with `conv3_1` and `conv4_1` the swirls, the bright round stars with their halos and dark
# cypress-like flames appear; with all five, larger swirls, big yellow discs and tall dark
# cypress shapes. None of the panels has the painting's layout: the discs, the stars and
# the dark shapes are scattered over the picture, as the claim says.
#
# ## 3. The loss during the synthesis
#
# The style losses of different layer sets are sums over different layers, so their heights
# are not comparable with each other; what each curve shows is how far its own Gram
# matrices are matched. The cell prints the factor by which each fell.

# %%
show(plotting.plot_losses(result.histories(), parts=("style",),
                          title="Style loss during texture synthesis (each curve has its own layer set)"))
for label, h in result.histories().items():
    first, last = h["style"][0], h["style"][-1]
    print(f"{label:18s} style loss {first:10.4g} at the start, {last:10.4g} at the end "
          f"({np.log10(first / max(last, 1e-30)):.2f} orders of magnitude lower)")

# %% [markdown]
# The printed falls in this run are 5.6 orders of magnitude for `conv1_1` alone, 5.2 with
# `conv2_1`, 4.6 with `conv3_1`, 3.9 with `conv4_1` and 2.5 for all five layers: the more
# layers, the harder the statistics are to match in the same number of iterations. (The
# style loss of Eq. 4 divides by $M_l^2$, so unlike the content loss it does not grow with
# the image, and the values of the three scales can be compared.) Even the closest match
# has none of the painting's composition: matching these statistics says nothing about
# where things are.
#
# ## 4. Summary and exercises
#
# * The Gram matrix keeps which features occur together and how strongly, and discards where
#   they occur. It is a texture model; matching it on several layers covers several scales.
#
# **Exercise 1.** Use `scramble` with 8 x 8 and 16 x 16 tiles. At which tile size does the
# Gram matrix of `conv5_1` start to change a lot? Relate the answer to the size of that
# layer's receptive field.
#
# **Exercise 2.** The Gram matrix is not centred: it mixes the mean response of each filter
# with the correlations. Compute the covariance matrix instead (subtract each map's mean
# first) for the original and the scrambled painting. Which of the two is more stable?

# %% [markdown]
# ---
# *Time taken*

# %%
print(time_taken(RESULTS, setup))
