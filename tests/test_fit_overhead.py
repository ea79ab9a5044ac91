"""Benchmark: lecturekit's ``fit`` costs next to nothing over the plain loop it wraps.

The measured ratio is written to ``_build/benchmarks/fit_overhead.json``.
"""

import json
import time
from pathlib import Path

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from lecturekit.seed import set_seed
from lecturekit.train import fit

NUM_EPOCHS = 5
REPEATS = 5


def make_problem():
    set_seed(0)
    X = torch.randn(4096, 32)
    y = (X[:, :4].sum(dim=1) > 0).long()
    train = DataLoader(TensorDataset(X[:3072], y[:3072]), batch_size=64, shuffle=True)
    val = DataLoader(TensorDataset(X[3072:], y[3072:]), batch_size=256)
    model = nn.Sequential(nn.Linear(32, 64), nn.ReLU(), nn.Linear(64, 2))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05)
    return model, train, val, optimizer


def plain_loop(model, train, val, optimizer, loss_fn):
    """The loop as chapter 05 writes it out: train, then evaluate, each epoch."""
    for _ in range(NUM_EPOCHS):
        model.train()
        train_loss = 0.0
        for X, y in train:
            loss = loss_fn(model(X), y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            train_loss += loss.item() * len(y)
        model.eval()
        correct = 0
        with torch.no_grad():
            for X, y in val:
                correct += (model(X).argmax(dim=1) == y).sum().item()


def best_time(run):
    times = []
    for _ in range(REPEATS):
        model, train, val, optimizer = make_problem()
        start = time.perf_counter()
        run(model, train, val, optimizer, nn.CrossEntropyLoss())
        times.append(time.perf_counter() - start)
    return min(times)


def test_fit_overhead_over_a_plain_loop_is_negligible(monkeypatch):
    monkeypatch.setenv("LECTUREKIT_HEADLESS", "1")
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # the two runs must not compete differently for the cores
    try:
        plain = best_time(plain_loop)
        wrapped = best_time(
            lambda m, t, v, o, loss: fit(m, t, loss, o, num_epochs=NUM_EPOCHS, val_loader=v)
        )
    finally:
        torch.set_num_threads(threads)
    ratio = wrapped / plain
    report = Path("_build/benchmarks")
    report.mkdir(parents=True, exist_ok=True)
    (report / "fit_overhead.json").write_text(
        json.dumps(
            {
                "plain_loop_s": round(plain, 4),
                "fit_s": round(wrapped, 4),
                "ratio": round(ratio, 3),
                "epochs": NUM_EPOCHS,
                "repeats": REPEATS,
            },
            indent=2,
        )
    )
    print(f"fit: {wrapped:.3f} s, plain loop: {plain:.3f} s, ratio {ratio:.3f}")
    assert ratio < 1.10, f"fit is {ratio:.2f}x slower than a plain loop"
