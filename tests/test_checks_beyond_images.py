import math
from functools import partial

import numpy as np
import pytest
import torch
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.linear_model import LogisticRegression

from lecturekit.checks import beyond_images
from lecturekit.checks.beyond_images import (
    check_kim_num_parameters,
    check_masked_max_over_time,
    check_ngram_experiment,
    check_num_windows,
    check_octave_shift,
)
from lecturekit.data.grammar import reviews as generate_reviews


def test_num_windows_check_accepts_the_formula_and_names_a_wrong_case():
    assert check_num_windows(lambda n, h, p: max(n + 2 * p - h + 1, 0))
    feedback = check_num_windows(lambda n, h, p: n + p - h + 1)  # padding on one side only
    assert not feedback and feedback.answered and "num_windows(6, 3, 2)" in feedback.message
    assert not check_num_windows(lambda n, h, p: n - h + 1)  # forgets the padding
    assert "whole number" in check_num_windows(lambda n, h, p: "four").message
    assert "function" in check_num_windows(4).message
    assert not check_num_windows(...).answered


def test_masked_max_check():
    def right(scores, lengths):
        valid = torch.arange(scores.shape[2])[None, :] < lengths[:, None]
        return scores.masked_fill(~valid[:, None, :], float("-inf")).amax(dim=2)

    def ignores_the_mask(scores, lengths):
        return scores.amax(dim=2)

    def fills_with_zero(scores, lengths):
        valid = torch.arange(scores.shape[2])[None, :] < lengths[:, None]
        return scores.masked_fill(~valid[:, None, :], 0.0).amax(dim=2)

    assert check_masked_max_over_time(right)
    assert not check_masked_max_over_time(ignores_the_mask)
    feedback = check_masked_max_over_time(fills_with_zero)
    assert not feedback and feedback.answered
    assert "tensor" in check_masked_max_over_time(lambda s, n: [1.0]).message

    def unanswered(scores, lengths):
        raise NotImplementedError

    assert not check_masked_max_over_time(unanswered).answered


def test_kim_parameter_check():
    def right(vocab_size, embedding_dim, widths, num_filters, num_classes):
        convs = sum(num_filters * (embedding_dim * h + 1) for h in widths)
        return vocab_size * embedding_dim + convs + num_classes * (num_filters * len(widths) + 1)

    def forgets_biases(vocab_size, embedding_dim, widths, num_filters, num_classes):
        convs = sum(num_filters * embedding_dim * h for h in widths)
        return vocab_size * embedding_dim + convs + num_classes * num_filters * len(widths)

    assert check_kim_num_parameters(right)
    assert right(18765, 300, (3, 4, 5), 100, 2) == 5_990_402
    feedback = check_kim_num_parameters(forgets_biases)
    assert not feedback and "5,990,402" in feedback.message
    assert "whole number" in check_kim_num_parameters(lambda *sizes: 1.5).message
    assert not check_kim_num_parameters(...).answered


def test_octave_shift_check():
    assert check_octave_shift(41 / math.log2(32))
    assert check_octave_shift(torch.tensor(8.2))
    assert "41" in check_octave_shift(8.0).message
    assert not check_octave_shift(12.0)
    assert "number" in check_octave_shift("8.2").message
    assert not check_octave_shift(...).answered


def ngrams(tokens, n):
    """Every run of 1 to n consecutive words, joined by spaces."""
    return [
        " ".join(tokens[i : i + k]) for k in range(1, n + 1) for i in range(len(tokens) - k + 1)
    ]


def run_ngram_baseline(seed, n):
    """The book's solution of exercise 10.5."""
    data = generate_reviews(1000, seed=seed)
    words, labels = [w for w, _ in data], [label for _, label in data]

    vectorizer = CountVectorizer(analyzer=partial(ngrams, n=n), binary=True)
    classifier = LogisticRegression(max_iter=1000)
    classifier.fit(vectorizer.fit_transform(words[:800]), labels[:800])
    return float(classifier.score(vectorizer.transform(words[800:]), labels[800:]))


def ngram_results_of(run, seeds=(0, 1, 2)):
    return {n: {s: run(s, n) for s in seeds} for n in (1, 2, 3)}


@pytest.fixture(scope="module")
def ngram_results():
    return ngram_results_of(run_ngram_baseline)


def test_ngram_experiment_check_accepts_the_readers_own_numbers_and_conclusion(ngram_results):
    assert check_ngram_experiment(run_ngram_baseline, ngram_results, "A")
    assert check_ngram_experiment(run_ngram_baseline, ngram_results, " a ")
    as_tensors = {
        float(n): {s: torch.tensor(v) for s, v in r.items()} for n, r in ngram_results.items()
    }
    assert check_ngram_experiment(run_ngram_baseline, as_tensors, "A")


def test_ngram_experiment_check_accepts_other_seeds():
    other = ngram_results_of(run_ngram_baseline, seeds=(0, 1, 2, 7))
    assert check_ngram_experiment(run_ngram_baseline, other, "A")


def test_ngram_experiment_check_rejects_a_conclusion_the_numbers_do_not_support(ngram_results):
    for wrong in ("B", "C"):
        feedback = check_ngram_experiment(run_ngram_baseline, ngram_results, wrong)
        assert not feedback and feedback.answered
        assert f"do not support {wrong}" in feedback.message and "(n = 1)" in feedback.message
    for not_an_option in ("D", "bigrams", 2):
        feedback = check_ngram_experiment(run_ngram_baseline, ngram_results, not_an_option)
        assert not feedback and '"A", "B" or "C"' in feedback.message


def test_ngram_experiment_check_judges_the_conclusion_by_the_readers_numbers(
    ngram_results, monkeypatch
):
    def flat(seed, n):  # numbers in range that would support C: no gain from 2 to 3
        return run_ngram_baseline(seed, min(n, 2))

    # A world in which the recipe itself gave no gain from 2 to 3, so that only the conclusion
    # is judged here.
    monkeypatch.setattr(beyond_images, "_reference_ngram_accuracy", flat)
    results = ngram_results_of(flat)
    assert check_ngram_experiment(flat, results, "C")
    feedback = check_ngram_experiment(flat, results, "A")
    assert not feedback and "do not support A" in feedback.message


def test_ngram_experiment_check_rejects_forged_numbers(ngram_results):
    forged = {n: {s: min(v + 0.05, 0.8) for s, v in r.items()} for n, r in ngram_results.items()}
    feedback = check_ngram_experiment(run_ngram_baseline, forged, "A")
    assert not feedback and "now returns" in feedback.message

    def scored_on_the_training_reviews(seed, n):
        data = generate_reviews(1000, seed=seed)
        words, labels = [w for w, _ in data], [label for _, label in data]
        vectorizer = CountVectorizer(analyzer=partial(ngrams, n=n), binary=True)
        A = vectorizer.fit_transform(words[:800])
        return float(LogisticRegression(max_iter=1000).fit(A, labels[:800]).score(A, labels[:800]))

    results = ngram_results_of(scored_on_the_training_reviews)
    feedback = check_ngram_experiment(scored_on_the_training_reviews, results, "A")
    assert not feedback and "correct runs give between" in feedback.message


def test_ngram_experiment_check_reruns_every_entry(ngram_results):
    one_forged = {n: dict(r) for n, r in ngram_results.items()}
    one_forged[3][2] += 0.01  # the last seed, which a check drawing one seed could miss
    feedback = check_ngram_experiment(run_ngram_baseline, one_forged, "A")
    assert not feedback and "run_ngram_baseline(2, 3) now returns" in feedback.message


def test_ngram_experiment_check_rejects_a_function_that_ignores_the_seed():
    table = {1: 0.52, 2: 0.66, 3: 0.72}  # plausible numbers, no experiment
    results = {n: {s: table[n] for s in (0, 1, 2)} for n in table}
    feedback = check_ngram_experiment(lambda seed, n: table[n], results, "A")
    assert not feedback and feedback.answered and "whatever the seed" in feedback.message


@pytest.mark.parametrize("torch_seed", [0, 1, 2])
def test_ngram_experiment_check_rejects_a_looked_up_table(ngram_results, torch_seed):
    torch.manual_seed(torch_seed)  # the seeds the check draws for itself
    means = {n: sum(r.values()) / len(r) for n, r in ngram_results.items()}

    def looked_up(seed, n):  # the true numbers where the table has them, the mean elsewhere
        return ngram_results[n].get(seed, means[n])

    feedback = check_ngram_experiment(looked_up, ngram_results, "A")
    assert not feedback and "but the recipe gives" in feedback.message

    def another_seeds(seed, n):  # a real run, but of the reviews of another seed
        return run_ngram_baseline(seed + 1, n)

    feedback = check_ngram_experiment(another_seeds, ngram_results_of(another_seeds), "A")
    assert not feedback and "but the recipe gives" in feedback.message


def test_ngram_experiment_check_accepts_another_solver():
    def liblinear(seed, n):  # the same recipe with another solver: within the tolerance
        data = generate_reviews(1000, seed=seed)
        words, labels = [w for w, _ in data], [label for _, label in data]
        vectorizer = CountVectorizer(analyzer=partial(ngrams, n=n), binary=True)
        classifier = LogisticRegression(max_iter=1000, solver="liblinear")
        classifier.fit(vectorizer.fit_transform(words[:800]), labels[:800])
        return float(classifier.score(vectorizer.transform(words[800:]), labels[800:]))

    torch.manual_seed(0)
    assert check_ngram_experiment(liblinear, ngram_results_of(liblinear), "A")


def test_ngram_experiment_check_rejects_numbers_typed_in_for_the_tables_seeds(ngram_results):
    # The gain from 2 to 3 made larger than the gain from 1 to 2, as if B held.
    typed_in = {1: {0: 0.55, 1: 0.56, 2: 0.54}, 2: {0: 0.60, 1: 0.61, 2: 0.59},
                3: {0: 0.75, 1: 0.76, 2: 0.74}}  # fmt: skip

    def forged(seed, n):  # the typed-in numbers for the table's seeds, real runs elsewhere
        return typed_in[n][seed] if seed in typed_in[n] else run_ngram_baseline(seed, n)

    feedback = check_ngram_experiment(forged, typed_in, "B")
    assert not feedback and "follow the recipe for every seed" in feedback.message
    assert "ngram_results[1][0] is 0.55" in feedback.message


def test_ngram_experiment_check_accepts_numpy_seeds(ngram_results):
    as_numpy = {n: {np.int64(s): v for s, v in r.items()} for n, r in ngram_results.items()}
    assert check_ngram_experiment(run_ngram_baseline, as_numpy, "A")
    assert check_ngram_experiment(lambda s, n: run_ngram_baseline(int(s), n), as_numpy, "A")


def test_ngram_experiment_check_wants_the_seeds_0_1_and_2():
    other = ngram_results_of(run_ngram_baseline, seeds=(7, 8, 9))
    feedback = check_ngram_experiment(run_ngram_baseline, other, "A")
    assert not feedback and "0, 1 and 2" in feedback.message


def test_ngram_experiment_check_wants_three_seeds_the_same_for_every_n(ngram_results):
    two_seeds = {n: dict(list(r.items())[:2]) for n, r in ngram_results.items()}
    assert (
        "at least three seeds" in check_ngram_experiment(run_ngram_baseline, two_seeds, "A").message
    )
    shifted = dict(ngram_results) | {3: ngram_results_of(run_ngram_baseline, (0, 1, 2, 3))[3]}
    assert "same seeds" in check_ngram_experiment(run_ngram_baseline, shifted, "A").message
    no_trigrams = {n: r for n, r in ngram_results.items() if n != 3}
    assert (
        "no entry for n = 3" in check_ngram_experiment(run_ngram_baseline, no_trigrams, "A").message
    )
    assert "should be a dict" in check_ngram_experiment(run_ngram_baseline, [0.5], "A").message


def test_ngram_experiment_check_waits_for_every_placeholder(ngram_results):
    assert not check_ngram_experiment(..., ngram_results, "A").answered
    assert not check_ngram_experiment(run_ngram_baseline, ..., "A").answered
    assert not check_ngram_experiment(run_ngram_baseline, ngram_results, ...).answered

    def unanswered(seed, n):
        raise NotImplementedError

    assert not check_ngram_experiment(unanswered, ngram_results, "A").answered
