"""Command line: ``python -m styletransfer_tf transfer|download-images|layers|figure ...``.

Exit codes: 0 success; 2 bad input or options (one line on stderr, nothing written);
3 the loss became NaN/Inf (the last finite image is saved); 130 interrupted.

Arguments, files, sizes and layers are checked before TensorFlow is imported, so
``--help`` and bad input answer at once; TensorFlow's C++ start-up messages are kept off
the terminal (:func:`import_tensorflow_quietly`).
"""

import argparse
import json
import os
import sys
import time
from pathlib import Path


from . import blend, figures, layers, memory, options, paper_images, presets
from . import images as imgs
from . import masks as region_masks
from .errors import NonFiniteLossError, StyleTransferError
from .options import WEIGHTS_ENV
from .paths import atomic_path


class _Parser(argparse.ArgumentParser):
    """argparse that reports a usage error as one line and exit code 2."""

    def error(self, message):
        self.exit(2, f"error: {message} (see {self.prog} --help)\n")


def _layer_list(text):
    names = [name.strip() for name in text.split(",") if name.strip()]
    if not names:
        raise argparse.ArgumentTypeError("expected comma-separated layer names")
    return names


def _float_list(text):
    try:
        return [float(v) for v in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated numbers, got {text!r}")


def _steps(text):
    try:
        values = [int(v) for v in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number or one per scale, got {text!r}")
    return values[0] if len(values) == 1 else values


def _style_size(text):
    if text in ("size", "content", "original"):
        return text
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError("expected 'size', 'content', 'original' or a number "
                                         "of pixels")


def add_transfer_arguments(parser):
    """Arguments of ``transfer``."""
    a = parser.add_argument
    a("content", help="content image (any format Pillow reads)")
    a("style", nargs="+", metavar="STYLE",
      help="style image; several are blended (--style-blend) or each given a region "
      "(--mask)")
    a("-o", "--output", required=True, help="result image, .png or .jpg; the loss history "
      "goes next to it as OUTPUT.json")
    a("--size", type=int, default=options.DEFAULT_SIZE,
      help=f"longest side of the result in px (default {options.DEFAULT_SIZE}, as in the paper)")
    a("--scales", type=int, default=options.DEFAULT_SCALES,
      help=f"coarse-to-fine scales, each {options.SCALE_FACTOR:.3g}x the one before, the last "
      f"--size (default {options.DEFAULT_SCALES}; 1 = single scale, as in the paper)")
    a("--style-size", type=_style_size, default="size",
      help="'size' (default: the style's longest side equals the result's, aspect kept), "
      "'content' (stretched to the content's shape, as in the paper), 'original', or a "
      "longest side in px")
    a("--style-scale", type=float, default=options.DEFAULT_STYLE_SCALE, metavar="F",
      help="style image size relative to the size --style-size gives it: 2 = patterns "
      f"twice as large, 0.5 = half (default {options.DEFAULT_STYLE_SCALE:g})")
    a("--style-blend", type=_float_list, default=None, metavar="W1,W2,...",
      help="blend weights of several style images, one per STYLE, >= 0, normalised to sum "
      "1 (default: equal); the targets are the weighted sums of their Gram matrices")
    a("--coarse-fine", default=None, metavar="LAYER",
      help="with two style images: style layers from LAYER on (the coarse scale) take the "
      "first style, the shallower ones (the fine scale) the second")
    a("--mask", dest="masks", action="append", default=None, metavar="MASK",
      help="region mask (white = region, the content's aspect ratio), one per STYLE in "
      "order: style k only acts where mask k is; pixels no mask covers keep the photo "
      "(content loss only). Repeat for several styles")
    a("--preserve-color", choices=options.PRESERVE_COLORS,
      default=options.DEFAULT_PRESERVE_COLOR,
      help="keep the content's colours: luminance (transfer on the luminance only, the "
      "content's chroma kept) or histogram (the style recoloured to the content's colour "
      f"mean and covariance first); default {options.DEFAULT_PRESERVE_COLOR}")
    a("--steps", type=_steps, default=None,
      help="L-BFGS iterations or Adam steps at the finest scale, each coarser scale "
      f"getting {options.COARSER_STEPS:.3g}x more; or one number per scale separated by "
      "commas (default " + ", ".join(f"{n} with {o}" for o, n in options.DEFAULT_STEPS.items())
      + ")")
    a("--max-seconds", type=float, default=None, metavar="S",
      help="time budget for the optimisation (all scales); stop when it is used up")
    a("--optimizer", choices=options.OPTIMIZERS, default=options.DEFAULT_OPTIMIZER,
      help=f"lbfgs (the paper's) or adam (tf.GradientTape step); default "
      f"{options.DEFAULT_OPTIMIZER}")
    a("--alpha", type=float, default=options.DEFAULT_ALPHA,
      help=f"content weight at {options.WEIGHT_SIZE} px, rescaled for other sizes "
      f"(default {options.DEFAULT_ALPHA:g})")
    weight = parser.add_mutually_exclusive_group()
    weight.add_argument("--beta", type=float, default=None,
                        help=f"style weight (default {options.DEFAULT_BETA:g})")
    weight.add_argument("--ratio", type=float, default=None,
                        help="alpha/beta instead of --beta: beta = alpha / RATIO")
    a("--tv-weight", type=float, default=options.DEFAULT_TV_WEIGHT,
      help=f"total-variation weight at {options.WEIGHT_SIZE} px "
      f"(default {options.DEFAULT_TV_WEIGHT:g})")
    a("--content-layers", type=_layer_list, default=list(layers.CONTENT_LAYERS),
      help="comma-separated, paper or Keras names (default conv4_2)")
    a("--style-layers", type=_layer_list, default=list(layers.STYLE_LAYERS),
      help="comma-separated (default conv1_1,conv2_1,conv3_1,conv4_1,conv5_1)")
    a("--style-weights", type=_float_list, default=None,
      help="comma-separated w_l, one per style layer (default 1/number of layers)")
    a("--init", default=options.DEFAULT_INIT,
      help=f"content, style, noise (seeded white noise) or an image path (default "
      f"{options.DEFAULT_INIT})")
    a("--lr", type=float, default=options.ADAM_DEFAULTS["lr"],
      help=f"Adam learning rate in pixel units (default {options.ADAM_DEFAULTS['lr']})")
    a("--pooling", choices=options.POOLINGS, default="max",
      help="max (Keras default) or avg (the paper's choice)")
    a("--seed", type=int, default=0, help="seed for noise and TensorFlow (default 0)")
    a("--precision", choices=options.PRECISIONS, default=options.DEFAULT_PRECISION,
      help="float32 (default) or mixed: VGG in bfloat16, Gram matrices and losses in "
      "float32; faster on CPUs with bfloat16 instructions, slightly different result "
      "(see benchmarks/README.md)")
    a("--jit", action=argparse.BooleanOptionalAction, default=options.DEFAULT_JIT_COMPILE,
      help="compile the optimisation step with XLA (default off: several times slower "
      "on the CPU; may help on a GPU)")
    a("--weights", default="imagenet",
      help=f"'imagenet' (${WEIGHTS_ENV} if set, else the Keras download) or a path "
      "to vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5")
    a("--memory-check", action=argparse.BooleanOptionalAction, default=True,
      help="before starting, estimate the run's peak memory from the image and layer "
      "shapes and stop with an error if it exceeds the memory available (default on; "
      "see styletransfer_tf/memory.py)")
    a("--save-every", type=int, default=None, metavar="K",
      help="also save OUTPUT_stepNNNN.png every K steps")
    a("--overwrite", action="store_true", help="replace existing output files (never inputs)")
    a("--quiet", action="store_true", help="no progress bar")


def build_parser():
    parser = _Parser(prog="python -m styletransfer_tf",
                     description="Neural style transfer (Gatys, Ecker & Bethge, CVPR 2016).")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    add_transfer_arguments(sub.add_parser(
        "transfer", help="render a content image in the style of another",
        description="Render CONTENT in the style of STYLE and write OUTPUT plus OUTPUT.json."))
    add_download_arguments(sub.add_parser(
        "download-images", help="fetch the paper's images (sha256-checked)",
        description="Fetch the six images of the paper into a git-ignored folder."))
    sub.add_parser("layers", help="list the VGG19 layer names")
    add_figure_arguments(sub.add_parser(
        "figure", help="reproduce a figure of the paper (1, 3, 4, 5, 6)",
        description="Run the experiment behind a figure of Gatys et al. (CVPR 2016) and save "
        "it as a labelled image grid plus OUTPUT.json (settings, timings, final losses)."))
    return parser


def planned_outputs(args):
    """Every file ``transfer`` will write: the image, its .json history, snapshots."""
    output = Path(args.output)
    paths = [output, output.with_suffix(".json")]
    if args.save_every:
        steps = options.steps_per_scale(default_steps(args), args.scales)
        done, last = sum(steps[:-1]), steps[-1]
        paths += [snapshot_path(output, done + step)
                  for step in [*range(0, last + 1, args.save_every), last]]
    return paths


def check_scales_option(scales):
    if scales < 1:
        raise StyleTransferError(f"--scales must be at least 1, got {scales}")


def default_steps(args):
    """``--steps``, or the optimiser's default when it was not given."""
    return options.DEFAULT_STEPS[args.optimizer] if args.steps is None else args.steps


def snapshot_path(output, step):
    return output.with_name(f"{output.stem}_step{step:04d}{output.suffix}")


def check_transfer_args(args):
    """Validate everything before TensorFlow is imported; raise StyleTransferError."""
    imgs.check_size(args.size, "--size")
    options.check_precision(args.precision, args.optimizer)
    options.check_weights_path(None if args.weights == "none" else args.weights)
    if args.max_seconds is not None and not args.max_seconds > 0:
        raise StyleTransferError(f"--max-seconds must be > 0, got {args.max_seconds}")
    check_scales_option(args.scales)
    for n in ([args.steps] if isinstance(args.steps, int) else args.steps or []):
        if n < 1:
            raise StyleTransferError(f"--steps must be at least 1, got {n}")
    if isinstance(args.steps, list) and len(args.steps) != args.scales:
        raise StyleTransferError(f"--steps has {len(args.steps)} values for --scales "
                                 f"{args.scales}: give one number, or one per scale")
    if args.save_every is not None and args.save_every < 1:
        raise StyleTransferError(f"--save-every must be at least 1, got {args.save_every}")
    if isinstance(args.style_size, int):
        imgs.check_size(args.style_size, "--style-size")
    scale = options.check_style_scale(args.style_scale, "--style-scale")
    for name in [*args.content_layers, *args.style_layers]:
        layers.keras_layer_name(name)
    check_style_controls(args)
    content_shape = imgs.to_rgb_array(imgs.open_image(args.content)).shape
    shape = imgs.fit_shape(content_shape, args.size)
    all_layers = [*args.content_layers, *args.style_layers]
    layers.check_image_fits(shape, all_layers, "the content image")
    shapes, _ = options.pyramid_shapes(content_shape, args.size, args.scales,
                                       default_steps(args), all_layers)
    style_size = None if args.style_size == "original" else args.style_size
    style_shapes = []
    for path in args.style:
        style_shape = imgs.to_rgb_array(imgs.open_image(path)).shape
        what = "the style image" if len(args.style) == 1 else f"the style image {path}"
        if scale != 1:
            what += f" at --style-scale {scale:g}"
        for each in [shape, *shapes]:  # the final scale first, then the coarser ones
            style_shapes.append(imgs.style_shape_for(style_shape, each, style_size,
                                                     args.size, scale))
            layers.check_image_fits(style_shapes[-1], args.style_layers, what)
    if args.masks:
        region_masks.check_masks([region_masks.as_mask(path) for path in args.masks],
                                 content_shape, len(args.style),
                                 [f"mask {path}" for path in args.masks])
    if args.style_weights is not None and len(args.style_weights) != len(args.style_layers):
        raise StyleTransferError(
            f"--style-weights has {len(args.style_weights)} values for "
            f"{len(args.style_layers)} style layers")
    if args.ratio is not None and not args.ratio > 0:
        raise StyleTransferError(f"--ratio must be > 0, got {args.ratio}")
    if args.memory_check:
        memory.check_memory(shape, all_layers, args.optimizer, args.precision, style_shapes,
                            what=f"--size {args.size}")
    inputs = [args.content, *args.style, *(args.masks or [])]
    if args.init not in options.INITS:
        inputs.append(args.init)
    for path in inputs:
        imgs.open_image(path)
    output = Path(args.output)
    if output.suffix.lower() not in imgs.SAVE_FORMATS:
        raise StyleTransferError(f"cannot save {output}: use a .png, .jpg or .jpeg file name")
    for path in planned_outputs(args):
        imgs.check_output_path(path.with_suffix(output.suffix), args.overwrite, inputs)
        if path.suffix == ".json" and path.exists() and not args.overwrite:
            raise StyleTransferError(f"{path} already exists; choose another name or pass --overwrite")
        if any(path.resolve() == Path(p).resolve() for p in inputs):
            raise StyleTransferError(f"output {path} is also an input; choose another name")


def check_style_controls(args):
    """Check --style-blend, --coarse-fine and --mask against the number of style images
    (TensorFlow-free; the masks' sizes are checked once the images are open)."""
    count = len(args.style)
    if args.masks and args.style_blend is not None:
        raise StyleTransferError("--style-blend and --mask do not combine: with masks, "
                                 "mask k gives style k its region")
    if args.style_blend is not None:
        blend.blend_weights(args.style_blend, count, len(args.style_layers), "--style-blend")
    if args.coarse_fine is not None:
        if args.masks or args.style_blend is not None:
            raise StyleTransferError("--coarse-fine does not combine with --style-blend or "
                                     "--mask")
        if count != 2:
            raise StyleTransferError(f"--coarse-fine needs two style images (coarse, then "
                                     f"fine), got {count}")
        blend.coarse_fine_weights(args.style_layers, args.coarse_fine)
    if args.masks and len(args.masks) != count:
        raise StyleTransferError(f"{len(args.masks)} --mask for {count} style image(s): give "
                                 "one mask per style (mask k goes with style k)")


def write_json(path, data):
    """Write JSON atomically (temporary file, then rename)."""
    with atomic_path(path) as tmp:
        tmp.write_text(json.dumps(data, indent=1, ensure_ascii=False))


def save_results(args, image, history, settings):
    """Write the result image, its history JSON and the snapshots."""
    output = Path(args.output)
    imgs.save_image(output, image, overwrite=args.overwrite)
    record = {"settings": settings,
              **{k: v for k, v in history.items() if k != "snapshots"}}
    write_json(output.with_suffix(".json"), record)
    for step, snap in history.get("snapshots", []):
        imgs.save_image(snapshot_path(output, step), snap, overwrite=args.overwrite)


def import_tensorflow_quietly():
    """Import TensorFlow with its C++ start-up messages kept off the terminal.

    ``TF_CPP_MIN_LOG_LEVEL=3`` (unless the user set it) silences TensorFlow's own logging;
    a few messages are printed before that logging exists, straight to file descriptor 2,
    so stderr is pointed at the null device while the import runs. Python errors from
    the import still surface as exceptions. For the command line only: the library
    leaves TensorFlow's logging alone.
    """
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    if "tensorflow" in sys.modules:
        return
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 2)
            import tensorflow  # noqa: F401
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def transfer(args):
    check_transfer_args(args)
    import_tensorflow_quietly()
    from . import optimize
    beta = options.DEFAULT_BETA if args.beta is None else args.beta
    if args.ratio is not None:
        beta = args.alpha / args.ratio
    settings = {k: v for k, v in vars(args).items() if k not in ("command", "quiet", "overwrite")}
    settings.update(beta=beta, adam=options.ADAM_DEFAULTS | {"lr": args.lr},
                    style=args.style[0] if len(args.style) == 1 else args.style)
    adam = {"lr": args.lr} if args.optimizer == "adam" else {}
    style_blend = args.style_blend
    if args.coarse_fine is not None:
        style_blend = blend.coarse_fine_weights(args.style_layers, args.coarse_fine)
    start = time.perf_counter()
    try:
        image, history = optimize.stylize(
            args.content, args.style[0] if len(args.style) == 1 else args.style,
            size=args.size, style_scale=args.style_scale, style_blend=style_blend,
            masks=args.masks, preserve_color=args.preserve_color,
            style_size=None if args.style_size == "original" else args.style_size,
            scales=args.scales, steps=default_steps(args), optimizer=args.optimizer,
            alpha=args.alpha, beta=beta,
            tv_weight=args.tv_weight, content_layers=args.content_layers,
            style_layers=args.style_layers, style_layer_weights=args.style_weights,
            init=args.init, seed=args.seed, pooling=args.pooling,
            weights=None if args.weights == "none" else args.weights,
            snapshot_every=args.save_every, verbose=not args.quiet,
            precision=args.precision, jit_compile=args.jit, max_seconds=args.max_seconds,
            memory_check=args.memory_check, **adam)
    except NonFiniteLossError as exc:
        history = optimize.history_entry(exc.history)
        settings["stopped"] = str(exc)
        save_results(args, exc.image[0], history, settings)
        print(f"error: {exc}; saved to {args.output}", file=sys.stderr)
        return 3
    seconds = time.perf_counter() - start
    save_results(args, image, history, settings | {"seconds": seconds})
    print(f"wrote {args.output} ({image.shape[1]}x{image.shape[0]} px) and "
          f"{Path(args.output).with_suffix('.json')} in {seconds:.1f} s; final losses: "
          + ", ".join(f"{p} {history[p][-1]:.4g}" for p in optimize.PARTS))
    return 0


def add_download_arguments(parser):
    """Add the ``download-images`` arguments to an ``argparse`` (sub)parser."""
    parser.add_argument(
        "names", nargs="*", metavar="NAME",
        help=f"images to fetch (default: all): {', '.join(paper_images.PAPER_IMAGES)}",
    )
    parser.add_argument(
        "--dest", default=None, metavar="DIR",
        help=f"folder to put them in (default: ${paper_images.ENV_VAR} if set, else "
             "paper_images/ in the user cache folder, ~/.cache/styletransfer_tf/paper_images; "
             "the kit looks for the images there)",
    )
    source = parser.add_mutually_exclusive_group()
    source.add_argument(
        "--from", dest="source_dir", default=None, metavar="DIR",
        help="copy from this local folder instead of downloading (checksums still checked)",
    )
    source.add_argument(
        "--mirror", default=None, metavar="URL",
        help="download <URL>/<NAME> instead of the GitHub URLs (http(s):// or file://)",
    )
    parser.add_argument(
        "--overwrite", action="store_true",
        help="replace files in DIR whose checksum is wrong (correct files are kept)",
    )
    parser.add_argument(
        "--timeout", type=float, default=30, metavar="SECONDS",
        help="network timeout per file (default: 30)",
    )
    parser.add_argument(
        "--list", action="store_true",
        help="only list the images, their sources and credits, and the folder",
    )


def download_command(args):
    """Carry out ``download-images`` for parsed ``args``; return 0 or raise StyleTransferError."""
    dest = paper_images.images_dir() if args.dest is None else Path(args.dest)
    if getattr(args, "list", False):
        for name, entry in paper_images.PAPER_IMAGES.items():
            print(f"{name}: {entry.credit}\n    {entry.url}\n    sha256 {entry.sha256}")
        print(f"folder: {dest}")
        return 0
    paths_out = paper_images.download_paper_images(
        dest=dest,
        names=args.names or None,
        mirror=args.mirror,
        source_dir=args.source_dir,
        overwrite=args.overwrite,
        timeout=getattr(args, "timeout", 30),
    )
    print(f"{len(paths_out)} image(s) ready in {dest}")
    return 0


def add_figure_arguments(parser):
    """Add the ``figure`` arguments to an ``argparse`` (sub)parser."""
    a = parser.add_argument
    a("number", metavar="N",
      help=f"paper figure (CVPR 2016 numbering): {', '.join(presets.FIGURES)}")
    a("-o", "--output", required=True,
      help="the figure, .png (or .jpg); its settings, timings and final losses go to OUTPUT.json")
    a("--preset", choices=sorted(presets.PRESETS), default="fast",
      help="fast (default: Adam, batched, 256 px, 300 steps) or paper (L-BFGS, 512 px, "
      "3 scales, 100 iterations at the finest: about 4 minutes per image on 2 CPU cores)")
    a("--size", type=int, default=None, help="longest side in px (overrides the preset)")
    a("--steps", type=int, default=None, help="Adam steps / L-BFGS iterations (overrides)")
    a("--scales", type=int, default=None,
      help="coarse-to-fine scales (overrides the preset; 1 = single scale, the paper's)")
    a("--optimizer", choices=options.OPTIMIZERS, default=None, help="overrides the preset")
    a("--pooling", choices=options.POOLINGS, default=None, help="overrides the preset (avg)")
    a("--lr", type=float, default=None, help="Adam learning rate in pixel units (default 4)")
    a("--ratio-calibration", type=float, default=None,
      help="factor applied to the paper's alpha/beta (default "
      f"{presets.RATIO_CALIBRATION:g}, measured; "
      "1 = as printed in the paper)")
    a("--no-normalize", action="store_true",
      help="use Keras's VGG19 weights as they are instead of the paper's normalised network")
    a("--norm-floor", type=float, default=None, metavar="F",
      help="when normalising, no filter's mean is taken below F x its layer's median "
      f"(default {presets.Settings.norm_floor:g}; 0 = the paper's rule exactly)")
    a("--ratio-scaling", choices=("area", "none"), default=None,
      help="area (default): multiply the paper's alpha/beta by (512/size)^2; none: use as is")
    a("--weights", default="imagenet",
      help="'imagenet' ($STYLETRANSFER_VGG19_WEIGHTS or the Keras download), a .h5 path, "
      "or 'none' for random weights (tests only)")
    a("--precision", choices=options.PRECISIONS, default=None,
      help="float32 (default) or mixed (VGG19 in bfloat16; faster on CPUs with bf16 units)")
    a("--jit", action=argparse.BooleanOptionalAction, default=None,
      help="compile the step with XLA (default off: 3-4x slower on the CPU, see "
      "benchmarks/README.md; try it on a GPU)")
    a("--no-cache", action="store_true",
      help="recompute everything (results are otherwise cached in "
      "~/.cache/styletransfer_tf/experiments/)")
    a("--dpi", type=int, default=100, help="resolution of the saved figure (default 100)")
    a("--colors", type=int, default=None, metavar="N",
      help="save the PNG with a palette of N <= 256 colours (several times smaller files)")
    a("--overwrite", action="store_true", help="replace existing output files")
    a("--quiet", action="store_true", help="no progress output")


def figure_command(args):
    """Carry out ``figure`` for parsed ``args``; return 0 or raise StyleTransferError.
    Everything is checked before TensorFlow is imported."""
    number = str(args.number)
    figures.check_figure_number(number)
    output = Path(args.output)
    imgs.check_output_path(output, overwrite=args.overwrite)
    record_path = output.with_suffix(".json")
    if record_path.exists() and not args.overwrite:
        raise StyleTransferError(f"{record_path} already exists; choose another name or pass "
                                 "--overwrite")
    if args.steps is not None and args.steps < 1:
        raise StyleTransferError(f"--steps must be at least 1, got {args.steps}")
    if args.dpi < 10:
        raise StyleTransferError(f"--dpi must be at least 10, got {args.dpi}")
    if args.colors is not None and not 2 <= args.colors <= 256:
        raise StyleTransferError(f"--colors must be between 2 and 256, got {args.colors}")
    if args.scales is not None:
        check_scales_option(args.scales)
    overrides = dict(size=args.size, steps=args.steps, scales=args.scales,
                     optimizer=args.optimizer,
                     pooling=args.pooling, lr=args.lr, ratio_scaling=args.ratio_scaling,
                     normalize=False if args.no_normalize else None, precision=args.precision,
                     ratio_calibration=args.ratio_calibration, jit=args.jit,
                     norm_floor=args.norm_floor)
    weights = None if args.weights == "none" else args.weights
    config = presets.settings(args.preset, weights=weights, **overrides)
    options.check_weights_path(weights)  # fail now, not after the images are loaded
    import_tensorflow_quietly()
    from . import plotting
    result = figures.run_figure(number, config, cache=not args.no_cache, verbose=not args.quiet)
    fig = plotting.plot_figure(result)
    with atomic_path(output) as tmp:
        plotting.save_figure(fig, tmp, dpi=args.dpi, colors=args.colors)
    write_json(record_path, result.summary())
    print(f"wrote {output} and {record_path}: figure {number}, {len(result.results)} images, "
          f"preset {config.preset} ({config.size} px, {config.steps} {config.optimizer} steps), "
          f"{result.seconds:.1f} s (optimisation {result.compute_seconds:.1f} s"
          f"{', partly cached' if any(r.cached for r in result.results) else ''})")
    for note in result.notes:
        print(f"  note: {note}")
    return 0


def list_layers():
    for name in layers.LAYER_ORDER:
        paper = next(p for p, k in layers.PAPER_NAMES.items() if k == name)
        print(f"{paper:8s} {name}")
    return 0


def main(argv=None):
    """Entry point; returns the exit code."""
    args = build_parser().parse_args(argv)
    try:
        if args.command == "transfer":
            return transfer(args)
        if args.command == "download-images":
            return download_command(args)
        if args.command == "figure":
            return figure_command(args)
        return list_layers()
    except StyleTransferError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
