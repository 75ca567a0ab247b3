"""Write the five lecture notebooks (unexecuted) from the cell texts below.

The notebooks in this folder are the course material; this script is how they were
written and how to get clean copies back (it overwrites them, outputs removed):

    python notebooks/make_notebooks.py            # all five
    python notebooks/make_notebooks.py 03         # the one whose name starts with 03

Then execute them with ``python notebooks/run_notebooks.py`` (see notebooks/README.md).
If you edit a notebook by hand, edit the text here too or stop using this script.
"""

import sys
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

HERE = Path(__file__).resolve().parent

PARAMETERS = '''\
# Parameters (papermill-style: this cell is tagged "parameters"; run_notebooks.py and the
# tests replace these values). SIZE = longest image side in px, STEPS = Adam steps per image.
SIZE = 256
STEPS = 150
PRESET = "fast"          # "fast" (Adam, batched) or "paper" (L-BFGS, one image at a time)
PRECISION = "mixed"      # "float32" or "mixed" (VGG19 in bfloat16: about 1.4x faster on this CPU)
WEIGHTS = "imagenet"     # $STYLETRANSFER_VGG19_WEIGHTS or the Keras download; None = random (tests)
CACHE = True             # reuse results computed before (by another notebook or the gallery)
'''

SETUP = '''\
%matplotlib inline
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
'''

FINISH = '''\
shown = [r for res in RESULTS for r in res.results]
compute = sum({(r.seconds, r.batch): r.seconds for r in shown}.values())
print(f"this notebook ran for {(time.perf_counter() - NOTEBOOK_START) / 60:.1f} min; "
      f"the optimisations behind its {len(shown)} images took {compute / 60:.1f} min when they ran "
      f"({sum(r.cached for r in shown)} of them were taken from the cache)")
'''

IMAGES_NOTE = (
    "**Images.** The notebooks use the paper's images when they find them: set the "
    "environment variable `STYLETRANSFER_IMAGES` to a folder holding `tubingen.jpg`, "
    "`starry_night.jpg`, ... or fetch them into `images/paper/` with "
    "`python -m styletransfer_tf download-images`. Without them the project's own "
    "`images/sample_content.png` and `images/sample_style.png` stand in (the setup cell "
    "says which files were used)."
)


def md(text):
    return new_markdown_cell(text.strip("\n"))


def code(text, tags=()):
    cell = new_code_cell(text.strip("\n"))
    if tags:
        cell.metadata["tags"] = list(tags)
    return cell


def notebook(title, cells):
    nb = new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    run_info = md("*Not executed yet: run `python notebooks/run_notebooks.py` (see "
                  "notebooks/README.md).*")
    run_info.metadata["tags"] = ["run-info"]
    nb.cells = [md(title), run_info, code(PARAMETERS, ["parameters"]), code(SETUP),
                *cells, md("---\n*Time taken*"), code(FINISH)]
    return nb


# --------------------------------------------------------------------------------------
NB1 = notebook("""
# Lecture 1 · What VGG19 keeps of a photograph

**Question.** A convolutional network trained to recognise objects turns a photograph into
a stack of feature maps, layer after layer. How much of the photograph is still in them?
If we only knew the responses of one layer, could we get the photograph back?

**The paper's claim** (Gatys, Ecker & Bethge, CVPR 2016, Sec. 2 and Fig. 1 top):
reconstructions from the lower layers (`conv1_2`, `conv2_2`, `conv3_2`) are "almost
perfect"; in the higher layers (`conv4_2`, `conv5_2`) the detailed pixel information is
lost while the high-level content — the objects and their arrangement — is preserved.
That is why the paper matches *content* at a high layer, `conv4_2`: it leaves the painter's
style free to change the pixels.

**Plan.** (1) Look at the layers' feature maps. (2) Reconstruct the photo from white noise
using one layer at a time (the paper's Fig. 1, top row). (3) Measure how close each
reconstruction is to the photo with PSNR and SSIM. (4) Exercises.

""" + IMAGES_NOTE, [
    md("""
## 1. The photograph as feature maps

VGG19 is 16 convolution layers in five blocks, with a pooling layer after each block that
halves the width and height. Layer `convB_i` is the *i*-th convolution of block *B*. Each
layer has $N_l$ filters; its response to an image is $N_l$ feature maps of $M_l$ positions
(the matrix $F^l$ of the paper, $N_l \\times M_l$).
"""),
    code('''
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
'''),
    md("""
Every layer up to `conv3_2` holds *more* numbers than the photo has pixels, `conv4_2`
about as many, `conv5_2` fewer. Having many numbers is not the same as keeping the
information, though: the filters of the higher layers respond to larger, more complex
patterns and are built to ignore changes that do not matter for recognising objects.
Here are four feature maps of three layers (bright = strong response):
"""),
    code('''
shown, titles = [], []
for name, f in zip(layers, features):
    if name in ("conv1_2", "conv3_2", "conv5_2"):
        f = np.asarray(f[0])
        strongest = np.argsort(f.mean(axis=(0, 1)))[::-1][:4]
        shown += [f[..., k] for k in strongest]
        titles += [f"{name}, map {k}" for k in strongest]
display(plotting.plot_images(shown, titles, panel_width=2.2, cols=4))
'''),
    md("""
The `conv1_2` maps are edge and colour detectors at the photo's full resolution; by
`conv5_2` a map is a coarse grid (16 times smaller on each side) of responses to parts
of buildings, windows, roofs.

## 2. Reconstruction from one layer (Fig. 1, top)

Start from a white-noise image $\\vec x$ and change its pixels by gradient descent until its
features at layer $l$ match the photo's, $P^l$:

$$\\mathcal L_{content}(\\vec p, \\vec x, l) = \\tfrac12 \\sum_{i,j} (F^l_{ij} - P^l_{ij})^2 \\qquad \\text{(paper, Eq. 1)}$$

Nothing else constrains the image: whatever the layer does not measure, the
reconstruction is free to get wrong. The cell below runs the five reconstructions (one
optimisation per layer, since each needs the network to a different depth) or takes them
from the cache. Its notes list how these settings differ from the paper's.
"""),
    code('''
result = ex.figure1_content(config, cache=CACHE, verbose=False)
RESULTS = [result]
print("differences from the paper:", *result.notes, sep="\\n  - ")
display(plotting.plot_figure(result))
'''),
    md("""
**What it shows.** The reconstructions from `conv1_2` and `conv2_2` are the photograph
itself, down to the windows; `conv3_2`'s is nearly so, a little paler. From `conv4_2` on
the houses, the tower, the river and the trees stay where they were, but the pixel
values are free: the sky fills with a fine coloured pattern and edges get fringes, whatever
excites the layer's filters as the photo did. `conv5_2` keeps only the outline of the
scene. This is the paper's point: the higher layers keep the "high-level content", not
the pixels. (With the `fast` preset's Adam at 256 px and a fixed number of steps, the
deep-layer reconstructions are noisier than the paper's L-BFGS ones at 512 px.)

## 3. How close is each reconstruction? PSNR and SSIM

Two standard measures of similarity to the original: PSNR (peak signal-to-noise ratio,
in dB: higher = smaller pixel error; above about 30 dB differences are hard to see) and
SSIM (structural similarity, 1 = identical local means, contrasts and structure),
computed with `tf.image.psnr` and `tf.image.ssim`.
"""),
    code('''
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
'''),
    md("""
**What it shows.** Both measures fall as the layer gets deeper: a number for what the
pictures show. PSNR loses about 4 dB per layer up to `conv4_2`; there it is no better
than the grey noise start image's, and SSIM is lower than the start's, although the
picture plainly shows the scene. Pixel-wise measures miss exactly what the deep layers
keep: the arrangement of things, not their pixel values.

The loss curves tell the same story from the optimiser's side: every layer's loss falls
by one to two orders of magnitude, the deep layers' included, but matching a deep layer
does not pin the pixels down. (Each curve is measured on its own layer, so their heights
are not comparable with each other.)
"""),
    code('''
display(plotting.plot_losses(result.histories(), parts=("content",),
                             title="Content loss during the reconstruction"))
'''),
    md("""
## 4. Summary and exercises

* A layer's features determine the image less and less the deeper the layer is; from
  `conv4_2` on they keep the arrangement of objects, not the pixels. Style transfer uses
  this freedom.

**Exercise 1.** Reconstruct from two layers at once, `conv1_2` and `conv4_2`, with
`ex.run_jobs([ex.Job("both", style="tubingen", content_layers=("conv1_2", "conv4_2"), style_layers=())], config)`.
Which layer wins? Why would the answer depend on the scale of each layer's features?

**Exercise 2.** The reconstructions start from white noise. Start from a blurred copy of
the photo instead (build the start image yourself and call `optimize.run_adam`). Does
`conv5_2` now give back a sharp photo? What does that say about what the layer
"knows"?
"""),
])

# --------------------------------------------------------------------------------------
NB2 = notebook("""
# Lecture 2 · Style as correlations between features: the Gram matrix

**Question.** What is the "style" of a painting, in numbers? The paper's answer: which
features of a layer fire *together*, summed over the whole image — the Gram matrix.
What does that representation keep, and what does it throw away?

**The paper's claim** (CVPR 2016, Sec. 2 and Fig. 1 bottom): the feature correlations
capture the texture of an image but not its global arrangement; matching them on more
and more layers reproduces the painting's texture at larger and larger scales, while
"the global arrangement of the scene is lost".

**Plan.** (1) The Gram matrix and what it loses (a scrambling experiment). (2) Texture
synthesis from the Gram matrices of growing layer sets (Fig. 1, bottom). (3) The loss
curves. (4) Exercises.

""" + IMAGES_NOTE, [
    md("""
## 1. The Gram matrix

For layer $l$ with feature maps $F^l$ ($N_l$ filters $\\times$ $M_l$ positions):

$$G^l_{ij} = \\sum_k F^l_{ik} F^l_{jk} \\qquad \\text{(paper, Eq. 3)}$$

$G^l_{ij}$ is large when filters $i$ and $j$ respond strongly at the same positions. The
sum over positions $k$ is the point: *where* something happens is summed away.
"""),
    code('''
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
'''),
    md("""
### What the Gram matrix loses: scramble the picture

Cut the painting into tiles and shuffle them. Every local texture survives, but the
composition is destroyed. If the Gram matrix only cares about what occurs, not where, it
should hardly change, while the feature maps themselves (the *content* representation of
Lecture 1) change completely.
"""),
    code('''
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
'''),
    md("""
**What it shows.** The feature maps of the shuffled painting differ from the original's by
roughly as much as the features themselves are large (they are simply somewhere else),
while the Gram matrices change far less: by under a tenth at `conv1_1`, and by a fifth
or so up to `conv4_1` — the tile seams are the only new thing. At `conv5_1`, whose
filters see large parts of the image, the seams and the broken composition show in the
Gram matrix too: deep Gram matrices capture texture at a larger scale.

## 2. Texture from Gram matrices alone (Fig. 1, bottom)

Now start from white noise and match only the Gram matrices of the painting, on
`conv1_1`; then on `conv1_1` and `conv2_1`; ... up to all five layers:

$$E_l = \\frac{1}{4N_l^2M_l^2}\\sum_{i,j}(G^l_{ij}-A^l_{ij})^2, \\qquad
\\mathcal L_{style} = \\sum_l w_l E_l,\\quad w_l = \\frac{1}{\\text{number of layers}}
\\qquad\\text{(Eqs. 4, 5)}$$
"""),
    code('''
result = ex.figure1_style(config, cache=CACHE, verbose=False)
RESULTS = [result]
print("differences from the paper:", *result.notes, sep="\\n  - ")
display(plotting.plot_figure(result))
'''),
    md("""
**What it shows.** With `conv1_1` alone the result is coloured noise with the painting's
colour statistics and not much more. Each added layer extends the scale of the structure
that is reproduced: short brush strokes with `conv2_1`, then swirls and the painting's
dark-and-light patches with `conv3_1` to `conv5_1`. Nowhere do the village, the cypress or
the moon come back *in place*: the arrangement of the scene is gone, as the paper says.

## 3. The loss during the synthesis
"""),
    code('''
display(plotting.plot_losses(result.histories(), parts=("style",),
                             title="Style loss during texture synthesis (each curve has its own layer set)"))
'''),
    md("""
The style losses of different layer sets are sums over different layers, so their
heights are not comparable with each other; what each curve shows is how fast and how far
its own Gram matrices are matched. A loss falling by two to four orders of magnitude means
the texture statistics are matched closely, although the images look nothing like the
painting's composition.

## 4. Summary and exercises

* The Gram matrix keeps which features occur together and how strongly, and discards where
  they occur. It is a texture model; matching it on several layers covers several scales.

**Exercise 1.** Use `scramble` with 8 x 8 and 16 x 16 tiles. At which tile size does the
Gram matrix of `conv5_1` start to change a lot? Relate the answer to the size of that
layer's receptive field.

**Exercise 2.** The Gram matrix is not centred: it mixes the mean response of each filter
with the correlations. Compute the covariance matrix instead (subtract each map's mean
first) for the original and the scrambled painting. Which of the two is more stable?
"""),
])

# --------------------------------------------------------------------------------------
NB3 = notebook("""
# Lecture 3 · Style transfer: content of one image, style of another

**Question.** Lectures 1 and 2 gave two representations: features of a high layer
(content) and Gram matrices of several layers (style). Can an image have the content of a
photograph and the style of a painting at the same time?

**The paper's claim** (CVPR 2016, Sec. 3, Figs. 3 and 4): minimising a weighted sum of
the two losses from white noise yields images that show the photograph's scene painted in
the painting's style, for paintings of very different kinds; the ratio $\\alpha/\\beta$ of the
weights moves the result smoothly between the two, and matching style on more layers
gives smoother, more convincing results.

**Plan.** (1) The algorithm and its loss. (2) Why the network is rescaled, and what the
ratio means. (3) Fig. 3: five styles. (4) Fig. 4: layers and ratios. (5) The trade-off
curve. (6) Exercises.

""" + IMAGES_NOTE, [
    md("""
## 1. The algorithm

$$\\mathcal L_{total}(\\vec p, \\vec a, \\vec x) = \\alpha\\,\\mathcal L_{content}(\\vec p, \\vec x)
+ \\beta\\,\\mathcal L_{style}(\\vec a, \\vec x) \\qquad \\text{(paper, Eq. 7)}$$

with the content loss at `conv4_2` of the photograph $\\vec p$ (Lecture 1) and the style loss
on `conv1_1` ... `conv5_1` of the painting $\\vec a$ (Lecture 2). The image $\\vec x$ starts as
white noise and is optimised. Before optimising anything, evaluate the two terms on three
images: the photo, the painting (resized to the photo's shape) and white noise.
"""),
    code('''
content = ex.load_named("tubingen", size=SIZE)
painting = ex.load_named("starry_night", shape=content.shape[:2])
noise = imgs.deprocess(ex.job_start_image(ex.Job("noise"), content, painting, 40.0))
c_loss, s_loss = ex.evaluate([imgs.to_uint8(i) for i in (content, painting, noise)], config)
for name, c, s in zip(("the photo", "the painting", "white noise"), c_loss, s_loss):
    print(f"{name:13s} content loss {c:10.4g}   style loss {s:10.4g}")
'''),
    md("""
The photo has zero content loss and a large style loss, the painting the reverse, and
noise is bad at both. The optimisation has to find an image that is good at both, which
no existing image is.

## 2. The rescaled network and the meaning of $\\alpha/\\beta$

The paper's ratios ($10^{-3}$ and so on) refer to its own network: VGG19 rescaled "such
that the mean activation of each convolutional filter over images and positions is equal
to one". Keras's VGG19 weights are not rescaled: their layers work at very different
scales, so the same ratio means something else. `normalize.normalize_vgg` rescales the
weights (on the kit's six images) without changing what the network computes up to a
factor per filter.
"""),
    code('''
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
'''),
    md("""
With Keras's weights the typical activation spans four orders of magnitude across the
network (from a few hundred in block 3 to 0.02 at `conv5_4`), so a Gram matrix of
`conv1_1` and the content features of `conv4_2` live on unrelated scales; after
normalisation every filter averages 1, as in the paper (here measured on two of the
images at 128 px, not the six the network was normalised on, hence "about 1").

Two more corrections turn the paper's ratio into the $\\alpha/\\beta$ used here.

*Image size.* The content loss is a *sum* over positions; the style loss is divided by
$M_l^2$ while the Gram matrix grows like $M_l$. Per pixel, the pull of the style term
grows as the image gets smaller. The paper's images were about 512 px, so at `SIZE` px
the kit multiplies every ratio by $(512/\\mathrm{SIZE})^2$.

*Calibration.* Even with the normalised network, the paper's ratios as printed give
the photo with a little colour in *every* column of Fig. 4 here. The sweep below sets
$\\alpha/\\beta$ directly (no corrections) over four orders of magnitude: the result turns
from texture into a stylised photo around $10^{-5}$ at 96 px, which corresponds to
$3.5\\times10^{-7}$ at 512 px — about 3000 times below the middle of the paper's range
($10^{-3}$). The kit therefore multiplies the paper's ratios by a measured factor,
`ex.RATIO_CALIBRATION` $= 3\\times10^{-4}$. The paper does not say how its code scaled the
two losses beyond Eqs. 1–5, nor on which images its network was normalised; either can
account for such a factor. Panel titles always show the *paper's* ratio.
"""),
    code('''
sweep = ex.ratio_sweep(config, cache=CACHE, verbose=False, size=min(SIZE, 96), steps=min(STEPS, 200))
display(plotting.plot_figure(sweep, panel_width=2.0, footer=False))
alpha, beta = ex.loss_weights(1e-3, config.size, config.ratio_scaling, config.ratio_calibration)
print(f"at {config.size} px the paper's alpha/beta = 1e-3 becomes alpha = {alpha:.3g}, beta = {beta:g}")
'''),
    md("""
## 3. One photograph, five paintings (Fig. 3)

The paper's Fig. 3 uses a different ratio per painting. Its fifth painting (Picasso,
*Femme nue assise*) is under copyright; Hokusai's *Great Wave* takes its place at the same
ratio. All five are optimised together as one batch (one image per batch entry, each
with its own style image and ratio).
"""),
    code('''
fig3 = ex.figure3(config, cache=CACHE, verbose=False)
print("differences from the paper:", *fig3.notes, sep="\\n  - ")
display(plotting.plot_figure(fig3))
'''),
    md("""
**What it shows.** Each result keeps the layout of the Neckarfront — the row of houses,
the river, the sky — and takes colours, brush strokes and texture from its painting:
Turner's stormy browns, van Gogh's swirls, Munch's bands of orange and blue, Hokusai's
Prussian blue with white foam, Kandinsky's coloured patches. The larger ratio of *The Scream*
($5\\times10^{-3}$) keeps more of the photo, as in the paper.

## 4. Which layers, how much style (Fig. 4)

Rows: style matched on `conv1_1`, then `conv1_1`+`conv2_1`, ..., up to all five layers.
Columns: $\\alpha/\\beta = 10^{-5}$ (mostly style) to $10^{-2}$ (mostly content). Painting:
Kandinsky's *Composition VII*. The sixteen images of the first four rows are one batch
(they need the network up to `conv4_2`), the last row another.
"""),
    code('''
fig4 = ex.figure4(config, cache=CACHE, verbose=False)
RESULTS = [sweep, fig3, fig4]
display(plotting.plot_figure(fig4, panel_width=2.2))
'''),
    md("""
**What it shows.** Along a row, the photograph emerges as $\\alpha/\\beta$ grows: at
$10^{-5}$ the image is mostly the painting's texture, at $10^{-2}$ mostly the photo with
the painting's colours. Down a column, matching style on more layers turns small
repetitive colour patterns (row 1, `conv1_1`) into larger, smoother painted structures
(last row): the higher layers carry the painting's larger-scale features. The paper
makes both observations about its Fig. 4.

## 5. The trade-off curve

Measure every Fig. 4 result with one yardstick: content loss at `conv4_2` of the photo and
style loss on all five layers of the painting (the full objective; `ex.evaluate`).
Each row of Fig. 4 gives one curve through its four ratios.
"""),
    code('''
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
'''),
    md("""
**What it shows.** From $10^{-5}$ to $10^{-3}$, a larger $\\alpha/\\beta$ buys a lower
content loss with a higher style loss, most clearly in the rows that match style on
several layers: no image is best at both, and the ratio picks a point on the curve. At
$10^{-2}$ the content loss rises again. For exact minimisers that cannot happen (more
weight on content never gives a higher content loss); it is the fixed budget of Adam steps
showing: a content-dominated run behaves like the content reconstruction of lecture 1 and
keeps a fine speckle in flat areas (see the sky in Fig. 4's last column), which the
style term would have smoothed away. Rows that matched style on fewer layers have a high
full style loss whatever the ratio — they were not asked to match the higher layers' Gram
matrices.

## 6. Summary and exercises

* Style transfer is the optimisation of Eq. 7 from noise; $\\alpha/\\beta$ moves along a
  trade-off between the photo's content and the painting's style; style on more layers
  gives larger-scale, smoother stylisation.
* The paper's ratios only carry over with the paper's normalised network, a size
  correction, and (for this implementation) one measured factor.

**Exercise 1.** Rerun Fig. 4's last row with `ex.figure4(ex.settings(config, normalize=False), style_sets=[ex.STYLE_LAYERS])`
(Keras's weights, paper ratios). Which ratio now gives a balanced image? Explain with the
plot of section 2.

**Exercise 2.** Turn off the size correction (`ratio_scaling="none"`) and rerun one
column of Fig. 4. Does the result look like the next column to the left? Should it?

**Exercise 3.** Repeat the calibration sweep with *The Scream* and with *The Great Wave*.
Is the transition at the same applied ratio? The paper chose a different ratio per
painting (Fig. 3): does your measurement agree with its choices?
"""),
])

# --------------------------------------------------------------------------------------
NB4 = notebook("""
# Lecture 4 · Where the optimisation starts

**Question.** Style transfer is a non-convex optimisation: the result could depend on the
start image. Does it matter whether we start from the photo, from the painting, or from
noise? And how different are results started from different noise images?

**The paper's claim** (CVPR 2016, Sec. 4 and Fig. 6): the initialisation has little
influence on the final result; starting from a fixed image (photo or painting) always
gives the same result, while different white-noise starts give different images — the
only way to make many images for one pair.

**Plan.** (1) Six runs from six starts (Fig. 6). (2) Convergence curves. (3) A number for how
different the results are. (4) Exercises.

""" + IMAGES_NOTE, [
    md("""
## 1. Six starting points (Fig. 6)

*The Starry Night* on Tübingen, $\\alpha/\\beta = 10^{-3}$, content at `conv4_2`, style on
`conv1_1` … `conv5_1`, started from (A) the photo, (B) the painting (resized to the photo's
shape) and (C) four white-noise images (seeds 0–3). The six runs are one batch.
"""),
    code('''
result = ex.figure6(config, cache=CACHE, verbose=False)
RESULTS = [result]
print("differences from the paper:", *result.notes, sep="\\n  - ")
display(plotting.plot_figure(result))
'''),
    md("""
**What it shows.** All six images show the Neckarfront in van Gogh's style. Started from
the photo, the result keeps the most photographic detail (sharp facades, the photo's
colours under a layer of strokes); started from the painting, the painting's own layout
survives where the photo's content term is weak: van Gogh's moon and swirls are still in
the sky. The four noise starts give images that look alike from afar and differ in the
placement of individual strokes. With the paper's L-BFGS run to convergence the
differences between starts are smaller than after this notebook's fixed number of Adam steps.

## 2. Convergence
"""),
    code('''
display(plotting.plot_losses(result.histories(), parts=("content", "style"),
                             title="Losses during the optimisation, by start image"))
'''),
    md("""
The photo start begins with zero content loss and a large style loss; the painting start
the opposite; noise starts high on both. The four noise curves lie on top of each other
and the photo start ends among them. The painting start keeps its head start in style
and its handicap in content (about three times the others' content loss after these
steps): the start matters less at the end than at the beginning, but it still matters.
(The paper ran L-BFGS to convergence, where it reports little influence of the start.)

## 3. How different are the results? A number

Root-mean-square pixel difference between every pair of results (0–255 scale), and the
same for their start images:
"""),
    code('''
labels = [r.job.label.replace("from ", "") for r in result.results]
final = ex.pairwise_distances([r.image for r in result.results])
content = ex.load_named("tubingen", size=config.size)
painting = ex.load_named(ex.FIG6_STYLE, shape=content.shape[:2])
starts = [imgs.to_uint8(imgs.deprocess(ex.job_start_image(r.job, content, painting, config.noise_std)))
          for r in result.results]
start = ex.pairwise_distances(starts)
fig, axes = plt.subplots(1, 2, figsize=(11, 4.2))
for ax, d, title in zip(axes, (start, final), ("start images", "results")):
    im = ax.imshow(d, cmap="viridis", vmin=0, vmax=max(start.max(), final.max()))
    ax.set_xticks(range(len(labels)), labels, rotation=60, fontsize=7)
    ax.set_yticks(range(len(labels)), labels, fontsize=7)
    for i in range(len(labels)):
        for j in range(len(labels)):
            ax.text(j, i, f"{d[i, j]:.0f}", ha="center", va="center", fontsize=7, color="w")
    ax.set_title(f"RMS pixel difference between {title}")
fig.colorbar(im, ax=axes, shrink=0.8); plt.show()

noise = [i for i, r in enumerate(result.results) if r.job.init == "noise"]
pairs = [(i, j) for k, i in enumerate(noise) for j in noise[k + 1:]]
noise_final = np.mean([final[i, j] for i, j in pairs]) if pairs else float("nan")
ssim = np.mean([ex.psnr_ssim(result.results[i].image, result.results[j].image)[1] for i, j in pairs]) if pairs else float("nan")
print(f"between noise-started results: mean RMS difference {noise_final:.1f} (of 255), mean SSIM {ssim:.2f}")
print(f"photo start vs painting start: RMS difference {final[0, 1]:.1f}")
print(f"photo-started result vs the photo itself: RMS difference "
      f"{ex.pairwise_distances([result.results[0].image, imgs.to_uint8(content)])[0, 1]:.1f}")
'''),
    md("""
**What it shows.** The noise-started results differ from each other by a clearly non-zero
amount: the optimisation does not forget where it started, it turns different noise
into different brush strokes. Their mutual SSIM is well below 1 although they look alike
from afar — their differences are in the fine texture, not in the composition. The photo
and painting starts are further apart from each other than the noise starts are.

## 4. Summary and exercises

* The start image changes the details of the result, not what it is: all starts give
  the photo's scene in the painting's style. Only noise starts give many different results.

**Exercise 1.** Run the four noise seeds again with twice the number of steps
(`ex.settings(config, steps=2 * STEPS)`). Do the noise-started results get closer to each
other or not? What does that say about the loss landscape?

**Exercise 2.** The white-noise start here is small-amplitude Gaussian noise around the
ImageNet mean colour (`config.noise_std`). Try full-range uniform noise
(`noise_std=100`). How many more steps does Adam need to remove the grain?
"""),
])

# --------------------------------------------------------------------------------------
NB5 = notebook("""
# Lecture 5 · Choices: content layer, pooling, optimiser

**Question.** The paper makes three design choices we have taken for granted: content is
matched at `conv4_2`, max pooling is replaced by average pooling, and the optimiser is
L-BFGS. What happens with the alternatives?

**The paper's claims** (CVPR 2016): matching content at a lower layer (`conv2_2`) keeps so
much of the photo's fine structure that the painting's texture looks merely "blended
over" it, while at `conv4_2` photo and painting merge (Sec. 3, Fig. 5); average pooling
"improves the gradient flow and one obtains slightly more appealing results" (Sec. 2);
L-BFGS "works best for image synthesis" (Sec. 3).

**Plan.** (1) Content layer (Fig. 5). (2) Max versus average pooling. (3) Adam versus
L-BFGS on the same problem, against wall-clock time. (4) Exercises.

""" + IMAGES_NOTE, [
    md("""
## 1. Content at `conv2_2` or `conv4_2` (Fig. 5)

Same painting, same $\\alpha/\\beta = 10^{-3}$, same start; only the content layer differs.
(The paper's painting for Fig. 5 is by Lyonel Feininger and not in our image set; we use
*The Starry Night*.)
"""),
    code('''
fig5 = ex.figure5(config, cache=CACHE, verbose=False)
print("differences from the paper:", *fig5.notes, sep="\\n  - ")
display(plotting.plot_figure(fig5))
c, s = ex.evaluate([r.image for r in fig5.results], config)
for r, ci, si in zip(fig5.results, c, s):
    print(f"{r.job.label}: content loss at conv4_2 {ci:.4g}, style loss {si:.4g}")
'''),
    md("""
**What it shows.** With content at `conv2_2`, the photo's edges and fine detail are kept
almost exactly and the painting's texture lies on top of it like a filter; with
`conv4_2`, the houses are re-drawn in the painting's strokes. The `conv2_2` result also
has the higher style loss: the low content layer constrains the pixels so tightly that
there is less room for the style.

## 2. Max or average pooling

Both networks are normalised on the same images and run with the same settings; the two
results are compared with one yardstick (the average-pooling network's losses).
"""),
    code('''
pool = ex.pooling_comparison(config, cache=CACHE, verbose=False)
display(plotting.plot_figure(pool, suptitle=False))
c, s = ex.evaluate([r.image for r in pool.results], config)
for r, ci, si in zip(pool.results, c, s):
    print(f"{r.job.label}: content loss {ci:.4g}, style loss {si:.4g} (measured with average pooling)")
'''),
    md("""
**What it shows.** The two results are similar at first sight; max pooling leaves
sharper, higher-contrast strokes and more high-frequency grain, average pooling softer,
smoother ones. (Measured with the average-pooling network, the max-pooling result has
about three times the content loss; part of that is the yardstick being the other network.) Max pooling
passes the gradient to one input of each 2x2 window only, average pooling to all four:
this is the paper's "gradient flow". The difference is a matter of taste more than of
principle, as the paper's "slightly" says.

## 3. Adam or L-BFGS, against the clock

The same problem (Fig. 6's noise seed 0) run alone with each optimiser for the same
number of steps, so that each run's wall-clock time is its own, and both in float32
(with the bfloat16 network, `PRECISION = "mixed"`, L-BFGS's line search fails after one
iteration: its rounding noise breaks the line search's assumptions). One L-BFGS iteration
can evaluate the loss and gradient more than once (line search); one Adam step is exactly
one evaluation.
"""),
    code('''
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
'''),
    md("""
**What it shows.** One Adam step and one L-BFGS iteration cost about the same here
(about 0.4 s: both are one loss-and-gradient evaluation, L-BFGS's line search rarely
needs a second). Adam is ahead for the first ten seconds or so, while L-BFGS is still
building its picture of the curvature; then L-BFGS overtakes, keeps descending steadily
and ends clearly lower after its 150 iterations (total loss about 1.0 against Adam's
1.3), while Adam, its learning rate decayed, has levelled off. L-BFGS uses curvature
information from past gradients and needs no learning rate: the paper's reason to prefer
it. Adam's advantages are elsewhere: a batch of independent images at once (a whole
figure row in one optimisation, as the kit does), and bfloat16 works with it (L-BFGS
needs float32: see above). (How the two compare over 1000 steps, with other Adam
settings: `benchmarks/README.md`.)

## 4. Summary and exercises

* Content at `conv4_2` lets the painting re-draw the photo; at `conv2_2` it can only tint it.
* Average pooling gives slightly smoother results; the effect is small.
* L-BFGS gets further per iteration and, after the first seconds, per second; Adam batches.

**Exercise 1.** Try `conv3_2` and `conv5_2` as content layers with `ex.run_jobs` and
`ex.Job(..., content_layers=("conv3_2",))`. Where between `conv2_2` and `conv4_2` does
the picture change from "tinted photo" to "painting"?

**Exercise 2.** Adam's learning rate is `config.lr` pixel units per step, decaying along
a cosine to `config.lr * config.lr_final`. Try a constant learning rate (`lr_final=1.0`)
and a larger one (`lr=8.0`). Does any setting catch up with L-BFGS?
"""),
])

NOTEBOOKS = {
    "01_content_representation.ipynb": NB1,
    "02_style_representation.ipynb": NB2,
    "03_style_transfer.ipynb": NB3,
    "04_initialization.ipynb": NB4,
    "05_layers_pooling_optimizers.ipynb": NB5,
}


def main(argv=None):
    wanted = (argv if argv is not None else sys.argv[1:]) or [""]
    for name, nb in NOTEBOOKS.items():
        if any(name.startswith(prefix) for prefix in wanted):
            nbformat.validate(nb)
            nbformat.write(nb, HERE / name)
            print(f"wrote {HERE / name}")


if __name__ == "__main__":
    main()
