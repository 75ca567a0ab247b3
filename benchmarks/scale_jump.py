"""Why the loss jumps at each change of scale in a coarse-to-fine run (issue 9).

Optimises The Starry Night on Tübingen (alpha/beta 1e-3, noise seed 0: Fig. 6's noise run)
at the coarsest scale of the paper preset, then measures, at the next scale's size, the
losses of several ways to enlarge that result, against the noise start and the photo:

    python benchmarks/scale_jump.py [--size 256] [--next 362] [--steps 178] [--json OUT]

Needs the real weights ($STYLETRANSFER_VGG19_WEIGHTS) and the paper's images. The losses
are those of ``experiments.evaluate`` (the normalised network at the next size; the
painting stretched to the photo's shape), so only their ratios matter.
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np
import scipy.ndimage
import tensorflow as tf

from styletransfer_tf import experiments as ex
from styletransfer_tf import images as imgs
from styletransfer_tf import layers, normalize, vgg


def enlarge(image, shape, method="bicubic"):
    """uint8 image resized to ``shape`` (H, W) with tf.image.resize."""
    x = tf.image.resize(np.asarray(image, np.float32)[None], shape, method=method)[0].numpy()
    return np.clip(np.round(x), 0, 255).astype(np.uint8)


def blur(image, sigma):
    """uint8 image with a Gaussian blur of ``sigma`` px (each colour on its own)."""
    x = scipy.ndimage.gaussian_filter(np.asarray(image, np.float32), (sigma, sigma, 0),
                                      mode="reflect")
    return np.clip(np.round(x), 0, 255).astype(np.uint8)


def filter_shares(image, photo, cfg, layer="conv4_2"):
    """How the content loss of ``image`` at ``layer`` (the normalised network of ``cfg``)
    splits over the layer's filters: the largest filter's share, its index, and its mean
    activation on the normalisation images relative to the layer's median (after the
    floor), which is the inverse of its gain relative to a typical filter's."""
    extractor = vgg.feature_extractor([layer], weights=ex.network_weights(cfg), pooling=cfg.pooling)
    feats = [np.asarray(vgg.extract(extractor, imgs.preprocess(np.asarray(x, np.float32))[None])[0],
                        np.float64)[0] for x in (image, photo)]
    per_filter = ((feats[0] - feats[1]) ** 2).sum(axis=(0, 1))
    top = int(np.argmax(per_filter))
    keras_name = layers.keras_layer_name(layer)
    means = normalize.mean_activations(ex.normalization_images(cfg.size),
                                       weights=vgg.resolve_weights(cfg.weights), pooling=cfg.pooling)
    means = normalize.floored_means(means, cfg.norm_floor)[keras_name]
    return {"layer": layer, "top_filter": top, "top_share": float(per_filter[top] / per_filter.sum()),
            "top20_share": float(np.sort(per_filter)[-20:].sum() / per_filter.sum()),
            "top_mean_over_median": float(means[top] / np.median(means))}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=256, help="coarse scale, px")
    parser.add_argument("--next", type=int, default=362, help="next scale, px")
    parser.add_argument("--steps", type=int, default=178, help="L-BFGS iterations at --size")
    parser.add_argument("--norm-floor", type=float, default=None,
                        help="settings.norm_floor (default: the preset's)")
    parser.add_argument("--json", help="write the table here")
    args = parser.parse_args(argv)

    job = ex.Job("noise seed 0", style=ex.FIG6_STYLE, ratio=ex.FIG6_RATIO, init="noise", seed=0)
    coarse_cfg = ex.settings("paper", size=args.size, scales=1, steps=args.steps, weights="imagenet",
                             norm_floor=args.norm_floor)
    start = time.perf_counter()
    coarse = ex.run_jobs([job], coarse_cfg, cache=False, verbose=False)[0].image
    seconds = time.perf_counter() - start

    cfg = ex.settings("paper", size=args.next, scales=1, weights="imagenet",
                      norm_floor=args.norm_floor)
    photo = ex.load_named("tubingen", size=args.next)
    shape = photo.shape[:2]
    painting = ex.load_named(ex.FIG6_STYLE, shape=shape)
    noise = imgs.to_uint8(imgs.deprocess(ex.job_start_image(job, photo, painting, cfg.noise_std)))
    candidates = {
        "bicubic (optimize.upsample)": enlarge(coarse, shape),
        "bilinear": enlarge(coarse, shape, "bilinear"),
        "bicubic, then Gaussian blur 0.5 px": blur(enlarge(coarse, shape), 0.5),
        "bicubic, then Gaussian blur 1 px": blur(enlarge(coarse, shape), 1.0),
        "the coarse result blurred 1 px, then bicubic": enlarge(blur(coarse, 1.0), shape),
        "noise start at this size": noise,
        "the photo": imgs.to_uint8(photo),
    }
    content, style = ex.evaluate(list(candidates.values()), cfg)
    # the same images through Keras's VGG19 as trained (not normalised): does the jump
    # come from the normalised network's per-filter gains?
    raw_content, raw_style = ex.evaluate(list(candidates.values()), ex.settings(cfg, normalize=False))
    shares = filter_shares(candidates["bicubic (optimize.upsample)"], candidates["the photo"], cfg)
    alpha, beta = ex.loss_weights(ex.FIG6_RATIO, args.next, cfg.ratio_scaling, cfg.ratio_calibration)
    rows = [{"start": name, "content": float(c), "style": float(s), "total": float(alpha * c + beta * s),
             "content_keras": float(rc), "style_keras": float(rs)}
            for name, c, s, rc, rs in zip(candidates, content, style, raw_content, raw_style)]
    print(f"coarse result: {args.size} px, {args.steps} L-BFGS iterations, {seconds:.0f} s; "
          f"measured at {args.next} px (alpha {alpha:.3g}, beta {beta:g})")
    print(f"{'':46s} {'normalised VGG19 (the run)':^32s}   {'Keras VGG19':^21s}")
    print(f"{'start image at the next scale':46s} {'content':>10s} {'style':>10s} {'total':>10s}"
          f"   {'content':>10s} {'style':>10s}")
    for r in rows:
        print(f"{r['start']:46s} {r['content']:10.3g} {r['style']:10.3g} {r['total']:10.3g}"
              f"   {r['content_keras']:10.3g} {r['style_keras']:10.3g}")
    print(f"bicubic enlargement, normalised {shares['layer']} content loss: filter "
          f"{shares['top_filter']} carries {shares['top_share']:.0%} of it (the 20 largest "
          f"{shares['top20_share']:.0%}); its mean activation on the normalisation images is "
          f"{shares['top_mean_over_median']:.3g} x the layer's median (norm_floor {cfg.norm_floor:g})")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"size": args.size, "next": args.next, "steps": args.steps,
                       "norm_floor": cfg.norm_floor, "seconds": seconds, "rows": rows,
                       "filter_shares": shares}, f, indent=1)


if __name__ == "__main__":
    main()
