# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Lecture 1 · What VGG19 keeps of a photograph
#
# **Question.** A convolutional network trained to recognise objects turns a photograph into
# a stack of feature maps, layer after layer. How much of the photograph is still in them?
# If we only knew the responses of one layer, could we get the photograph back?
#
# **The paper's claim** (Gatys, Ecker & Bethge, CVPR 2016, Sec. 2 and Fig. 1 top):
# reconstructions from the lower layers (`conv1_2`, `conv2_2`, `conv3_2`) are "almost
# perfect"; in the higher layers (`conv4_2`, `conv5_2`) the detailed pixel information is
# lost while the high-level content — the objects and their arrangement — is preserved.
# That is why the paper matches *content* at a high layer, `conv4_2`: it leaves the painter's
# style free to change the pixels.
#
# **Plan.** (1) Look at the layers' feature maps. (2) Reconstruct the photo from white noise
# using one layer at a time (the paper's Fig. 1, top row). (3) Measure how close each
# reconstruction is to the photo with PSNR and SSIM. (4) Exercises.
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
# ## 1. The photograph as feature maps
#
# VGG19 is 16 convolution layers in five blocks, with a pooling layer after each block that
# halves the width and height. Layer `convB_i` is the *i*-th convolution of block *B*. Each
# layer has $N_l$ filters; its response to an image is $N_l$ feature maps of $M_l$ positions
# (the matrix $F^l$ of the paper, $N_l \times M_l$).

# %%
content = ex.load_named("tubingen", size=SIZE)
layers = list(ex.FIG1_CONTENT_LAYERS)
extractor = vgg.feature_extractor(layers, weights=ex.network_weights(config), pooling=config.pooling)
features = vgg.extract(extractor, imgs.preprocess(content)[None])
pixels = content.size
print(f"photo: {content.shape[1]} x {content.shape[0]} px x 3 colours = {pixels} numbers")
print(f"{'layer':8s} {'maps (N_l)':>10s} {'positions (M_l)':>16s} {'numbers':>10s} {'x pixels':>9s}")
for name, f in zip(layers, features):
    _, h, w, n = f.shape
    print(f"{name:8s} {n:10d} {f'{w} x {h}':>16s} {h * w * n:10d} {h * w * n / pixels:9.2f}")

# %% [markdown]
# Every layer up to `conv3_2` holds *more* numbers than the photo has pixels, `conv4_2`
# about as many, `conv5_2` fewer. Having many numbers is not the same as keeping the
# information, though: the filters of the higher layers respond to larger, more complex
# patterns and are built to ignore changes that do not matter for recognising objects.
# Here are four feature maps of three layers (bright = strong response):

# %%
shown, titles = [], []
for name, f in zip(layers, features):
    if name in ("conv1_2", "conv3_2", "conv5_2"):
        f = np.asarray(f[0])
        strongest = np.argsort(f.mean(axis=(0, 1)))[::-1][:4]
        shown += [f[..., k] for k in strongest]
        titles += [f"{name}, map {k}" for k in strongest]
display(plotting.plot_images(shown, titles, panel_width=2.2, cols=4))

# %% [markdown]
# The `conv1_2` maps are edge and colour detectors at the photo's full resolution; by
# `conv5_2` a map is a coarse grid (16 times smaller on each side) of responses to parts
# of buildings, windows, roofs.
#
# ## 2. Reconstruction from one layer (Fig. 1, top)
#
# Start from a white-noise image $\vec x$ and change its pixels by gradient descent until its
# features at layer $l$ match the photo's, $P^l$:
#
# $$\mathcal L_{content}(\vec p, \vec x, l) = \tfrac12 \sum_{i,j} (F^l_{ij} - P^l_{ij})^2 \qquad \text{(paper, Eq. 1)}$$
#
# Nothing else constrains the image: whatever the layer does not measure, the
# reconstruction is free to get wrong. The cell below runs the five reconstructions (one
# optimisation per layer, since each needs the network to a different depth) or takes them
# from the cache. Its notes list how these settings differ from the paper's.

# %%
result = ex.figure1_content(config, cache=CACHE, verbose=False)
RESULTS = [result]
print("differences from the paper:", *result.notes, sep="\n  - ")
display(plotting.plot_figure(result))

# %% [markdown]
# **What it shows.** The reconstructions from `conv1_2` and `conv2_2` are the photograph
# itself, down to the windows; `conv3_2`'s is nearly so, a little paler. From `conv4_2` on
# the houses, the tower, the river and the trees stay where they were, but the pixel
# values are free: the sky fills with a fine coloured pattern and edges get fringes, whatever
# excites the layer's filters as the photo did. `conv5_2` keeps only the outline of the
# scene. This is the paper's point: the higher layers keep the "high-level content", not
# the pixels. (With the `fast` preset's Adam at 256 px and a fixed number of steps, the
# deep-layer reconstructions are noisier than the paper's L-BFGS ones at 512 px.)
#
# ## 3. How close is each reconstruction? PSNR and SSIM
#
# Two standard measures of similarity to the original: PSNR (peak signal-to-noise ratio,
# in dB: higher = smaller pixel error; above about 30 dB differences are hard to see) and
# SSIM (structural similarity, 1 = identical local means, contrasts and structure),
# computed with `tf.image.psnr` and `tf.image.ssim`.

# %%
content_u8 = imgs.to_uint8(content)
scores = [ex.psnr_ssim(content_u8, r.image) for r in result.results]
noise_start = imgs.to_uint8(imgs.deprocess(ex.job_start_image(ex.Job("noise"), content, content, config.noise_std)))
baseline = ex.psnr_ssim(content_u8, noise_start)
print(f"{'layer':8s} {'PSNR (dB)':>10s} {'SSIM':>6s}")
for name, (p, s) in zip(layers, scores):
    print(f"{name:8s} {p:10.2f} {s:6.3f}")
print(f"{'start':8s} {baseline[0]:10.2f} {baseline[1]:6.3f}   (the white-noise start image)")

fig, ax1 = plt.subplots(figsize=(6, 3.4))
ax1.plot(layers, [p for p, _ in scores], "o-", color="C0", label="PSNR")
ax1.set_ylabel("PSNR (dB)", color="C0")
ax2 = ax1.twinx()
ax2.plot(layers, [s for _, s in scores], "s--", color="C3", label="SSIM")
ax2.set_ylabel("SSIM", color="C3")
ax2.set_ylim(0, 1)
ax1.set_title("Reconstruction quality by layer")
ax1.grid(alpha=0.3)
plt.show()

# %% [markdown]
# **What it shows.** Both measures fall as the layer gets deeper: a number for what the
# pictures show. PSNR loses about 4 dB per layer up to `conv4_2`; there it is no better
# than the grey noise start image's, and SSIM is lower than the start's, although the
# picture plainly shows the scene. Pixel-wise measures miss exactly what the deep layers
# keep: the arrangement of things, not their pixel values.
#
# The loss curves tell the same story from the optimiser's side: every layer's loss falls
# by one to two orders of magnitude, the deep layers' included, but matching a deep layer
# does not pin the pixels down. (Each curve is measured on its own layer, so their heights
# are not comparable with each other.)

# %%
display(plotting.plot_losses(result.histories(), parts=("content",),
                             title="Content loss during the reconstruction"))

# %% [markdown]
# ## 4. Summary and exercises
#
# * A layer's features determine the image less and less the deeper the layer is; from
#   `conv4_2` on they keep the arrangement of objects, not the pixels. Style transfer uses
#   this freedom.
#
# **Exercise 1.** Reconstruct from two layers at once, `conv1_2` and `conv4_2`, with
# `ex.run_jobs([ex.Job("both", style="tubingen", content_layers=("conv1_2", "conv4_2"), style_layers=())], config)`.
# Which layer wins? Why would the answer depend on the scale of each layer's features?
#
# **Exercise 2.** The reconstructions start from white noise. Start from a blurred copy of
# the photo instead (build the start image yourself and call `optimize.run_adam`). Does
# `conv5_2` now give back a sharp photo? What does that say about what the layer
# "knows"?

# %% [markdown]
# ---
# *Time taken*

# %%
shown = [r for res in RESULTS for r in res.results]
compute = sum({(r.seconds, r.batch): r.seconds for r in shown}.values())
print(f"this notebook ran for {(time.perf_counter() - NOTEBOOK_START) / 60:.1f} min; "
      f"the optimisations behind its {len(shown)} images took {compute / 60:.1f} min when they ran "
      f"({sum(r.cached for r in shown)} of them were taken from the cache)")
