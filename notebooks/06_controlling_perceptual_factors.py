# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Lecture 6 · Beyond the 2016 paper: colour, scale, several styles, regions
#
# **Question.** The method of lectures 1–5 takes everything from the painting at once: its
# colours, its structures at every scale, over the whole picture. Can we choose what to
# take from the painting, and where it goes?
#
# **The follow-up paper's claim** (Gatys, Ecker, Bethge, Hertzmann & Shechtman,
# *Controlling Perceptual Factors in Neural Style Transfer*, CVPR 2017), paraphrased: the
# style representation of the 2016 paper can be taken apart along perceptual factors —
# colour, spatial location and scale — and each can be controlled on its own with small
# changes to the method: a different colour space or a recoloured style image, Gram
# matrices computed over regions, and Gram matrices of different layers taken from
# different images. Each section below states the part of the claim it tests.
#
# **Plan.** (1) Colour: the painting's colours or the photo's. (2) Scale: the size of the
# painted structures, and the coarse scale of one painting with the fine scale of
# another. (3) Several styles: a row of blends between two paintings. (4) Regions: two
# styles in two regions, and a region that keeps the photo. (5) Exercises.
#
# **Running it.** The parameters cell sets the image size (`SIZE`, the paper's 512 px by
# default), the number of steps and the precision; the setup cell below it makes the lecture
# run on a laptop or on Google Colab: it installs the kit where it is missing, finds the
# VGG19 weights and the paper's images (downloading them if needed) and prints which are
# used. Where a paper image cannot be had, one of the kit's drawn sample images stands in,
# and the setup cell says so. Every image here is one call of `styletransfer_tf.stylize`
# with the kit's defaults (L-BFGS, three scales coarse to fine, 60 iterations at the
# finest); the lecture makes 12 of them. Each line a cell prints names one image and what it
# cost; results are kept in the kit's cache folder, so a second run takes them from there.
# For a first look on a laptop, set `SIZE = 128`.

# %% tags=["parameters"]
# Parameters: papermill replaces them (papermill -p SIZE 128 ...; see notebooks/README.md).
SIZE = 512               # longest side of the images, px (the paper's size)
STEPS = 60               # L-BFGS iterations at the finest scale; each coarser scale gets 4/3 as many
SCALES = 3               # coarse-to-fine scales, each sqrt(2) times the one before (1: single scale)
PRESET = "paper"         # the optimiser: "paper" (L-BFGS, stylize's default) or "fast" (Adam)
PRECISION = "float32"    # "float32"; "mixed" (VGG19 in bfloat16); "auto" (bfloat16 only where it is fast here)
WEIGHTS = "imagenet"     # $STYLETRANSFER_VGG19_WEIGHTS, else the Keras download; a path; None: random (tests)
DOWNLOAD = True          # download the paper's images that are missing (needs the internet)
CACHE = True             # reuse images computed before by this lecture

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
import numpy as np

from styletransfer_tf import blend, color, experiments as ex, images as imgs, metrics, options, plotting
from styletransfer_tf.notebook import cached_stylize, cost_line
from styletransfer_tf.plotting import show

OPTIMIZER = ex.PRESETS[PRESET].optimizer
RUN = dict(size=SIZE, scales=SCALES, steps=STEPS, optimizer=OPTIMIZER, weights=WEIGHTS,
           precision=setup.precision)
PHOTO = ex.image_path("tubingen")[0]
PAINTING = {name: ex.image_path(name)[0] for name in ("starry_night", "composition_vii", "the_scream")}
TITLE = {name: ex.TITLES[name] for name in PAINTING}
RUNS = []  # every image this lecture makes, for the last cell


def stylized(label, style, **controls):
    """One stylize run on the photo with RUN's settings and the given controls; cached,
    and printed with its cost."""
    result = cached_stylize(label, PHOTO, style, cache=CACHE, **RUN, **controls)
    RUNS.append(result)
    return result


photo = imgs.load_image(PHOTO, size=SIZE)
paintings = {name: imgs.load_image(path, size=SIZE) for name, path in PAINTING.items()}
scorer = metrics.scoring_extractor(weights=WEIGHTS)  # the yardstick of the style distances below
print(f"photo {photo.shape[1]}x{photo.shape[0]} px; {OPTIMIZER}, {SCALES} scale(s) of "
      f"{options.pyramid_sizes(SIZE, SCALES)} px, iterations per scale "
      f"{options.steps_per_scale(STEPS, SCALES)}, precision {setup.precision}")

# %% [markdown]
# ## 1. Colour: the painting's or the photo's?
#
# **Question.** The 2016 method copies the painting's colours along with its strokes:
# *The Starry Night* turns Tübingen blue and yellow. Can we keep the photo's colours and
# take everything else?
#
# **The claim** (2017 paper, paraphrased): colour can be separated from the rest of the
# style in two simple ways. *Luminance-only transfer*: run the transfer on the brightness
# (luminance) channel only and put the photo's colour channels back afterwards.
# *Colour histogram matching*: first recolour the painting so that its colour statistics
# match the photo's, then transfer as usual. The paper discusses what each gives up:
# luminance-only transfer keeps the photo's colours exactly, but the painting's
# dependencies between brightness and colour are lost. (With colour matching those
# dependencies stay in the recoloured painting; the result's colours then follow the
# photo's only as far as the recoloured painting's do. That remark is ours.)
#
# **Here.** `stylize(..., preserve_color=...)`: `"none"` (the 2016 method), `"luminance"`
# (YIQ colour space: the optimisation runs on grey images made from Y, the photo's I and Q
# are put back), `"histogram"` (the painting's pixels mapped by an affine map to the photo's
# colour mean and covariance, `color.match_color`). Three runs; the cell prints the mean
# luminance Y and the mean and spread of the two colour channels I and Q of every image.

# %%
colour = {mode: stylized(f"{TITLE['starry_night']}, preserve_color={mode!r}",
                         PAINTING["starry_night"], preserve_color=mode)
          for mode in ("none", "luminance", "histogram")}
print(cost_line(list(colour.values())))
recoloured = color.match_color(paintings["starry_night"], photo)
for name, image in [("photo", photo), ("painting", paintings["starry_night"]),
                    ("painting recoloured", recoloured),
                    *[(f"result, {mode}", r.image) for mode, r in colour.items()]]:
    yiq = color.rgb_to_yiq(np.asarray(image, np.float64)).reshape(-1, 3)
    print(f"{name:22s} mean Y {yiq[:, 0].mean():6.1f}   I {yiq[:, 1].mean():6.1f} ± "
          f"{yiq[:, 1].std():5.1f}   Q {yiq[:, 2].mean():6.1f} ± {yiq[:, 2].std():5.1f}")
show(plotting.plot_image_rows(
    [[("photo", photo), ("painting", paintings["starry_night"]),
      ("painting recoloured to the photo's\ncolour mean and covariance", recoloured)],
     [("the painting's colours (2016)", colour["none"].image),
      ("luminance only", colour["luminance"].image),
      ("colour histogram matching", colour["histogram"].image)]],
    row_labels=["inputs", "results"]))

# %% [markdown]
# **What to look for.** Which result keeps the photo's colours (compare the I and Q
# columns with the photo's row: luminance-only has them by construction, up to rounding
# and clipping), and what each loses: is the yellow of the painting's stars and the
# blue-white of its strokes still there, and does the recoloured painting still look
# like *The Starry Night*?
#
# **What the run above shows.** The 2016 result paints the sky in the painting's blues and
# puts yellow strokes on the houses and the river; its I and Q statistics (printed
# above: I −18.3 ± 28.7, Q 1.0 ± 11.8) sit near the painting's (−20.1 ± 30.4, −2.2 ±
# 12.3), not the photo's (−8.8 ± 28.3, −0.9 ± 5.0). The luminance-only result has the
# photo's blue sky and coloured façades, with the strokes only in the brightness; its I and
# Q equal the photo's to the printed digit. Colour histogram matching lies between: the
# recoloured painting has the photo's statistics exactly (that is its definition), and the
# result's (I −10.0 ± 27.8, Q 1.7 ± 6.1) are close to them but not equal, since the
# optimisation matches Gram matrices, not colour moments; the picture keeps some of the
# painting's blue and orange in the sky and along the river.
#
# **Try it.** `color.match_color(..., method="cholesky")` is the other way of solving for
# the colour map: compare the recoloured paintings. Run luminance-only with
# *Composition VII*, whose colours carry much of its style.
#
# ## 2. Scale: which size of structures?
#
# **Question.** The network sees the painting through receptive fields of fixed size in
# pixels. So the size at which the painting is measured decides which of its structures
# become "style". Can we choose the scale, and even take the large structures from one
# painting and the small ones from another?
#
# **The claim** (2017 paper, paraphrased): the style representation spans several scales —
# the Gram matrices of low layers describe small, local structure (strokes, fine texture),
# those of higher layers larger structure — so scale can be controlled by choosing which
# image supplies the Gram matrices of which layers: the fine scale of one painting can be
# combined with the coarse scale of another. The same observation makes high-resolution
# results a problem (there the receptive fields cover only a small part of the picture),
# for which the paper optimises coarse to fine: at a low resolution first, then upsampled
# and continued at the full size; the kit's `scales` option is this procedure.
#
# **Here.** (a) Not the paper's experiment, but the simplest dial for the same factor:
# `style_scale` resizes the painting before its Gram matrices are taken (0.5: half size,
# so its structures are half as large in pixels for the network's fixed receptive fields;
# 2: twice as large). The run at
# scale 1 is section 1's first image. (b) The coarse scale of *Composition VII* with the
# fine scale of *The Starry Night*: `style_blend=blend.coarse_fine_weights(STYLE_LAYERS,
# "conv3_1")` takes the targets of `conv3_1`, `conv4_1` and `conv5_1` from the first
# painting and those of `conv1_1` and `conv2_1` from the second. The paper does this
# differently: it first synthesises a new style image with the coarse structure of one
# painting and the fine structure of the other, then transfers that image; here the two are
# combined in the targets, in one optimisation.

# %%
scaled = {1.0: colour["none"]}
style_shape = imgs.to_rgb_array(imgs.open_image(PAINTING["starry_night"])).shape
for factor in (0.5, 2.0):
    side = imgs.style_shape_for(style_shape, photo.shape, "size", SIZE, factor)
    try:
        scaled[factor] = stylized(f"style_scale={factor:g} (painting {side[1]}x{side[0]} px "
                                  "at the finest scale)", PAINTING["starry_night"],
                                  style_scale=factor)
    except ex.StyleTransferError as exc:  # at tiny sizes the small painting is too small
        print(f"style_scale={factor:g} skipped: {exc}")
print(cost_line([scaled[f] for f in scaled if f != 1.0]) + "; style_scale=1 is section 1's first image")
show(plotting.plot_image_rows([[(f"style_scale={f:g}", scaled[f].image) for f in sorted(scaled)]],
                              suptitle=f"{TITLE['starry_night']} measured at three sizes"))

# %% [markdown]
# **What to look for.** The size of the swirls and strokes relative to the houses, and
# what else changes with it: at the small scale, does the painting's texture become a fine
# grain; at the large one, do whole swirls appear, and does the photo's layout survive?
#
# **What the run above shows.** The three differ in *what* of the painting comes across,
# not only in size. At 0.5 the whole painting fits into the deep layers' receptive fields:
# the result is sprinkled with small yellow discs, the painting's stars, in the sky and on
# the river. At 1 the sky is filled with swirling strokes and the stars are gone; at 2 the
# strokes are longer and coarser, with small white dots among them. The town stays
# recognisable in all three.

# %%
coarse_fine = blend.coarse_fine_weights(ex.STYLE_LAYERS, "conv3_1")
for layer, (first, second) in zip(ex.STYLE_LAYERS, coarse_fine.T):
    print(f"{layer}: {first:.0f} x {TITLE['composition_vii']} + {second:.0f} x {TITLE['starry_night']}")
alone = stylized(TITLE["composition_vii"], PAINTING["composition_vii"])
combined = stylized(f"coarse: {TITLE['composition_vii']}, fine: {TITLE['starry_night']}",
                    [PAINTING["composition_vii"], PAINTING["starry_night"]], style_blend=coarse_fine)
print(cost_line([alone, combined]) + f"; {TITLE['starry_night']} alone is section 1's first image")
print(f"\nstyle distance per layer (metrics.layer_style_distances: VGG19 as trained, {SIZE} px)")
print(f"{'':48s}" + "".join(f"{layer:>10s}" for layer in ex.STYLE_LAYERS))
results = {f"{TITLE['composition_vii']} alone": alone.image,
           f"{TITLE['starry_night']} alone": colour["none"].image,
           "coarse/fine combination": combined.image}
for name, image in results.items():
    for painting in ("composition_vii", "starry_night"):
        d = metrics.layer_style_distances(image, PAINTING[painting], scorer, SIZE)
        label = f"{name}, to {TITLE[painting]}"
        print(f"{label:48s}" + "".join(f"{d[layer]:10.3g}" for layer in ex.STYLE_LAYERS))
show(plotting.plot_image_rows(
    [[("coarse scale from", paintings["composition_vii"]),
      ("fine scale from", paintings["starry_night"])],
     [(f"{TITLE['composition_vii']} alone", alone.image),
      (f"{TITLE['starry_night']} alone", colour["none"].image),
      ("coarse: Composition VII,\nfine: The Starry Night", combined.image)]],
    row_labels=["paintings", "results"]))

# %% [markdown]
# **What to look for.** In the combination, the large shapes and the colour fields of
# *Composition VII* with the brush texture of *The Starry Night*? The printed distances
# say it layer by layer: if the split worked, the combination is close to *Composition
# VII* at `conv3_1`–`conv5_1` and close to *The Starry Night* at `conv1_1`–`conv2_1`. A deep
# layer's Gram matrix also depends on the fine detail of its image, so the split cannot be
# perfectly clean. Compare the sizes of the numbers across the layers too: the style loss
# adds the layers with equal weights $w_l = 1/5$, so a layer whose distances are orders of
# magnitude larger than the others' decides what the optimisation does.
#
# **What the run above shows: the split did not work here.** The combined image looks
# almost like *Composition VII* alone, and the printed distances say why: the combination
# is closer to *Composition VII* at every layer, also at `conv1_1` (1.28e+05, against
# 2.75e+05 to *The Starry Night*) and `conv2_1` (6.67e+06 against 1e+08), whose targets
# were *The Starry Night*'s. The `conv4_1` distances are 1e+08 to 5e+10, thousands of
# times those of `conv1_1`, so with equal layer weights the coarse layers decide the
# image, and the fine layers' targets hardly pull. (The yardstick is VGG19 as trained,
# which is also the network `stylize` uses by default.)
#
# **Try it.** Swap the two paintings; move the split to `conv2_1` or `conv4_1`; give the
# layers weights that make their distances comparable (`style_layer_weights=[...]`, one per
# layer) and see whether the fine scale of *The Starry Night* then shows.
#
# ## 3. Several styles: a row of blends
#
# **Question.** Can two paintings be mixed with a dial, and does the result move smoothly
# from one to the other?
#
# **The claim.** This section is the kit's extension, not an experiment of the paper. It
# generalises the previous one: instead of taking each layer's target from one painting,
# every layer's target is the weighted sum of both paintings' (size-normalised) Gram
# matrices, $A^l = w\,A^l_1 + (1 - w)\,A^l_2$ (`style_blend=(w, 1 - w)`;
# jcjohnson/neural-style calls it `-style_blend_weights`). The hypothesis to test: as $w$
# goes from 1 to 0, the result goes from one painting's style to the other's, through
# images that look like neither copy.
#
# **Here.** Five images, $w$ = 1, 0.75, 0.5, 0.25, 0
# (`blend.interpolation_weights(5)`), *The Starry Night* with *Composition VII*. The two
# ends are the single-style runs above: a blend (1, 0) gives exactly the single style's
# image (tests/test_controls.py checks it), so only the three blends in between are new
# (`blend.interpolate_styles` would run all five). The cell prints each image's style
# distance to both paintings.

# %%
row = []
for weights in blend.interpolation_weights(5):
    if weights == (1.0, 0.0):
        row.append((weights, colour["none"]))
    elif weights == (0.0, 1.0):
        row.append((weights, alone))
    else:
        row.append((weights, stylized(f"blend {weights[0]:g} x {TITLE['starry_night']} + "
                                      f"{weights[1]:g} x {TITLE['composition_vii']}",
                                      [PAINTING["starry_night"], PAINTING["composition_vii"]],
                                      style_blend=weights)))
print(cost_line([r for w, r in row if 0 < w[0] < 1]) + "; the two ends are the single-style runs")
print(f"\nstyle distance S (mean over conv1_1 ... conv5_1) to {TITLE['starry_night']} | to "
      f"{TITLE['composition_vii']}:")
for (w, _), result in row:
    s_a = metrics.score_images(result.image, PHOTO, PAINTING["starry_night"], scorer, SIZE)["S"]
    s_b = metrics.score_images(result.image, PHOTO, PAINTING["composition_vii"], scorer, SIZE)["S"]
    print(f"  w = {w:4.2f}: {s_a:10.4g} | {s_b:10.4g}")
show(plotting.plot_image_rows(
    [[(f"w = {w:g}", r.image) for (w, _), r in row]],
    suptitle=f"w x {TITLE['starry_night']} + (1 - w) x {TITLE['composition_vii']}"))

# %% [markdown]
# **What to look for.** Whether the distance to *The Starry Night* grows and the distance
# to *Composition VII* shrinks along the row, step by step or all at once; and whether
# the middle image mixes the two styles everywhere or shows patches of each.
#
# **What the run above shows.** The printed distances change monotonically and in steps
# of similar size on the log scale: to *The Starry Night* from 3.2e+07 (w = 1) to 1.0e+10
# (w = 0), to *Composition VII* the other way round, and at w = 0.5 the two are equal
# (2.55e+09 and 2.51e+09). In the pictures the middle image does not blend the two
# evenly: the sky keeps van Gogh's swirling strokes, while the trees, the river and the
# façades break into Kandinsky's coloured shards.
#
# **Try it.** Blend three paintings (`style_blend=(1, 1, 1)` with three style images); give
# the blend per layer, a (2, 5) array, e.g. `w` going from 1 at `conv1_1` to 0 at `conv5_1`.
#
# ## 4. Regions: which style goes where
#
# **Question.** The 2016 method spreads one style over the whole picture, sky and town
# alike. Can each region take its own style, or keep the photo?
#
# **The claim** (2017 paper, paraphrased): spatial control comes from computing the Gram
# matrices over regions. A mask (a guidance channel) weights the feature maps position by
# position, and each region's weighted Gram matrix is matched to the Gram matrix of the
# style meant for it. Different regions of the result can then take their styles from
# different paintings (or from different regions of one painting), and the paper uses it
# to repair results in which a style's texture lands in the wrong region of the picture.
#
# **Here.** Two masks cut the photo into an upper band (in Tübingen, the sky) and the rest
# (the town and the river), with a soft edge; they are drawn by hand below, not found by
# the computer. (a) Sky: *The Starry Night*, the rest: *The Scream*. (b) Sky: *The Starry
# Night*; the rest has no mask, so only the content loss (and the smoothness term) acts
# there, which is meant to keep the photo. `stylize(..., masks=[...])`: mask k goes with
# style k (`guidance.py`).
#
# A region covering a share $a$ of the picture matches Gram matrices summed over that share
# only: by the equations in `guidance.py` its style loss is about $a^2$ times, and the
# gradient on each of its pixels about $a$ times, what the whole picture's would be. To
# give the regions about the pull an unmasked style has, the runs use
# $\beta = 1/a_{\min}$, $a_{\min}$ the smallest region's share.

# %%
height, width = photo.shape[:2]
EDGE, SOFT = 0.4, 0.06  # the sky is the upper 40% of the picture; the edge is 6% of its height soft
rows_at = (np.arange(height)[:, None] + 0.5) / height
sky = np.clip((EDGE + SOFT / 2 - rows_at) / SOFT, 0.0, 1.0) * np.ones((1, width))
town = 1.0 - sky
shares = {"sky": float(sky.mean()), "town": float(town.mean())}
print("share of the picture: " + ", ".join(f"{k} {v:.2f}" for k, v in shares.items()))
show(plotting.plot_masks(photo, [sky, town], [TITLE["starry_night"], TITLE["the_scream"]]))

two = stylized(f"sky: {TITLE['starry_night']}, town: {TITLE['the_scream']}",
               [PAINTING["starry_night"], PAINTING["the_scream"]], masks=[sky, town],
               beta=1.0 / min(shares.values()))
sky_only = stylized(f"sky: {TITLE['starry_night']}, the town keeps the photo",
                    PAINTING["starry_night"], masks=[sky], beta=1.0 / shares["sky"])
print(cost_line([two, sky_only]) + f"; beta {1 / min(shares.values()):.2f} and {1 / shares['sky']:.2f}")
print("\nRMS difference from the photo (0-255), inside each region:")
for name, image in [("no masks (section 1)", colour["none"].image), ("two styles", two.image),
                    ("sky only", sky_only.image)]:
    diff = (np.asarray(image, np.float64) - photo) ** 2
    print(f"  {name:22s} sky {np.sqrt(diff[sky > 0.99].mean()):6.1f}   "
          f"town {np.sqrt(diff[town > 0.99].mean()):6.1f}")
show(plotting.plot_image_rows(
    [[("photo", photo), (TITLE["starry_night"], paintings["starry_night"]),
      (TITLE["the_scream"], paintings["the_scream"])],
     [("no masks (section 1)", colour["none"].image),
      (f"sky: {TITLE['starry_night']},\ntown: {TITLE['the_scream']}", two.image),
      (f"sky: {TITLE['starry_night']},\nthe town keeps the photo", sky_only.image)]],
    row_labels=["inputs", "results"]))

# %% [markdown]
# **What to look for.** Does each region take its own painting's style, and what happens
# at the soft edge? In the sky-only run, compare the town's RMS difference from the photo
# with the unmasked run's. Three things can still change the town there: the content loss
# fixes only `conv4_2`'s features, not the pixels; the coarse-to-fine start is the
# coarsest scale's result upsampled, which blurs it; and the masks are averaged down to
# each layer's resolution, so at `conv5_1` (1/16 of the image's size) a cell on the edge is
# partly sky.
#
# **What the run above shows.** With two styles the sky carries *The Starry Night*'s
# swirls and the lower part *The Scream*'s red and dark bands, strongest over the trees and
# the river on the left; the façades on the right stay close to the photo, and the edge
# between the regions is a band of mixed texture, not a line. With the sky alone styled,
# the town looks like the photograph: its printed RMS difference from the photo is 19.5,
# half of the unmasked run's 39.4 (not 0: the three reasons above), while the sky differs
# from the photo about as much as in the unmasked run (38.0 against 31.1).
#
# ## 5. Summary and exercises
#
# * The 2016 style is a bundle: colour, scale and place can be taken apart.
# * Colour: luminance-only transfer or a recoloured painting keep the photo's colours.
# * Scale: which image supplies the Gram matrices of which layers decides the scale of
#   what is copied; resizing the painting moves everything at once.
# * Several styles and regions: targets can be blended, or confined to masks.
#
# **Exercise 1 (colour).** The luminance-only result has the photo's I and Q (up to
# rounding and clipping). Compare its mean luminance Y, printed in section 1, with the
# photo's and the painting's: which is it closer to, and why? (Hint: the kit first gives
# the painting's luminance the photo's mean and standard deviation,
# `color.match_luminance`.)
#
# **Exercise 2 (scale).** Run *The Starry Night* at `SIZE = 1024` with one scale
# (`scales=1`) and with the default three scales, and look at the sky. Which structures
# does the coarse-to-fine run get that the single-scale one misses? (About 4 times the
# work of a 512 px image; `benchmarks/HIGHRES.md` has the costs.)
#
# **Exercise 3 (regions).** Draw a better sky mask from the photo itself, e.g. from the
# blue channel and the position (`photo[..., 2] > photo[..., 0]` in the upper half),
# smoothed, and rerun (a). Then run (a) with `beta=1` and compare the strength of the style
# in the two regions with the runs above: does the $1/a$ rule hold?
#
# **Exercise 4 (several styles).** Which is closer to the paper's own scale control: the
# coarse/fine targets of section 2, or a *style image* made by running section 3's blend
# at `SIZE` with `content_layers=[]` (texture synthesis) and then using it as the style?

# %% [markdown]
# ---
# *Time taken*

# %%
print(f"this notebook ran for {setup.minutes():.1f} min; " + cost_line(RUNS, "its stylize runs"))
