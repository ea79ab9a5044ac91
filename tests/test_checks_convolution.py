import inspect
import re

import torch

from lecturekit.checks import convolution
from lecturekit.checks.convolution import (
    check_conv1_parameters,
    check_convolution_by_hand,
    check_output_side,
    check_overlapping_max_pool,
    check_shift_invariance_experiment,
    check_vertical_edge_kernel,
)


def names_number(source: str, number: int) -> bool:
    """Whether ``source`` has ``number`` as a number of its own (14, 30_840 or 30,840)."""
    spellings = "|".join(re.escape(s) for s in {str(number), f"{number:_}", f"{number:,}"})
    return re.search(rf"(?<![\w.,])(?:{spellings})(?![\w]|[.,]\d)", source) is not None


def test_output_side_check_accepts_the_formula_and_rejects_common_mistakes():
    assert check_output_side(lambda n, k, p, s: (n + 2 * p - k) // s + 1)

    def rounds_up(n, k, p, s):
        return -(-(n + 2 * p - k) // s) + 1

    def pads_one_side(n, k, p, s):
        return (n + p - k) // s + 1

    def true_division(n, k, p, s):
        return (n + 2 * p - k) / s + 1

    for wrong in (rounds_up, pads_one_side):
        feedback = check_output_side(wrong)
        assert not feedback and feedback.answered and "F.conv2d gives" in feedback.message
    assert "whole number" in check_output_side(true_division).message


def test_output_side_check_on_wrong_types_and_placeholders():
    assert "should be a function" in check_output_side(8).message
    assert not check_output_side(...).answered

    def not_written(n, k, p, s):
        raise NotImplementedError

    assert not check_output_side(not_written).answered


def test_conv1_parameters_check_names_the_usual_mistakes():
    assert check_conv1_parameters(34_944)
    assert check_conv1_parameters(torch.tensor(34_944))
    assert "biases" in check_conv1_parameters(96 * 3 * 11 * 11).message
    assert "3 colour channels" in check_conv1_parameters(96 * 11 * 11 + 96).message
    assert "image size" in check_conv1_parameters(96 * 3 * 11 * 11 * 224 * 224).message
    assert not check_conv1_parameters(35_000)


def test_conv1_parameters_check_on_wrong_types_and_placeholders():
    assert "whole number" in check_conv1_parameters("34944").message
    assert "whole number" in check_conv1_parameters(34_944.5).message
    assert not check_conv1_parameters(...).answered


def test_vertical_edge_check_accepts_edge_kernels_of_several_kinds():
    sobel_x = [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]]
    assert check_vertical_edge_kernel(sobel_x)
    assert check_vertical_edge_kernel(-torch.tensor(sobel_x, dtype=torch.float32))
    assert check_vertical_edge_kernel([[0, 0, 0], [0, -1, 1], [0, 0, 0]])


def test_vertical_edge_check_rejects_wrong_kernels_with_reasons():
    sobel_y = [[-1, -2, -1], [0, 0, 0], [1, 2, 1]]
    assert "horizontal edge" in check_vertical_edge_kernel(sobel_y).message
    assert "uniform image" in check_vertical_edge_kernel([[0, 0, 0], [0, 1, 0], [0, 0, 0]]).message
    assert "all-zero" in check_vertical_edge_kernel(torch.zeros(3, 3)).message


def test_vertical_edge_check_on_wrong_types_and_placeholders():
    assert "shape (3, 3)" in check_vertical_edge_kernel([[-1, 0, 1]]).message
    assert "not str" in check_vertical_edge_kernel("sobel").message
    assert not check_vertical_edge_kernel(...).answered


def test_convolution_by_hand_check_accepts_the_flipped_sum_and_spots_cross_correlation():
    assert check_convolution_by_hand([[4, 1], [3, 5]])
    assert check_convolution_by_hand(torch.tensor([[4.0, 1.0], [3.0, 5.0]]))
    feedback = check_convolution_by_hand([[0, 1], [3, 3]])  # no flip
    assert not feedback and "cross-correlation" in feedback.message
    assert not check_convolution_by_hand([[4, 1], [3, 4]])


def test_convolution_by_hand_check_on_wrong_types_and_placeholders():
    assert "shape (2, 2)" in check_convolution_by_hand([4, 1, 3, 5]).message
    assert "not dict" in check_convolution_by_hand({"y": 1}).message
    assert not check_convolution_by_hand(...).answered


def test_overlapping_max_pool_check():
    assert check_overlapping_max_pool([[4, 3, 5], [6, 6, 5], [6, 6, 4]])
    assert "stride 2" in check_overlapping_max_pool([[4, 5], [6, 4]]).message
    assert not check_overlapping_max_pool([[4, 3, 5], [6, 6, 5], [6, 6, 6]])
    assert "could not be read" in check_overlapping_max_pool([[1, 2], [3]]).message
    assert not check_overlapping_max_pool(...).answered


def test_the_conv1_count_is_not_in_the_source():
    assert not names_number(inspect.getsource(convolution), 34_944)


def pooled_shift_correlation(name, shift, pool_size):
    # The check's own measurement, which the chapter's committed run of exercise 6.6 matches.
    return convolution._reference_shift_correlation(name, shift, pool_size)


def shift_table(run=pooled_shift_correlation, photos=("camera", "coins", "moon")):
    return {(n, s, k): run(n, s, k) for n in photos for s in (1, 8) for k in (1, 4)}


def test_shift_experiment_accepts_the_readers_table_and_the_conclusion_it_supports():
    table = shift_table()
    assert check_shift_invariance_experiment(pooled_shift_correlation, table, "B")
    feedback = check_shift_invariance_experiment(pooled_shift_correlation, table, "A")
    assert not feedback and "your own numbers say B" in feedback.message
    extra = table | {("astronaut", 1, 2): 0.8}  # what else the reader tried does not count
    assert check_shift_invariance_experiment(pooled_shift_correlation, extra, "B")


def test_shift_experiment_refuses_forged_looked_up_or_incomplete_tables():
    table = shift_table()
    for forged in (table | {("camera", 8, 4): 0.9}, table | {("moon", 1, 1): 1.5}):
        message = check_shift_invariance_experiment(pooled_shift_correlation, forged, "B").message
        assert "fill it from your own runs" in message

    def looks_up(name, shift, pool_size):
        return table.get((name, shift, pool_size), 0.5)

    message = check_shift_invariance_experiment(looks_up, table, "B").message
    assert "the measurement the exercise describes gives" in message
    two_photos = {k: v for k, v in table.items() if k[0] != "moon"}
    message = check_shift_invariance_experiment(pooled_shift_correlation, two_photos, "B").message
    assert "missing" in message
    message = check_shift_invariance_experiment(
        pooled_shift_correlation, {(1, 1): 0.5}, "B"
    ).message
    assert "(photo name, shift, pool_size)" in message
    assert not check_shift_invariance_experiment(pooled_shift_correlation, ..., ...).answered


def test_shift_experiment_refuses_numbers_typed_in_for_the_tables_entries():
    table = shift_table()
    typed_in = {key: 0.7 for key in table}  # above 0.5 at both shifts everywhere: as if A held

    def forged(name, shift, pool_size):  # the typed-in numbers for the table, real runs else
        return typed_in.get((name, shift, pool_size)) or pooled_shift_correlation(
            name, shift, pool_size
        )

    message = check_shift_invariance_experiment(forged, typed_in, "A").message
    assert "the measurement the exercise describes gives another correlation" in message
    assert f"{table['camera', 1, 1]:.4f}" not in message  # the reference stays hidden
