"""Checks for the exercises of chapter 10, *Convolution beyond images*."""

from __future__ import annotations

import math
from functools import partial

import torch
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.linear_model import LogisticRegression

from lecturekit.data.grammar import reviews as generate_reviews
from lecturekit.exercises import (
    Wrong,
    as_callable,
    as_choice,
    as_number,
    exercise_check,
    expect_close,
    judge_against_reference,
    rerun_every_entry,
    seeded_results,
    unseen_seeds,
)

__all__ = [
    "check_kim_num_parameters",
    "check_masked_max_over_time",
    "check_ngram_experiment",
    "check_num_windows",
    "check_octave_shift",
]


@exercise_check(
    "how many windows a filter takes on a sentence",
    hint="the padded sentence has num_words + 2 * padding positions, and a window of `width` "
    "words fits in all but the last width - 1 of them (never fewer than 0).",
)
def check_num_windows(num_windows: object) -> None:
    count = as_callable(num_windows, "num_windows")
    cases = [(6, 3, 0), (6, 3, 2), (20, 5, 4), (10, 1, 0), (7, 2, 1), (3, 5, 0), (1, 3, 2)]
    for num_words, width, padding in cases:
        expected = max(num_words + 2 * padding - width + 1, 0)
        answer = as_number(
            count(num_words, width, padding),
            f"num_windows({num_words}, {width}, {padding})",
            integer=True,
        )
        if answer != expected:
            raise Wrong(
                f"num_windows({num_words}, {width}, {padding}) returned {answer}; "
                f"a filter of width {width} takes {expected} positions there."
            )


@exercise_check(
    "max-over-time pooling over the valid positions only",
    hint="build a (batch, positions) mask with torch.arange(positions)[None, :] < "
    "lengths[:, None], fill the invalid scores with -inf (masked_fill) and take amax over "
    "the last dimension.",
)
def check_masked_max_over_time(masked_max_over_time: object) -> None:
    pool = as_callable(masked_max_over_time, "masked_max_over_time")
    generator = torch.Generator().manual_seed(10)
    scores = torch.randn(4, 3, 7, generator=generator)
    scores[:, :, -1] = 5.0  # the padded tail scores highest: a wrong answer picks it up
    lengths = torch.tensor([7, 3, 1, 5])
    valid = torch.arange(7)[None, :] < lengths[:, None]
    expected = scores.masked_fill(~valid[:, None, :], float("-inf")).amax(dim=2)
    answer = pool(scores.clone(), lengths.clone())
    if not isinstance(answer, torch.Tensor):
        raise Wrong(f"masked_max_over_time should return a tensor, not {type(answer).__name__}.")
    expect_close(answer, expected, "masked_max_over_time(scores, lengths)", atol=1e-6)
    all_negative = -scores.abs() - 1.0  # the maximum is negative: 0 is not a safe fill value
    expected = all_negative.masked_fill(~valid[:, None, :], float("-inf")).amax(dim=2)
    expect_close(
        pool(all_negative, lengths), expected, "the result for all-negative scores", atol=1e-6
    )


def _kim_reference(vocab_size, embedding_dim, widths, num_filters, num_classes):
    convolutions = sum(num_filters * (embedding_dim * h + 1) for h in widths)
    return vocab_size * embedding_dim + convolutions + num_classes * (num_filters * len(widths) + 1)


@exercise_check(
    "the number of parameters of Kim's sentence CNN",
    hint="embedding: vocab_size * embedding_dim; each width h: num_filters * (embedding_dim "
    "* h + 1); output: num_classes * (num_filters * len(widths) + 1).",
)
def check_kim_num_parameters(kim_num_parameters: object) -> None:
    count = as_callable(kim_num_parameters, "kim_num_parameters")
    cases = [
        (18765, 300, (3, 4, 5), 100, 2),  # Kim's CNN-rand on the movie reviews
        (1000, 32, (3, 4, 5), 16, 2),
        (50, 8, (2,), 4, 6),
    ]
    for sizes in cases:
        expected = _kim_reference(*sizes)
        answer = as_number(count(*sizes), f"kim_num_parameters{sizes}", integer=True)
        if answer != expected:
            raise Wrong(f"kim_num_parameters{sizes} returned {answer:,}; it has {expected:,}.")


@exercise_check(
    "how far one octave moves a log-frequency spectrogram",
    hint="100 Hz to 3,200 Hz is log2(32) = 5 octaves, cut into num_bands + 1 = 41 equal "
    "steps in log-frequency.",
)
def check_octave_shift(octave_shift: object) -> None:
    shift = as_number(octave_shift, "octave_shift")
    expected = 41 / math.log2(32)
    if abs(shift - 40 / 5) < 1e-3:
        raise Wrong("40 bands over 5 octaves counts the bands, but the steps are 41.")
    if abs(shift - expected) > 0.01:
        raise Wrong(f"{shift:.3g} bands is not one octave on this filter bank.")


# Exercise 10.5. The ranges that correct runs give, from the book's solution on the seeds 0
# to 29 (1,000 generated reviews, the first 800 to train, the last 200 held out):
#   n = 1: 0.450 to 0.615 (mean 0.525); n = 2: 0.585 to 0.720 (mean 0.655);
#   n = 3: 0.645 to 0.775 (mean 0.720);
# the gain from n = 1 to 2 was 0.040 to 0.185 (mean 0.130) on single seeds, from 2 to 3
# 0.015 to 0.130 (mean 0.065), and on every three consecutive seeds the first gain was the
# larger. Each accuracy is measured on 200 reviews (a binomial standard deviation of at most
# 0.035), so the accepted ranges reach about three of those beyond the extremes seen.
_NGRAM_ORDERS = (1, 2, 3)
_NGRAM_RANGES = {1: (0.35, 0.72), 2: (0.48, 0.83), 3: (0.53, 0.88)}
_NGRAM_OPTIONS = ("A", "B", "C")
# Two seeds the reader's table does not hold, and every seed it does, on which the reader's
# function must give what the recipe gives, to within 0.015 (3 of the 200 reviews). The recipe is
# deterministic; over the seeds 0 to 39 another solver (liblinear for lbfgs) moved no accuracy by
# more than 0.015, a tighter tolerance (1e-6) by no more than 0.010, while counts instead of
# binary features moved some by up to 0.065. Different seeds differ by far more (a standard
# deviation of 0.031 to 0.034 for each n): a seed's accuracy lay within 0.015 of the mean over
# seeds for 28 to 38% of the seeds, and within 0.015 of the next seed's for 15 to 26%, so that a
# typed-in mean, or the numbers of other seeds, pass on all six (two seeds, three orders) about
# once in 700 tries, or less.
_NGRAM_UNSEEN_SEEDS = 2
_NGRAM_TOLERANCE = 0.015


def _reference_ngram_accuracy(seed: int, n: int) -> float:
    """The book's solution of exercise 10.5: held-out accuracy of a bag of 1- to n-grams."""

    def ngrams(tokens, max_n):
        return [
            " ".join(tokens[i : i + k])
            for k in range(1, max_n + 1)
            for i in range(len(tokens) - k + 1)
        ]

    data = generate_reviews(1000, seed=seed)
    words, labels = [w for w, _ in data], [label for _, label in data]
    vectorizer = CountVectorizer(analyzer=partial(ngrams, max_n=n), binary=True)
    classifier = LogisticRegression(max_iter=1000)
    classifier.fit(vectorizer.fit_transform(words[:800]), labels[:800])
    return float(classifier.score(vectorizer.transform(words[800:]), labels[800:]))


@exercise_check(
    "how far do bags of n-grams get on the generated reviews?",
    hint="generate_reviews(1000, seed=seed); train on the first 800 reviews and score on the "
    "last 200; an analyzer that returns every run of 1 to n consecutive words, joined by "
    "spaces, gives CountVectorizer(analyzer=..., binary=True) the features; then "
    "LogisticRegression(max_iter=1000).fit(...).score(...). Compare the two gains, 1 -> 2 and "
    "2 -> 3, averaged over your seeds.",
)
def check_ngram_experiment(
    run_ngram_baseline: object, ngram_results: object, ngram_conclusion: object
) -> None:
    run = as_callable(run_ngram_baseline, "run_ngram_baseline")
    by_order = seeded_results(
        ngram_results,
        _NGRAM_ORDERS,
        "ngram_results",
        layout="{n: {seed: held-out accuracy}}",
        entry="n = {}",
    )
    unseen = unseen_seeds(_NGRAM_UNSEEN_SEEDS, by_order[1])  # before the reader's code runs
    # (1) The numbers are the reader's own: their function gives every entry of the table again.
    rerun_every_entry(run, by_order, "ngram_results", "run_ngram_baseline")
    # (2) They are in the range that correct runs give.
    for n, by_seed in by_order.items():
        low, high = _NGRAM_RANGES[n]
        for s, accuracy in by_seed.items():
            if not low <= accuracy <= high:
                raise Wrong(
                    f"with n = {n} and the seed {s} your held-out accuracy is {accuracy:.3f}; "
                    f"correct runs give between {low:g} and {high:g}. Are the features every "
                    f"run of 1 to {n} words (not only runs of exactly {n}), trained on the first "
                    "800 reviews and scored on the last 200?"
                )
    # (3) On seeds the table does not hold (drawn at random), and on every entry of the table,
    # the function measures what the recipe measures, so that numbers typed in or looked up
    # cannot stand in for the experiment.
    judge_against_reference(
        run,
        by_order,
        _reference_ngram_accuracy,
        name="ngram_results",
        run_name="run_ngram_baseline",
        unseen=unseen,
        close=lambda answer, expected: abs(answer - expected) <= _NGRAM_TOLERANCE + 1e-9,
        tolerance=f"{_NGRAM_TOLERANCE:g}",
        recipe="does your function use generate_reviews(1000, seed=seed), train on the first "
        "800 reviews and score the last 200, with binary features for every run of 1 to n "
        "words and LogisticRegression(max_iter=1000)?",
        varies="each seed should generate other reviews and give its own accuracy.",
    )

    # (4) The conclusion is the one the reader's own numbers support.
    means = {n: sum(by_seed.values()) / len(by_seed) for n, by_seed in by_order.items()}
    gain_2, gain_3 = means[2] - means[1], means[3] - means[2]
    if gain_2 <= 0 or gain_3 <= 0:
        supported = "C"
    else:
        supported = "A" if gain_2 > gain_3 else "B"
    answer = as_choice(ngram_conclusion, "ngram_conclusion", _NGRAM_OPTIONS)
    if answer != supported:
        raise Wrong(
            f"your own numbers do not support {answer}: averaged over your seeds, the accuracy "
            f"goes from {means[1]:.3f} (n = 1) to {means[2]:.3f} (n = 2) and {means[3]:.3f} "
            f"(n = 3), gains of {gain_2:+.3f} and {gain_3:+.3f}."
        )
