"""Checks for the exercises of chapter 16, *Image captioning*.

Conventions as in the chapter: a caption is a list of words; ``word_index`` maps each word
of the vocabulary (special tokens ``<pad>``, ``<start>``, ``<end>`` included) to its index;
batches of word indices are ``(batch, time)`` and scores ``(batch, time, vocabulary)``.
"""

from __future__ import annotations

import torch

from lecturekit.data.scenes import END, PAD, START, VOCABULARY
from lecturekit.exercises import (
    Wrong,
    as_callable,
    as_number,
    as_tensor,
    exercise_check,
    expect_close,
    matches_key,
)

__all__ = [
    "check_caption_log_probability",
    "check_num_possible_captions",
    "check_teacher_forcing_pair",
    "check_words_until_end",
]

# The exact answer, as a key (lecturekit.exercises.answer_key) rather than in plain text.
_NUM_POSSIBLE_CAPTIONS_KEY = (
    "sha256:9f7f0d28140ced8e:b356526d8876f4da65d1133703976506621ff354552f6b698a8e2b5aecfa2e80"
)

_WORD_INDEX = {word: i for i, word in enumerate(VOCABULARY)}
_CAPTIONS = [
    "a small red circle left of a large blue square".split(),
    "a large green triangle above a small yellow circle".split(),
    "a small blue square below a small yellow triangle".split(),
]


@exercise_check(
    "inputs and targets for teacher forcing",
    hint="the decoder reads <start> and then the caption, and must predict the caption and "
    "then <end>: inputs = [<start>, w1, ..., wn], targets = [w1, ..., wn, <end>], both as "
    "index tensors of length n + 1 (torch.tensor([...]) of word_index[w]).",
)
def check_teacher_forcing_pair(teacher_forcing_pair: object) -> None:
    function = as_callable(teacher_forcing_pair, "teacher_forcing_pair")
    for words in _CAPTIONS:
        answer = function(list(words), dict(_WORD_INDEX))
        what = f"teacher_forcing_pair({' '.join(words)!r}.split(), word_index)"
        if not isinstance(answer, tuple | list) or len(answer) != 2:
            raise Wrong(f"{what} should return a pair (inputs, targets).")
        inputs, targets = as_tensor(answer[0], "inputs"), as_tensor(answer[1], "targets")
        indices = [_WORD_INDEX[w] for w in words]
        expected_inputs = torch.tensor([_WORD_INDEX[START], *indices], dtype=torch.float64)
        expected_targets = torch.tensor([*indices, _WORD_INDEX[END]], dtype=torch.float64)
        if inputs.shape == targets.shape == expected_targets.shape:
            if torch.equal(inputs, expected_targets) and torch.equal(targets, expected_inputs):
                raise Wrong(f"{what}: inputs and targets are swapped.")
        expect_close(inputs, expected_inputs, f"the inputs of {what}")
        expect_close(targets, expected_targets, f"the targets of {what}")


@exercise_check(
    "reading a caption up to <end>",
    hint="walk through the indices, turn each into vocabulary[index], and break at the "
    "first <end>; the <end> itself, and anything after it, is not part of the caption.",
)
def check_words_until_end(words_until_end: object) -> None:
    function = as_callable(words_until_end, "words_until_end")
    end = _WORD_INDEX[END]
    cases = [
        ([*(_WORD_INDEX[w] for w in _CAPTIONS[0]), end, end, end], _CAPTIONS[0]),
        ([*(_WORD_INDEX[w] for w in _CAPTIONS[1]), end, _WORD_INDEX["red"]], _CAPTIONS[1]),
        ([_WORD_INDEX[w] for w in _CAPTIONS[2]], _CAPTIONS[2]),  # never ended: keep all
        ([end, _WORD_INDEX["a"]], []),
    ]
    for indices, expected in cases:
        for kind, given in (("a list", list(indices)), ("a tensor", torch.tensor(indices))):
            answer = function(given, VOCABULARY)
            what = f"words_until_end({kind} {indices}, VOCABULARY)"
            if not isinstance(answer, list) or not all(isinstance(w, str) for w in answer):
                raise Wrong(f"{what} should return a list of words (strings).")
            if answer != list(expected):
                raise Wrong(f"{what} returned {answer}; expected {list(expected)}.")


def _reference_log_probability(
    logits: torch.Tensor, targets: torch.Tensor, pad_index: int
) -> torch.Tensor:
    chosen = logits.log_softmax(dim=-1).gather(2, targets[..., None])[..., 0]
    return torch.where(targets == pad_index, 0.0, chosen).sum(dim=1)


@exercise_check(
    "the log-probability of a caption",
    hint="log_softmax over the vocabulary (the last dimension), pick the target's entry at "
    "every step with .gather(2, targets[..., None]), zero the steps whose target is "
    "pad_index, and add up over time: one number per caption, (batch,).",
)
def check_caption_log_probability(caption_log_probability: object) -> None:
    function = as_callable(caption_log_probability, "caption_log_probability")
    generator = torch.Generator().manual_seed(16)
    pad = _WORD_INDEX[PAD]
    for batch, time in ((2, 4), (3, 6), (1, 1)):
        logits = 3 * torch.randn(batch, time, len(VOCABULARY), generator=generator)
        targets = torch.randint(3, len(VOCABULARY), (batch, time), generator=generator)
        if time > 2:
            targets[0, -2:] = pad  # a shorter caption, padded
        expected = _reference_log_probability(logits, targets, pad)
        answer = function(logits.clone(), targets.clone(), pad)
        what = f"caption_log_probability for a batch of {batch} captions of {time} steps"
        answer = as_tensor(answer, what)
        if answer.shape == (batch, time):
            raise Wrong(f"{what} has shape {tuple(answer.shape)}: add up over the time steps.")
        if answer.numel() == 1 and batch > 1:
            raise Wrong(f"{what} is one number; return one log-probability per caption.")
        if answer.shape == expected.shape and torch.all(answer > 0):
            raise Wrong(f"{what} is positive; a log-probability is at most 0.")
        with_padding = logits.log_softmax(-1).gather(2, targets[..., None])[..., 0].sum(1)
        if time > 2 and answer.shape == expected.shape:
            if torch.allclose(answer, with_padding.double(), atol=1e-4):
                raise Wrong(f"{what} counts the padded steps; leave out targets == pad_index.")
        expect_close(answer, expected, what, atol=1e-4)


@exercise_check(
    "how many captions the scenes can have",
    hint="count the choices in the caption's order: which two colours (different, and the "
    "one earlier in COLOURS is always named first, so the order is fixed), a shape and a "
    "size for each shape, and a relation. Multiply.",
)
def check_num_possible_captions(num_possible_captions: object) -> None:
    answer = as_number(num_possible_captions, "num_possible_captions", integer=True)
    if matches_key(answer, _NUM_POSSIBLE_CAPTIONS_KEY):
        return
    if answer == 1728:
        raise Wrong(
            f"{answer} counts both orders of the two colours; the caption always names the "
            "colour that comes first in COLOURS first."
        )
    if answer == 2304:
        raise Wrong(f"{answer} lets both shapes have the same colour, and both orders.")
    raise Wrong(f"{answer} is not the number of different captions.")
