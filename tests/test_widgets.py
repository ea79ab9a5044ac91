import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from lecturekit.widgets import static_steps, step_through  # noqa: E402


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
