"""Data the book generates itself, deterministically from a seed."""

from __future__ import annotations

from typing import Literal

import numpy as np
import torch
from sklearn import datasets

__all__ = ["GATES", "logic_gate", "point_clouds"]

Labels = Literal["sign", "index"]

# Truth tables over the inputs (0,0), (0,1), (1,0), (1,1).
GATES: dict[str, tuple[int, int, int, int]] = {
    "AND": (0, 0, 0, 1),
    "OR": (0, 1, 1, 1),
    "NAND": (1, 1, 1, 0),
    "NOR": (1, 0, 0, 0),
    "XOR": (0, 1, 1, 0),
    "XNOR": (1, 0, 0, 1),
}


def logic_gate(name: str, *, labels: Labels = "sign") -> tuple[torch.Tensor, torch.Tensor]:
    """The truth table of a two-input gate.

    >>> X, y = logic_gate("AND")
    >>> X.tolist(), y.tolist()
    ([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]], [-1.0, -1.0, -1.0, 1.0])

    Returns ``X: (4, 2)`` float inputs 0/1 and ``y: (4,)``: with ``labels="sign"`` floats
    -1 (false) / +1 (true), the perceptron's convention; with ``labels="index"`` the
    integer class indices 0 / 1 that ``nn.CrossEntropyLoss`` expects.
    """
    key = name.upper() if isinstance(name, str) else name
    if key not in GATES:
        raise ValueError(f"gate must be one of {', '.join(GATES)} (got {name!r})")
    X = torch.tensor([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=torch.float32)
    return X, _labels(np.array(GATES[key]), labels)


def point_clouds(
    kind: Literal["linear", "blobs", "moons", "circles", "xor"] = "linear",
    num_points: int = 200,
    *,
    noise: float = 0.1,
    margin: float = 0.1,
    seed: int = 0,
    labels: Labels = "sign",
) -> tuple[torch.Tensor, torch.Tensor]:
    """Two classes of 2-D points, ``X: (num_points, 2)`` float32 and ``y: (num_points,)``.

    - ``"linear"``: uniform in the square [-1, 1]^2, labelled by a random line, with no
      point closer than ``margin`` to it: linearly separable with that margin, always.
    - ``"blobs"``: two Gaussian blobs (``noise`` is their standard deviation).
    - ``"moons"``, ``"circles"``: scikit-learn's classic non-linear sets.
    - ``"xor"``: uniform in the square, the class is the sign of ``x1 * x2`` (flipped with
      probability ``noise``); no line separates it.

    ``labels`` as for ``logic_gate``. The same ``seed`` gives the same points everywhere.
    """
    if num_points < 2:
        raise ValueError(f"num_points must be at least 2 (got {num_points})")
    rng = np.random.default_rng(seed)
    if kind == "linear":
        X, y = _linearly_separable(rng, num_points, margin)
    elif kind == "blobs":
        X, y = datasets.make_blobs(
            num_points, centers=[[-1, -1], [1, 1]], cluster_std=noise, random_state=seed
        )
    elif kind == "moons":
        X, y = datasets.make_moons(num_points, noise=noise, random_state=seed)
    elif kind == "circles":
        X, y = datasets.make_circles(num_points, noise=noise, factor=0.5, random_state=seed)
    elif kind == "xor":
        X = rng.uniform(-1, 1, size=(num_points, 2))
        y = (X[:, 0] * X[:, 1] > 0).astype(int)
        y = np.where(rng.random(num_points) < noise, 1 - y, y)
    else:
        raise ValueError(
            f"kind must be one of 'linear', 'blobs', 'moons', 'circles', 'xor' (got {kind!r})"
        )
    return torch.tensor(X, dtype=torch.float32), _labels(y, labels)


def _linearly_separable(
    rng: np.random.Generator, num_points: int, margin: float
) -> tuple[np.ndarray, np.ndarray]:
    angle = rng.uniform(0, 2 * np.pi)
    normal = np.array([np.cos(angle), np.sin(angle)])
    offset = rng.uniform(-0.3, 0.3)
    points: list[np.ndarray] = []
    while sum(len(p) for p in points) < num_points:
        candidates = rng.uniform(-1, 1, size=(2 * num_points, 2))
        points.append(candidates[np.abs(candidates @ normal + offset) >= margin])
    X = np.concatenate(points)[:num_points]
    y = (X @ normal + offset > 0).astype(int)
    if y.min() == y.max():  # every point on one side (tiny samples): draw another line
        return _linearly_separable(rng, num_points, margin)
    return X, y


def _labels(y: np.ndarray, labels: Labels) -> torch.Tensor:
    if labels == "sign":
        return torch.tensor(2 * y - 1, dtype=torch.float32)
    if labels == "index":
        return torch.tensor(y, dtype=torch.long)
    raise ValueError(f"labels must be 'sign' or 'index' (got {labels!r})")
