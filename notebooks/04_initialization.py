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
# **The paper's claim** (CVPR 2016, Sec. 4 and Fig. 6): the initialisation has little
# influence on the final result; starting from a fixed image (photo or painting) always
# gives the same result, while different white-noise starts give different images — the
# only way to make many images for one pair.
#
# **Plan.** (1) Six runs from six starts (Fig. 6). (2) Convergence curves. (3) A number for how
# different the results are. (4) Exercises.
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
# ## 1. Six starting points (Fig. 6)
#
# *The Starry Night* on Tübingen, $\alpha/\beta = 10^{-3}$, content at `conv4_2`, style on
# `conv1_1` … `conv5_1`, started from (A) the photo, (B) the painting (resized to the photo's
# shape) and (C) four white-noise images (seeds 0–3). The six runs are one batch.

# %%
result = ex.figure6(config, cache=CACHE, verbose=False)
RESULTS = [result]
print("differences from the paper:", *result.notes, sep="\n  - ")
display(plotting.plot_figure(result))

# %% [markdown]
# **What it shows.** All six images show the Neckarfront in van Gogh's style. Started from
# the photo, the result keeps the most photographic detail (sharp facades, the photo's
# colours under a layer of strokes); started from the painting, the painting's own layout
# survives where the photo's content term is weak: van Gogh's moon and swirls are still in
# the sky. The four noise starts give images that look alike from afar and differ in the
# placement of individual strokes. With the paper's L-BFGS run to convergence the
# differences between starts are smaller than after this notebook's fixed number of Adam steps.
#
# ## 2. Convergence

# %%
display(plotting.plot_losses(result.histories(), parts=("content", "style"),
                             title="Losses during the optimisation, by start image"))

# %% [markdown]
# The photo start begins with zero content loss and a large style loss; the painting start
# the opposite; noise starts high on both. The four noise curves lie on top of each other
# and the photo start ends among them. The painting start keeps its head start in style
# and its handicap in content (about three times the others' content loss after these
# steps): the start matters less at the end than at the beginning, but it still matters.
# (The paper ran L-BFGS to convergence, where it reports little influence of the start.)
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

# %% [markdown]
# **What it shows.** The noise-started results differ from each other by a clearly non-zero
# amount: the optimisation does not forget where it started, it turns different noise
# into different brush strokes. Their mutual SSIM is well below 1 although they look alike
# from afar — their differences are in the fine texture, not in the composition. The photo
# and painting starts are further apart from each other than the noise starts are.
#
# ## 4. Summary and exercises
#
# * The start image changes the details of the result, not what it is: all starts give
#   the photo's scene in the painting's style. Only noise starts give many different results.
#
# **Exercise 1.** Run the four noise seeds again with twice the number of steps
# (`ex.settings(config, steps=2 * STEPS)`). Do the noise-started results get closer to each
# other or not? What does that say about the loss landscape?
#
# **Exercise 2.** The white-noise start here is small-amplitude Gaussian noise around the
# ImageNet mean colour (`config.noise_std`). Try full-range uniform noise
# (`noise_std=100`). How many more steps does Adam need to remove the grain?

# %% [markdown]
# ---
# *Time taken*

# %%
shown = [r for res in RESULTS for r in res.results]
compute = sum({(r.seconds, r.batch): r.seconds for r in shown}.values())
print(f"this notebook ran for {(time.perf_counter() - NOTEBOOK_START) / 60:.1f} min; "
      f"the optimisations behind its {len(shown)} images took {compute / 60:.1f} min when they ran "
      f"({sum(r.cached for r in shown)} of them were taken from the cache)")
