import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from lecturekit.widgets import explore, static_steps, step_through  # noqa: E402


def test_static_steps_spread_over_the_run_with_first_and_last():
    assert static_steps(30) == [0, 6, 12, 17, 23, 29]
    assert static_steps(3) == [0, 1, 2]
    assert static_steps(1) == [0]


def test_headless_step_through_draws_a_static_figure_of_the_chosen_steps(monkeypatch):
    monkeypatch.setenv("LECTUREKIT_HEADLESS", "1")
    drawn = []

    def draw(step, ax):
        drawn.append(step)
        ax.plot([0, step], [0, step])

    fig = step_through(draw, 30, title="Steps")
    assert drawn == [0, 6, 12, 17, 23, 29]
    assert len(fig.axes) == 6 and fig._suptitle.get_text() == "Steps"
    fig = step_through(draw, 30, title="Two", static=[2, 5])
    assert drawn[-2:] == [2, 5] and len(fig.axes) == 2
    plt.close("all")


def test_step_through_needs_at_least_one_step(monkeypatch):
    monkeypatch.setenv("LECTUREKIT_HEADLESS", "1")
    with pytest.raises(ValueError, match="num_steps"):
        step_through(lambda step, ax: None, 0, title="none")


def test_headless_explore_draws_one_row_of_panels_per_static_setting(monkeypatch):
    monkeypatch.setenv("LECTUREKIT_HEADLESS", "1")
    drawn = []

    def draw(axes, activation, alpha):
        drawn.append((len(axes), activation, alpha))
        for ax in axes:
            ax.plot([0, alpha], [0, alpha], label=activation)

    options = {"activation": ["relu", "elu"], "alpha": [0.1, 1.0]}
    static = [{"activation": "relu", "alpha": 0.1}, {"activation": "elu", "alpha": 1.0}]
    fig = explore(draw, options, title="Explorer", static=static, num_panels=3)
    assert drawn == [(3, "relu", 0.1), (3, "elu", 1.0)]
    assert len(fig.axes) == 6 and fig._suptitle.get_text() == "Explorer"
    plt.close("all")


def test_explore_rejects_static_settings_outside_the_options(monkeypatch):
    monkeypatch.setenv("LECTUREKIT_HEADLESS", "1")
    options = {"activation": ["relu", "elu"], "alpha": [0.1, 1.0]}
    with pytest.raises(ValueError, match="not among its options"):
        explore(
            lambda axes, **s: None,
            options,
            title="x",
            static=[{"activation": "tanh", "alpha": 0.1}],
        )
    with pytest.raises(ValueError, match="exactly the keys"):
        explore(lambda axes, **s: None, options, title="x", static=[{"activation": "relu"}])
    with pytest.raises(ValueError, match="at least one"):
        explore(lambda axes, **s: None, options, title="x", static=[])
    with pytest.raises(ValueError, match="at least one"):
        explore(lambda axes, **s: None, {}, title="x", static=[{}])


def test_live_explore_shows_a_dropdown_for_names_and_a_slider_for_numbers(monkeypatch):
    import IPython.display
    import ipywidgets

    monkeypatch.setattr("lecturekit.widgets.is_headless", lambda: False)
    shown = []
    monkeypatch.setattr(IPython.display, "display", lambda *objects: shown.extend(objects))
    drawn = []
    options = {"activation": ["relu", "elu"], "alpha": [0.1, 1.0]}
    result = explore(
        lambda axes, **settings: drawn.append(settings),
        options,
        title="Explorer",
        static=[{"activation": "elu", "alpha": 1.0}],
    )
    assert result is None and len(shown) == 1
    controls = shown[0].children[0].children
    assert isinstance(controls[0], ipywidgets.Dropdown) and controls[0].value == "elu"
    assert isinstance(controls[1], ipywidgets.SelectionSlider) and controls[1].value == 1.0
    controls[1].value = 0.1  # moving the slider redraws with the new value
    assert drawn[-1] == {"activation": "elu", "alpha": 0.1}
    plt.close("all")
