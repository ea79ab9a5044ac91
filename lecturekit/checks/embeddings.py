"""Checks for the exercises of chapter 11, *Word embeddings*.

The chapter's conventions: a vocabulary is a dict ``index`` from word to id that holds the
special words ``"OOV"`` (any word not in the vocabulary) and ``"NUMBER"`` (any token that
starts with a digit); an embedding table ``C`` has one row per id.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from lecturekit.exercises import (
    Wrong,
    as_callable,
    as_number,
    exercise_check,
    expect_close,
)

__all__ = [
    "check_analogy",
    "check_embedding_gradient",
    "check_encode",
    "check_negative_sampling_loss",
]


@exercise_check(
    "tokens to ids, with NUMBER and OOV",
    hint="a token that starts with a digit becomes index['NUMBER']; any other token that is "
    "not a key of index becomes index['OOV']; every other token is index[token].",
)
def check_encode(encode: object) -> None:
    encode = as_callable(encode, "encode")
    index = {"OOV": 0, "NUMBER": 1, "the": 2, "cat": 3, "and": 4, "dog": 5, ".": 6}
    cases = [
        (["the", "cat", "and", "the", "dog", "play", "."], [2, 3, 4, 2, 5, 0, 6]),
        (["7", "days", "in", "2001", "."], [1, 0, 0, 1, 6]),
        (["3.5", "dogs", "dog"], [1, 0, 5]),
        ([], []),
    ]
    for tokens, expected in cases:
        answer = encode(list(tokens), dict(index))
        if isinstance(answer, torch.Tensor):
            answer = answer.tolist()
        if not isinstance(answer, list | tuple):
            raise Wrong(f"encode should return a list of ids, not {type(answer).__name__}.")
        answer = [as_number(i, "an id", integer=True) for i in answer]
        if answer != expected:
            raise Wrong(f"encode({tokens}, index) returned {answer}, expected {expected}.")


def _reference_embedding_gradient(context_ids, grad_x, vocab_size):
    d = grad_x.numel() // context_ids.numel()
    grad_C = torch.zeros(vocab_size, d, dtype=grad_x.dtype)
    grad_C.index_add_(0, context_ids, grad_x.reshape(-1, d))
    return grad_C


@exercise_check(
    "the gradient of the look-up table C",
    hint="x is the concatenation [C(w_1), ..., C(w_{n-1})]; cut grad_x into n-1 pieces of "
    "length d and ADD piece i to row w_i of a zero (vocab_size, d) matrix. A word that "
    "appears twice in the context receives both pieces (index_add_ does this).",
)
def check_embedding_gradient(embedding_gradient: object) -> None:
    gradient = as_callable(embedding_gradient, "embedding_gradient")
    generator = torch.Generator().manual_seed(11)
    cases = [  # (context ids, d, vocab size): distinct words, a repeated word, one word
        (torch.tensor([3, 1, 4]), 2, 6),
        (torch.tensor([2, 5, 2]), 3, 7),
        (torch.tensor([0]), 4, 3),
    ]
    for context_ids, d, vocab_size in cases:
        grad_x = torch.randn(context_ids.numel() * d, generator=generator)
        expected = _reference_embedding_gradient(context_ids, grad_x, vocab_size)
        answer = gradient(context_ids.clone(), grad_x.clone(), vocab_size)
        expect_close(
            answer,
            expected,
            f"the gradient of C for context {context_ids.tolist()} (d={d})",
            atol=1e-5,
        )


def _reference_negative_sampling_loss(v, u_pos, u_neg):
    positive = F.logsigmoid((v * u_pos).sum(1))
    negative = F.logsigmoid(-(u_neg @ v.unsqueeze(2)).squeeze(2)).sum(1)
    return -(positive + negative).mean()


@exercise_check(
    "the skip-gram negative-sampling loss",
    hint="for each pair: -log sigmoid(u_pos . v) - sum over the K noise words of "
    "log sigmoid(-u_neg_k . v); then the mean over the batch. F.logsigmoid is the stable "
    "way to compute log sigmoid.",
)
def check_negative_sampling_loss(negative_sampling_loss: object) -> None:
    loss_fn = as_callable(negative_sampling_loss, "negative_sampling_loss")
    generator = torch.Generator().manual_seed(3)
    for batch, num_negatives, d in [(4, 3, 5), (1, 1, 2), (8, 5, 3)]:
        v = torch.randn(batch, d, generator=generator)
        u_pos = torch.randn(batch, d, generator=generator)
        u_neg = torch.randn(batch, num_negatives, d, generator=generator)
        expected = _reference_negative_sampling_loss(v, u_pos, u_neg)
        answer = loss_fn(v.clone(), u_pos.clone(), u_neg.clone())
        what = f"the loss for batch={batch}, K={num_negatives}, d={d}"
        expect_close(torch.tensor(as_number(answer, "the loss")), expected, what, atol=1e-5)
    # large scores must not overflow to inf or nan
    v, u_pos, u_neg = torch.full((2, 2), 30.0), torch.full((2, 2), -30.0), torch.ones(2, 1, 2)
    expected = _reference_negative_sampling_loss(v, u_pos, u_neg)
    answer = as_number(loss_fn(v, u_pos, u_neg), "the loss")
    if not torch.isfinite(torch.tensor(answer)):
        raise Wrong(
            "with large scores (|u . v| = 1800) your loss is not finite; use F.logsigmoid "
            "instead of torch.log(torch.sigmoid(...))."
        )
    expect_close(torch.tensor(answer), expected, "the loss with large scores", atol=1e-3)


@exercise_check(
    "answer an analogy by vector arithmetic",
    hint="normalise the rows of E to unit length, form target = e_b - e_a + e_c, score every "
    "word by its dot product with target, exclude a, b and c themselves, and return the "
    "index of the highest score as an int.",
)
def check_analogy(analogy: object) -> None:
    analogy = as_callable(analogy, "analogy")
    # man, woman, king, queen, apple, a long vector nearly parallel to king, and men
    E = torch.tensor(
        [
            [1.0, 0.0, 0.0],
            [0.0, 1.0, 0.0],
            [1.0, 0.0, 1.0],
            [0.0, 1.0, 1.0],
            [0.2, 0.2, -1.0],
            [10.0, 1.0, 9.0],
            [1.0, 0.1, 0.0],
        ]
    )
    cases = [
        ((0, 1, 2), 3, "man : woman :: king : ?"),
        ((1, 0, 3), 2, "woman : man :: queen : ?"),
        ((2, 3, 0), 1, "king : queen :: man : ?"),
        ((0, 6, 3), 1, "man : men :: queen : ? (b - a is small, so c itself is nearest)"),
    ]
    for (a, b, c), expected, question in cases:
        answer = as_number(analogy(E.clone(), a, b, c), f"analogy(E, {a}, {b}, {c})", integer=True)
        if answer in (a, b, c):
            raise Wrong(f"for {question} you returned one of the three question words.")
        if answer != expected:
            hint = " (did you normalise the rows of E?)" if answer == 5 else ""
            raise Wrong(f"for {question} you returned word {answer}, expected {expected}{hint}.")
