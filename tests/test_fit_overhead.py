"""Benchmark: lecturekit's ``fit`` costs next to nothing over the plain loop it wraps.

The plain loop records the same history as ``fit`` (checked below), so the ratio measures
only what ``fit`` adds. This machine's speed swings by tens of percent within seconds, so
the runs are short and paired, and the ratio is the median over many pairs. The measured
ratio is written to ``_build/benchmarks/fit_overhead.json``.
"""

import json
import statistics
import time
from pathlib import Path

import pytest
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from lecturekit.seed import set_seed
from lecturekit.train import fit

NUM_EPOCHS = 2
REPEATS = 41


def make_problem():
    set_seed(0)
    X = torch.randn(4096, 32)
    y = (X[:, :4].sum(dim=1) > 0).long()
    train = DataLoader(TensorDataset(X[:3072], y[:3072]), batch_size=64, shuffle=True)
    val = DataLoader(TensorDataset(X[3072:], y[3072:]), batch_size=256)
    model = nn.Sequential(nn.Linear(32, 256), nn.ReLU(), nn.Linear(256, 2))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05)
    return model, train, val, optimizer


def plain_loop(model, train, val, optimizer, loss_fn):
    """The loop as chapter 05 writes it out, recording what ``fit`` records."""
    history = {"train_loss": [], "train_acc": [], "val_loss": [], "val_acc": []}
    for _ in range(NUM_EPOCHS):
        model.train()
        total_loss, correct, count = 0.0, 0, 0
        for X, y in train:
            y_hat = model(X)
            loss = loss_fn(y_hat, y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total_loss += loss.item() * len(y)
            correct += (y_hat.argmax(dim=1) == y).sum().item()
            count += len(y)
        history["train_loss"].append(total_loss / count)
        history["train_acc"].append(correct / count)
        model.eval()
        total_loss, correct, count = 0.0, 0, 0
        with torch.no_grad():
            for X, y in val:
                y_hat = model(X)
                total_loss += loss_fn(y_hat, y).item() * len(y)
                correct += (y_hat.argmax(dim=1) == y).sum().item()
                count += len(y)
        history["val_loss"].append(total_loss / count)
        history["val_acc"].append(correct / count)
    return history


def run_fit(model, train, val, optimizer, loss_fn):
    return fit(model, train, loss_fn, optimizer, num_epochs=NUM_EPOCHS, val_loader=val)


def timed(run):
    model, train, val, optimizer = make_problem()
    start = time.perf_counter()
    run(model, train, val, optimizer, nn.CrossEntropyLoss())
    return time.perf_counter() - start


def paired_ratios(run, baseline):
    """``time(run) / time(baseline)`` for REPEATS back-to-back pairs, alternating who goes first.

    The two halves of a pair see the machine in nearly the same state, so its swings in
    speed cancel in the ratio; the median then ignores the pairs a spike split.
    """
    ratios = []
    for i in range(REPEATS):
        if i % 2 == 0:
            t_baseline, t_run = timed(baseline), timed(run)
        else:
            t_run, t_baseline = timed(run), timed(baseline)
        ratios.append(t_run / t_baseline)
    return ratios


def test_the_plain_loop_records_the_same_history_as_fit(monkeypatch):
    monkeypatch.setenv("LECTUREKIT_HEADLESS", "1")
    plain = plain_loop(*make_problem(), nn.CrossEntropyLoss())
    wrapped = run_fit(*make_problem(), nn.CrossEntropyLoss())
    assert plain.keys() == wrapped.keys()
    for key, values in plain.items():
        assert values == pytest.approx(wrapped[key], rel=1e-5), key


def test_fit_overhead_over_a_plain_loop_is_negligible(monkeypatch):
    monkeypatch.setenv("LECTUREKIT_HEADLESS", "1")
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # the two runs must not compete differently for the cores
    try:
        ratios = paired_ratios(run_fit, plain_loop)
    finally:
        torch.set_num_threads(threads)
    ratio = statistics.median(ratios)
    report = Path("_build/benchmarks")
    report.mkdir(parents=True, exist_ok=True)
    (report / "fit_overhead.json").write_text(
        json.dumps(
            {
                "median_ratio": round(ratio, 3),
                "quartiles": [round(q, 3) for q in statistics.quantiles(ratios, n=4)],
                "pairs": REPEATS,
                "epochs_per_run": NUM_EPOCHS,
            },
            indent=2,
        )
    )
    print(f"fit / plain loop, median of {REPEATS} pairs: {ratio:.3f}")
    assert ratio < 1.10, f"fit is {ratio:.2f}x slower than a plain loop"
