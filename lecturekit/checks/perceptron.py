"""Checks for the exercises of chapter 01, *The perceptron*.

The perceptron's convention throughout: inputs are floats, targets and outputs are -1 / +1,
and ``y_hat = 1 if w . x + b >= 0 else -1``.
"""

from __future__ import annotations

import torch

from lecturekit.data import logic_gate, point_clouds
from lecturekit.exercises import (
    Wrong,
    as_callable,
    as_choice,
    as_number,
    as_seed,
    as_tensor,
    common_seeds,
    exercise_check,
    expect_close,
    matches_key,
)

__all__ = [
    "check_geometric_margin",
    "check_margin_experiment",
    "check_nand_weights",
    "check_perceptron_step",
    "check_separable_count",
]


# The exact answers, as keys (lecturekit.exercises.answer_key) rather than in plain text.
_SEPARABLE_COUNT_KEY = (
    "sha256:62283bc35d73827e:9209b45ae124c6feb7bda2dbd21c88374793f8ad221f0fe88fe56e0b5bfc0955"
)


def _sign(z: torch.Tensor) -> torch.Tensor:
    return torch.where(z >= 0, 1.0, -1.0).to(z.dtype)


@exercise_check(
    "NAND with one perceptron",
    hint="NAND is NOT(AND): take weights and bias that compute AND and flip all their signs "
    "(mind the tie at w . x + b = 0).",
)
def check_nand_weights(w: object, b: object) -> None:
    w = as_tensor(w, "w_nand", shape=(2,))
    b = as_number(b, "b_nand")
    X, y = logic_gate("NAND")
    y_hat = _sign(X.double() @ w + b)
    for x, target, output in zip(X.tolist(), y.tolist(), y_hat.tolist(), strict=True):
        if output != target:
            raise Wrong(
                f"for input {tuple(int(v) for v in x)} your perceptron outputs {output:+.0f}, "
                f"but NAND is {target:+.0f}."
            )


def _reference_step(w, b, x, y, lr):
    y_hat = 1.0 if float(w @ x + b) >= 0 else -1.0
    return w + lr * (y - y_hat) * x, b + lr * (y - y_hat)


@exercise_check(
    "one step of the perceptron learning rule",
    hint="first compute y_hat = +1 if w . x + b >= 0 else -1, then "
    "w <- w + lr (y - y_hat) x and b <- b + lr (y - y_hat). Return new values; "
    "a correctly classified example changes nothing.",
)
def check_perceptron_step(perceptron_step: object) -> None:
    step = as_callable(perceptron_step, "perceptron_step")
    generator = torch.Generator().manual_seed(1)
    cases = [  # (w, b, x, y, lr): a mistake on each side, a correct one, the tie at zero
        (torch.tensor([0.5, -1.0]), 0.2, torch.tensor([1.0, 1.0]), 1.0, 0.1),
        (torch.tensor([0.5, -1.0]), 0.2, torch.tensor([2.0, 0.0]), -1.0, 0.5),
        (torch.tensor([1.0, 1.0]), 0.0, torch.tensor([1.0, 1.0]), 1.0, 0.1),
        (torch.tensor([0.0, 0.0]), 0.0, torch.tensor([1.0, -1.0]), -1.0, 1.0),
    ]
    for _ in range(4):
        w, x = torch.randn(3, generator=generator), torch.randn(3, generator=generator)
        cases.append((w, float(torch.randn(1, generator=generator)), x, -1.0, 0.3))
    for w, b, x, y, lr in cases:
        result = step(w.clone(), b, x.clone(), y, lr)
        if not isinstance(result, tuple | list) or len(result) != 2:
            raise Wrong("perceptron_step should return a pair (w_new, b_new).")
        w_expected, b_expected = _reference_step(w, b, x, y, lr)
        case = f"w={w.tolist()}, b={b:g}, x={x.tolist()}, y={y:+g}, lr={lr:g}"
        expect_close(result[0], w_expected, f"w_new for {case}", atol=1e-5)
        expect_close(
            as_number(result[1], "b_new"),
            torch.tensor(float(b_expected)),
            f"b_new for {case}",
            atol=1e-5,
        )


@exercise_check(
    "geometric margin of a labelled data set",
    hint="the signed distance of x to the line is (w . x + b) / ||w||; multiply by y so "
    "that correctly classified points count positive, and take the smallest over the data.",
)
def check_geometric_margin(geometric_margin: object) -> None:
    margin = as_callable(geometric_margin, "geometric_margin")
    X = torch.tensor([[0.0, 0.0], [2.0, 2.0], [3.0, 0.0], [0.0, 3.0]])
    y = torch.tensor([-1.0, 1.0, 1.0, 1.0])
    cases = [  # (w, b): a separating line, the same line scaled, and one that misclassifies
        (torch.tensor([1.0, 1.0]), -1.0),
        (torch.tensor([10.0, 10.0]), -10.0),
        (torch.tensor([1.0, 0.0]), -1.0),
    ]
    for w, b in cases:
        expected = torch.min(y * (X @ w + b)) / torch.linalg.norm(w)
        answer = as_number(margin(w.clone(), b, X.clone(), y.clone()), "geometric_margin(...)")
        expect_close(
            torch.tensor(answer), expected, f"the margin for w={w.tolist()}, b={b:g}", atol=1e-5
        )


@exercise_check(
    "how many two-input Boolean functions one perceptron can compute",
    hint="there are 2**4 = 16 truth tables over (0,0), (0,1), (1,0), (1,1). Train a "
    "perceptron on each (the chapter's train_perceptron) and count those it learns "
    "without error. Which two did Minsky and Papert make famous?",
)
def check_separable_count(num_separable: object) -> None:
    count = as_number(num_separable, "num_separable", integer=True)
    if count == 16:
        raise Wrong("16 would mean every function is linearly separable, XOR included.")
    if not matches_key(count, _SEPARABLE_COUNT_KEY):
        raise Wrong(f"{count} is not the number of linearly separable functions.")


EXPERIMENT_MARGINS = (0.2, 0.02)
"""The two margins of exercise 1.5's generated data sets (100 points each)."""
EXPERIMENT_POINTS = 100
_CONCLUSIONS = {
    "A": "the smaller margin needed more updates for every seed",
    "B": "the smaller margin needed fewer updates for every seed",
    "C": "neither statement holds for every seed",
}


def _reference_updates(X: torch.Tensor, y: torch.Tensor, max_epochs: int = 10_000) -> int:
    """Rosenblatt's rule from w = 0, b = 0, in the data's order: updates until an epoch has
    no mistake (the learning rate does not change the count, section 1.5)."""
    w, b, updates = torch.zeros(X.shape[1]), torch.zeros(()), 0
    for _ in range(max_epochs):
        mistakes = 0
        for x_i, y_i in zip(X, y, strict=True):
            if (1.0 if x_i @ w + b >= 0 else -1.0) != y_i:
                w, b, mistakes = w + 2 * y_i * x_i, b + 2 * y_i, mistakes + 1
        updates += mistakes
        if mistakes == 0:
            break
    return updates


def _updates_table(updates: object) -> dict[tuple[float, int], int]:
    """The reader's entries at the exercise's two margins; other margins they tried are kept
    out of the verdict."""
    if not isinstance(updates, dict):
        raise Wrong("`updates` should be a dict {(margin, seed): number of updates}.")
    table = {}
    for key, value in updates.items():
        if not isinstance(key, tuple | list) or len(key) != 2:
            raise Wrong(f"each key of `updates` should be a pair (margin, seed), not {key!r}.")
        margin = as_number(key[0], "a margin in `updates`")
        seed = as_seed(key[1], "`updates`")
        matching = [m for m in EXPERIMENT_MARGINS if abs(margin - m) < 1e-9]
        if matching:
            table[matching[0], seed] = int(as_number(value, f"updates[{key!r}]", integer=True))
    return table


@exercise_check(
    "the margin between the classes and the number of updates",
    hint="count_updates(margin, seed) generates point_clouds('linear', 100, margin=margin, "
    "seed=seed), trains with train_perceptron(X, y, max_epochs=10_000) and returns "
    "len(history) - 1. Fill `updates` for both margins and the seeds 0, 1 and 2 (or more), "
    "then compare, seed by seed, the two counts of each seed.",
)
def check_margin_experiment(count_updates: object, updates: object, conclusion: object) -> None:
    count = as_callable(count_updates, "count_updates")
    table = _updates_table(updates)
    seeds = common_seeds(table, EXPERIMENT_MARGINS, "`updates`, for both margins,")
    # Every entry is the reader's own measurement: their function gives it again, and it is
    # what the perceptron does on that data set. One more seed, which the table does not
    # hold, shows the function measures rather than looks up.
    for margin, seed in [*sorted(table), (EXPERIMENT_MARGINS[1], max(seeds) + 1)]:
        X, y = point_clouds("linear", EXPERIMENT_POINTS, margin=margin, seed=seed)
        expected = _reference_updates(X, y)
        got = int(as_number(count(margin, seed), "count_updates(...)", integer=True))
        if got != expected:
            raise Wrong(
                f"count_updates({margin:g}, {seed}) returns {got}, but the perceptron makes "
                f"{expected} updates on that data set before an epoch without mistakes."
            )
        if (margin, seed) in table and table[margin, seed] != got:
            raise Wrong(
                f"count_updates({margin:g}, {seed}) returns {got}, but `updates` holds "
                f"{table[margin, seed]}: fill the table from your own runs."
            )
    small, large = EXPERIMENT_MARGINS[1], EXPERIMENT_MARGINS[0]
    more = [table[small, s] > table[large, s] for s in seeds]
    fewer = [table[small, s] < table[large, s] for s in seeds]
    supported = "A" if all(more) else "B" if all(fewer) else "C"
    conclusion = as_choice(conclusion, "updates_conclusion", list(_CONCLUSIONS))
    if conclusion != supported:
        raise Wrong(f"your own numbers say {supported}: {_CONCLUSIONS[supported]} (seeds {seeds}).")
