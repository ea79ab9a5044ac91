import numpy as np
import pytest
import torch

from lecturekit.checks import mlp
from lecturekit.checks.mlp import (
    XOR_RESTART_CONCLUSIONS,
    check_band_network,
    check_mlp_forward,
    check_square_network,
    check_xnor_network,
    check_xor_restarts,
)

XNOR = ([[1.0, 1.0], [1.0, 1.0]], [-0.5, -1.5], [-1.0, 1.0], 0.5)
XOR = ([[1.0, 1.0], [1.0, 1.0]], [-0.5, -1.5], [1.0, -1.0], -1.0)
SQUARE = ([[1.0, 0.0], [-1.0, 0.0], [0.0, 1.0], [0.0, -1.0]], [0.0, 1.0, 0.0, 1.0], [1.0] * 4, -3)
BAND = ([[1.0], [1.0], [1.0], [1.0]], [1.5, 0.5, -0.5, -1.5], [1.0, -1.0, 1.0, -1.0], -1.0)


def test_xnor_check_accepts_a_solution_and_names_the_first_wrong_row():
    assert check_xnor_network(*XNOR)
    assert check_xnor_network(*(torch.tensor(v) for v in XNOR[:3]), torch.tensor(0.5))
    feedback = check_xnor_network(*XOR)
    assert not feedback and "for input (0, 0) your network outputs -1" in feedback.message


def test_xnor_check_on_wrong_shapes_types_and_placeholders():
    assert "shape (hidden, 2)" in check_xnor_network([1.0, 1.0], [0.0], [1.0], 0.0).message
    assert "shape (2,)" in check_xnor_network(XNOR[0], [0.0], XNOR[2], 0.5).message
    assert "not str" in check_xnor_network(XNOR[0], XNOR[1], XNOR[2], "0.5").message
    assert not check_xnor_network(..., ..., ..., ...).answered


def test_forward_check_accepts_the_formula_and_rejects_common_mistakes():
    def mlp_forward(X, W1, b1, W2, b2):
        return torch.tanh(X @ W1.T + b1) @ W2.T + b2

    def forgets_tanh(X, W1, b1, W2, b2):
        return (X @ W1.T + b1) @ W2.T + b2

    def forgets_transpose(X, W1, b1, W2, b2):
        return torch.tanh(X @ W1 + b1) @ W2 + b2

    def tanh_on_output_too(X, W1, b1, W2, b2):
        return torch.tanh(torch.tanh(X @ W1.T + b1) @ W2.T + b2)

    def not_implemented(X, W1, b1, W2, b2):
        raise NotImplementedError

    assert check_mlp_forward(mlp_forward)
    for wrong in (forgets_tanh, forgets_transpose, tanh_on_output_too):
        feedback = check_mlp_forward(wrong)
        assert not feedback and feedback.answered
    assert "should be a function" in check_mlp_forward(3).message
    assert not check_mlp_forward(...).answered
    assert not check_mlp_forward(not_implemented).answered


def test_square_check():
    assert check_square_network(*SQUARE)
    half_plane = ([[1.0, 0.0]], [0.0], [1.0], 0.0)  # x1 >= 0 only
    feedback = check_square_network(*half_plane)
    assert not feedback and "test points are wrong" in feedback.message
    assert not check_square_network(..., ..., ..., ...).answered


def test_band_check():
    assert check_band_network(*BAND)
    one_interval = ([[1.0], [1.0]], [-0.5, -1.5], [1.0, -1.0], -1.0)  # 0.5 < x < 1.5 only
    feedback = check_band_network(*one_interval)
    assert not feedback and "inside the band" in feedback.message
    assert "shape (hidden, 1)" in check_band_network(*SQUARE).message
    assert not check_band_network(..., ..., ..., ...).answered


# Rates of the kind the book's run_xor_restarts gives (fractions of 50 runs): seeds 0, 1, 2 of
# the pinned experiment (Figure 2.5's sizes).
XOR_RESULTS = {
    0: {2: 38 / 50, 3: 48 / 50, 4: 1.0, 8: 1.0},
    1: {2: 35 / 50, 3: 49 / 50, 4: 1.0, 8: 1.0},
    2: {2: 36 / 50, 3: 49 / 50, 4: 1.0, 8: 1.0},
}
XOR_WIDER = XOR_RESTART_CONCLUSIONS[0]


def fake_experiment(table):
    """A stand-in for the experiment, cheap: `table` on its seeds, seed-dependent rates else."""

    def run_xor_restarts(seed):
        if seed in table:
            return dict(table[seed])
        return {2: (25 + seed % 15) / 50, 3: (45 + seed % 6) / 50, 4: 1.0, 8: 1.0}

    return run_xor_restarts


@pytest.fixture
def experiment(monkeypatch):
    """Make the check's reference the fake experiment on `table`; returns the reader's run."""

    def install(table):
        run = fake_experiment(table)
        monkeypatch.setattr(mlp, "_reference_xor_restarts", run)
        return run

    return install


def test_reference_is_the_chapters_experiment_and_accepts_itself():
    # Seed 0 of the reference is Figure 2.5 at the default parameters (38 and 48 of 50).
    assert mlp._reference_xor_restarts(0) == pytest.approx(XOR_RESULTS[0])
    results = {seed: mlp._reference_xor_restarts(seed) for seed in (0, 1, 2)}
    for seed, rates in results.items():
        assert rates == pytest.approx(XOR_RESULTS[seed])
    assert check_xor_restarts(mlp._reference_xor_restarts, results, XOR_WIDER, 4, 3 / 150)


def test_xor_restarts_check_accepts_own_numbers_and_the_conclusions_they_support(experiment):
    run = experiment(XOR_RESULTS)
    assert XOR_WIDER == "wider is more reliable"
    assert check_xor_restarts(run, XOR_RESULTS, XOR_WIDER, 4, 0.02)
    four_seeds = XOR_RESULTS | {3: {2: 30 / 50, 3: 47 / 50, 4: 49 / 50, 8: 1.0}}
    run = experiment(four_seeds)
    assert check_xor_restarts(run, four_seeds, XOR_WIDER, 8, 3 / 200)
    # Numbers in the plausible range where widths 2 and 8 tie for one seed: no difference shown,
    # and no width solved every run of every seed.
    tie = XOR_RESULTS | {3: {2: 47 / 50, 3: 47 / 50, 4: 47 / 50, 8: 47 / 50}}
    run = experiment(tie)
    assert check_xor_restarts(run, tie, "no difference the seeds can show", None, None)


def test_xor_restarts_check_rejects_conclusions_that_the_numbers_do_not_support(experiment):
    run = experiment(XOR_RESULTS)
    feedback = check_xor_restarts(run, XOR_RESULTS, "no difference the seeds can show", 4, 0.02)
    assert not feedback and 'your numbers support "wider is more reliable"' in feedback.message
    feedback = check_xor_restarts(run, XOR_RESULTS, "narrower is more reliable", 4, 0.02)
    assert not feedback and "seed by seed" in feedback.message
    feedback = check_xor_restarts(run, XOR_RESULTS, "wider is better", 4, 0.02)
    assert not feedback and "should be one of" in feedback.message
    feedback = check_xor_restarts(run, XOR_RESULTS, XOR_WIDER, 3, 0.02)  # seed 0 missed 2 at 3
    assert not feedback and "smallest width" in feedback.message and "is 4" in feedback.message
    feedback = check_xor_restarts(run, XOR_RESULTS, XOR_WIDER, None, None)
    assert not feedback and "width 4 solved XOR in every run" in feedback.message
    feedback = check_xor_restarts(run, XOR_RESULTS, XOR_WIDER, 4, 0.0)  # "it never fails"
    assert not feedback and "3 / n = 0.0200" in feedback.message
    feedback = check_xor_restarts(run, XOR_RESULTS, XOR_WIDER, 4, None)
    assert not feedback and "rule of three" in feedback.message


def test_xor_restarts_check_rejects_numbers_that_are_not_the_readers_own(experiment):
    run = experiment(XOR_RESULTS)
    # the function gives two runs fewer for every seed (the check reruns one, drawn at random)
    forged = {seed: rates | {2: rates[2] + 2 / 50} for seed, rates in XOR_RESULTS.items()}
    feedback = check_xor_restarts(run, forged, XOR_WIDER, 4, 0.02)
    assert not feedback and "gives width 2 the rate" in feedback.message
    assert "fill the results by calling the function" in feedback.message

    calls = []

    def unseeded(seed):  # draws from the global generator: different numbers every call
        calls.append(seed)
        return XOR_RESULTS[1] if len(calls) > 1 else XOR_RESULTS[0]

    results = {0: XOR_RESULTS[1], 1: XOR_RESULTS[1], 2: XOR_RESULTS[2]}
    feedback = check_xor_restarts(unseeded, results, XOR_WIDER, 4, 0.02)
    assert not feedback and "make its own generator" in feedback.message


def test_xor_restarts_check_rejects_fixed_and_looked_up_numbers(experiment):
    experiment(XOR_RESULTS)

    def looked_up(seed):  # the printed table, and something plausible for any other seed
        return dict(XOR_RESULTS.get(seed, XOR_RESULTS[0]))

    feedback = check_xor_restarts(looked_up, XOR_RESULTS, XOR_WIDER, 4, 0.02)
    assert not feedback and "on a seed your table does not hold" in feedback.message

    def fixed(seed):
        return {2: 0.7, 3: 0.96, 4: 1.0, 8: 1.0}

    same = {seed: fixed(seed) for seed in range(3)}
    feedback = check_xor_restarts(fixed, same, XOR_WIDER, 4, 0.02)
    assert not feedback and "on a seed your table does not hold" in feedback.message


def test_xor_restarts_check_rejects_rates_identical_across_seeds(monkeypatch):
    # Even where the reference happened to agree within one run, one answer for every seed is
    # not a measurement.
    def fixed(seed):
        return {2: 0.7, 3: 0.96, 4: 1.0, 8: 1.0}

    monkeypatch.setattr(mlp, "_reference_xor_restarts", fixed)
    same = {seed: fixed(seed) for seed in range(3)}
    feedback = check_xor_restarts(fixed, same, XOR_WIDER, 4, 0.02)
    assert not feedback and "the same rates for all 5 seeds" in feedback.message


def test_xor_restarts_check_allows_one_run_of_rounding_per_width(experiment):
    reference = experiment(XOR_RESULTS)

    def elsewhere(seed):  # another machine, where one edge run of width 2 tips
        rates = reference(seed)
        return rates if seed in XOR_RESULTS else rates | {2: rates[2] + 1 / 50}

    assert check_xor_restarts(elsewhere, XOR_RESULTS, XOR_WIDER, 4, 0.02)

    def two_off(seed):
        rates = reference(seed)
        return rates if seed in XOR_RESULTS else rates | {2: rates[2] + 2 / 50}

    assert not check_xor_restarts(two_off, XOR_RESULTS, XOR_WIDER, 4, 0.02)


def test_xor_restarts_check_rejects_numbers_no_correct_run_gives(experiment):
    every_run = {seed: {2: 1.0, 3: 1.0, 4: 1.0, 8: 1.0} for seed in range(3)}
    run = experiment(every_run)
    feedback = check_xor_restarts(run, every_run, "no difference the seeds can show", 2, 0.02)
    assert not feedback and "width 2 solves XOR in a fraction 1.000" in feedback.message
    too_short = {seed: {2: 0.1, 3: 0.2, 4: 0.3, 8: 0.5} for seed in range(3)}
    run = experiment(too_short)
    feedback = check_xor_restarts(run, too_short, XOR_WIDER, None, None)
    assert not feedback and "between 0.30 and 0.98" in feedback.message
    accuracies = {seed: rates | {2: 0.875} for seed, rates in XOR_RESULTS.items()}
    run = experiment(accuracies)
    feedback = check_xor_restarts(run, accuracies, XOR_WIDER, 4, 0.02)
    assert not feedback and "k / 50" in feedback.message


def test_xor_restarts_check_on_shapes_and_placeholders(experiment):
    run = experiment(XOR_RESULTS)
    two_seeds = {0: XOR_RESULTS[0], 1: XOR_RESULTS[1]}
    feedback = check_xor_restarts(run, two_seeds, XOR_WIDER, 4, 0.02)
    assert "at least three seeds" in feedback.message
    no_width_3 = {seed: {2: r[2], 4: r[4], 8: r[8]} for seed, r in XOR_RESULTS.items()}
    feedback = check_xor_restarts(run, no_width_3, XOR_WIDER, 4, 0.02)
    assert not feedback and "should have the widths [2, 3, 4, 8]" in feedback.message
    assert "should be a function" in check_xor_restarts(3, XOR_RESULTS, XOR_WIDER, 4, 0.02).message
    assert not check_xor_restarts(..., ..., ..., ..., ...).answered
    assert not check_xor_restarts(run, ..., XOR_WIDER, 4, 0.02).answered

    def not_implemented(seed):
        raise NotImplementedError

    assert not check_xor_restarts(not_implemented, XOR_RESULTS, XOR_WIDER, 4, 0.02).answered


def test_xor_restarts_check_rejects_numbers_typed_in_for_the_tables_seeds(experiment):
    reference = experiment(XOR_RESULTS)
    # In the plausible ranges, and as if width 2 solved more often than width 8 for every seed.
    typed_in = {seed: {2: 0.96, 3: 0.96, 4: 0.94, 8: 0.92} for seed in (0, 1, 2)}

    def forged(seed):  # the typed-in rates for the table's seeds, real runs elsewhere
        return dict(typed_in[seed]) if seed in typed_in else reference(seed)

    conclusion = XOR_RESTART_CONCLUSIONS[2]
    feedback = check_xor_restarts(forged, typed_in, conclusion, None, None)
    assert not feedback and "`xor_restart_results[0]` gives width 2" in feedback.message


def test_xor_restarts_check_accepts_numpy_seeds_and_wants_the_seeds_0_1_and_2(experiment):
    run = experiment(XOR_RESULTS | {3: XOR_RESULTS[0]})
    as_numpy = {np.int64(seed): rates for seed, rates in XOR_RESULTS.items()}
    assert check_xor_restarts(run, as_numpy, XOR_WIDER, 4, 0.02)
    later = {seed + 1: XOR_RESULTS[seed] for seed in (0, 1, 2)}
    feedback = check_xor_restarts(run, later, XOR_WIDER, 4, 0.02)
    assert not feedback and "0, 1 and 2" in feedback.message
