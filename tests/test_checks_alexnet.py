import inspect
import re

import torch

from lecturekit.checks import alexnet
from lecturekit.checks.alexnet import (
    check_conv2_one_gpu,
    check_crops_per_image,
    check_dropout,
    check_top_k_accuracy,
)


def names_number(source: str, number: int) -> bool:
    """Whether ``source`` has ``number`` as a number of its own (14, 30_840 or 30,840)."""
    spellings = "|".join(re.escape(s) for s in {str(number), f"{number:_}", f"{number:,}"})
    return re.search(rf"(?<![\w.,])(?:{spellings})(?![\w]|[.,]\d)", source) is not None


def test_conv2_one_gpu_check_accepts_the_count_and_names_the_usual_mistakes():
    assert check_conv2_one_gpu(614_656)
    assert check_conv2_one_gpu(torch.tensor(614_656))
    assert "with the split" in check_conv2_one_gpu(307_456).message
    assert "biases" in check_conv2_one_gpu(614_400).message
    assert "twice" in check_conv2_one_gpu(614_912).message
    assert not check_conv2_one_gpu(600_000)


def test_conv2_one_gpu_check_on_wrong_types_and_placeholders():
    assert "whole number" in check_conv2_one_gpu("614656").message
    assert "whole number" in check_conv2_one_gpu(614_656.5).message
    assert not check_conv2_one_gpu(...).answered


def reference_top_k(scores, labels, k):
    return (scores.topk(k, dim=1).indices == labels[:, None]).any(dim=1).float().mean().item()


def test_top_k_accuracy_check_accepts_floats_and_tensors_and_names_mistakes():
    assert check_top_k_accuracy(reference_top_k)
    assert check_top_k_accuracy(lambda s, y, k: torch.tensor(reference_top_k(s, y, k)))
    error = check_top_k_accuracy(lambda s, y, k: 1 - reference_top_k(s, y, k))
    assert not error and "error" in error.message

    def lowest(scores, labels, k):
        return reference_top_k(-scores, labels, k)

    assert "lowest" in check_top_k_accuracy(lowest).message

    def hits(scores, labels, k):
        return reference_top_k(scores, labels, k) * len(labels)

    assert "number of hits" in check_top_k_accuracy(hits).message
    top1_only = check_top_k_accuracy(lambda s, y, k: reference_top_k(s, y, 1))
    assert not top1_only and "k=5" in top1_only.message


def test_top_k_accuracy_check_on_wrong_types_and_placeholders():
    assert "should be a function" in check_top_k_accuracy(0.9).message
    assert "a number" in check_top_k_accuracy(lambda s, y, k: "high").message
    assert not check_top_k_accuracy(...).answered

    def not_written(scores, labels, k):
        raise NotImplementedError

    assert not check_top_k_accuracy(not_written).answered


def reference_dropout(x, p, training):
    if not training:
        return x
    return x * (torch.rand_like(x) >= p) / (1 - p)


def test_dropout_check_accepts_inverted_dropout_and_names_mistakes():
    assert check_dropout(reference_dropout)
    assert check_dropout(lambda x, p, t: torch.nn.functional.dropout(x, p, t))
    unscaled = check_dropout(lambda x, p, t: x * (torch.rand_like(x) >= p) if t else x)
    assert not unscaled and "not scaled" in unscaled.message
    swapped = check_dropout(lambda x, p, t: reference_dropout(x, 1 - p, t))
    assert not swapped and "chance to *drop*" in swapped.message
    always = check_dropout(lambda x, p, t: reference_dropout(x, p, True))
    assert not always and "unchanged" in always.message
    mask = torch.rand(200_000) >= 0.5

    def fixed_mask(x, p, training):
        return x * mask / 0.5 if training else x

    fixed = check_dropout(fixed_mask)
    assert not fixed


def test_dropout_check_on_wrong_types_and_placeholders():
    assert "should be a function" in check_dropout(0.5).message
    assert not check_dropout(torch.nn.Dropout(0.5))  # a module is not dropout(x, p, training)
    assert "not str" in check_dropout(lambda x, p, t: "dropped").message
    assert not check_dropout(...).answered

    def not_written(x, p, training):
        raise NotImplementedError

    assert not check_dropout(not_written).answered


def test_crops_per_image_check():
    assert check_crops_per_image(2178)
    assert "33 positions" in check_crops_per_image(2048).message
    assert "reflected" in check_crops_per_image(1089).message
    assert not check_crops_per_image(1024)
    assert not check_crops_per_image(50)
    assert "whole number" in check_crops_per_image("2178").message
    assert not check_crops_per_image(...).answered


def test_the_exact_answers_are_not_in_the_source():
    source = inspect.getsource(alexnet)
    assert not names_number(source, 614_656) and not names_number(source, 2178)
    assert "(96 * 5 * 5)" not in source  # nor the formula that gives it
