"""Matplotlib layouts for the experiments: the paper's image grids and loss curves.

``plot_figure(result)`` draws a :class:`experiments.FigureResult` as a labelled grid of
panels (titles: layer names, ratios, initialisations; the style image as an inset in the
lower left corner, as in the paper). ``plot_losses`` draws loss histories against steps
or wall-clock seconds. Both return a ``matplotlib.figure.Figure`` and never call
``plt.show()``, so they work in notebooks and headless scripts alike.
"""

import numpy as np


def _figure(width, height):
    from matplotlib.figure import Figure
    return Figure(figsize=(width, height))


def _panel_parts(panel):
    """(title, image) of a grid panel: an input tuple or a JobResult."""
    if isinstance(panel, tuple) and panel and panel[0] == "input":
        return panel[1], panel[2]
    return panel.job.label, panel.image


def plot_figure(result, panel_width=2.6, insets=True, suptitle=True, footer=True):
    """Lay out a FigureResult as a grid of images.

    Args:
        result: from an ``experiments.figureN`` function.
        panel_width: inches per column; heights follow the images' aspect ratio.
        insets: draw the style image small in each synthesised panel's lower left corner
            (only where the row uses more than one style image, or always for Fig. 3/5/6
            style panels).
        suptitle: the figure's title on top.
        footer: the settings (preset, size, optimiser, steps, time) at the bottom.

    Returns:
        ``matplotlib.figure.Figure``.
    """
    grid = result.grid
    rows = len(grid)
    cols = max(len(row) for row in grid)
    first = _panel_parts(grid[0][0])[1]
    aspect = first.shape[0] / first.shape[1]
    title_space = 0.42 if any("\n" in _panel_parts(p)[0] for row in grid for p in row) else 0.28
    row_label_space = 0.35 if result.row_labels else 0.0
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
            if c == 0 and result.row_labels:
                ax.text(-0.04, 0.5, result.row_labels[r], transform=ax.transAxes, rotation=90,
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
    what = "Adam steps" if s.optimizer == "adam" else "L-BFGS iterations"
    network = "normalised VGG19" if s.normalize else "Keras VGG19 weights"
    if s.weights is None:
        network = "RANDOM weights (test)"
    return (f"preset {s.preset}: {s.size} px, {s.steps} {what}, {s.pooling} pooling, {network}; "
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
