"""Checks for the exercises of chapter 13, *Working with sequences*.

Conventions as in the chapter: batches are ``batch_first``, a padded batch of token
indices is ``(batch, time)``, ``lengths`` is ``(batch,)`` and a mask is ``True`` at real
tokens and ``False`` at padding.
"""

from __future__ import annotations

import torch

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
    "PATTERNS",
    "check_architectures",
    "check_last_outputs",
    "check_masked_mean",
    "check_padding_mask",
    "check_temperature_softmax",
]

PATTERNS = (
    "one-to-one",
    "one-to-many",
    "many-to-one",
    "aligned many-to-many",
    "encoder-decoder",
)

_LENGTH_CASES = [  # (lengths, max_length): ragged, all equal, longer than the longest, one row
    ([3, 1, 4], 4),
    ([2, 2], 2),
    ([5, 3, 3, 1], 7),
    ([1], 3),
]


def _reference_mask(lengths: torch.Tensor, max_length: int) -> torch.Tensor:
    return torch.arange(max_length)[None, :] < lengths[:, None]


@exercise_check(
    "a padding mask from the lengths",
    hint="compare a row of positions torch.arange(max_length) with the column of lengths: "
    "position t of sequence i is real exactly when t < lengths[i]; broadcasting "
    "(lengths[:, None]) does all rows at once.",
)
def check_padding_mask(padding_mask: object) -> None:
    function = as_callable(padding_mask, "padding_mask")
    for lengths, max_length in _LENGTH_CASES:
        lengths = torch.tensor(lengths)
        answer = function(lengths.clone(), max_length)
        what = f"padding_mask(torch.tensor({lengths.tolist()}), {max_length})"
        if not isinstance(answer, torch.Tensor):
            raise Wrong(f"{what} should return a tensor, not {type(answer).__name__}.")
        if answer.dtype != torch.bool:
            raise Wrong(f"{what} has dtype {answer.dtype}; a mask should be torch.bool.")
        expected = _reference_mask(lengths, max_length)
        if tuple(answer.shape) != tuple(expected.shape):
            raise Wrong(
                f"{what} has shape {tuple(answer.shape)}; expected (batch, max_length) = "
                f"{tuple(expected.shape)}."
            )
        if not torch.equal(answer.cpu(), expected):
            raise Wrong(f"{what} is {answer.int().tolist()}; expected {expected.int().tolist()}.")


@exercise_check(
    "the mean loss over real tokens",
    hint="zero the padded positions with torch.where(mask, losses, 0.0) (or losses[mask]), "
    "add up what is left and divide by the number of real tokens, mask.sum(). Every real "
    "token counts once, however long its sentence.",
)
def check_masked_mean(masked_mean: object) -> None:
    function = as_callable(masked_mean, "masked_mean")
    generator = torch.Generator().manual_seed(13)
    for lengths, max_length in _LENGTH_CASES:
        lengths = torch.tensor(lengths)
        mask = _reference_mask(lengths, max_length)
        losses = torch.rand(len(lengths), max_length, generator=generator) * 3
        losses = torch.where(mask, losses, torch.full_like(losses, 99.0))  # junk at padding
        expected = losses[mask].mean()
        answer = as_number(function(losses.clone(), mask.clone()), "masked_mean(...)")
        if abs(answer - expected.item()) > 1e-5:
            per_sequence = (torch.where(mask, losses, 0.0).sum(1) / lengths).mean().item()
            if abs(answer - per_sequence) < 1e-5:
                raise Wrong(
                    f"for lengths {lengths.tolist()} you averaged the per-sentence means "
                    f"({answer:.4f}); weight every token equally: {expected.item():.4f}."
                )
            raise Wrong(
                f"for lengths {lengths.tolist()} and junk (99.0) at the padded positions, "
                f"masked_mean returned {answer:.4f}; expected {expected.item():.4f}."
            )


@exercise_check(
    "the output at the last real time step",
    hint="for sequence i you want outputs[i, lengths[i] - 1]; index with two tensors, "
    "outputs[torch.arange(batch), lengths - 1], or use torch.gather. outputs[:, -1] is "
    "the state after the padding.",
)
def check_last_outputs(last_outputs: object) -> None:
    function = as_callable(last_outputs, "last_outputs")
    generator = torch.Generator().manual_seed(14)
    for lengths, max_length in _LENGTH_CASES:
        lengths = torch.tensor(lengths)
        outputs = torch.randn(len(lengths), max_length, 3, generator=generator)
        expected = outputs[torch.arange(len(lengths)), lengths - 1]
        answer = function(outputs.clone(), lengths.clone())
        expect_close(
            answer,
            expected,
            f"last_outputs(outputs, lengths={lengths.tolist()}) with outputs of shape "
            f"{tuple(outputs.shape)}",
            atol=1e-6,
        )


@exercise_check(
    "softmax with a temperature",
    hint="divide the logits by the temperature, then take the softmax over the last "
    "dimension (torch.softmax(logits / temperature, dim=-1) is stable for large logits).",
)
def check_temperature_softmax(softmax_with_temperature: object) -> None:
    function = as_callable(softmax_with_temperature, "softmax_with_temperature")
    cases = [  # (logits, temperature): one vector, low and high T, a batch, huge logits
        (torch.tensor([2.0, 1.0, 0.1]), 1.0),
        (torch.tensor([2.0, 1.0, 0.1]), 0.5),
        (torch.tensor([2.0, 1.0, 0.1]), 2.0),
        (torch.tensor([[0.0, 1.0, 2.0, 3.0], [1.0, 1.0, 1.0, -1.0]]), 1.5),
        (torch.tensor([1000.0, 999.0, 0.0]), 0.25),
    ]
    for logits, temperature in cases:
        expected = torch.softmax(logits.double() / temperature, dim=-1)
        answer = as_tensor(
            function(logits.clone(), temperature),
            f"softmax_with_temperature(logits, {temperature})",
            nan_ok=True,
        )
        if torch.isnan(answer).any():
            raise Wrong(
                f"for logits {logits.tolist()} and temperature {temperature} your answer "
                "contains NaN: subtract the largest logit before exponentiating, or use "
                "torch.softmax."
            )
        expect_close(
            answer,
            expected,
            f"softmax_with_temperature({logits.tolist()}, {temperature})",
            atol=1e-5,
        )


# Each task's pattern, as a key (lecturekit.exercises.answer_key) rather than in plain text.
_ARCHITECTURES = {
    "recognizing a handwritten digit in one image": (
        "sha256:019c2246b0da5e59:fec109783f2fd162f453bf61d34df605f84b27886ae974cf7a2e776a9f7b4087"
    ),
    "spam filtering (an e-mail in, spam or not out)": (
        "sha256:99c15b864792f0ff:4f5a20e37bf81815d1e7963625ce8ab62d07ecc40a6a9252b41915a3ce46e3a2"
    ),
    "music generation from a chosen genre": (
        "sha256:3595d6f774b9515b:01c6e570f1d155832da1f1310a73bfb90cb97af6f124d21fe9d77e46812e2462"
    ),
    "named-entity recognition (a label for every word)": (
        "sha256:86b6f571d23f9142:c4ffc247ffa9556b6ba8a1337ef893b7d4563d60735178e2b6ed8d5b6384da25"
    ),
    "speech recognition (audio frames in, words out)": (
        "sha256:6915ed0dd2274b2e:7d45247cd3d410daed6b2ccd05d7ad85fb1c860cb9445280154fb673ad416908"
    ),
    "video frame classification": (
        "sha256:4e8a33101253f548:505be1c33f05ac481852aa948725807525939d8fe7d83d867029fb813a8e3dbc"
    ),
    "summarizing a news article": (
        "sha256:c7b3945228147cdc:50b5efd8d8ae197d1425e5332815f671f85c30684dceee03976b82821f23bfe2"
    ),
    "predicting tomorrow's stock price from the last 30 days": (
        "sha256:afd63b49a703d316:6336a5058db3a613282f6e18b7acdc115682a4c1bedaba42cc5aa904e2201e92"
    ),
}


@exercise_check(
    "input-output patterns of sequence tasks",
    hint="count the inputs and the outputs: one fixed-size thing or a sequence? If both are "
    "sequences, is there exactly one output per input at the same time step (aligned), or "
    "is the whole input read before a sequence of another length is written "
    "(encoder-decoder)?",
)
def check_architectures(architectures: object) -> None:
    if not isinstance(architectures, dict):
        raise Wrong(
            f"`architectures` should be a dict from task to pattern, not "
            f"{type(architectures).__name__}."
        )
    missing = [task for task in _ARCHITECTURES if task not in architectures]
    if missing:
        raise Wrong(f"`architectures` has no entry for {missing[0]!r} (copy the task names).")
    for task, key in _ARCHITECTURES.items():
        answer = architectures[task]
        if answer is Ellipsis:
            raise Wrong(f"{task!r} is still `...`.")
        if not isinstance(answer, str) or answer.strip().lower() not in PATTERNS:
            raise Wrong(f"the pattern for {task!r} should be one of {', '.join(PATTERNS)}.")
        if not matches_key(answer.strip().lower(), key):
            raise Wrong(f"{task!r} is not {answer.strip().lower()}.")
