"""Checks for the exercises of chapter 15, *Sequence to sequence*.

Conventions as in the chapter: a sentence is a list of words (strings); a batch of target
token indices is ``(batch, time)``, ends each sentence with the END index and pads after it;
beam scores are sums of natural-log probabilities.
"""

from __future__ import annotations

import math
from collections import Counter

import torch

from lecturekit.exercises import (
    Wrong,
    as_callable,
    as_choice,
    as_number,
    as_tensor,
    exercise_check,
    expect_close,
    judge_against_reference,
    rerun_every_entry,
    seeded_results,
    unseen_seeds,
)

__all__ = [
    "check_best_extensions",
    "check_brevity_penalty",
    "check_decoder_inputs",
    "check_dictionary_experiment",
    "check_modified_precision",
]

_PRECISION_CASES = [  # (candidate, reference, n): matches, clipping, n too long, reordering
    ("el coche rojo es viejo", "el coche rojo es muy viejo", 1),
    ("el coche rojo es viejo", "el coche rojo es muy viejo", 2),
    ("el coche rojo es viejo", "el coche rojo es muy viejo", 4),
    ("the the the the the the the", "the cat is on the mat", 1),
    ("la la casa", "la casa la casa", 2),
    ("el coche", "el coche rojo", 3),
    ("la casa roja pequeña", "la casa pequeña roja", 2),
]


def _reference_precision(candidate: list[str], reference: list[str], n: int) -> tuple[int, int]:
    def grams(words: list[str]) -> Counter:
        return Counter(tuple(words[i : i + n]) for i in range(len(words) - n + 1))

    counts, reference_counts = grams(candidate), grams(reference)
    return sum(min(k, reference_counts[g]) for g, k in counts.items()), sum(counts.values())


def _pair(answer: object, what: str) -> tuple[int, int]:
    if not isinstance(answer, tuple | list) or len(answer) != 2:
        raise Wrong(f"{what} should return a pair (matches, total), not {type(answer).__name__}.")
    return as_number(answer[0], f"{what}[0]", integer=True), as_number(
        answer[1], f"{what}[1]", integer=True
    )


@exercise_check(
    "modified n-gram precision",
    hint="count the candidate's n-grams with collections.Counter over tuple(words[i:i + n]); "
    "each one matches at most as often as it occurs in the reference: add "
    "min(count, reference_count) over the candidate's n-grams. The total is the number of "
    "n-grams of the candidate, len(candidate) - n + 1 (or 0).",
)
def check_modified_precision(modified_precision: object) -> None:
    function = as_callable(modified_precision, "modified_precision")
    for candidate, reference, n in _PRECISION_CASES:
        candidate, reference = candidate.split(), reference.split()
        what = f"modified_precision({candidate}, {reference}, {n})"
        matches, total = _pair(function(list(candidate), list(reference), n), what)
        expected = _reference_precision(candidate, reference, n)
        if (matches, total) != expected:
            unclipped = sum(
                1
                for i in range(len(candidate) - n + 1)
                if tuple(candidate[i : i + n])
                in {tuple(reference[j : j + n]) for j in range(len(reference) - n + 1)}
            )
            if total == expected[1] and matches == unclipped != expected[0]:
                raise Wrong(
                    f"{what} is {(matches, total)}: an n-gram that occurs once in the "
                    f"reference may match only once. Expected {expected}."
                )
            raise Wrong(f"{what} is {(matches, total)}; expected {expected}.")


@exercise_check(
    "the brevity penalty",
    hint="BP = 1 when the candidate is longer than the reference (c > r), and "
    "exp(1 - r / c) otherwise; a candidate of length 0 gets 0.",
)
def check_brevity_penalty(brevity_penalty: object) -> None:
    function = as_callable(brevity_penalty, "brevity_penalty")
    for c, r in [(5, 6), (12, 10), (10, 10), (3, 9), (1, 2), (0, 4)]:
        expected = 1.0 if c > r else (math.exp(1 - r / c) if c > 0 else 0.0)
        answer = as_number(function(c, r), f"brevity_penalty({c}, {r})")
        if abs(answer - expected) > 1e-6:
            if c < r and c > 0 and abs(answer - math.exp(1 - c / r)) < 1e-6:
                raise Wrong(
                    f"brevity_penalty({c}, {r}) is {answer:.6f}: the ratio is upside down, "
                    f"it is exp(1 - r / c) = {expected:.6f}."
                )
            raise Wrong(f"brevity_penalty({c}, {r}) is {answer:.6f}; expected {expected:.6f}.")


@exercise_check(
    "decoder inputs for teacher forcing",
    hint="the decoder reads START, then the correct words shifted one step to the right: "
    "torch.cat([a column of start_index, targets[:, :-1]], dim=1). The output has the "
    "shape and dtype of targets.",
)
def check_decoder_inputs(decoder_inputs: object) -> None:
    function = as_callable(decoder_inputs, "decoder_inputs")
    cases = [  # (targets, start_index); END is 3 and PAD is 0 here
        ([[5, 6, 7, 3], [8, 9, 3, 0]], 2),
        ([[4, 3]], 2),
        ([[11, 12, 13, 14, 3], [15, 3, 0, 0, 0], [16, 17, 3, 0, 0]], 1),
    ]
    for targets, start in cases:
        targets = torch.tensor(targets)
        expected = torch.cat([torch.full((len(targets), 1), start), targets[:, :-1]], dim=1)
        answer = function(targets.clone(), start)
        what = f"decoder_inputs(torch.tensor({targets.tolist()}), {start})"
        if not isinstance(answer, torch.Tensor):
            raise Wrong(f"{what} should return a tensor, not {type(answer).__name__}.")
        if tuple(answer.shape) != tuple(targets.shape):
            raise Wrong(
                f"{what} has shape {tuple(answer.shape)}; it should have the targets' shape "
                f"{tuple(targets.shape)}."
            )
        if answer.dtype != targets.dtype:
            raise Wrong(f"{what} has dtype {answer.dtype}; indices are {targets.dtype}.")
        if not torch.equal(answer.cpu(), expected):
            raise Wrong(f"{what} is {answer.tolist()}; expected {expected.tolist()}.")


@exercise_check(
    "one step of beam search",
    hint="add each hypothesis' score to its row of log-probabilities "
    "(beam_scores[:, None] + log_probs), flatten, take topk(k), and turn each flat index i "
    "into (i // vocabulary_size, i % vocabulary_size).",
)
def check_best_extensions(best_extensions: object) -> None:
    function = as_callable(best_extensions, "best_extensions")
    generator = torch.Generator().manual_seed(15)
    for beam, vocabulary, k in [(1, 6, 3), (3, 5, 3), (4, 7, 2), (2, 4, 8)]:
        beam_scores = -torch.rand(beam, generator=generator) * 5
        log_probs = torch.randn(beam, vocabulary, generator=generator).log_softmax(dim=-1)
        total = beam_scores[:, None] + log_probs
        top = total.flatten().topk(k)
        answer = function(beam_scores.clone(), log_probs.clone(), k)
        what = (
            f"best_extensions(beam_scores of shape ({beam},), "
            f"log_probs ({beam}, {vocabulary}), k={k})"
        )
        if not isinstance(answer, tuple | list) or len(answer) != 3:
            raise Wrong(f"{what} should return three tensors (scores, beam_indices, tokens).")
        scores, rows, tokens = answer
        expect_close(scores, top.values, f"the scores of {what}", atol=1e-5)
        rows = as_tensor(rows, "beam_indices").long()
        tokens = as_tensor(tokens, "tokens").long()
        if not torch.equal(rows, top.indices // vocabulary):
            raise Wrong(
                f"the beam indices of {what} are {rows.tolist()}; expected "
                f"{(top.indices // vocabulary).tolist()}."
            )
        if not torch.equal(tokens, top.indices % vocabulary):
            raise Wrong(
                f"the tokens of {what} are {tokens.tolist()}; expected "
                f"{(top.indices % vocabulary).tolist()}."
            )


# Exercise 15.5: an experiment with the word-by-word dictionary of section 15.6.
_DICTIONARY_THRESHOLDS = (0.0, 0.3)
_DICTIONARY_OPTIONS = ("A", "B", "C")
_DICTIONARY_UNSEEN_SEEDS = 3
# The recipe is deterministic, ties included (the first of equally good partners in the
# chapter's order wins), so the reader's function and the reference agree to rounding. Breaking
# the ties the other way moved BLEU by up to 0.0136 over seeds 0-39 (measured), about half the
# spread between seeds (standard deviation about 0.03), too close to tell a guess from a run.
_DICTIONARY_TOLERANCE = 1e-4


def _ngrams(words: list[str], n: int) -> Counter:
    return Counter(tuple(words[i : i + n]) for i in range(len(words) - n + 1))


def _reference_corpus_bleu(candidates: list[list[str]], references: list[list[str]]) -> float:
    """Corpus BLEU-4 with one reference per sentence (Papineni et al. 2002), as in the chapter."""
    matches, totals, c, r = [0] * 4, [0] * 4, 0, 0
    for candidate, reference in zip(candidates, references, strict=True):
        for n in range(1, 5):
            counts, reference_counts = _ngrams(candidate, n), _ngrams(reference, n)
            matches[n - 1] += sum(min(k, reference_counts[g]) for g, k in counts.items())
            totals[n - 1] += sum(counts.values())
        c, r = c + len(candidate), r + len(reference)
    if c == 0 or min(matches) == 0:
        return 0.0
    brevity = 1.0 if c > r else math.exp(1 - r / c)
    return brevity * math.exp(
        sum(math.log(m / t) for m, t in zip(matches, totals, strict=True)) / 4
    )


def _reference_dictionary_bleu(seed: int, threshold: float) -> float:
    """The recipe: 600 pairs of the seed, a Dice dictionary from the first 500, BLEU of the
    word-by-word translations of the last 100, keeping partners with Dice >= threshold."""
    from lecturekit.data.grammar import sentence_pairs

    pairs = sentence_pairs(600, seed=seed)
    train, test = pairs[:500], pairs[500:]
    english_counts, spanish_counts, pair_counts = Counter(), Counter(), Counter()
    for english, spanish in train:
        english_counts.update(set(english))
        spanish_counts.update(set(spanish))
        pair_counts.update((e, s) for e in sorted(set(english)) for s in sorted(set(spanish)))
    dictionary: dict[str, tuple[float, str]] = {}
    for (e, s), n in pair_counts.items():
        dice = 2 * n / (english_counts[e] + spanish_counts[s])
        if dice > dictionary.get(e, (0.0, ""))[0]:
            dictionary[e] = (dice, s)
    outputs = [
        [dictionary[w][1] for w in english if w in dictionary and dictionary[w][0] >= threshold]
        for english, _ in test
    ]
    return _reference_corpus_bleu(outputs, [spanish for _, spanish in test])


@exercise_check(
    "an experiment: how choosy should the dictionary be?",
    hint="pairs = sentence_pairs(600, seed=seed); count sentences as in section 15.6 on "
    "pairs[:500] only, keep each English word's partner of largest Dice 2 n_es / (n_e + n_s), "
    "translate the English of pairs[500:] word by word, keeping the words whose Dice is at "
    "least the threshold, and return corpus_bleu(outputs, [[s] for _, s in pairs[500:]]). "
    "Then compare the two thresholds seed by seed.",
)
def check_dictionary_experiment(
    run_dictionary_experiment: object, dictionary_results: object, dictionary_conclusion: object
) -> None:
    run = as_callable(run_dictionary_experiment, "run_dictionary_experiment")
    by_threshold = seeded_results(
        dictionary_results,
        _DICTIONARY_THRESHOLDS,
        "dictionary_results",
        layout="{threshold: {seed: BLEU}}",
        entry="the threshold {}",
    )
    seeds = list(by_threshold[_DICTIONARY_THRESHOLDS[0]])
    unseen = unseen_seeds(_DICTIONARY_UNSEEN_SEEDS, seeds)  # before the reader's code runs

    # (1) The numbers are the reader's own: their function gives every entry again.
    rerun_every_entry(run, by_threshold, "dictionary_results", "run_dictionary_experiment")
    # (2) On seeds the table does not hold (drawn at random), and on every entry of the table,
    # the function measures what the recipe measures, so that typed-in or looked-up numbers
    # cannot stand in for the experiment.
    judge_against_reference(
        run,
        by_threshold,
        _reference_dictionary_bleu,
        name="dictionary_results",
        run_name="run_dictionary_experiment",
        unseen=unseen,
        close=lambda answer, expected: abs(answer - expected) <= _DICTIONARY_TOLERANCE,
        tolerance=f"{_DICTIONARY_TOLERANCE:g}",
        recipe="does your function use sentence_pairs(600, seed=seed), build the dictionary "
        "from the first 500 pairs and score the last 100, keeping the words whose Dice is at "
        "least the threshold? Ties: count the pairs of each sentence in sorted order, as "
        "section 15.6 does, and keep the first partner of the largest Dice (a strict >).",
        varies="each seed should generate other sentence pairs and give its own BLEU.",
    )

    # (3) The conclusion is the one the reader's own numbers support.
    low, high = by_threshold[_DICTIONARY_THRESHOLDS[0]], by_threshold[_DICTIONARY_THRESHOLDS[1]]
    if all(high[s] > low[s] for s in seeds):
        supported = "A"
    elif all(low[s] > high[s] for s in seeds):
        supported = "B"
    else:
        supported = "C"
    answer = as_choice(dictionary_conclusion, "dictionary_conclusion", _DICTIONARY_OPTIONS)
    if answer != supported:
        pairs = ", ".join(f"seed {s}: {low[s]:.3f} / {high[s]:.3f}" for s in seeds)
        raise Wrong(
            f"your own numbers do not support {answer}: BLEU with the threshold 0.0 / 0.3 is "
            f"{pairs}; {supported} is what they show."
        )
