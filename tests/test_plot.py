import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

from lecturekit.data import point_clouds  # noqa: E402
from lecturekit.plot import (  # noqa: E402
    plot_decision_boundary,
    plot_image_grid,
    plot_learning_curves,
    plot_linear_boundary,
    plot_points,
    use_book_style,
)


@pytest.fixture(autouse=True)
def close_figures():
    with plt.rc_context():
        yield
    plt.close("all")


def test_importing_and_plotting_leave_global_settings_alone():
    before = dict(plt.rcParams)
    X, y = point_clouds("moons", 40)
    plot_points(X, y)
    assert dict(plt.rcParams) == before


def test_use_book_style_is_the_one_place_that_sets_the_look():
    use_book_style()
    assert plt.rcParams["axes.grid"] and plt.rcParams["figure.dpi"] == 80
    assert len(plt.rcParams["axes.prop_cycle"]) >= 6  # colours paired with line styles


def test_plot_points_draws_one_labelled_series_per_class():
    X, y = point_clouds("blobs", 30)
    ax = plot_points(X, y)
    assert len(ax.collections) == 2 and ax.get_xlabel() == "$x_1$"


def test_linear_boundary_lies_on_the_line():
    _, ax = plt.subplots()
    ax.set_xlim(-1, 1)
    ax.set_ylim(-1, 1)
    plot_linear_boundary(torch.tensor([1.0, 2.0]), -0.5, ax)
    xs, ys = ax.lines[0].get_data()
    assert np.allclose(1.0 * np.asarray(xs) + 2.0 * np.asarray(ys) - 0.5, 0)
    plot_linear_boundary([1.0, 0.0], 0.25, ax)  # vertical: x1 = -0.25
    assert np.allclose(ax.lines[1].get_xdata(), -0.25)


def test_decision_boundary_shades_each_class_region():
    X, y = point_clouds("linear", 50, seed=1)
    ax = plot_decision_boundary(
        lambda grid: torch.where(grid[:, 0] > 0, 1.0, -1.0), X, y, resolution=20
    )
    assert ax.collections  # contour regions and points


def test_learning_curves_and_image_grid():
    ax = plot_learning_curves(
        {"train_loss": [1.0, 0.5], "val_loss": [1.1, 0.7], "val_acc": [0.5, 0.8]}
    )
    assert [line.get_label() for line in ax.lines] == ["train loss", "val loss"]
    fig = plot_image_grid(torch.rand(5, 8, 8), titles=list("abcde"), ncols=3)
    assert len([a for a in fig.axes if a.images]) == 5
