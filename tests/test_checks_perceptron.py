import inspect
import re

import numpy as np
import torch

from lecturekit.checks import perceptron
from lecturekit.checks.perceptron import (
    check_geometric_margin,
    check_margin_experiment,
    check_nand_weights,
    check_perceptron_step,
    check_separable_count,
)
from lecturekit.data import point_clouds


def names_number(source: str, number: int) -> bool:
    """Whether ``source`` has ``number`` as a number of its own (14, 30_840 or 30,840)."""
    spellings = "|".join(re.escape(s) for s in {str(number), f"{number:_}", f"{number:,}"})
    return re.search(rf"(?<![\w.,])(?:{spellings})(?![\w]|[.,]\d)", source) is not None


def reference_step(w, b, x, y, lr):
    y_hat = 1.0 if x @ w + b >= 0 else -1.0
    return w + lr * (y - y_hat) * x, b + lr * (y - y_hat)


def test_nand_check_accepts_a_solution_and_names_the_first_wrong_row():
    assert check_nand_weights(torch.tensor([-1.0, -1.0]), 1.5)
    assert check_nand_weights([-2, -2], 3)
    feedback = check_nand_weights([1.0, 1.0], -1.5)  # that is AND
    assert not feedback and "for input (0, 0) your perceptron outputs -1" in feedback.message


def test_nand_check_on_wrong_types_and_placeholders():
    assert "shape (2,)" in check_nand_weights([1.0], 0.0).message
    assert "not str" in check_nand_weights([1.0, 1.0], "1").message
    assert not check_nand_weights(..., ...).answered


def test_step_check_accepts_the_rule_and_rejects_common_mistakes():
    assert check_perceptron_step(reference_step)

    def forgets_the_bias(w, b, x, y, lr):
        return reference_step(w, b, x, y, lr)[0], b

    def uses_strict_threshold(w, b, x, y, lr):
        y_hat = 1.0 if x @ w + b > 0 else -1.0
        return w + lr * (y - y_hat) * x, b + lr * (y - y_hat)

    for wrong in (forgets_the_bias, uses_strict_threshold):
        feedback = check_perceptron_step(wrong)
        assert not feedback and feedback.answered


def test_margin_check():
    def margin(w, b, X, y):
        return (y * (X @ w + b)).min() / torch.linalg.norm(w)

    def forgets_the_norm(w, b, X, y):
        return (y * (X @ w + b)).min()

    assert check_geometric_margin(margin)
    assert not check_geometric_margin(forgets_the_norm)


def test_separable_count_check():
    assert check_separable_count(14)
    assert "XOR" in check_separable_count(16).message
    assert not check_separable_count(12)
    assert "whole number" in check_separable_count("fourteen").message


def test_the_separable_count_is_not_in_the_source():
    assert names_number("if count != 14:", 14) and not names_number("0.14, 140, 2**4", 14)
    assert not names_number(inspect.getsource(perceptron), 14)


def count_updates(margin, seed):
    # The check's own count, itself tested against the chapter's train_perceptron by the
    # chapter's committed run of exercise 1.5.
    return perceptron._reference_updates(*point_clouds("linear", 100, margin=margin, seed=seed))


def test_margin_experiment_accepts_the_readers_own_measurement_and_its_conclusion():
    updates = {(m, s): count_updates(m, s) for m in (0.2, 0.02) for s in (0, 1, 2)}
    assert check_margin_experiment(count_updates, updates, "A")
    assert check_margin_experiment(count_updates, updates, " a ")
    # Seed 11 needs as many updates at either gap: with it, only "C" follows.
    with_11 = updates | {(m, 11): count_updates(m, 11) for m in (0.2, 0.02)}
    assert with_11[0.2, 11] == with_11[0.02, 11]
    assert check_margin_experiment(count_updates, with_11, "C")
    assert "your own numbers say C" in check_margin_experiment(count_updates, with_11, "A").message


def test_margin_experiment_refuses_forged_looked_up_or_cut_short_numbers():
    updates = {(m, s): count_updates(m, s) for m in (0.2, 0.02) for s in (0, 1, 2)}
    for forged in (updates | {(0.02, 0): updates[0.02, 0] + 1}, updates | {(0.2, 1): 10_000}):
        message = check_margin_experiment(count_updates, forged, "A").message
        assert "fill the table from your own runs" in message

    def looks_up(margin, seed):
        return updates.get((margin, seed), 1)

    assert "updates on that data set" in check_margin_experiment(looks_up, updates, "A").message

    def cut_short(margin, seed):  # as if training stopped halfway at the smaller margin
        return count_updates(margin, seed) // (2 if margin < 0.1 else 1)

    short = {(m, s): cut_short(m, s) for m in (0.2, 0.02) for s in (0, 1, 2)}
    assert "updates on that data set" in check_margin_experiment(cut_short, short, "A").message


def test_margin_experiment_ignores_other_margins_and_refuses_too_few_seeds_or_bad_keys():
    updates = {(m, s): count_updates(m, s) for m in (0.2, 0.02) for s in (0, 1, 2)}
    assert check_margin_experiment(count_updates, updates | {(0.1, 0): 29}, "A")
    too_few = {key: value for key, value in updates.items() if key[1] != 2}
    assert "three seeds" in check_margin_experiment(count_updates, too_few, "A").message
    assert "(margin, seed)" in check_margin_experiment(count_updates, {0.2: 4}, "A").message
    assert '"A", "B" or "C"' in check_margin_experiment(count_updates, updates, "D").message
    assert not check_margin_experiment(count_updates, ..., ...).answered


def test_margin_experiment_refuses_numbers_typed_in_for_the_tables_seeds():
    typed_in = {(m, s): 5 if m == 0.02 else 9 for m in (0.2, 0.02) for s in (0, 1, 2)}  # says B

    def forged(margin, seed):  # the typed-in numbers for the table, real counts elsewhere
        return typed_in.get((margin, seed)) or count_updates(margin, seed)

    feedback = check_margin_experiment(forged, typed_in, "B")
    assert not feedback and "updates on that data set" in feedback.message


def test_margin_experiment_accepts_numpy_seeds_and_wants_the_seeds_0_1_and_2():
    updates = {(m, np.int64(s)): count_updates(m, s) for m in (0.2, 0.02) for s in (0, 1, 2)}
    assert check_margin_experiment(count_updates, updates, "A")
    later = {(m, s): count_updates(m, s) for m in (0.2, 0.02) for s in (3, 4, 5)}
    feedback = check_margin_experiment(count_updates, later, "A")
    assert not feedback and "0, 1 and 2" in feedback.message
