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
    as_number,
    as_tensor,
    exercise_check,
    expect_close,
)

__all__ = [
    "check_best_extensions",
    "check_brevity_penalty",
    "check_decoder_inputs",
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
