import inspect
import re

import torch
from torch import nn

from lecturekit.checks import lenet
from lecturekit.checks.lenet import (
    check_confusion_matrix,
    check_modern_lenet,
    check_s4_receptive_field,
    check_unpadded_c5_parameters,
)


def names_number(source: str, number: int) -> bool:
    """Whether ``source`` has ``number`` as a number of its own (14, 30_840 or 30,840)."""
    spellings = "|".join(re.escape(s) for s in {str(number), f"{number:_}", f"{number:,}"})
    return re.search(rf"(?<![\w.,])(?:{spellings})(?![\w]|[.,]\d)", source) is not None


def test_unpadded_c5_check_accepts_the_count_and_names_the_usual_mistakes():
    assert check_unpadded_c5_parameters(30_840)
    assert check_unpadded_c5_parameters(torch.tensor(30_840))
    assert "32 x 32" in check_unpadded_c5_parameters(48_120).message
    assert "biases" in check_unpadded_c5_parameters(30_720).message
    assert "wrong side" in check_unpadded_c5_parameters(120 * (16 * 9 + 1)).message
    assert not check_unpadded_c5_parameters(30_000)


def test_unpadded_c5_check_on_wrong_types_and_placeholders():
    assert "whole number" in check_unpadded_c5_parameters("30840").message
    assert "whole number" in check_unpadded_c5_parameters(30_840.5).message
    assert not check_unpadded_c5_parameters(...).answered


def modern(c3_in=6, pool=nn.MaxPool2d, act=nn.ReLU, out=10):
    return nn.Sequential(
        nn.Conv2d(1, 6, 5), act(), pool(2),
        nn.Conv2d(c3_in, 16, 5), act(), pool(2),
        nn.Conv2d(16, 120, 5), act(), nn.Flatten(),
        nn.Linear(120, 84), act(), nn.Linear(84, out),
    )  # fmt: skip


def test_modern_lenet_check_accepts_the_network_and_rejects_variants():
    assert check_modern_lenet(modern)
    assert "MaxPool2d" in check_modern_lenet(lambda: modern(pool=nn.AvgPool2d)).message
    assert "ReLU" in check_modern_lenet(lambda: modern(act=nn.Tanh)).message
    assert "(3, 10)" in check_modern_lenet(lambda: modern(out=9)).message

    def wider_f6():
        model = modern()
        model[9], model[11] = nn.Linear(120, 100), nn.Linear(100, 10)
        return model

    feedback = check_modern_lenet(wider_f6)
    assert not feedback and "different count" in feedback.message


def test_modern_lenet_check_on_wrong_types_and_placeholders():
    assert "should be a function" in check_modern_lenet(modern()).message
    assert "should be a function" in check_modern_lenet(61_706).message
    assert "nn.Module" in check_modern_lenet(lambda: 3).message
    assert not check_modern_lenet(...).answered

    def not_written():
        raise NotImplementedError

    assert not check_modern_lenet(not_written).answered


def reference_confusion(y_true, y_pred, num_classes):
    matrix = torch.zeros(num_classes, num_classes, dtype=torch.long)
    for t, p in zip(y_true.tolist(), y_pred.tolist(), strict=True):
        matrix[t, p] += 1
    return matrix


def test_confusion_matrix_check_accepts_loops_and_bincount_and_spots_a_transpose():
    assert check_confusion_matrix(reference_confusion)
    assert check_confusion_matrix(lambda t, p, n: reference_confusion(t, p, n).numpy().tolist())
    swapped = check_confusion_matrix(lambda t, p, n: reference_confusion(t, p, n).T)
    assert not swapped and "swapped" in swapped.message
    fixed_size = check_confusion_matrix(lambda t, p, n: reference_confusion(t, p, 10))
    assert not fixed_size and "3 x 3" in fixed_size.message
    diagonal_only = check_confusion_matrix(
        lambda t, p, n: torch.diag(torch.bincount(t[t == p], minlength=n))
    )
    assert not diagonal_only and "add up to" in diagonal_only.message


def test_confusion_matrix_check_on_wrong_types_and_placeholders():
    assert "should be a function" in check_confusion_matrix([[1, 0], [0, 1]]).message
    assert "not str" in check_confusion_matrix(lambda t, p, n: "matrix").message
    assert not check_confusion_matrix(...).answered

    def not_written(y_true, y_pred, num_classes):
        raise NotImplementedError

    assert not check_confusion_matrix(not_written).answered


def test_s4_receptive_field_check():
    assert check_s4_receptive_field(16)
    assert "C3" in check_s4_receptive_field(14).message
    assert "C5" in check_s4_receptive_field(32).message
    assert "units of one layer" in check_s4_receptive_field(5).message
    assert not check_s4_receptive_field(18)
    assert "whole number" in check_s4_receptive_field("16").message
    assert not check_s4_receptive_field(...).answered


def test_the_exact_answers_are_not_in_the_source():
    source = inspect.getsource(lenet)
    assert not names_number(source, 30_840) and not names_number(source, 61_706)
    # 16 is also the number of C3's maps; the receptive-field check itself must not name it
    assert not names_number(inspect.getsource(check_s4_receptive_field), 16)
