import math

import torch

from lecturekit.checks.beyond_images import (
    check_kim_num_parameters,
    check_masked_max_over_time,
    check_num_windows,
    check_octave_shift,
)


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
