import torch

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


# Rates of the kind the book's run_xor_restarts gives (fractions of 30 runs), for three seeds.
XOR_RESULTS = {
    0: {2: 21 / 30, 3: 28 / 30, 4: 1.0, 8: 1.0},
    1: {2: 16 / 30, 3: 27 / 30, 4: 1.0, 8: 1.0},
    2: {2: 19 / 30, 3: 1.0, 4: 29 / 30, 8: 1.0},
}
XOR_WIDER = XOR_RESTART_CONCLUSIONS[0]


def replaying(results):
    """A run_xor_restarts that gives back `results` (the check calls it on one seed)."""

    def run_xor_restarts(seed):
        return dict(results[seed])

    return run_xor_restarts


def test_xor_restarts_check_accepts_own_numbers_and_the_conclusions_they_support():
    run = replaying(XOR_RESULTS)
    assert XOR_WIDER == "wider is more reliable"
    assert check_xor_restarts(run, XOR_RESULTS, XOR_WIDER, 8)
    all_solved_at_4 = {seed: rates | {4: 1.0} for seed, rates in XOR_RESULTS.items()}
    assert check_xor_restarts(replaying(all_solved_at_4), all_solved_at_4, XOR_WIDER, 4)
    # Numbers in the plausible range where widths 2 and 8 tie for one seed: no difference shown,
    # and no width solved every run of every seed.
    tie = XOR_RESULTS | {3: {2: 27 / 30, 3: 27 / 30, 4: 27 / 30, 8: 27 / 30}}
    assert check_xor_restarts(replaying(tie), tie, "no difference the seeds can show", None)


def test_xor_restarts_check_rejects_conclusions_that_the_numbers_do_not_support():
    run = replaying(XOR_RESULTS)
    feedback = check_xor_restarts(run, XOR_RESULTS, "no difference the seeds can show", 8)
    assert not feedback and 'your numbers support "wider is more reliable"' in feedback.message
    feedback = check_xor_restarts(run, XOR_RESULTS, "narrower is more reliable", 8)
    assert not feedback and "seed by seed" in feedback.message
    feedback = check_xor_restarts(run, XOR_RESULTS, "wider is better", 8)
    assert not feedback and "should be one of" in feedback.message
    feedback = check_xor_restarts(run, XOR_RESULTS, XOR_WIDER, 4)  # seed 2 missed one run at 4
    assert not feedback and "smallest width" in feedback.message and "is 8" in feedback.message
    feedback = check_xor_restarts(run, XOR_RESULTS, XOR_WIDER, None)
    assert not feedback and "width 8 solved XOR in every run" in feedback.message


def test_xor_restarts_check_rejects_numbers_that_are_not_the_readers_own():
    forged = {seed: dict(rates) for seed, rates in XOR_RESULTS.items()}
    forged[0][2] = 24 / 30  # the function gives 21 / 30 for seed 0
    feedback = check_xor_restarts(replaying(XOR_RESULTS), forged, XOR_WIDER, 8)
    assert not feedback and "run_xor_restarts(0) gives width 2 the rate 0.7" in feedback.message

    calls = []

    def unseeded(seed):  # draws from the global generator: different numbers every call
        calls.append(seed)
        return XOR_RESULTS[1] if len(calls) > 1 else XOR_RESULTS[0]

    results = {0: XOR_RESULTS[1], 1: XOR_RESULTS[1], 2: XOR_RESULTS[2]}
    feedback = check_xor_restarts(unseeded, results, XOR_WIDER, 8)
    assert not feedback and "make its own generator" in feedback.message


def test_xor_restarts_check_rejects_numbers_no_correct_run_gives():
    every_run = {seed: {2: 1.0, 3: 1.0, 4: 1.0, 8: 1.0} for seed in range(3)}
    feedback = check_xor_restarts(
        replaying(every_run), every_run, "no difference the seeds can show", 2
    )
    assert not feedback and "width 2 solves XOR in a fraction 1.000" in feedback.message
    too_short = {seed: {2: 0.1, 3: 0.2, 4: 0.3, 8: 0.5} for seed in range(3)}
    feedback = check_xor_restarts(replaying(too_short), too_short, XOR_WIDER, None)
    assert not feedback and "between 0.20 and 0.97" in feedback.message
    accuracies = {seed: rates | {2: 0.875} for seed, rates in XOR_RESULTS.items()}
    feedback = check_xor_restarts(replaying(accuracies), accuracies, XOR_WIDER, 8)
    assert not feedback and "k / 30" in feedback.message


def test_xor_restarts_check_on_shapes_and_placeholders():
    run = replaying(XOR_RESULTS)
    two_seeds = {0: XOR_RESULTS[0], 1: XOR_RESULTS[1]}
    assert "three or more seeds" in check_xor_restarts(run, two_seeds, XOR_WIDER, 8).message
    no_width_3 = {seed: {2: r[2], 4: r[4], 8: r[8]} for seed, r in XOR_RESULTS.items()}
    feedback = check_xor_restarts(run, no_width_3, XOR_WIDER, 8)
    assert not feedback and "should have the widths [2, 3, 4, 8]" in feedback.message
    assert "should be a function" in check_xor_restarts(3, XOR_RESULTS, XOR_WIDER, 8).message
    assert not check_xor_restarts(..., ..., ..., ...).answered
    assert not check_xor_restarts(run, ..., XOR_WIDER, 8).answered

    def not_implemented(seed):
        raise NotImplementedError

    assert not check_xor_restarts(not_implemented, XOR_RESULTS, XOR_WIDER, 8).answered
