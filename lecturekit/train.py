"""The training loop chapters use once chapter 05 has written it out in full.

``fit`` is that loop, plus a progress bar and an optional live plot::

    history = fit(model, train_loader, loss_fn, optimizer, num_epochs=10,
                  val_loader=val_loader, device=device)
    history["val_acc"][-1]

Built in chapter 05 ("Training deep networks").
"""

from __future__ import annotations

from collections.abc import Iterable

import torch
from torch import nn
from tqdm.auto import trange

from lecturekit.display import is_headless
from lecturekit.plot import LivePlot

__all__ = ["History", "fit", "run_epoch"]

History = dict[str, list[float]]


def fit(
    model: nn.Module,
    train_loader: Iterable[tuple[torch.Tensor, torch.Tensor]],
    loss_fn: nn.Module,
    optimizer: torch.optim.Optimizer,
    *,
    num_epochs: int,
    val_loader: Iterable[tuple[torch.Tensor, torch.Tensor]] | None = None,
    device: torch.device | str = "cpu",
    live_plot: bool = False,
) -> History:
    """Train ``model`` for ``num_epochs`` and return the mean loss (and accuracy) per epoch.

    The history has ``train_loss`` and, with a ``val_loader``, ``val_loss``; when the
    targets are class indices (an integer tensor) also ``train_acc`` and ``val_acc``.
    A progress bar, and with ``live_plot=True`` a live figure, show only when a person
    is watching a notebook (see ``lecturekit.display``).
    """
    model.to(device)
    history: History = {}
    watched = not is_headless()
    plot = LivePlot() if live_plot and watched else None
    epochs = trange(num_epochs, desc="epochs", disable=not watched)
    for _ in epochs:
        model.train()
        _record(history, "train", run_epoch(model, train_loader, loss_fn, device, optimizer))
        if val_loader is not None:
            model.eval()
            with torch.no_grad():
                _record(history, "val", run_epoch(model, val_loader, loss_fn, device))
        epochs.set_postfix({k: f"{v[-1]:.3g}" for k, v in history.items()})
        if plot is not None:
            plot.update(history)
    if plot is not None:
        plot.close()
    return history


def run_epoch(
    model: nn.Module,
    loader: Iterable[tuple[torch.Tensor, torch.Tensor]],
    loss_fn: nn.Module,
    device: torch.device | str,
    optimizer: torch.optim.Optimizer | None = None,
) -> dict[str, float]:
    """One pass over ``loader``, taking an optimizer step per batch when ``optimizer`` is given.

    Returns ``{"loss": mean loss}`` plus ``"acc"`` for class-index targets. Sums stay on
    the device until the end, so the loop never waits for the GPU batch by batch.
    """
    total_loss = torch.zeros((), device=device)
    correct = torch.zeros((), device=device, dtype=torch.long)
    count, classify = 0, False
    for X, y in loader:
        X, y = X.to(device), y.to(device)
        y_hat = model(X)
        loss = loss_fn(y_hat, y)
        if optimizer is not None:
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        total_loss += loss.detach() * len(y)
        count += len(y)
        classify = not y.is_floating_point() and y_hat.ndim == 2
        if classify:
            correct += (y_hat.argmax(dim=1) == y).sum()
    if count == 0:
        raise ValueError("the data loader yielded no batches")
    result = {"loss": total_loss.item() / count}
    if classify:
        result["acc"] = correct.item() / count
    return result


def _record(history: History, prefix: str, metrics: dict[str, float]) -> None:
    for name, value in metrics.items():
        history.setdefault(f"{prefix}_{name}", []).append(value)
