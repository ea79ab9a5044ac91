import inspect
import re

import numpy as np
import torch
import torch.nn.functional as F

from lecturekit.checks.activations import (
    _reference_sigmoid_gain,
    check_cross_entropy_from_logits,
    check_elu_derivative_from_output,
    check_sigmoid_gain_experiment,
    check_sigmoid_slope,
    check_stable_softmax,
)


def names_number(source: str, number: int) -> bool:
    """Whether ``source`` has ``number`` as a number of its own (14, 30_840 or 30,840)."""
    spellings = "|".join(re.escape(s) for s in {str(number), f"{number:_}", f"{number:,}"})
    return re.search(rf"(?<![\w.,])(?:{spellings})(?![\w]|[.,]\d)", source) is not None


def test_elu_derivative_check_accepts_the_rule_and_rejects_common_mistakes():
    def from_output(y, alpha):
        return torch.where(y > 0, torch.ones_like(y), y + alpha)

    def treats_y_as_the_input(y, alpha):
        return torch.where(y > 0, torch.ones_like(y), alpha * torch.exp(y))

    def forgets_alpha(y, alpha):
        return torch.where(y > 0, torch.ones_like(y), y + 1)

    def returns_a_list(y, alpha):
        return from_output(y, alpha).tolist()

    assert check_elu_derivative_from_output(from_output)
    for wrong in (treats_y_as_the_input, forgets_alpha):
        feedback = check_elu_derivative_from_output(wrong)
        assert not feedback and feedback.answered and "alpha=" in feedback.message
    feedback = check_elu_derivative_from_output(returns_a_list)
    assert "should return a tensor, not list" in feedback.message
    assert "should be a function" in check_elu_derivative_from_output(0.25).message


def test_elu_derivative_check_says_not_answered_for_the_placeholder_and_unwritten_body():
    def unwritten(y, alpha):
        raise NotImplementedError

    assert not check_elu_derivative_from_output(...).answered
    assert not check_elu_derivative_from_output(unwritten).answered


def test_softmax_check_accepts_a_stable_softmax_and_rejects_the_naive_one():
    def stable_softmax(z):
        e = torch.exp(z - z.max(dim=-1, keepdim=True).values)
        return e / e.sum(dim=-1, keepdim=True)

    def naive_softmax(z):
        return torch.exp(z) / torch.exp(z).sum(dim=-1, keepdim=True)

    def wrong_dimension(z):
        e = torch.exp(z - z.max())
        return e / e.sum(dim=0, keepdim=True)

    assert check_stable_softmax(stable_softmax)
    assert check_stable_softmax(lambda z: torch.softmax(z, dim=-1))
    assert "inf or nan" in check_stable_softmax(naive_softmax).message
    assert "last dimension" in check_stable_softmax(wrong_dimension).message
    identity = check_stable_softmax(lambda z: z)
    assert not identity and identity.answered
    assert not check_stable_softmax(...).answered


def test_cross_entropy_check_wants_the_stable_mean_over_the_batch():
    def cross_entropy(logits, targets):
        picked = logits[torch.arange(len(targets)), targets]
        return (torch.logsumexp(logits, dim=1) - picked).mean()

    def summed(logits, targets):
        return cross_entropy(logits, targets) * len(targets)

    def naive(logits, targets):
        probabilities = torch.exp(logits) / torch.exp(logits).sum(dim=1, keepdim=True)
        return -torch.log(probabilities[torch.arange(len(targets)), targets]).mean()

    assert check_cross_entropy_from_logits(cross_entropy)
    assert check_cross_entropy_from_logits(F.cross_entropy)
    assert "the mean" in check_cross_entropy_from_logits(summed).message
    feedback = check_cross_entropy_from_logits(naive)
    assert not feedback and "finite" in feedback.message
    assert "should be a number" in check_cross_entropy_from_logits(lambda z, t: "low").message
    assert not check_cross_entropy_from_logits(...).answered


def test_sigmoid_slope_check():
    assert check_sigmoid_slope(0.25, 10)
    assert check_sigmoid_slope(torch.tensor(0.25), torch.tensor(10))
    assert "value at x = 0" in check_sigmoid_slope(0.5, 10).message
    assert "tanh" in check_sigmoid_slope(1, 10).message
    assert "still above" in check_sigmoid_slope(0.25, 9).message
    assert not check_sigmoid_slope(0.25, 12)
    assert "whole number" in check_sigmoid_slope(0.25, 9.5).message
    assert "should be a number" in check_sigmoid_slope("1/4", 10).message
    assert not check_sigmoid_slope(..., ...).answered
    assert not check_sigmoid_slope(0.25, ...).answered


def test_the_number_of_layers_is_not_in_the_source():
    assert not names_number(inspect.getsource(check_sigmoid_slope), 10)


def sigmoid_net(depth, width):
    sizes = [64] + [width] * (depth - 1) + [10]
    layers = []
    for i in range(depth):
        layers.append(torch.nn.Linear(sizes[i], sizes[i + 1]))
        if i < depth - 1:
            layers.append(torch.nn.Sigmoid())
    return torch.nn.Sequential(*layers)


# The book's solution of exercise 4.5, as the check's own reference runs it.
run_sigmoid_gain = _reference_sigmoid_gain


def gain_results_of(run, seeds=(0, 1, 2)):
    return {gain: {s: run(s, gain) for s in seeds} for gain in (1, 4, 16)}


def test_gain_experiment_check_accepts_the_readers_own_run_and_its_conclusion():
    results = gain_results_of(run_sigmoid_gain)
    assert check_sigmoid_gain_experiment(run_sigmoid_gain, results, "B")
    assert check_sigmoid_gain_experiment(run_sigmoid_gain, results, " b ")
    other_seeds = gain_results_of(run_sigmoid_gain, seeds=(0, 1, 2, 5))
    assert check_sigmoid_gain_experiment(run_sigmoid_gain, other_seeds, "B")
    as_floats = {float(g): {s: torch.tensor(v) for s, v in r.items()} for g, r in results.items()}
    assert check_sigmoid_gain_experiment(run_sigmoid_gain, as_floats, "B")


def test_gain_experiment_check_rejects_a_conclusion_the_numbers_do_not_support():
    results = gain_results_of(run_sigmoid_gain)
    for wrong in ("A", "C"):
        feedback = check_sigmoid_gain_experiment(run_sigmoid_gain, results, wrong)
        assert not feedback and feedback.answered
        assert f"do not support {wrong}" in feedback.message and "at the gain 1" in feedback.message
    for not_an_option in ("D", "larger weights help", 2):
        feedback = check_sigmoid_gain_experiment(run_sigmoid_gain, results, not_an_option)
        assert not feedback and '"A", "B" or "C"' in feedback.message


def test_gain_experiment_check_rejects_numbers_the_function_does_not_give():
    results = gain_results_of(run_sigmoid_gain)
    forged = {
        g: {s: (r * 10, m) for s, (r, m) in by_seed.items()} for g, by_seed in results.items()
    }
    feedback = check_sigmoid_gain_experiment(run_sigmoid_gain, forged, "B")
    assert not feedback and "now returns the ratio" in feedback.message

    def forged_run(seed, gain):  # numbers that would support A, from a function that fakes them
        return 1e-3 / gain * (1 + seed / 10), 0.2

    feedback = check_sigmoid_gain_experiment(forged_run, gain_results_of(forged_run), "A")
    assert not feedback and "correct runs give between" in feedback.message


# Typed-in numbers of the right size, from a function that ignores its inputs.
CANNED = {1: (3e-6, 0.23), 4: (3e-3, 0.13), 16: (1.0, 0.035)}


def test_gain_experiment_check_rejects_a_function_that_ignores_its_seed():
    def canned(seed, gain):
        return CANNED[gain]

    feedback = check_sigmoid_gain_experiment(canned, gain_results_of(canned), "B")
    assert not feedback and feedback.answered and "same ratio" in feedback.message


def test_gain_experiment_check_rejects_a_table_looked_up():
    results = gain_results_of(run_sigmoid_gain)

    def looks_up(seed, gain):  # gives the table back, and knows no other seed
        return results[gain][seed]

    feedback = check_sigmoid_gain_experiment(looks_up, results, "B")
    assert not feedback and "seed of its own" in feedback.message and "KeyError" in feedback.message


def test_gain_experiment_check_rejects_a_function_that_fakes_other_seeds():
    results = gain_results_of(run_sigmoid_gain)

    def fakes_other_seeds(seed, gain):  # the real numbers for the table, made up elsewhere
        if seed in results[gain]:
            return results[gain][seed]
        return CANNED[gain][0] * 100, 0.05

    feedback = check_sigmoid_gain_experiment(fakes_other_seeds, results, "B")
    assert not feedback and "a correct run on that seed gives" in feedback.message


def test_gain_experiment_check_accepts_a_correct_run_that_draws_in_another_order():
    def batch_first(seed, gain):
        torch.manual_seed(seed)
        X, y = torch.randn(64, 64), torch.randint(0, 10, (64,))
        net = sigmoid_net(10, 32)
        linear = [layer for layer in net if isinstance(layer, torch.nn.Linear)]
        with torch.no_grad():
            for layer in linear:
                layer.weight.copy_(torch.randn_like(layer.weight) * gain / layer.in_features**0.5)
                layer.bias.zero_()
        h, slopes = X, []
        for layer in net:
            h = layer(h)
            if isinstance(layer, torch.nn.Sigmoid):
                slopes.append((h * (1 - h)).flatten())
        F.cross_entropy(h, y).backward()
        ratio = linear[0].weight.grad.norm() / linear[-1].weight.grad.norm()
        return ratio.item(), torch.cat(slopes).mean().item()

    for seeds in [(0, 1, 2), (0, 1, 2, 10, 11, 12), (0, 1, 2, 3, 50, 700)]:
        assert check_sigmoid_gain_experiment(batch_first, gain_results_of(batch_first, seeds), "B")


def test_gain_experiment_check_leaves_the_global_random_state_alone():
    results = gain_results_of(run_sigmoid_gain)
    torch.manual_seed(123)
    before = torch.get_rng_state()
    assert check_sigmoid_gain_experiment(run_sigmoid_gain, results, "B")
    assert torch.equal(torch.get_rng_state(), before)
    torch.manual_seed(123)
    payload = check_sigmoid_gain_experiment.probe(run_sigmoid_gain, results, "B")
    assert torch.equal(torch.get_rng_state(), before)
    assert check_sigmoid_gain_experiment.judge(payload)
    assert torch.equal(torch.get_rng_state(), before)


def test_in_range_numbers_support_only_b():
    # Why step (3) is decided by step (2): at the ends of the accepted ranges, A and C fail.
    from lecturekit.checks.activations import _GAIN_RANGES

    ratios = {g: _GAIN_RANGES[g][0] for g in (1, 4, 16)}  # (lowest, highest)
    assert ratios[1][1] <= ratios[4][0] and 10 * ratios[1][1] < ratios[16][0]
    slopes = [_GAIN_RANGES[g][1] for g in (1, 4, 16)]
    assert slopes[0][0] > slopes[1][1] and slopes[1][0] > slopes[2][1]


def test_gain_experiment_check_names_common_mistakes():
    def variance_instead_of_std(seed, gain):
        return run_sigmoid_gain(seed, gain**2)

    def last_over_first(seed, gain):
        ratio, slope = run_sigmoid_gain(seed, gain)
        return 1 / ratio, slope

    for mistake in (variance_instead_of_std, last_over_first):
        feedback = check_sigmoid_gain_experiment(mistake, gain_results_of(mistake), "B")
        assert not feedback and "correct runs give between" in feedback.message

    def forgets_the_seed(seed, gain):
        return run_sigmoid_gain(int(torch.randint(1000, ())), gain)

    feedback = check_sigmoid_gain_experiment(
        forgets_the_seed, gain_results_of(forgets_the_seed), "B"
    )
    assert not feedback and "torch.manual_seed(seed)" in feedback.message


def test_gain_experiment_check_wants_three_seeds_for_each_gain_and_pairs_of_numbers():
    results = gain_results_of(run_sigmoid_gain)
    two_seeds = {g: dict(list(r.items())[:2]) for g, r in results.items()}
    assert (
        "at least three seeds"
        in check_sigmoid_gain_experiment(run_sigmoid_gain, two_seeds, "B").message
    )
    no_16 = {g: r for g, r in results.items() if g != 16}
    assert (
        "no entry for the gain 16"
        in check_sigmoid_gain_experiment(run_sigmoid_gain, no_16, "B").message
    )
    mixed = dict(results) | {4: gain_results_of(run_sigmoid_gain, seeds=(0, 1, 2, 3))[4]}
    assert "same seeds" in check_sigmoid_gain_experiment(run_sigmoid_gain, mixed, "B").message
    ratios_only = {g: {s: v[0] for s, v in r.items()} for g, r in results.items()}
    assert (
        "two numbers" in check_sigmoid_gain_experiment(run_sigmoid_gain, ratios_only, "B").message
    )
    assert (
        "should be a dict"
        in check_sigmoid_gain_experiment(run_sigmoid_gain, [1, 2, 3], "B").message
    )
    assert "should be a function" in check_sigmoid_gain_experiment(0.5, results, "B").message


def test_gain_experiment_check_says_not_answered_for_placeholders():
    results = gain_results_of(run_sigmoid_gain)

    def unwritten(seed, gain):
        raise NotImplementedError

    assert not check_sigmoid_gain_experiment(..., ..., ...).answered
    assert not check_sigmoid_gain_experiment(run_sigmoid_gain, ..., ...).answered
    assert not check_sigmoid_gain_experiment(run_sigmoid_gain, results, ...).answered
    assert not check_sigmoid_gain_experiment(unwritten, results, "B").answered


def test_gain_experiment_check_judges_the_same_from_the_data_alone():
    import json

    results = gain_results_of(run_sigmoid_gain)
    payload = json.loads(
        json.dumps(check_sigmoid_gain_experiment.probe(run_sigmoid_gain, results, "B"))
    )
    assert check_sigmoid_gain_experiment.judge(payload)


def test_gain_experiment_check_rejects_numbers_typed_in_for_the_tables_seeds():
    # In the accepted ranges, but not what the network of any of these seeds gives.
    typed_in = {1: (9e-5, 0.245), 4: (0.2, 0.09), 16: (0.05, 0.05)}
    # A little different for every seed, so that "the same ratio" does not catch it first.
    table = {g: {s: (r * (1 - s / 100), m) for s in (0, 1, 2)} for g, (r, m) in typed_in.items()}

    def forged_per_seed(seed, gain):  # the typed-in numbers for the table, real runs elsewhere
        return table[gain][seed] if seed in table[gain] else run_sigmoid_gain(seed, gain)

    feedback = check_sigmoid_gain_experiment(forged_per_seed, table, "B")
    assert not feedback and "does your function follow the task for every seed" in feedback.message


def test_gain_experiment_check_accepts_numpy_seeds_and_wants_the_seeds_0_1_and_2():
    results = gain_results_of(run_sigmoid_gain)
    as_numpy = {g: {np.int64(s): v for s, v in r.items()} for g, r in results.items()}
    assert check_sigmoid_gain_experiment(run_sigmoid_gain, as_numpy, "B")
    later = gain_results_of(run_sigmoid_gain, seeds=(5, 6, 7))
    feedback = check_sigmoid_gain_experiment(run_sigmoid_gain, later, "B")
    assert not feedback and "0, 1 and 2" in feedback.message
