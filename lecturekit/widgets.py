"""Interactive controls that degrade to static figures in the book and in headless runs."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from lecturekit.display import is_headless
from lecturekit.plot import subplot_grid

__all__ = ["static_steps", "step_through"]


def step_through(
    draw: Callable[[int, Axes], None],
    num_steps: int,
    *,
    title: str,
    static: Sequence[int] | None = None,
    ncols: int = 3,
    description: str = "step",
) -> Figure | None:
    """Let the reader step through ``num_steps`` states of something, drawn by ``draw(step, ax)``.

    In a live notebook: a slider and a play button redraw one state at a time.
    Headless (the book, tests, ``make execute``): the states in ``static`` (default: six
    spread over the whole run, first and last included) side by side in one figure,
    which is returned so the chapter can keep it.
    """
    if num_steps < 1:
        raise ValueError(f"num_steps must be at least 1 (got {num_steps})")
    if is_headless():
        return _draw_static(
            draw, static_steps(num_steps) if static is None else static, title=title, ncols=ncols
        )
    import ipywidgets as widgets
    from IPython.display import display

    slider = widgets.IntSlider(value=0, min=0, max=num_steps - 1, description=description)
    play = widgets.Play(value=0, min=0, max=num_steps - 1, interval=400)
    widgets.jslink((play, "value"), (slider, "value"))

    def show(step: int) -> None:
        fig, ax = plt.subplots()
        draw(step, ax)
        fig.suptitle(title)
        plt.show()

    output = widgets.interactive_output(show, {"step": slider})
    display(widgets.VBox([widgets.HBox([play, slider]), output]))
    return None


def static_steps(num_steps: int, count: int = 6) -> list[int]:
    """``count`` step numbers spread evenly from the first to the last (fewer if fewer)."""
    return sorted({int(round(s)) for s in np.linspace(0, num_steps - 1, min(count, num_steps))})


def _draw_static(
    draw: Callable[[int, Axes], None], steps: Sequence[int], *, title: str, ncols: int
) -> Figure:
    fig, axes = subplot_grid(len(steps), ncols=ncols, panel_size=(3.3, 3.0))
    for step, ax in zip(steps, axes, strict=True):
        draw(step, ax)
    fig.suptitle(title)
    return fig
