"""Checks for the exercises of chapter 02, *Multilayer perceptrons*.

The chapter's sign networks: ``h = sign(X @ W1.T + b1)``, ``y_hat = sign(h @ w2 + b2)``,
with ``sign(z) = +1 if z >= 0 else -1``; ``W1: (hidden, inputs)``, ``b1, w2: (hidden,)``.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import nn

from lecturekit.data import logic_gate
from lecturekit.exercises import (
    Wrong,
    as_callable,
    as_number,
    as_tensor,
    exercise_check,
    expect_close,
)

__all__ = [
    "check_band_network",
    "check_mlp_forward",
    "check_square_network",
    "check_xnor_network",
]


def _sign(z: torch.Tensor) -> torch.Tensor:
    return torch.where(z >= 0, 1.0, -1.0).to(z.dtype)


def _sign_network(
    W1: object, b1: object, w2: object, b2: object, num_inputs: int, prefix: str
) -> Callable[[torch.Tensor], torch.Tensor]:
    """Read the four answers, check their shapes, and return the network as a function."""
    W1 = as_tensor(W1, f"W1_{prefix}")
    if W1.ndim != 2 or W1.shape[1] != num_inputs or W1.shape[0] < 1:
        raise Wrong(
            f"`W1_{prefix}` should have shape (hidden, {num_inputs}), one row per hidden unit, "
            f"but has shape {tuple(W1.shape)}."
        )
    hidden = W1.shape[0]
    b1 = as_tensor(b1, f"b1_{prefix}", shape=(hidden,))
    w2 = as_tensor(w2, f"w2_{prefix}", shape=(hidden,))
    b2 = as_number(b2, f"b2_{prefix}")

    def network(X: torch.Tensor) -> torch.Tensor:
        return _sign(_sign(X.double() @ W1.T + b1) @ w2 + b2)

    return network


@exercise_check(
    "XNOR with a two-layer sign network",
    hint="XNOR is NOT(XOR): keep the hidden layer of an XOR solution and flip the output "
    "unit (negate w2 and b2), then move b2 so that the output's sum is never exactly 0.",
)
def check_xnor_network(W1: object, b1: object, w2: object, b2: object) -> None:
    network = _sign_network(W1, b1, w2, b2, 2, "xnor")
    X, y = logic_gate("XNOR")
    y_hat = network(X)
    for x, target, output in zip(X.tolist(), y.tolist(), y_hat.tolist(), strict=True):
        if output != target:
            raise Wrong(
                f"for input {tuple(int(v) for v in x)} your network outputs {output:+.0f}, "
                f"but XNOR is {target:+.0f}."
            )


def _reference_forward(X, W1, b1, W2, b2):
    hidden, inputs = W1.shape
    outputs = W2.shape[0]
    model = nn.Sequential(nn.Linear(inputs, hidden), nn.Tanh(), nn.Linear(hidden, outputs))
    with torch.no_grad():
        model[0].weight.copy_(W1)
        model[0].bias.copy_(b1)
        model[2].weight.copy_(W2)
        model[2].bias.copy_(b2)
        return model(X)


@exercise_check(
    "the forward pass of a two-layer tanh network",
    hint="a layer computes X @ W.T + b (nn.Linear keeps one row of W per unit); apply "
    "torch.tanh after the first layer only, and return shape (n, outputs).",
)
def check_mlp_forward(mlp_forward: object) -> None:
    forward = as_callable(mlp_forward, "mlp_forward")
    generator = torch.Generator().manual_seed(2)
    for n, inputs, hidden, outputs in [(5, 2, 3, 1), (7, 3, 4, 2), (1, 4, 6, 3)]:
        X = torch.randn(n, inputs, generator=generator)
        W1 = torch.randn(hidden, inputs, generator=generator)
        b1 = torch.randn(hidden, generator=generator)
        W2 = torch.randn(outputs, hidden, generator=generator)
        b2 = torch.randn(outputs, generator=generator)
        result = forward(X.clone(), W1.clone(), b1.clone(), W2.clone(), b2.clone())
        expected = _reference_forward(X, W1, b1, W2, b2)
        case = f"X of shape {tuple(X.shape)}, {hidden} hidden units, {outputs} outputs"
        expect_close(result, expected, f"mlp_forward for {case}", atol=1e-4)


def _region_check(network, points: torch.Tensor, inside: torch.Tensor, what: str) -> None:
    outputs = network(points)
    wrong = (outputs == 1) != inside
    if wrong.any():
        point = points[wrong.nonzero()[0, 0]]
        where = "inside" if inside[wrong][0] else "outside"
        coordinates = ", ".join(f"{v:.2f}" for v in point.tolist())
        raise Wrong(
            f"{int(wrong.sum())} of {len(points)} test points are wrong, e.g. ({coordinates}), "
            f"which is {where} {what}, gets {outputs[wrong][0].item():+.0f}."
        )


@exercise_check(
    "a sign network for the unit square",
    hint="the square is the intersection of the half-planes x1 > 0, x1 < 1, x2 > 0 and "
    "x2 < 1: one hidden unit for each, and an output unit that fires only when all four "
    "fire (weights 1, threshold 3, that is b2 = -3).",
)
def check_square_network(W1: object, b1: object, w2: object, b2: object) -> None:
    network = _sign_network(W1, b1, w2, b2, 2, "square")
    g = torch.linspace(-1, 2, 61, dtype=torch.float64)
    points = torch.cartesian_prod(g, g)
    distance_inside = torch.minimum(points, 1 - points).min(dim=1).values  # > 0 inside
    away = distance_inside.abs() >= 0.04
    points, inside = points[away], distance_inside[away] > 0
    _region_check(network, points, inside, "the unit square")


@exercise_check(
    "a sign network for the band 0.5 < |x| < 1.5",
    hint="in one dimension a sign unit is a step at x = -b / w. Put one step at each end of "
    "the band (-1.5, -0.5, 0.5, 1.5), give them output weights +1, -1, +1, -1, and choose "
    "b2 so that the output is positive only inside the two intervals.",
)
def check_band_network(W1: object, b1: object, w2: object, b2: object) -> None:
    network = _sign_network(W1, b1, w2, b2, 1, "band")
    x = torch.linspace(-3, 3, 601, dtype=torch.float64)
    distance = (x.abs() - torch.tensor([[0.5], [1.5]], dtype=torch.float64)).abs().min(dim=0)
    away = distance.values >= 0.02
    x = x[away]
    inside = (x.abs() > 0.5) & (x.abs() < 1.5)
    _region_check(network, x[:, None], inside, "the band")
