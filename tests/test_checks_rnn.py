import functools
import math

import numpy as np
import pytest
import torch
from torch import nn

from lecturekit.checks import rnn as rnn_checks
from lecturekit.checks.rnn import (
    check_chunk_experiment,
    check_perplexity_from_cross_entropy,
    check_rnn_lm_parameter_count,
    check_rnn_step,
    check_scalar_bptt,
)


def rnn_step(x, h_prev, W_hx, W_hh, b):
    return torch.tanh(W_hx @ x + W_hh @ h_prev + b)


def not_implemented(*args):
    raise NotImplementedError


def test_rnn_step_check_accepts_the_cell_and_names_common_mistakes():
    assert check_rnn_step(rnn_step)
    assert check_rnn_step(lambda x, h, W_hx, W_hh, b: torch.tanh(x @ W_hx.T + h @ W_hh.T + b))

    def forgets_tanh(x, h_prev, W_hx, W_hh, b):
        return W_hx @ x + W_hh @ h_prev + b

    def uses_sigmoid(x, h_prev, W_hx, W_hh, b):
        return torch.sigmoid(W_hx @ x + W_hh @ h_prev + b)

    def forgets_bias(x, h_prev, W_hx, W_hh, b):
        return torch.tanh(W_hx @ x + W_hh @ h_prev)

    def forgets_the_past(x, h_prev, W_hx, W_hh, b):
        return torch.tanh(W_hx @ x + b)

    assert "before the tanh" in check_rnn_step(forgets_tanh).message
    assert "sigmoid" in check_rnn_step(uses_sigmoid).message
    assert "bias b is missing" in check_rnn_step(forgets_bias).message
    feedback = check_rnn_step(forgets_the_past)
    assert not feedback and feedback.answered and "h_t for case 1" in feedback.message


def test_rnn_step_check_on_wrong_shapes_types_and_placeholders():
    transposed = check_rnn_step(lambda x, h, W_hx, W_hh, b: torch.tanh(x @ W_hx + h @ W_hh + b))
    assert not transposed and transposed.answered
    assert "tuple" in check_rnn_step(lambda *args: (rnn_step(*args), None)).message
    assert "not str" in check_rnn_step(lambda *args: "h").message
    assert "should be a function" in check_rnn_step(3).message
    assert not check_rnn_step(...).answered
    assert not check_rnn_step(not_implemented).answered


def test_parameter_count_check():
    def count(vocab_size, hidden_size):
        return 2 * vocab_size * hidden_size + hidden_size**2 + hidden_size + vocab_size

    assert check_rnn_lm_parameter_count(count)
    assert check_rnn_lm_parameter_count(lambda V, H: torch.tensor(count(V, H)))
    two_biases = check_rnn_lm_parameter_count(lambda V, H: count(V, H) + H)
    assert not two_biases and "bias_hh" in two_biases.message
    assert (
        "W_hh is missing" in check_rnn_lm_parameter_count(lambda V, H: count(V, H) - H * H).message
    )
    assert "bias is missing" in check_rnn_lm_parameter_count(lambda V, H: count(V, H) - V).message
    assert not check_rnn_lm_parameter_count(lambda V, H: V * H)
    assert "whole number" in check_rnn_lm_parameter_count(lambda V, H: count(V, H) + 0.5).message
    assert "whole number" in check_rnn_lm_parameter_count(lambda V, H: "many").message
    assert not check_rnn_lm_parameter_count(...).answered
    assert not check_rnn_lm_parameter_count(not_implemented).answered


def scalar_rnn_grad(w, u, xs):
    hs = [0.0]
    for x in xs:
        hs.append(math.tanh(w * hs[-1] + u * x))
    grad, dh = 0.0, 1.0
    for t in range(len(xs), 0, -1):
        da = dh * (1 - hs[t] ** 2)
        grad += da * hs[t - 1]
        dh = da * w
    return grad


def test_scalar_bptt_check_accepts_bptt_and_rejects_the_last_step_only():
    assert check_scalar_bptt(scalar_rnn_grad)

    def with_autograd(w, u, xs):
        w = torch.tensor(w, requires_grad=True, dtype=torch.float64)
        h = torch.zeros((), dtype=torch.float64)
        for x in xs:
            h = torch.tanh(w * h + u * x)
        h.backward()
        return w.grad

    assert check_scalar_bptt(with_autograd)

    def last_step_only(w, u, xs):
        hs = [0.0]
        for x in xs:
            hs.append(math.tanh(w * hs[-1] + u * x))
        return (1 - hs[-1] ** 2) * hs[-2]

    feedback = check_scalar_bptt(last_step_only)
    assert not feedback and "only the last step" in feedback.message
    assert not check_scalar_bptt(lambda w, u, xs: 0.0)
    assert "should be a number" in check_scalar_bptt(lambda w, u, xs: [1.0, 2.0]).message
    assert not check_scalar_bptt(...).answered
    assert not check_scalar_bptt(not_implemented).answered


def test_perplexity_check():
    assert check_perplexity_from_cross_entropy(math.exp)
    assert check_perplexity_from_cross_entropy(lambda ce: torch.exp(torch.as_tensor(ce)))
    assert "bits" in check_perplexity_from_cross_entropy(lambda ce: 2**ce).message
    assert "natural" in check_perplexity_from_cross_entropy(lambda ce: 10**ce).message
    feedback = check_perplexity_from_cross_entropy(lambda ce: ce)
    assert not feedback and feedback.answered
    assert "should be a number" in check_perplexity_from_cross_entropy(lambda ce: "e").message
    assert not check_perplexity_from_cross_entropy(...).answered
    assert not check_perplexity_from_cross_entropy(not_implemented).answered


def lag_streams(num_streams, length, generator, lag=4, p_copy=0.8):
    ids = torch.randint(0, 4, (num_streams, length), generator=generator)
    copy = torch.rand(num_streams, length, generator=generator) < p_copy
    for t in range(lag, length):
        ids[:, t] = torch.where(copy[:, t], ids[:, t - lag], ids[:, t])
    return ids


class RNNLanguageModel(nn.Module):
    def __init__(self, vocab_size, hidden_size):
        super().__init__()
        self.embed = nn.Embedding(vocab_size, hidden_size)
        self.rnn = nn.RNN(hidden_size, hidden_size, batch_first=True)
        self.out = nn.Linear(hidden_size, vocab_size)

    def forward(self, ids, h=None):
        states, h = self.rnn(self.embed(ids), h)
        return self.out(states), h


CHUNK_LEARNING_RATES = {3: 0.003, 12: 0.03}


def chunk_recipe(seed, chunk_len, *, clip=1.0, data_seed=None, evaluate_in_chunks=False):
    """The book's solution of exercise 12.5, with the variations the tests need."""
    torch.manual_seed(seed)
    generator = torch.Generator().manual_seed(seed if data_seed is None else data_seed)
    train, val = lag_streams(64, 200, generator), lag_streams(16, 200, generator)
    model = RNNLanguageModel(4, 16)
    optimizer = torch.optim.Adam(model.parameters(), lr=CHUNK_LEARNING_RATES[chunk_len])
    for _ in range(3):
        h = None
        for start in range(0, train.shape[1] - 1, chunk_len):
            y = train[:, start + 1 : start + 1 + chunk_len]
            x = train[:, start : start + y.shape[1]]
            if h is not None:
                h = h.detach()
            scores, h = model(x, h)
            loss = nn.functional.cross_entropy(scores.reshape(-1, 4), y.reshape(-1))
            optimizer.zero_grad()
            loss.backward()
            if clip is not None:
                nn.utils.clip_grad_norm_(model.parameters(), max_norm=clip)
            optimizer.step()
    with torch.no_grad():
        if evaluate_in_chunks:  # the same numbers, read chunk by chunk with the state carried
            total, h = 0.0, None
            for start in range(0, val.shape[1] - 1, chunk_len):
                y = val[:, start + 1 : start + 1 + chunk_len]
                scores, h = model(val[:, start : start + y.shape[1]], h)
                total += nn.functional.cross_entropy(
                    scores.reshape(-1, 4), y.reshape(-1), reduction="sum"
                ).item()
            return math.exp(total / val[:, 1:].numel())
        scores, _ = model(val[:, :-1])
        loss = nn.functional.cross_entropy(scores.reshape(-1, 4), val[:, 1:].reshape(-1))
    return math.exp(loss.item())


def run_chunk_experiment(seed, chunk_len):
    return chunk_recipe(seed, chunk_len)


@functools.lru_cache(maxsize=64)
def cached_run(seed, chunk_len):  # the same function, run once per input in this module
    return chunk_recipe(seed, chunk_len)


def chunk_results_of(run, seeds=(0, 1, 2)):
    return {n: {s: run(s, n) for s in seeds} for n in (3, 12)}


@pytest.fixture(scope="module")
def chunk_results():
    return chunk_results_of(cached_run)


def test_chunk_experiment_check_accepts_the_readers_own_numbers_and_conclusion(chunk_results):
    torch.manual_seed(0)
    assert check_chunk_experiment(run_chunk_experiment, chunk_results, "A")
    assert check_chunk_experiment(cached_run, chunk_results, " a ")
    as_tensors = {
        float(n): {s: torch.tensor(v) for s, v in r.items()} for n, r in chunk_results.items()
    }
    assert check_chunk_experiment(cached_run, as_tensors, "A")
    assert all(chunk_results[12][s] < 0.95 * chunk_results[3][s] for s in (0, 1, 2))


def test_chunk_experiment_check_accepts_other_seeds_and_an_equivalent_evaluation():
    assert check_chunk_experiment(cached_run, chunk_results_of(cached_run, (0, 1, 2, 7)), "A")

    def in_chunks(seed, chunk_len):
        return chunk_recipe(seed, chunk_len, evaluate_in_chunks=True)

    torch.manual_seed(1)
    assert check_chunk_experiment(in_chunks, chunk_results_of(in_chunks), "A")


def test_chunk_experiment_check_rejects_a_conclusion_the_numbers_do_not_support(chunk_results):
    for wrong in ("B", "C"):
        feedback = check_chunk_experiment(cached_run, chunk_results, wrong)
        assert not feedback and feedback.answered
        assert f"do not support {wrong}" in feedback.message and "seed 2:" in feedback.message
    for not_an_option in ("D", "longer", 12):
        feedback = check_chunk_experiment(cached_run, chunk_results, not_an_option)
        assert not feedback and '"A", "B" or "C"' in feedback.message


def test_chunk_experiment_check_judges_the_conclusion_by_the_readers_numbers(monkeypatch):
    def same_length(seed, chunk_len):  # numbers in range that support B: both lengths alike
        return cached_run(seed, 12) * (1.02 if chunk_len == 3 else 1.0)

    # A world in which the recipe itself gave the same perplexity for both lengths, so that
    # only the conclusion is judged here.
    monkeypatch.setattr(rnn_checks, "_reference_chunk_perplexity", same_length)
    results = chunk_results_of(same_length)
    assert check_chunk_experiment(same_length, results, "B")
    feedback = check_chunk_experiment(same_length, results, "A")
    assert not feedback and "do not support A" in feedback.message


def test_chunk_experiment_check_rejects_forged_numbers(chunk_results):
    forged = {n: {s: v * 0.9 for s, v in r.items()} for n, r in chunk_results.items()}
    feedback = check_chunk_experiment(cached_run, forged, "A")
    assert not feedback and "now returns" in feedback.message

    def cross_entropy_instead(seed, chunk_len):  # forgets the exp
        return math.log(cached_run(seed, chunk_len))

    results = chunk_results_of(cross_entropy_instead)
    feedback = check_chunk_experiment(cross_entropy_instead, results, "A")
    assert not feedback and "correct runs give between" in feedback.message


def test_chunk_experiment_check_rejects_typed_in_numbers_for_the_tables_seeds_only():
    typed_in = {3: {0: 2.10, 1: 2.05, 2: 2.20}, 12: {0: 2.50, 1: 2.45, 2: 2.60}}  # says "C"

    def typed_in_or_recipe(seed, chunk_len):  # real runs on any seed the table does not hold
        return typed_in[chunk_len].get(seed) or cached_run(seed, chunk_len)

    feedback = check_chunk_experiment(typed_in_or_recipe, typed_in, "C")
    assert not feedback and "the recipe gives" in feedback.message


def test_chunk_experiment_check_takes_numpy_integers_as_seeds_and_lengths(chunk_results):
    as_numpy = {
        np.int64(n): {np.int64(s): v for s, v in r.items()} for n, r in chunk_results.items()
    }
    assert check_chunk_experiment(cached_run, as_numpy, "A")


def test_chunk_experiment_check_reruns_every_entry(chunk_results):
    one_forged = {n: dict(r) for n, r in chunk_results.items()}
    one_forged[12][2] *= 0.99  # the last entry, which a check drawing one entry could miss
    feedback = check_chunk_experiment(cached_run, one_forged, "A")
    assert not feedback and "run_chunk_experiment(2, 12) now returns" in feedback.message


def test_chunk_experiment_check_rejects_an_unseeded_function():
    def unseeded(seed, chunk_len):  # other initial weights at every call
        generator = torch.Generator().manual_seed(int(torch.randint(0, 2**31, ())))
        return 2.2 + 0.3 * torch.rand((), generator=generator).item() + (chunk_len == 3)

    feedback = check_chunk_experiment(unseeded, chunk_results_of(unseeded), "A")
    assert not feedback and "now returns" in feedback.message


def test_chunk_experiment_check_rejects_a_function_that_ignores_the_seed():
    table = {3: 3.4, 12: 2.1}  # plausible numbers, no experiment
    results = {n: {s: table[n] for s in (0, 1, 2)} for n in table}
    feedback = check_chunk_experiment(lambda seed, n: table[n], results, "A")
    assert not feedback and feedback.answered and "whatever the seed" in feedback.message


@pytest.mark.parametrize("torch_seed", [0, 1, 2])
def test_chunk_experiment_check_rejects_a_looked_up_table(chunk_results, torch_seed):
    torch.manual_seed(torch_seed)  # the seed the check draws for itself
    means = {n: sum(r.values()) / len(r) for n, r in chunk_results.items()}

    def looked_up(seed, n):  # the true numbers where the table has them, the mean elsewhere
        return chunk_results[n].get(seed, means[n])

    feedback = check_chunk_experiment(looked_up, chunk_results, "A")
    assert not feedback and "but the recipe gives" in feedback.message

    def another_seeds_streams(seed, n):  # a real run, but on the streams of another seed
        return chunk_recipe(seed, n, data_seed=seed + 1)

    torch.manual_seed(torch_seed)
    results = chunk_results_of(another_seeds_streams)
    feedback = check_chunk_experiment(another_seeds_streams, results, "A")
    assert not feedback and "but the recipe gives" in feedback.message


def test_chunk_experiment_check_rejects_another_recipe(monkeypatch):
    def one_learning_rate(seed, chunk_len):  # 0.01 for both lengths instead of their own
        with monkeypatch.context() as patch:
            patch.setitem(CHUNK_LEARNING_RATES, chunk_len, 0.01)
            return chunk_recipe(seed, chunk_len)

    torch.manual_seed(0)
    results = chunk_results_of(one_learning_rate)
    feedback = check_chunk_experiment(one_learning_rate, results, "A")
    assert not feedback and "but the recipe gives" in feedback.message


def test_chunk_experiment_check_rejects_numbers_typed_in_for_the_tables_seeds():
    typed_in = {3: {0: 3.0, 1: 3.05, 2: 2.9}, 12: {0: 2.9, 1: 2.95, 2: 2.8}}  # as if B held

    def forged(seed, chunk_len):  # the typed-in numbers for the table's seeds, real runs elsewhere
        return typed_in[chunk_len].get(seed) or cached_run(seed, chunk_len)

    feedback = check_chunk_experiment(forged, typed_in, "B")
    assert not feedback and "follow the recipe for every seed" in feedback.message


def test_chunk_experiment_check_accepts_numpy_seeds_and_wants_0_1_and_2(chunk_results):
    as_numpy = {n: {np.int64(s): v for s, v in r.items()} for n, r in chunk_results.items()}
    assert check_chunk_experiment(cached_run, as_numpy, "A")
    feedback = check_chunk_experiment(cached_run, chunk_results_of(cached_run, (7, 8, 9)), "A")
    assert not feedback and "0, 1 and 2" in feedback.message


def test_chunk_experiment_check_wants_three_seeds_the_same_for_both_lengths(chunk_results):
    two_seeds = {n: dict(list(r.items())[:2]) for n, r in chunk_results.items()}
    feedback = check_chunk_experiment(cached_run, two_seeds, "A")
    assert "at least three seeds" in feedback.message
    shifted = dict(chunk_results) | {12: chunk_results_of(cached_run, (0, 1, 2, 3))[12]}
    assert "same seeds" in check_chunk_experiment(cached_run, shifted, "A").message
    only_short = {3: chunk_results[3]}
    assert (
        "no entry for chunk_len = 12" in check_chunk_experiment(cached_run, only_short, "A").message
    )
    assert "should be a dict" in check_chunk_experiment(cached_run, [3.4], "A").message


def test_chunk_experiment_check_waits_for_every_placeholder(chunk_results):
    assert not check_chunk_experiment(..., chunk_results, "A").answered
    assert not check_chunk_experiment(cached_run, ..., "A").answered
    assert not check_chunk_experiment(cached_run, chunk_results, ...).answered
    assert not check_chunk_experiment(not_implemented, chunk_results, "A").answered
