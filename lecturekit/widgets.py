"""Interactive controls that degrade to static figures in the book and in headless runs."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from lecturekit.display import is_headless
from lecturekit.plot import subplot_grid

__all__ = ["explore", "static_steps", "step_through"]


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


def explore(
    draw: Callable[..., None],
    options: Mapping[str, Sequence[object]],
    *,
    title: str,
    static: Sequence[Mapping[str, object]],
    num_panels: int = 1,
    panel_size: tuple[float, float] = (3.3, 3.0),
) -> Figure | None:
    """Let the reader choose settings and see ``draw(axes, **settings)`` redrawn for them::

        explore(draw, {"activation": ["relu", "elu"], "alpha": [0.1, 1.0]},
                title="Activations", static=[{"activation": "elu", "alpha": 1.0}], num_panels=2)

    ``options`` maps each setting's name to the values the reader may pick: strings become
    a drop-down menu, numbers a slider over the listed values. ``draw`` gets a list of
    ``num_panels`` Axes side by side and one value per setting as keyword arguments.
    In a live notebook: the controls and one row of panels, redrawn on every change.
    Headless (the book, tests, ``make execute``): one row of panels for each settings
    dict in ``static``, all in one figure, which is returned so the chapter can keep it.
    """
    if not options or any(len(values) == 0 for values in options.values()):
        raise ValueError("options must name at least one setting, each with at least one value")
    if num_panels < 1:
        raise ValueError(f"num_panels must be at least 1 (got {num_panels})")
    if not static:
        raise ValueError("static must hold at least one settings dict for the static figure")
    for settings in static:
        if set(settings) != set(options):
            raise ValueError(
                f"each static settings dict needs exactly the keys {sorted(options)} "
                f"(got {sorted(settings)})"
            )
        for name, value in settings.items():
            if value not in options[name]:
                raise ValueError(f"static value {value!r} for {name!r} is not among its options")
    if is_headless():
        width, height = panel_size
        fig, axes = plt.subplots(
            len(static),
            num_panels,
            figsize=(width * num_panels, height * len(static)),
            squeeze=False,
        )
        for settings, row in zip(static, axes, strict=True):
            draw(list(row), **settings)
        fig.suptitle(title)
        return fig
    import ipywidgets as widgets
    from IPython.display import display

    controls = {}
    for name, values in options.items():
        names_only = all(isinstance(value, str) for value in values)
        control = widgets.Dropdown if names_only else widgets.SelectionSlider
        controls[name] = control(options=list(values), value=static[0][name], description=name)

    def show(**settings: object) -> None:
        width, height = panel_size
        fig, axes = plt.subplots(1, num_panels, figsize=(width * num_panels, height), squeeze=False)
        draw(list(axes[0]), **settings)
        fig.suptitle(title)
        plt.show()

    output = widgets.interactive_output(show, controls)
    display(widgets.VBox([widgets.HBox(list(controls.values())), output]))
    return None
