import functools
import re

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from gensim.models import Word2Vec

from lecturekit.checks import embeddings
from lecturekit.checks.embeddings import (
    WORD_GROUPS,
    check_analogy,
    check_embedding_gradient,
    check_encode,
    check_negative_sampling_loss,
    check_window_experiment,
)
from lecturekit.data.text import news_corpus


def encode(tokens, index):
    ids = []
    for token in tokens:
        if token[0].isdigit():
            token = "NUMBER"
        ids.append(index.get(token, index["OOV"]))
    return ids


def test_encode_check_accepts_numbers_and_oov_and_rejects_forgetting_either():
    assert check_encode(encode)
    assert check_encode(lambda tokens, index: torch.tensor(encode(tokens, index)))

    def forgets_numbers(tokens, index):
        return [index.get(token, index["OOV"]) for token in tokens]

    feedback = check_encode(forgets_numbers)
    assert not feedback and "expected [1, 0, 0, 1, 6]" in feedback.message
    assert not check_encode(lambda tokens, index: [index[t] for t in tokens])  # KeyError
    assert "list of ids" in check_encode(lambda tokens, index: "ids").message


def embedding_gradient(context_ids, grad_x, vocab_size):
    d = grad_x.numel() // context_ids.numel()
    grad_C = torch.zeros(vocab_size, d)
    grad_C.index_add_(0, context_ids, grad_x.view(-1, d))
    return grad_C


def test_embedding_gradient_check_wants_repeated_words_to_accumulate():
    assert check_embedding_gradient(embedding_gradient)

    def overwrites(context_ids, grad_x, vocab_size):
        grad_C = torch.zeros(vocab_size, grad_x.numel() // context_ids.numel())
        grad_C[context_ids] = grad_x.view(len(context_ids), -1)
        return grad_C

    feedback = check_embedding_gradient(overwrites)
    assert not feedback and "[2, 5, 2]" in feedback.message
    assert "shape" in check_embedding_gradient(lambda ids, g, v: g).message


def negative_sampling_loss(v, u_pos, u_neg):
    positive = F.logsigmoid((v * u_pos).sum(1))
    negative = F.logsigmoid(-torch.einsum("bkd,bd->bk", u_neg, v)).sum(1)
    return -(positive + negative).mean()


def test_negative_sampling_check_accepts_the_loss_and_rejects_sign_errors_and_overflow():
    assert check_negative_sampling_loss(negative_sampling_loss)

    def wrong_sign(v, u_pos, u_neg):
        positive = F.logsigmoid((v * u_pos).sum(1))
        negative = F.logsigmoid(torch.einsum("bkd,bd->bk", u_neg, v)).sum(1)
        return -(positive + negative).mean()

    def unstable(v, u_pos, u_neg):
        positive = torch.log(torch.sigmoid((v * u_pos).sum(1)))
        negative = torch.log(torch.sigmoid(-torch.einsum("bkd,bd->bk", u_neg, v))).sum(1)
        return -(positive + negative).mean()

    assert not check_negative_sampling_loss(wrong_sign)
    feedback = check_negative_sampling_loss(unstable)
    assert not feedback and "F.logsigmoid" in feedback.message
    assert "a number" in check_negative_sampling_loss(lambda v, p, n: "loss").message


def analogy(E, a, b, c):
    E = F.normalize(E, dim=1)
    scores = E @ (E[b] - E[a] + E[c])
    scores[[a, b, c]] = -float("inf")
    return int(scores.argmax())


def test_analogy_check_wants_normalised_rows_and_excluded_question_words():
    assert check_analogy(analogy)

    def unnormalised(E, a, b, c):
        scores = E @ (E[b] - E[a] + E[c])
        scores[[a, b, c]] = -float("inf")
        return int(scores.argmax())

    def keeps_question_words(E, a, b, c):
        E = F.normalize(E, dim=1)
        return int((E @ (E[b] - E[a] + E[c])).argmax())

    feedback = check_analogy(unnormalised)
    assert not feedback and "normalise" in feedback.message
    feedback = check_analogy(keeps_question_words)
    assert not feedback and "question words" in feedback.message
    assert "whole number" in check_analogy(lambda E, a, b, c: "queen").message


def test_unanswered_exercises_are_not_errors():
    def unanswered(*args):
        raise NotImplementedError

    for check in (check_encode, check_embedding_gradient, check_analogy):
        feedback = check(unanswered)
        assert not feedback and not feedback.answered
    assert not check_negative_sampling_loss(...).answered


# Exercise 11.5: the window experiment.
TOKEN = re.compile(r"\d+(?:[.,:]\d+)*|[a-z]+|'[a-z]+|[^\s\w]")
DOCS = [
    ["NUMBER" if t[0].isdigit() else t for t in TOKEN.findall(article.lower())]
    for article in news_corpus()
]


def same_group_share(model):
    words = [w for group in WORD_GROUPS.values() for w in group if w in model.wv]
    labels = torch.tensor(
        [g for g, group in enumerate(WORD_GROUPS.values()) for w in group if w in model.wv]
    )
    unit = F.normalize(torch.tensor(model.wv[words]), dim=1)
    similarity = (unit @ unit.T).fill_diagonal_(-2.0)
    return (labels[similarity.argmax(dim=1)] == labels).double().mean().item()


def train(seed, window, **changes):
    options = dict(vector_size=32, min_count=3, sg=1, negative=5, epochs=3, workers=1)
    return Word2Vec(DOCS, window=window, seed=seed, **(options | changes))


@functools.cache
def run_window_experiment(seed, window):
    """The book's solution of exercise 11.5 (remembered: the tests call it many times)."""
    return same_group_share(train(seed, window))


def window_results_of(run, seeds=(0, 1, 2)):
    return {w: {s: run(s, w) for s in seeds} for w in (2, 8)}


@pytest.fixture(scope="module")
def window_results():
    return window_results_of(run_window_experiment)


def test_window_experiment_check_accepts_the_readers_own_numbers_and_conclusion(window_results):
    assert check_window_experiment(run_window_experiment, window_results, "A")
    assert check_window_experiment(run_window_experiment, window_results, " a ")
    as_tensors = {
        float(w): {s: torch.tensor(v) for s, v in r.items()} for w, r in window_results.items()
    }
    assert check_window_experiment(run_window_experiment, as_tensors, "A")
    other = window_results_of(run_window_experiment, seeds=(0, 1, 2, 7))
    assert check_window_experiment(run_window_experiment, other, "A")


def test_window_experiment_check_rejects_a_conclusion_the_numbers_do_not_support(
    window_results,
):
    for wrong in ("B", "C"):
        feedback = check_window_experiment(run_window_experiment, window_results, wrong)
        assert not feedback and feedback.answered
        assert f"do not support {wrong}" in feedback.message and "window 2" in feedback.message
    for not_an_option in ("D", "wider", 8):
        feedback = check_window_experiment(run_window_experiment, window_results, not_an_option)
        assert not feedback and '"A", "B" or "C"' in feedback.message


def test_window_experiment_check_judges_the_conclusion_by_the_readers_numbers(monkeypatch):
    def flat(seed, window):  # a world in which the window made no difference
        return run_window_experiment(seed, 2)

    monkeypatch.setattr(embeddings, "_reference_window_share", flat)
    results = window_results_of(flat)
    assert check_window_experiment(flat, results, "C")
    feedback = check_window_experiment(flat, results, "A")
    assert not feedback and "do not support A" in feedback.message


def test_window_experiment_check_rejects_forged_numbers(window_results):
    forged = {w: {s: v + 1 / 34 for s, v in r.items()} for w, r in window_results.items()}
    feedback = check_window_experiment(run_window_experiment, forged, "A")
    assert not feedback and "now returns" in feedback.message
    one_forged = {w: dict(r) for w, r in window_results.items()}
    one_forged[8][2] += 0.01  # the last entry, which a check drawing one entry could miss
    feedback = check_window_experiment(run_window_experiment, one_forged, "A")
    assert not feedback and "run_window_experiment(2, 8) now returns" in feedback.message

    def in_percent(seed, window):
        return 100 * run_window_experiment(seed, window)

    feedback = check_window_experiment(in_percent, window_results_of(in_percent), "A")
    assert not feedback and "correct runs give between" in feedback.message


def test_window_experiment_check_rejects_a_function_that_ignores_the_seed():
    table = {2: 0.43, 8: 0.62}  # plausible numbers, no experiment
    results = {w: {s: table[w] for s in (0, 1, 2)} for w in table}
    feedback = check_window_experiment(lambda seed, window: table[window], results, "A")
    assert not feedback and feedback.answered and "whatever the seed" in feedback.message


@pytest.mark.parametrize("torch_seed", [0, 1, 2])
def test_window_experiment_check_rejects_looked_up_or_other_recipes(window_results, torch_seed):
    torch.manual_seed(torch_seed)  # the seed the check draws for itself
    means = {w: sum(r.values()) / len(r) for w, r in window_results.items()}

    def looked_up(seed, window):  # the true numbers where the table has them, the mean elsewhere
        return window_results[window].get(seed, means[window])

    feedback = check_window_experiment(looked_up, window_results, "A")
    assert not feedback and "the recipe gives" in feedback.message

    @functools.cache
    def another_seeds(seed, window):  # a real run, but with another seed
        return run_window_experiment(seed + 1, window)

    feedback = check_window_experiment(another_seeds, window_results_of(another_seeds), "A")
    assert not feedback and "the recipe gives" in feedback.message


def test_window_experiment_check_rejects_cbow():
    @functools.cache
    def cbow(seed, window):  # CBOW instead of skip-gram: in range, but another recipe
        return same_group_share(train(seed, window, sg=0))

    torch.manual_seed(0)
    feedback = check_window_experiment(cbow, window_results_of(cbow), "A")
    assert not feedback and "the recipe gives" in feedback.message


def test_window_experiment_check_wants_three_seeds_the_same_for_both_windows(window_results):
    two_seeds = {w: dict(list(r.items())[:2]) for w, r in window_results.items()}
    feedback = check_window_experiment(run_window_experiment, two_seeds, "A")
    assert "at least three seeds" in feedback.message
    shifted = dict(window_results) | {8: window_results_of(run_window_experiment, (0, 1, 2, 3))[8]}
    assert "same seeds" in check_window_experiment(run_window_experiment, shifted, "A").message
    no_eight = {w: r for w, r in window_results.items() if w != 8}
    feedback = check_window_experiment(run_window_experiment, no_eight, "A")
    assert "no entry for window = 8" in feedback.message
    feedback = check_window_experiment(run_window_experiment, [0.5], "A")
    assert "should be a dict" in feedback.message


def test_window_experiment_check_waits_for_every_placeholder(window_results):
    assert not check_window_experiment(..., window_results, "A").answered
    assert not check_window_experiment(run_window_experiment, ..., "A").answered
    assert not check_window_experiment(run_window_experiment, window_results, ...).answered

    def unanswered(seed, window):
        raise NotImplementedError

    assert not check_window_experiment(unanswered, window_results, "A").answered


def test_window_experiment_check_rejects_typed_in_numbers_for_the_tables_seeds_only():
    typed = {2: {0: 0.55, 1: 0.53, 2: 0.56}, 8: {0: 0.50, 1: 0.51, 2: 0.52}}  # in range, says "B"

    def typed_or_real(seed, window):  # real runs on any seed the table does not hold
        return typed[window].get(seed) or run_window_experiment(seed, window)

    torch.manual_seed(0)
    feedback = check_window_experiment(typed_or_real, typed, "B")
    assert not feedback and "the recipe gives" in feedback.message


def test_window_experiment_check_accepts_numpy_seeds_and_wants_0_1_and_2(window_results):
    as_numpy = {w: {np.int64(s): v for s, v in r.items()} for w, r in window_results.items()}
    assert check_window_experiment(run_window_experiment, as_numpy, "A")
    other = window_results_of(run_window_experiment, seeds=(1, 2, 3))
    feedback = check_window_experiment(run_window_experiment, other, "A")
    assert not feedback and "0, 1 and 2" in feedback.message
