"""Checks for the exercises of chapter 04, *Activations and losses*.

Conventions: activations work elementwise on float tensors of any shape; a softmax acts
along the last dimension; ``cross_entropy_from_logits(logits, targets)`` takes raw scores
``logits: (batch, classes)`` and class indices ``targets: (batch,)`` and returns the mean
loss over the batch, like ``torch.nn.functional.cross_entropy``.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from lecturekit.exercises import (
    Wrong,
    as_callable,
    as_number,
    exercise_check,
    expect_close,
    matches_key,
)

__all__ = [
    "check_cross_entropy_from_logits",
    "check_elu_derivative_from_output",
    "check_sigmoid_slope",
    "check_stable_softmax",
]


# The exact answer, as a key (lecturekit.exercises.answer_key) rather than in plain text.
_SIGMOID_NUM_LAYERS_KEY = (
    "sha256:c5a639627c2a2832:f17897cf194bcf5fbcfa694491b2703becb79ea284a0c725b391179efcf9618f"
)


def _returned_tensor(result: object, what: str, shape: tuple[int, ...]) -> torch.Tensor:
    if not isinstance(result, torch.Tensor):
        raise Wrong(f"{what} should return a tensor, not {type(result).__name__}.")
    if tuple(result.shape) != shape:
        raise Wrong(f"{what} should return shape {shape}, but returned {tuple(result.shape)}.")
    if not torch.isfinite(result).all():
        raise Wrong(f"{what} returned inf or nan: {result.detach().flatten()[:6].tolist()}.")
    return result


@exercise_check(
    "the derivative of ELU from its output",
    hint="for x > 0, ELU's output is y = x and the slope is 1; for x <= 0, y = alpha (e^x - 1), "
    "so alpha e^x = y + alpha. The sign of y tells which side x was on.",
)
def check_elu_derivative_from_output(elu_derivative_from_output: object) -> None:
    derivative = as_callable(elu_derivative_from_output, "elu_derivative_from_output")
    x = torch.linspace(-5.0, 3.0, 81, dtype=torch.float64)
    x = x[x != 0]  # at the kink, either side's value is a fair answer
    for alpha in (1.0, 0.5, 2.0):
        x_in = x.clone().requires_grad_(True)
        y = F.elu(x_in, alpha=alpha)
        y.sum().backward()
        what = f"elu_derivative_from_output(y, alpha={alpha:g})"
        answer = _returned_tensor(derivative(y.detach().clone(), alpha), what, tuple(x.shape))
        expect_close(answer, x_in.grad, what, atol=1e-6)


@exercise_check(
    "a numerically stable softmax",
    hint="softmax(z) = softmax(z - c) for any constant c. Subtract each row's maximum "
    "(z.max(dim=-1, keepdim=True).values) before exp, then divide by the sum over the "
    "last dimension (keepdim=True again).",
)
def check_stable_softmax(stable_softmax: object) -> None:
    softmax = as_callable(stable_softmax, "stable_softmax")
    generator = torch.Generator().manual_seed(4)
    cases = {
        "a vector of 5 logits": torch.randn(5, generator=generator),
        "a (3, 3) batch (softmax along the last dimension)": torch.randn(3, 3, generator=generator),
        "logits near 1000": torch.tensor([[1000.0, 1001.0, 1002.0], [0.0, 1.0, 2.0]]),
        "logits near -1000": torch.tensor([[-1000.0, -1001.0, -1003.0]]),
    }
    for what, z in cases.items():
        result = softmax(z.clone())
        answer = _returned_tensor(result, f"stable_softmax on {what}", tuple(z.shape))
        expect_close(answer, F.softmax(z.double(), dim=-1), f"stable_softmax on {what}", atol=1e-6)


@exercise_check(
    "cross-entropy from logits",
    hint="-log softmax(z)_y = logsumexp(z) - z_y. torch.logsumexp(logits, dim=1) is stable; "
    "pick z_y with logits[torch.arange(len(targets)), targets], and average over the batch.",
)
def check_cross_entropy_from_logits(cross_entropy_from_logits: object) -> None:
    loss_fn = as_callable(cross_entropy_from_logits, "cross_entropy_from_logits")
    generator = torch.Generator().manual_seed(4)
    cases = {
        "a batch of 6 with 4 classes": (
            torch.randn(6, 4, generator=generator) * 3,
            torch.tensor([0, 3, 1, 1, 2, 0]),
        ),
        "one example": (torch.tensor([[2.0, -1.0, 0.5]]), torch.tensor([2])),
        "confident logits near 1000": (
            torch.tensor([[0.0, 1000.0], [1000.0, 0.0], [500.0, 501.0]]),
            torch.tensor([0, 0, 1]),
        ),
    }
    for what, (logits, targets) in cases.items():
        result = loss_fn(logits.clone(), targets.clone())
        answer = as_number(result, f"cross_entropy_from_logits on {what}", nan_ok=True)
        if not math.isfinite(answer):
            raise Wrong(f"on {what} your loss is {answer}; it should be a finite number.")
        expected = F.cross_entropy(logits.double(), targets)
        if torch.isclose(torch.tensor(answer, dtype=torch.float64), expected * len(targets)):
            if len(targets) > 1:
                raise Wrong(f"on {what} you return the sum over the batch; return the mean.")
        expect_close(
            torch.tensor(answer),
            expected,
            f"the loss on {what}",
            atol=1e-4 * max(1.0, expected.item()),
        )


@exercise_check(
    "the sigmoid's largest slope, and what it does to deep networks",
    hint="sigma'(x) = sigma(x) (1 - sigma(x)) is a product p (1 - p) with p between 0 and 1; "
    "where is it largest? Then find the smallest L with (max slope)**L < 1e-6.",
)
def check_sigmoid_slope(max_slope: object, num_layers: object) -> None:
    slope = as_number(max_slope, "max_slope")
    layers = as_number(num_layers, "num_layers", integer=True)
    if math.isclose(slope, 0.5):
        raise Wrong("0.5 is the sigmoid's value at x = 0, not its slope there.")
    if math.isclose(slope, 1.0):
        raise Wrong("1 is the largest slope of tanh, not of the sigmoid.")
    if not math.isclose(slope, 0.25, abs_tol=1e-6):
        raise Wrong(f"max_slope = {slope:g} is not the largest value of sigma(x) (1 - sigma(x)).")
    if layers == 9:
        raise Wrong("with 9 layers (1/4)**9 = 3.8e-06 is still above one millionth.")
    if not matches_key(layers, _SIGMOID_NUM_LAYERS_KEY):
        raise Wrong(
            f"num_layers = {layers} is not the smallest L with (1/4)**L < 1e-6 "
            f"((1/4)**{layers} = {0.25**layers:.2g})."
        )
