"""The book's figure style and the plots many chapters draw.

Every helper takes ``ax=None`` (a new figure when omitted), returns what it drew on and
never calls ``plt.show()``. ``use_book_style()`` is the only function that changes global
settings, and chapters call it visibly.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
import torch
from cycler import cycler
from matplotlib.axes import Axes
from matplotlib.figure import Figure

__all__ = [
    "CLASS_STYLES",
    "LivePlot",
    "plot_decision_boundary",
    "plot_image_grid",
    "plot_learning_curves",
    "plot_linear_boundary",
    "plot_points",
    "subplot_grid",
    "use_book_style",
]

# Colour-blind-safe colours (Okabe & Ito) paired with markers and dashes, so that every
# line and class stays distinguishable when printed in greyscale.
COLORS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000"]
LINESTYLES = ["-", "--", "-.", ":", (0, (5, 1)), (0, (3, 1, 1, 1, 1, 1)), (0, (1, 3))]
CLASS_STYLES = [
    {"color": COLORS[0], "marker": "o"},
    {"color": COLORS[1], "marker": "s"},
    {"color": COLORS[2], "marker": "^"},
    {"color": COLORS[3], "marker": "D"},
]


def use_book_style() -> None:
    """Set the book's matplotlib look: modest size and resolution, grid, greyscale-safe cycles."""
    plt.rcParams.update(
        {
            "figure.figsize": (6.0, 4.0),
            "figure.dpi": 80,
            "savefig.dpi": 80,
            "figure.constrained_layout.use": True,
            "axes.grid": True,
            "grid.alpha": 0.3,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.titlesize": 12,
            "axes.labelsize": 11,
            "legend.fontsize": 9,
            "lines.linewidth": 2.0,
            "image.cmap": "viridis",
            "axes.prop_cycle": cycler(color=COLORS) + cycler(linestyle=LINESTYLES),
        }
    )


def plot_points(
    X: torch.Tensor | np.ndarray,
    y: torch.Tensor | np.ndarray,
    ax: Axes | None = None,
    *,
    labels: Mapping[float, str] | None = None,
    size: float = 30,
) -> Axes:
    """Scatter 2-D points ``X: (n, 2)`` coloured and shaped by class ``y: (n,)``."""
    ax = ax if ax is not None else plt.figure().gca()
    X, y = _numpy(X), _numpy(y)
    for style, value in zip(CLASS_STYLES, np.unique(y), strict=False):
        mask = y == value
        label = labels.get(value, str(value)) if labels else f"y = {value:g}"
        ax.scatter(
            X[mask, 0],
            X[mask, 1],
            s=size,
            label=label,
            edgecolors="white",
            linewidths=0.5,
            zorder=3,
            **style,
        )
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    return ax


def plot_linear_boundary(
    w: torch.Tensor | Sequence[float], b: float, ax: Axes | None = None, **line_kwargs
) -> Axes:
    """Draw the line ``w[0] x1 + w[1] x2 + b = 0`` across the current limits of ``ax``."""
    ax = ax if ax is not None else plt.figure().gca()
    w1, w2 = (float(v) for v in w)
    b = float(b)
    xlim, ylim = ax.get_xlim(), ax.get_ylim()
    kwargs = {"color": "black", "linestyle": "--", "linewidth": 1.5} | line_kwargs
    if abs(w2) > 1e-12:
        xs = np.array(xlim)
        ax.plot(xs, -(w1 * xs + b) / w2, **kwargs)
    elif abs(w1) > 1e-12:
        ax.axvline(-b / w1, **kwargs)
    ax.set_xlim(xlim)
    ax.set_ylim(ylim)
    return ax


def plot_decision_boundary(
    predict: Callable[[torch.Tensor], torch.Tensor],
    X: torch.Tensor,
    y: torch.Tensor,
    ax: Axes | None = None,
    *,
    resolution: int = 200,
    padding: float = 0.5,
) -> Axes:
    """Shade the regions a 2-D classifier assigns to each class, with the data on top.

    ``predict`` maps a float tensor ``(m, 2)`` (on the CPU) to class values ``(m,)``.
    """
    ax = ax if ax is not None else plt.figure().gca()
    Xn = _numpy(X)
    (x_min, y_min), (x_max, y_max) = Xn.min(0) - padding, Xn.max(0) + padding
    g1, g2 = np.meshgrid(
        np.linspace(x_min, x_max, resolution), np.linspace(y_min, y_max, resolution)
    )
    grid = torch.tensor(np.c_[g1.ravel(), g2.ravel()], dtype=torch.float32)
    with torch.no_grad():
        z = _numpy(predict(grid)).reshape(g1.shape)
    classes = np.unique(_numpy(y))
    levels = np.concatenate([[-np.inf], (classes[1:] + classes[:-1]) / 2, [np.inf]])
    colors = [s["color"] for s in CLASS_STYLES[: len(classes)]]
    ax.contourf(g1, g2, z, levels=levels, colors=colors, alpha=0.18)
    plot_points(X, y, ax)
    ax.set_xlim(x_min, x_max)
    ax.set_ylim(y_min, y_max)
    return ax


def plot_learning_curves(
    history: Mapping[str, Sequence[float]],
    ax: Axes | None = None,
    *,
    keys: Sequence[str] | None = None,
    ylabel: str = "loss",
) -> Axes:
    """Plot per-epoch values from a ``fit`` history (default: every key containing ``loss``)."""
    ax = ax if ax is not None else plt.figure().gca()
    keys = keys if keys is not None else [k for k in history if "loss" in k]
    for key in keys:
        values = history[key]
        ax.plot(range(1, len(values) + 1), values, label=key.replace("_", " "))
    ax.set_xlabel("epoch")
    ax.set_ylabel(ylabel)
    ax.legend()
    return ax


def plot_image_grid(
    images: torch.Tensor | np.ndarray,
    titles: Sequence[str] | None = None,
    *,
    ncols: int = 8,
    cmap: str = "gray",
    suptitle: str | None = None,
) -> Figure:
    """Show ``images: (n, h, w)`` or ``(n, h, w, 3)`` in a grid, each with an optional title."""
    images = _numpy(images)
    fig, axes = subplot_grid(len(images), ncols=ncols, panel_size=(1.3, 1.4))
    for i, ax in enumerate(axes):
        ax.axis("off")
        ax.imshow(images[i], cmap=cmap)
        if titles is not None:
            ax.set_title(titles[i], fontsize=9)
    if suptitle:
        fig.suptitle(suptitle)
    return fig


def subplot_grid(
    count: int, *, ncols: int, panel_size: tuple[float, float]
) -> tuple[Figure, list[Axes]]:
    """A figure with ``count`` panels in rows of at most ``ncols``; spare cells are removed.

    ``panel_size`` is the (width, height) of one panel in inches.
    """
    ncols = max(1, min(ncols, count))
    nrows = (count + ncols - 1) // ncols
    width, height = panel_size
    fig, axes = plt.subplots(nrows, ncols, figsize=(width * ncols, height * nrows), squeeze=False)
    for ax in axes.flat[count:]:
        ax.remove()
    return fig, list(axes.flat[:count])


class LivePlot:
    """A loss (and accuracy) figure that redraws in place in a live notebook after each epoch."""

    def __init__(self, title: str = "training") -> None:
        from IPython.display import display

        self.fig, (self.loss_ax, self.acc_ax) = plt.subplots(1, 2, figsize=(9, 3.2))
        self.fig.suptitle(title)
        self.handle = display(self.fig, display_id=True)

    def update(self, history: Mapping[str, Sequence[float]]) -> None:
        for ax, kind in ((self.loss_ax, "loss"), (self.acc_ax, "acc")):
            ax.clear()
            keys = [k for k in history if k.endswith(kind)]
            if keys:
                plot_learning_curves(
                    history, ax, keys=keys, ylabel="accuracy" if kind == "acc" else "loss"
                )
        self.handle.update(self.fig)

    def close(self) -> None:
        plt.close(self.fig)  # the last state is already displayed; don't show it twice


def _numpy(values: torch.Tensor | np.ndarray | Sequence[float]) -> np.ndarray:
    if isinstance(values, torch.Tensor):
        return values.detach().cpu().numpy()
    return np.asarray(values)
