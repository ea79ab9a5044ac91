"""Checks for the exercises of chapter 04, *Activations and losses*.

Conventions: activations work elementwise on float tensors of any shape; a softmax acts
along the last dimension; ``cross_entropy_from_logits(logits, targets)`` takes raw scores
``logits: (batch, classes)`` and class indices ``targets: (batch,)`` and returns the mean
loss over the batch, like ``torch.nn.functional.cross_entropy``. Exercise 4.5 is an
experiment: its check re-runs the reader's ``run_sigmoid_gain(seed, gain)`` on every seed of
the reader's table and on one of its own, judges the reader's own numbers and the conclusion
drawn from them, and leaves torch's global random state as it found it.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import torch
import torch.nn.functional as F

from lecturekit.exercises import (
    Wrong,
    as_callable,
    as_choice,
    as_number,
    exercise_check,
    expect_close,
    matches_key,
    seeded_results,
    unseen_seeds,
)

__all__ = [
    "check_cross_entropy_from_logits",
    "check_elu_derivative_from_output",
    "check_sigmoid_gain_experiment",
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


# Exercise 4.5. The ranges that correct runs give, from the book's solution on the seeds
# 0 to 299 (10-layer sigmoid net, width 32, a batch of 64 standard normal inputs):
#   gain 1: first / last 1.3e-06 to 9.0e-06, mean slope 0.2285 to 0.2346;
#   gain 4: first / last 1.5e-03 to 2.3e-02, mean slope 0.117 to 0.143;
#   gain 16: first / last 0.41 to 10.2, mean slope 0.029 to 0.041;
# on every one of those seeds the ratio grew and the mean slope fell with the gain. The
# accepted ranges are about ten times wider for the ratios and wider by a margin for the
# slopes, for other draws (say, the batch before the weights).
#
# The ranges decide the conclusion: in range, gain 1's ratio (at most 1e-4) is below gain
# 4's and 16's (at least 1e-4 and 0.03), so A cannot hold, and more than a factor 10 below
# gain 16's, so C cannot either; the slope ranges are disjoint and fall with the gain. What
# step (3) checks is the reader's reading of their numbers: that the option picked is B,
# and, for numbers out of range, the message of step (2) says what to fix first.
_GAINS = (1, 4, 16)
_GAIN_RANGES = {  # gain: ((lowest, highest ratio), (lowest, highest mean slope))
    1: ((1e-7, 1e-4), (0.20, 0.25)),
    4: ((1e-4, 0.3), (0.09, 0.17)),
    16: ((0.03, 100.0), (0.015, 0.06)),
}
_GAIN_OPTIONS = ("A", "B", "C")
# On a seed of the check's own, the reader's function is compared with the check's reference.
# A run that follows the task's order of draws gives the reference's numbers exactly; one that
# draws in another order (the batch first, or torch.randn for the weights) is another random
# network and batch. Over the seeds 0 to 299, two such draws on the same seed differed by at
# most a factor 10**0.95 = 8.9 in the ratio (gain 16; 10**0.60 at gain 1, 10**0.89 at gain 4)
# and by at most 0.021 in the mean slope (gain 4): we accept a factor 30 and 0.03.
_FRESH_RATIO_FACTOR = 30.0
_FRESH_SLOPE_TOLERANCE = 0.03


def _reference_sigmoid_gain(seed: int, gain: float) -> tuple[float, float]:
    """The book's solution of exercise 4.5: (first / last gradient ratio, mean slope)."""
    torch.manual_seed(seed)
    sizes = [64] + [32] * 9 + [10]
    layers: list[torch.nn.Module] = []
    for i in range(10):  # deep_network(nn.Sigmoid, 10, 32) of section 4.7, in the same order
        layers.append(torch.nn.Linear(sizes[i], sizes[i + 1]))
        if i < 9:
            layers.append(torch.nn.Sigmoid())
    linear = [layer for layer in layers if isinstance(layer, torch.nn.Linear)]
    with torch.no_grad():
        for layer in linear:
            layer.weight.normal_(0, gain / layer.in_features**0.5)
            layer.bias.zero_()
    X, y = torch.randn(64, 64), torch.randint(0, 10, (64,))
    h, slopes = X, []
    for layer in layers:
        h = layer(h)
        if isinstance(layer, torch.nn.Sigmoid):
            slopes.append((h * (1 - h)).flatten())
    F.cross_entropy(h, y).backward()
    ratio = linear[0].weight.grad.norm() / linear[-1].weight.grad.norm()
    return ratio.item(), torch.cat(slopes).mean().item()


def _pair(value: object, what: str) -> tuple[float, float]:
    if isinstance(value, torch.Tensor) and value.numel() == 2:
        value = value.flatten().tolist()
    if not isinstance(value, list | tuple) or len(value) != 2:
        raise Wrong(f"{what} should be two numbers, (ratio, mean slope), not {value!r}.")
    ratio = as_number(value[0], f"the ratio in {what}")
    slope = as_number(value[1], f"the mean slope in {what}")
    if not ratio > 0:
        raise Wrong(f"the ratio in {what} is {ratio:g}; a ratio of two norms is positive.")
    return ratio, slope


_FAR = (
    f"where a correct run on that seed gives another network (a ratio more than a factor "
    f"{_FRESH_RATIO_FACTOR:g} away, or a mean slope more than {_FRESH_SLOPE_TOLERANCE:g})"
)


def _like_the_reference(seed: int, gain: int, result: tuple[float, float]) -> bool:
    """Whether (ratio, mean slope) is what a correct run gives for ``seed``, in any draw order."""
    reference_ratio, reference_slope = _reference_sigmoid_gain(seed, gain)
    ratio, slope = result
    factor = max(ratio / reference_ratio, reference_ratio / ratio)
    return factor <= _FRESH_RATIO_FACTOR and abs(slope - reference_slope) <= _FRESH_SLOPE_TOLERANCE


def _geometric_mean(values: list[float]) -> float:
    return math.exp(sum(math.log(v) for v in values) / len(values))


@exercise_check(
    "weights, slopes and the vanishing gradient",
    hint="under torch.no_grad(), for each nn.Linear: layer.weight.normal_(0, gain / "
    "layer.in_features**0.5) and layer.bias.zero_(); run the layers one by one, keep h * (1 - h) "
    "after each nn.Sigmoid, then F.cross_entropy(h, y).backward(); the ratio is the first "
    "layer's weight.grad.norm() over the last layer's. Then compare your numbers gain by gain.",
)
def check_sigmoid_gain_experiment(
    run_sigmoid_gain: object, gain_results: object, gain_conclusion: object
) -> None:
    run = as_callable(run_sigmoid_gain, "run_sigmoid_gain")
    by_gain = seeded_results(
        gain_results,
        _GAINS,
        "gain_results",
        layout="{gain: {seed: (ratio, mean slope)}}",
        entry="the gain {}",
        read=_pair,
    )
    # The reader's function seeds torch; the notebook's random state is left as it was.
    with torch.random.fork_rng(devices=[]):
        _judge_sigmoid_gain(run, by_gain, gain_conclusion)


def _judge_sigmoid_gain(
    run: Callable[..., object],
    by_gain: dict[int, dict[int, tuple[float, float]]],
    gain_conclusion: object,
) -> None:
    seeds = list(by_gain[_GAINS[0]])
    [fresh] = unseen_seeds(1, seeds)  # drawn before the reader's function reseeds torch

    # (1) The numbers are the reader's own: their function gives every one of them again.
    for gain in _GAINS:
        for seed in seeds:
            again = _pair(run(seed, gain), f"run_sigmoid_gain({seed}, {gain})")
            reported = by_gain[gain][seed]
            for what, now, then in zip(("ratio", "mean slope"), again, reported, strict=True):
                if not math.isclose(now, then, rel_tol=1e-3, abs_tol=1e-12):
                    raise Wrong(
                        f"run_sigmoid_gain({seed}, {gain}) now returns the {what} {now:.4g}, "
                        f"but gain_results[{gain}][{seed}] says {then:.4g}: fill gain_results "
                        "with what your function returns (does it call torch.manual_seed(seed) "
                        "first?)."
                    )
        ratios = [ratio for ratio, _ in by_gain[gain].values()]
        if any(math.isclose(a, b, rel_tol=1e-9) for i, a in enumerate(ratios) for b in ratios[:i]):
            raise Wrong(
                f"with the gain {gain} two of your seeds give the same ratio: another seed draws "
                "other weights and another batch, so it gives another ratio. Does your function "
                "use its seed?"
            )

    # (2) They are in the range that correct runs give.
    for gain, by_seed in by_gain.items():
        (low, high), (slope_low, slope_high) = _GAIN_RANGES[gain]
        for s, (ratio, slope) in by_seed.items():
            if not low <= ratio <= high:
                raise Wrong(
                    f"with the gain {gain} and the seed {s} your first / last ratio is "
                    f"{ratio:.2g}; correct runs give between {low:g} and {high:g}. Is the "
                    "weights' standard deviation gain / sqrt(fan-in), are the biases zero, "
                    "and is it the first layer's norm over the last layer's?"
                )
            if not slope_low <= slope <= slope_high:
                raise Wrong(
                    f"with the gain {gain} and the seed {s} your mean slope is {slope:.3g}; "
                    f"correct runs give between {slope_low:g} and {slope_high:g}. The slope of a "
                    "sigmoid unit with output h is h (1 - h), averaged over the hidden units."
                )

    # (1, again) On a seed of the check's own, the function measures what a correct run does.
    for gain in _GAINS:
        what = f"run_sigmoid_gain({fresh}, {gain})"
        try:
            result = run(fresh, gain)
        except Exception as error:
            raise Wrong(
                f"{what} raised {type(error).__name__}: {error}. The check runs your function "
                "on a seed of its own too, so it must measure, not look up, its numbers."
            ) from None
        if not _like_the_reference(fresh, gain, _pair(result, what)):
            raise Wrong(
                f"{what} returns the ratio {_pair(result, what)[0]:.2g} and the mean slope "
                f"{_pair(result, what)[1]:.3f}, {_FAR}: your function should measure the "
                "network it builds for its seed."
            )
    # ... and so does every entry of the table: numbers typed in for the table's seeds, with
    # real runs on any other seed, fail here.
    for gain, by_seed in by_gain.items():
        for seed, (ratio, slope) in by_seed.items():
            if not _like_the_reference(seed, gain, (ratio, slope)):
                raise Wrong(
                    f"gain_results[{gain}][{seed}] holds the ratio {ratio:.2g} and the mean "
                    f"slope {slope:.3f}, {_FAR}: does your function follow the task for every "
                    "seed?"
                )

    # (3) The conclusion is the one the reader's own numbers support.
    ratios = [_geometric_mean([r for r, _ in by_gain[g].values()]) for g in _GAINS]
    slopes = [sum(s for _, s in by_gain[g].values()) / len(by_gain[g]) for g in _GAINS]
    supported = []
    if ratios[0] > ratios[1] > ratios[2]:
        supported.append("A")
    if ratios[0] < ratios[1] < ratios[2] and slopes[0] > slopes[1] > slopes[2]:
        supported.append("B")
    if max(ratios) < 10 * min(ratios):
        supported.append("C")
    answer = as_choice(gain_conclusion, "gain_conclusion", _GAIN_OPTIONS)
    if answer not in supported:
        numbers = (
            f"the ratio (geometric mean over your seeds) goes from {ratios[0]:.1e} at the gain 1 "
            f"to {ratios[1]:.1e} at 4 and {ratios[2]:.1e} at 16, and the mean slope from "
            f"{slopes[0]:.3f} to {slopes[1]:.3f} and {slopes[2]:.3f}"
        )
        raise Wrong(f"your own numbers do not support {answer}: {numbers}.")
