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
# **The paper's claim** (CVPR 2016, Sec. 2 and Fig. 1 bottom): the feature correlations
# capture the texture of an image but not its global arrangement; matching them on more
# and more layers reproduces the painting's texture at larger and larger scales, while
# "the global arrangement of the scene is lost".
#
# **Plan.** (1) The Gram matrix and what it loses (a scrambling experiment). (2) Texture
# synthesis from the Gram matrices of growing layer sets (Fig. 1, bottom). (3) The loss
# curves. (4) Exercises.
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
fig, axes = plt.subplots(1, 2, figsize=(9, 3.6))
axes[0].imshow(imgs.to_uint8(style)); axes[0].set_title("The Starry Night"); axes[0].axis("off")
im = axes[1].imshow(gram / m, cmap="magma"); axes[1].set_title("Gram matrix of conv1_1 / M (64 x 64)")
fig.colorbar(im, ax=axes[1]); plt.show()
for name, f in zip(style_layers, feats):
    n = f.shape[-1]
    print(f"{name}: {n} x {n} Gram matrix = {n * n:7d} numbers, from {np.prod(f.shape[1:]):8d} feature values")


# %% [markdown]
# ### What the Gram matrix loses: scramble the picture
#
# Cut the painting into tiles and shuffle them. Every local texture survives, but the
# composition is destroyed. If the Gram matrix only cares about what occurs, not where, it
# should hardly change, while the feature maps themselves (the *content* representation of
# Lecture 1) change completely.

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
display(plotting.plot_images([imgs.to_uint8(original), imgs.to_uint8(shuffled)],
                             ["original", f"{tiles}x{tiles} tiles shuffled"], panel_width=3.5))
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
# **What it shows.** The feature maps of the shuffled painting differ from the original's by
# roughly as much as the features themselves are large (they are simply somewhere else),
# while the Gram matrices change far less: by under a tenth at `conv1_1`, and by a fifth
# or so up to `conv4_1` — the tile seams are the only new thing. At `conv5_1`, whose
# filters see large parts of the image, the seams and the broken composition show in the
# Gram matrix too: deep Gram matrices capture texture at a larger scale.
#
# ## 2. Texture from Gram matrices alone (Fig. 1, bottom)
#
# Now start from white noise and match only the Gram matrices of the painting, on
# `conv1_1`; then on `conv1_1` and `conv2_1`; ... up to all five layers:
#
# $$E_l = \frac{1}{4N_l^2M_l^2}\sum_{i,j}(G^l_{ij}-A^l_{ij})^2, \qquad
# \mathcal L_{style} = \sum_l w_l E_l,\quad w_l = \frac{1}{\text{number of layers}}
# \qquad\text{(Eqs. 4, 5)}$$

# %%
result = ex.figure1_style(config, cache=CACHE, verbose=False)
RESULTS = [result]
print("differences from the paper:", *result.notes, sep="\n  - ")
display(plotting.plot_figure(result))

# %% [markdown]
# **What it shows.** With `conv1_1` alone the result is coloured noise with the painting's
# colour statistics and not much more. Each added layer extends the scale of the structure
# that is reproduced: short brush strokes with `conv2_1`, then swirls and the painting's
# dark-and-light patches with `conv3_1` to `conv5_1`. Nowhere do the village, the cypress or
# the moon come back *in place*: the arrangement of the scene is gone, as the paper says.
#
# ## 3. The loss during the synthesis

# %%
display(plotting.plot_losses(result.histories(), parts=("style",),
                             title="Style loss during texture synthesis (each curve has its own layer set)"))

# %% [markdown]
# The style losses of different layer sets are sums over different layers, so their
# heights are not comparable with each other; what each curve shows is how fast and how far
# its own Gram matrices are matched. A loss falling by two to four orders of magnitude means
# the texture statistics are matched closely, although the images look nothing like the
# painting's composition.
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
shown = [r for res in RESULTS for r in res.results]
compute = sum({(r.seconds, r.batch): r.seconds for r in shown}.values())
print(f"this notebook ran for {(time.perf_counter() - NOTEBOOK_START) / 60:.1f} min; "
      f"the optimisations behind its {len(shown)} images took {compute / 60:.1f} min when they ran "
      f"({sum(r.cached for r in shown)} of them were taken from the cache)")
