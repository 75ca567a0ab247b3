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
# **The paper's claim** (Gatys, Ecker & Bethge, *Image Style Transfer Using Convolutional
# Neural Networks*, CVPR 2016, Fig. 1 and the section on the content representation):
# reconstructions from the lower layers (`conv1_2`, `conv2_2`, `conv3_2`) are almost
# perfect; from the higher layers (`conv4_2`, `conv5_2`) the detailed pixel information is
# lost while the high-level content, the objects and their arrangement, is kept. That is
# why the paper matches *content* at a high layer, `conv4_2`: it leaves the painter's style
# free to change the pixels. (An earlier version of the paper is arXiv:1508.06576, *A Neural
# Algorithm of Artistic Style*; its figure numbers differ. The lectures use the CVPR ones.)
#
# **Plan.** (1) Look at the layers' feature maps. (2) Reconstruct the photo from noise using
# one layer at a time (the paper's Fig. 1, top row). (3) Measure how close each
# reconstruction is to the photo with PSNR and SSIM. (4) Exercises.
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
# The table depends only on the photo's shape: every layer up to `conv4_2` holds *more*
# numbers than the photo has (the last column), `conv5_2` fewer. Having many numbers is not
# the same as keeping the information, though: the filters of the higher layers respond to
# larger, more complex patterns and are built to ignore changes that do not matter for
# recognising objects. Here are the four most active feature maps of three layers
# (bright = strong response):

# %%
shown, titles = [], []
for name, f in zip(layers, features):
    if name in ("conv1_2", "conv3_2", "conv5_2"):
        f = np.asarray(f[0])
        strongest = np.argsort(f.mean(axis=(0, 1)))[::-1][:4]
        shown += [f[..., k] for k in strongest]
        titles += [f"{name}, map {k}" for k in strongest]
show(plotting.plot_images(shown, titles, panel_width=2.6, cols=4))

# %% [markdown]
# A `conv1_2` map has the photo's full resolution; a `conv5_2` map is 16 times coarser on
# each side (four 2x2 poolings lie between them), so each of its positions summarises a
# large patch of the photo. In the run above, the strongest `conv1_2` maps are bright over
# the sky and dark elsewhere, with the outlines of roofs and branches sharp: they still look
# like the photograph. The `conv3_2` maps pick out parts: the edge between sky and
# rooftops, the river bank, the façades. The `conv5_2` maps are coarse blocks over the row
# of houses, the skyline or the trees; the photo can no longer be read from one of them.
#
# ## 2. Reconstruction from one layer (Fig. 1, top)
#
# Start from a noise image $\vec x$ and change its pixels by gradient descent until its
# features at layer $l$ match the photo's, $P^l$:
#
# $$\mathcal L_{content}(\vec p, \vec x, l) = \tfrac12 \sum_{i,j} (F^l_{ij} - P^l_{ij})^2 \qquad \text{(paper, Eq. 1)}$$
#
# The paper starts from "white noise" without saying how strong; here the start is the
# ImageNet mean colour plus Gaussian noise of standard deviation `config.noise_std` (10 on
# the 0–255 scale), independently for every pixel and colour. Nothing else constrains the
# image: whatever the layer does not measure, the reconstruction is free to get wrong. The
# cell below runs the five reconstructions (one optimisation per layer, since each needs the
# network to a different depth) or takes them from the cache, and prints how these settings
# differ from the paper's.

# %%
result = ex.figure1_content(config, cache=CACHE)
RESULTS.append(result)
report(result)
show_figure(result)

# %% [markdown]
# **What to look for.** The paper's claim: the lower layers give the photograph back almost
# exactly; from `conv4_2` on, the arrangement of the houses, the tower, the river and the
# trees stays, while the pixel values are free to be anything that excites the layer's
# filters as the photo did.
#
# **What this run shows.** These reconstructions run at one scale, as in the paper, with
# as many iterations as the preset's three-scale schedule costs (the note under the figure
# says how many); exercise 3 shows why. `conv1_2` and `conv2_2` give the photograph back;
# `conv3_2` too, with a purple haze in the sky. `conv4_2` keeps the scene, the row of houses
# with their windows and colours, the tower, the tree on the left, the river bank, while
# the smooth sky is covered by a lattice of coloured dots. `conv5_2` still shows the
# houses, the tower and the rooflines, drawn in coloured noise. That is the paper's claim,
# that the deep layers keep the arrangement and lose the pixels, although our `conv5_2` is
# much noisier than the paper's (its loss fell only about twentyfold, section 3).
#
# ## 3. How close is each reconstruction? PSNR and SSIM
#
# Two standard measures of similarity to the original: PSNR (peak signal-to-noise ratio, in
# dB: higher = smaller pixel error; as a rough guide, differences become hard to see above
# about 30 dB) and SSIM (structural similarity, 1 = identical local means, contrasts and
# structure), computed with `tf.image.psnr` and `tf.image.ssim`. The noise start image is
# measured too, as a baseline.

# %%
content_u8 = imgs.to_uint8(content)
scores = [ex.psnr_ssim(content_u8, r.image) for r in result.results]
noise_start = imgs.to_uint8(imgs.deprocess(ex.job_start_image(ex.Job("noise"), content, content, config.noise_std)))
baseline = ex.psnr_ssim(content_u8, noise_start)
print(f"{'layer':8s} {'PSNR (dB)':>10s} {'SSIM':>6s}")
for name, (p, s) in zip(layers, scores):
    print(f"{name:8s} {p:10.2f} {s:6.3f}")
print(f"{'start':8s} {baseline[0]:10.2f} {baseline[1]:6.3f}   (the noise start image)")
show(plotting.plot_layer_scores(layers, [p for p, _ in scores], [s for _, s in scores]))

# %% [markdown]
# **What to look for.** Whether both measures fall as the layer gets deeper, and where the
# deep layers' reconstructions stand against the noise start image: a pixel-wise measure
# can rate a picture that plainly shows the scene no better than noise, because it does not
# see the arrangement of things, only pixel values.
#
# In the table of this run only `conv1_2` is above the 30 dB guide (31.8 dB, SSIM 0.785);
# then PSNR and SSIM fall with depth: `conv2_2` 27.1 dB (0.651), `conv3_2` 18.8 dB
# (0.311), `conv4_2` 14.7 dB (0.148), `conv5_2` 11.1 dB (0.041). By SSIM both `conv4_2`
# and `conv5_2` score *below* the noise start image (12.9 dB, 0.207), and `conv5_2` by
# PSNR too, although both plainly show the town: exactly the blind spot of pixel-wise
# measures described above.
#
# The loss curves show the same from the optimiser's side. Each curve is measured on its own
# layer, so their heights are not comparable with each other. The content loss (Eq. 1) is
# a sum over positions, so in a coarse-to-fine run it jumps up where the run moves to a
# larger scale; the cell prints how far each fell within the finest scale (here the only
# one) and the loss at the start of each scale (exercise 3).

# %%
show(plotting.plot_losses(result.histories(), parts=("content",),
                          title="Content loss during the reconstruction"))
for label, h in result.histories().items():
    first, last = finest_scale(h, "content")
    starts = [h["content"][h["scale"].index(k)] for k in sorted(set(h["scale"]))]
    print(f"{label:8s} finest scale: {first:9.3g} at its start, {last:9.3g} at the end "
          f"({first / max(last, 1e-30):8.3g} times lower); at the start of each scale: "
          + ", ".join(f"{v:.3g}" for v in starts))

# %% [markdown]
# In this run the losses fell by factors of 3.8e+05 (`conv1_2`), 5.03e+03 (`conv2_2`), 73.9
# (`conv3_2`), 36.1 (`conv4_2`) and 20.8 (`conv5_2`): the deep layers' losses fall slowly,
# and the more they stay above zero, the less the pixels are pinned down. Matching a deep
# layer's features does not determine the image.
#
# ## 4. Summary and exercises
#
# * The paper's claim: a layer's features determine the image less and less the deeper the
#   layer is; from `conv4_2` on they keep the arrangement of objects, not the pixels. Style
#   transfer uses this freedom.
#
# **Exercise 1.** Reconstruct from two layers at once, `conv1_2` and `conv4_2`, with
# `ex.run_jobs([ex.Job("both", style="tubingen", content_layers=("conv1_2", "conv4_2"), style_layers=())], config)`.
# Which layer wins? Why would the answer depend on the scale of each layer's features?
#
# **Exercise 2.** The reconstructions start from noise. Start from a blurred copy of the
# photo instead (build the start image yourself and run the Adam loop of lecture 3,
# section 2, with `ALPHA = 1` and `BETA = 0`). Does `conv5_2` now give back a sharp photo?
# What does that say about what the layer "knows"?
#
# **Exercise 3.** The other figures of the `paper` preset optimise coarse to fine: at
# 256, then 362, then 512 px, each scale starting from the previous result enlarged. Do the
# same for the reconstructions: `config` still has the preset's three scales, so
# `three = ex.run_jobs([ex.Job(layer, style="tubingen", content_layers=(layer,), style_layers=()) for layer in ("conv1_2", "conv4_2", "conv5_2")], config)`
# runs them so (about 7 min at 512 px on a 2-core CPU). Show the images, and print each
# run's loss at the start of every scale (as in the cell above). For which layers does
# coarse to fine help? Then run `conv4_2` again on the network normalised by the paper's
# rule exactly, `ex.settings(config, norm_floor=0)` (lecture 3, section 3): print its loss
# at the start of each scale and compare it with the noise start's. Which of the layer's
# filters would you inspect first, and why does enlarging (or blurring) an image make
# them fire? (`benchmarks/scale_jump.py` measures it.)

# %% [markdown]
# ---
# *Time taken*

# %%
print(time_taken(RESULTS, setup))
