"""Matplotlib layouts for the experiments: the paper's image grids and loss curves.

``plot_figure(result)`` draws a :class:`experiments.FigureResult` as a labelled grid of
panels (titles: layer names, ratios, initialisations; the style image as an inset in the
lower left corner, as in the paper). ``plot_losses`` draws loss histories against steps
or wall-clock seconds. The lectures' other plots are here too (``plot_layer_scores``,
``plot_gram``, ``plot_mean_activations``, ``plot_tradeoff``, ``plot_distance_matrices``,
and lecture 6's ``plot_image_rows`` and ``plot_masks``), so that their cells show the
experiment, not matplotlib. Every function returns a ``matplotlib.figure.Figure`` and
never calls ``plt.show()``, so they work in notebooks and headless scripts alike;
:func:`show` displays one in a notebook at a fixed size.
"""

import io

import numpy as np

#: Resolution at which :func:`show` puts figures on screen (pixels per inch of figure size).
SCREEN_DPI = 100
#: Panel width (inches) for figures shown in the lectures: at :data:`SCREEN_DPI` every
#: image panel is 420 px wide on screen, big enough to project.
SCREEN_PANEL_WIDTH = 4.2
#: Rows of a figure shown with :func:`show_figure` wrap after this many panels.
SCREEN_MAX_COLS = 3


def _figure(width, height):
    from matplotlib.figure import Figure
    return Figure(figsize=(width, height))


def _panel_parts(panel):
    """(title, image) of a grid panel: an input tuple or a JobResult."""
    if isinstance(panel, tuple) and panel and panel[0] == "input":
        return panel[1], panel[2]
    return panel.job.label, panel.image


def _wrap(grid, row_labels, max_cols):
    """Split rows longer than ``max_cols`` panels into several rows (labels on the first)."""
    rows, labels = [], []
    for r, row in enumerate(grid):
        for start in range(0, len(row), max_cols):
            rows.append(row[start:start + max_cols])
            labels.append(row_labels[r] if row_labels and start == 0 else "")
    return rows, (labels if row_labels else [])


def plot_figure(result, panel_width=2.6, insets=True, suptitle=True, footer=True,
                max_cols=None):
    """Lay out a FigureResult as a grid of images.

    Args:
        result: from an ``experiments.figureN`` function.
        panel_width: inches per column; heights follow the images' aspect ratio.
        insets: draw the style image small in each synthesised panel's lower left corner
            (only where the row uses more than one style image, or always for Fig. 3/5/6
            style panels).
        suptitle: the figure's title on top.
        footer: the settings (preset, size, optimiser, steps, time) at the bottom.
        max_cols: wrap rows of more panels than this onto several rows (not for grids
            with column labels, whose columns mean something); None keeps the grid.

    Returns:
        ``matplotlib.figure.Figure``.
    """
    grid = result.grid
    row_labels = result.row_labels
    if max_cols and not result.col_labels:
        grid, row_labels = _wrap(grid, row_labels, max_cols)
    rows = len(grid)
    cols = max(len(row) for row in grid)
    first = _panel_parts(grid[0][0])[1]
    aspect = first.shape[0] / first.shape[1]
    title_space = 0.42 if any("\n" in _panel_parts(p)[0] for row in grid for p in row) else 0.28
    row_label_space = 0.35 if row_labels else 0.0
    height_per_row = panel_width * aspect + title_space
    top = 0.5 if suptitle else 0.1
    bottom = 0.45 if footer else 0.1
    width = cols * panel_width + row_label_space + 0.1
    height = rows * height_per_row + top + bottom
    fig = _figure(width, height)
    styles = {p.job.style for p in result.results if p.job.style_layers}
    show_insets = insets and len(styles) > 1
    for r, row in enumerate(grid):
        for c, panel in enumerate(row):
            title, image = _panel_parts(panel)
            if result.col_labels:  # a labelled grid: column labels on top, rows on the left
                title = result.col_labels[c] if r == 0 else ""
            left = (row_label_space + c * panel_width) / width
            bottom_frac = (bottom + (rows - 1 - r) * height_per_row) / height
            ax = fig.add_axes([left + 0.02 / width, bottom_frac,
                               (panel_width - 0.04) / width, (panel_width * aspect) / height])
            ax.imshow(image, interpolation="lanczos" if image.shape[1] < 200 else "antialiased")
            ax.set_xticks([])
            ax.set_yticks([])
            ax.set_title(title, fontsize=8.5)
            if show_insets and not isinstance(panel, tuple) and panel.job.style_layers \
                    and panel.job.style in result.inputs:
                inset = ax.inset_axes([0.0, 0.0, 0.28, 0.28])
                inset.imshow(result.inputs[panel.job.style])
                inset.set_xticks([])
                inset.set_yticks([])
                for spine in inset.spines.values():
                    spine.set_edgecolor("white")
            if c == 0 and row_labels:
                ax.text(-0.04, 0.5, row_labels[r], transform=ax.transAxes, rotation=90,
                        ha="right", va="center", fontsize=9)
    if suptitle:
        fig.suptitle(result.title, fontsize=11, y=1 - 0.12 / height)
    if footer:
        fig.text(0.5, 0.12 / height, settings_line(result), ha="center", va="bottom",
                 fontsize=7, color="0.3", wrap=True)
    return fig


def settings_line(result):
    """One line: preset, size, optimiser, steps, pooling, network, time."""
    s = result.settings
    varies = getattr(result, "varies", ())
    what = "Adam steps" if s.optimizer == "adam" else "L-BFGS iterations"
    network = "normalised VGG19" if s.normalize else "Keras VGG19 weights"
    if s.weights is None:
        network = "RANDOM weights (test)"
    parts = [f"{s.size} px"]
    if s.scales > 1:
        parts.append(f"{s.scales} scales")
    if not {"optimizer", "steps"} & set(varies):
        parts.append(f"{s.steps} {what}" + (" at the finest scale" if s.scales > 1 else ""))
    if "pooling" not in varies:
        parts.append(f"{s.pooling} pooling")
    parts.append(network)
    return (f"preset {s.preset}: {', '.join(parts)}; "
            f"compute {result.compute_seconds / 60:.1f} min on this machine")


def save_figure(fig, path, dpi=100, colors=None):
    """Save a figure as PNG (or any format matplotlib knows from the suffix).

    ``colors``: reduce a PNG to a palette of that many colours (at most 256, with
    dithering) to make it several times smaller, e.g. for images committed to git.
    """
    if not colors:
        fig.savefig(path, dpi=dpi)
        return path
    import io

    from PIL import Image
    buffer = io.BytesIO()
    fig.savefig(buffer, dpi=dpi, format="png")
    buffer.seek(0)
    with Image.open(buffer) as image:
        image = image.convert("RGB").quantize(colors=min(int(colors), 256),
                                              method=Image.Quantize.MEDIANCUT,
                                              dither=Image.Dither.FLOYDSTEINBERG)
        image.save(path, format="PNG", optimize=True)
    return path


def plot_losses(histories, parts=("content", "style"), x="step", logy=True, title=None,
                labels=None):
    """Loss curves: one panel per part, one line per history.

    Args:
        histories: dict label -> history (``JobResult.history``).
        parts: which losses to draw ("content", "style", "total").
        x: "step" or "seconds" (wall clock of the optimisation).
        logy: logarithmic loss axis.
        title: figure title.

    Returns:
        ``matplotlib.figure.Figure``.
    """
    fig = _figure(4.2 * len(parts), 3.2)
    axes = fig.subplots(1, len(parts), squeeze=False)[0]
    for ax, part in zip(axes, parts):
        for label, history in histories.items():
            values = np.asarray(history[part], dtype=float)
            if not np.any(values > 0):
                continue
            ax.plot(history[x], values, label=label.replace("\n", " "), lw=1.3)
        if logy:
            ax.set_yscale("log")
        ax.set_xlabel("step" if x == "step" else "wall-clock time (s)")
        ax.set_ylabel(f"{part} loss")
        ax.set_title(f"{part} loss", fontsize=10)
        ax.grid(alpha=0.3)
    handles, names = axes[0].get_legend_handles_labels()
    if not handles:
        handles, names = axes[-1].get_legend_handles_labels()
    if handles:
        axes[-1].legend(handles, names, fontsize=7, loc="upper right")
    if title:
        fig.suptitle(title, fontsize=11)
    fig.tight_layout()
    return fig


def plot_images(images, titles=None, panel_width=2.6, cols=None, suptitle=None):
    """A simple row (or grid) of images with titles; returns the Figure."""
    images = list(images)
    cols = cols or len(images)
    rows = int(np.ceil(len(images) / cols))
    aspect = images[0].shape[0] / images[0].shape[1]
    title_lines = max((str(t).count("\n") + 1 for t in titles or []), default=0)
    fig = _figure(cols * panel_width, rows * (panel_width * aspect + 0.17 + 0.18 * title_lines)
                  + (0.3 if suptitle else 0))
    axes = fig.subplots(rows, cols, squeeze=False)
    for i, ax in enumerate(axes.ravel()):
        ax.set_xticks([])
        ax.set_yticks([])
        if i >= len(images):
            ax.axis("off")
            continue
        image = np.asarray(images[i])
        ax.imshow(image, cmap="viridis" if image.ndim == 2 else None)
        if titles:
            ax.set_title(titles[i], fontsize=8.5)
    if suptitle:
        fig.suptitle(suptitle, fontsize=11)
    fig.tight_layout()
    return fig


def show(fig, dpi=SCREEN_DPI, image_format=None):
    """Display ``fig`` in a notebook at ``dpi`` pixels per inch, at its full size.

    Notebooks shrink a wide image to the page width; this one is marked ``unconfined``
    (Jupyter then lets it scroll instead), so a figure drawn with
    ``panel_width=SCREEN_PANEL_WIDTH`` keeps panels of ``SCREEN_PANEL_WIDTH * dpi`` px.
    ``image_format``: "png" or "jpeg"; default JPEG for figures that hold images (a
    fraction of the PNG's size in a committed notebook), PNG for line plots.
    """
    from IPython.display import Image, display
    if image_format is None:
        image_format = "jpeg" if any(ax.get_images() for ax in fig.axes) else "png"
    buffer = io.BytesIO()
    options = {"pil_kwargs": {"quality": 90}} if image_format == "jpeg" else {}
    fig.savefig(buffer, format=image_format, dpi=dpi, facecolor="white", **options)
    display(Image(data=buffer.getvalue(), format=image_format, unconfined=True))


def show_figure(result, panel_width=SCREEN_PANEL_WIDTH, max_cols=SCREEN_MAX_COLS, **options):
    """:func:`plot_figure` at screen size, shown with :func:`show`: every panel
    ``panel_width * SCREEN_DPI`` px wide (420 px), rows of more than ``max_cols`` panels
    wrapped. ``options`` go to :func:`plot_figure` (``suptitle``, ``footer``, ``insets``)."""
    show(plot_figure(result, panel_width=panel_width, max_cols=max_cols, **options))


def plot_layer_scores(layers, psnr, ssim, title="Reconstruction quality by layer"):
    """PSNR (left axis, dB) and SSIM (right axis, 0-1) of one image per layer.

    Args:
        layers: layer names (the x axis).
        psnr, ssim: one value per layer.
    """
    fig = _figure(6.4, 3.6)
    ax1 = fig.subplots()
    ax1.plot(layers, psnr, "o-", color="C0", label="PSNR")
    ax1.set_ylabel("PSNR (dB)", color="C0")
    ax2 = ax1.twinx()
    ax2.plot(layers, ssim, "s--", color="C3", label="SSIM")
    ax2.set_ylabel("SSIM", color="C3")
    ax2.set_ylim(0, 1)
    ax1.set_title(title)
    ax1.grid(alpha=0.3)
    fig.tight_layout()
    return fig


def plot_gram(image, gram, image_title="image", gram_title="Gram matrix"):
    """An image beside a heat map of a Gram matrix (e.g. ``G / M`` of one layer)."""
    fig = _figure(9.5, 3.8)
    left, right = fig.subplots(1, 2)
    left.imshow(image)
    left.set_title(image_title)
    left.axis("off")
    heat = right.imshow(np.asarray(gram), cmap="magma")
    right.set_title(gram_title)
    fig.colorbar(heat, ax=right)
    return fig


def plot_mean_activations(curves, title="Mean activation per filter, median over filters"):
    """Median over filters of each conv layer's mean activation, one line per network.

    Args:
        curves: label -> dict Keras layer name -> (C,) mean activations
            (``normalize.mean_activations``); zeros (dead filters) are left out of the
            median.
    """
    fig = _figure(8.0, 3.4)
    ax = fig.subplots()
    names = None
    for (label, means), marker in zip(curves.items(), "os^v"):
        names = list(means)
        medians = [np.median(m[m > 0]) if np.any(m > 0) else np.nan
                   for m in (np.asarray(means[n]) for n in names)]
        ax.semilogy(range(len(names)), medians, f"{marker}-", label=label)
    ax.set_xticks(range(len(names)),
                  [n.replace("block", "conv").replace("_conv", "_") for n in names], rotation=60)
    ax.set_ylabel("median mean activation")
    ax.set_title(title)
    ax.legend()
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


def plot_tradeoff(curves, labels=None, title="Content versus style",
                  xlabel="content loss", ylabel="style loss"):
    """Style loss against content loss on log axes, one line per curve.

    Args:
        curves: label -> (content losses, style losses), one point per image.
        labels: point labels (e.g. ratios) written beside the points of the last curve.
    """
    fig = _figure(6.6, 4.6)
    ax = fig.subplots()
    items = list(curves.items())
    for k, (label, (content, style)) in enumerate(items):
        ax.loglog(content, style, "o-", label=label)
        if labels is not None and k == len(items) - 1:
            for text, c, s in zip(labels, content, style):
                ax.annotate(str(text), (c, s), textcoords="offset points", xytext=(5, 4),
                            fontsize=8)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=7)
    fig.tight_layout()
    return fig


def plot_distance_matrices(matrices, labels, fmt="{:.0f}", cmap="viridis"):
    """Heat maps of square distance matrices side by side, values written in the cells,
    one colour scale for all.

    Args:
        matrices: title -> (n, n) array (e.g. ``metrics.pairwise_distances``).
        labels: the n row/column labels.
        fmt: format of the numbers written in the cells.
    """
    fig = _figure(5.5 * len(matrices), 4.4)
    axes = fig.subplots(1, len(matrices), squeeze=False)[0]
    top = max(float(np.max(m)) for m in matrices.values()) or 1.0
    heat = None
    for k, (ax, (title, matrix)) in enumerate(zip(axes, matrices.items())):
        matrix = np.asarray(matrix)
        heat = ax.imshow(matrix, cmap=cmap, vmin=0, vmax=top)
        ax.set_xticks(range(len(labels)), labels, rotation=60, ha="right", fontsize=7)
        # row labels on the first panel only: the next panel's would overlap this one
        ax.set_yticks(range(len(labels)), labels if k == 0 else [], fontsize=7)
        for i in range(matrix.shape[0]):
            for j in range(matrix.shape[1]):
                ax.text(j, i, fmt.format(matrix[i, j]), ha="center", va="center", fontsize=7,
                        color="w")
        ax.set_title(title, fontsize=10)
    fig.colorbar(heat, ax=list(axes), shrink=0.8)
    return fig


def plot_image_rows(rows, row_labels=None, panel_width=SCREEN_PANEL_WIDTH, suptitle=None):
    """Rows of titled images, rows of different lengths allowed (the lectures' comparisons:
    inputs beside results, one control per row).

    Args:
        rows: a list of rows, each a list of ``(title, image)`` pairs; images are (H, W, 3)
            RGB (uint8 or float 0-255) or (H, W) arrays (drawn grey, 0-1, e.g. masks), of
            any aspect ratio.
        row_labels: one label per row, written vertically to the left of it.
        panel_width: inches per column; each row is as tall as its tallest panel.
        suptitle: the figure's title.

    Returns:
        the Figure: one axis per panel (in reading order), blank axes switched off.
    """
    rows = [list(row) for row in rows]
    if not rows or not any(rows):
        raise ValueError("plot_image_rows needs at least one image")
    cols = max(len(row) for row in rows)
    aspects = [max(np.asarray(image).shape[0] / np.asarray(image).shape[1] for _, image in row)
               if row else 0.1 for row in rows]
    title_lines = [max((str(t).count("\n") + 1 for t, _ in row), default=0) for row in rows]
    heights = [panel_width * a + 0.12 + 0.2 * n for a, n in zip(aspects, title_lines)]
    left = 0.35 if row_labels else 0.0
    fig = _figure(cols * panel_width + left, sum(heights) + (0.35 if suptitle else 0))
    grid = fig.add_gridspec(len(rows), cols, height_ratios=heights)
    for r, row in enumerate(rows):
        for c in range(cols):
            ax = fig.add_subplot(grid[r, c])
            ax.set_xticks([])
            ax.set_yticks([])
            if c >= len(row):
                ax.axis("off")
                continue
            title, image = row[c]
            image = np.asarray(image)
            if image.ndim == 2:
                ax.imshow(image, cmap="gray", vmin=0, vmax=1)
            else:
                ax.imshow(image if image.dtype == np.uint8
                          else np.clip(image, 0, 255).astype(np.uint8))
            ax.set_title(str(title), fontsize=8.5)
            if c == 0 and row_labels:
                ax.text(-0.04, 0.5, row_labels[r], transform=ax.transAxes, rotation=90,
                        ha="right", va="center", fontsize=9)
    if suptitle:
        fig.suptitle(suptitle, fontsize=11)
    fig.tight_layout()
    return fig


#: Colours of the regions drawn by :func:`overlay_masks` (RGB, 0-255), in mask order.
REGION_COLORS = ((230, 60, 50), (40, 120, 230), (250, 200, 30), (60, 180, 80))


def overlay_masks(image, masks, colors=REGION_COLORS, opacity=0.45):
    """``image`` (H, W, 3) with each mask (K arrays (H, W) in [0, 1], the image's size)
    tinted in its colour: pixel = (1 - a m) pixel + a m colour for each mask in turn, with
    a = ``opacity`` and m the mask's value. Returns uint8 (H, W, 3); uncovered pixels are
    unchanged."""
    out = np.asarray(image, dtype=np.float64).copy()
    for k, mask in enumerate(masks):
        mask = np.asarray(mask, dtype=np.float64)
        if mask.shape != out.shape[:2]:
            raise ValueError(f"mask {k + 1} is {mask.shape}, the image {out.shape[:2]}")
        weight = (opacity * mask)[..., None]
        out = (1 - weight) * out + weight * np.asarray(colors[k % len(colors)], np.float64)
    return np.clip(np.round(out), 0, 255).astype(np.uint8)


def plot_masks(image, masks, labels, panel_width=SCREEN_PANEL_WIDTH, title="Regions"):
    """The regions of a spatially controlled run: the photo with every region tinted
    (:func:`overlay_masks`), then each mask alone (white = its region), titled with
    ``labels`` (one per mask, e.g. the style it gets)."""
    masks = [np.asarray(m, dtype=np.float64) for m in masks]
    if len(labels) != len(masks):
        raise ValueError(f"{len(labels)} labels for {len(masks)} masks")
    names = ", ".join(f"{label} ({name})" for label, name in
                      zip(labels, ["red", "blue", "yellow", "green"] * len(masks)))
    panels = [(f"{title}: {names}" if len(masks) < 3 else title,
               overlay_masks(image, masks))]
    panels += [(f"mask {k + 1}: {label}", mask) for k, (label, mask) in
               enumerate(zip(labels, masks))]
    return plot_image_rows([panels], panel_width=panel_width)
