import pytest
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from lecturekit.data import point_clouds
from lecturekit.seed import set_seed
from lecturekit.train import fit, run_epoch


def loaders(labels="index"):
    X, y = point_clouds("blobs", 200, noise=0.4, seed=0, labels=labels)
    train = DataLoader(TensorDataset(X[:150], y[:150]), batch_size=32, shuffle=True)
    val = DataLoader(TensorDataset(X[150:], y[150:]), batch_size=64)
    return train, val


def test_fit_learns_a_tiny_problem_and_returns_the_history_per_epoch():
    set_seed(0)
    train, val = loaders()
    model = nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 2))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.5)
    history = fit(model, train, nn.CrossEntropyLoss(), optimizer, num_epochs=15, val_loader=val)
    assert set(history) == {"train_loss", "train_acc", "val_loss", "val_acc"}
    assert all(len(values) == 15 for values in history.values())
    assert history["train_loss"][-1] < history["train_loss"][0]
    assert history["val_acc"][-1] >= 0.95


def test_fit_is_reproducible_with_the_same_seed():
    def run():
        set_seed(3)
        train, val = loaders()
        model = nn.Sequential(nn.Linear(2, 4), nn.Tanh(), nn.Linear(4, 2))
        return fit(
            model,
            train,
            nn.CrossEntropyLoss(),
            torch.optim.SGD(model.parameters(), lr=0.1),
            num_epochs=3,
            val_loader=val,
        )

    assert run() == run()


def test_regression_targets_give_loss_without_accuracy():
    X = torch.linspace(-1, 1, 64).unsqueeze(1)
    loader = DataLoader(TensorDataset(X, 3 * X), batch_size=16)
    model = nn.Linear(1, 1)
    history = fit(
        model, loader, nn.MSELoss(), torch.optim.SGD(model.parameters(), lr=0.3), num_epochs=30
    )
    assert set(history) == {"train_loss"}
    assert history["train_loss"][-1] < 1e-3


def test_evaluation_pass_does_not_change_the_model():
    train, val = loaders()
    model = nn.Linear(2, 2)
    before = [p.clone() for p in model.parameters()]
    metrics = run_epoch(model, val, nn.CrossEntropyLoss(), "cpu")
    assert set(metrics) == {"loss", "acc"}
    assert all(torch.equal(a, b) for a, b in zip(before, model.parameters(), strict=True))


def test_an_empty_loader_is_reported():
    with pytest.raises(ValueError, match="no batches"):
        run_epoch(nn.Linear(2, 2), [], nn.CrossEntropyLoss(), "cpu")


def test_headless_runs_print_no_progress_bar(capsys, monkeypatch):
    monkeypatch.setenv("LECTUREKIT_HEADLESS", "1")
    train, _ = loaders()
    model = nn.Linear(2, 2)
    fit(
        model,
        train,
        nn.CrossEntropyLoss(),
        torch.optim.SGD(model.parameters(), lr=0.1),
        num_epochs=2,
        live_plot=True,
    )
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""
