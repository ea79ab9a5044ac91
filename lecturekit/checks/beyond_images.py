"""Checks for the exercises of chapter 10, *Convolution beyond images*."""

from __future__ import annotations

import math

import torch

from lecturekit.exercises import Wrong, as_callable, as_number, exercise_check, expect_close

__all__ = [
    "check_kim_num_parameters",
    "check_masked_max_over_time",
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
