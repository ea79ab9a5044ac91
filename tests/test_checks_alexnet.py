import inspect
import re

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from lecturekit.checks import alexnet
from lecturekit.checks.alexnet import (
    POOLING_SETTINGS,
    check_conv2_one_gpu,
    check_crops_per_image,
    check_pooling_shift_experiment,
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


def run_pooling_shift(kernel_size, stride, seed):
    maps = torch.randn(1, 16, 55, 55, generator=torch.Generator().manual_seed(seed))
    pool = nn.MaxPool2d(kernel_size, stride)
    return (pool(maps[..., :-1]) == pool(maps[..., 1:])).float().mean().item()


def pooling_table(run=run_pooling_shift, seeds=(0, 1, 2)):
    return {(k, s, seed): run(k, s, seed) for k, s in POOLING_SETTINGS for seed in seeds}


def test_pooling_experiment_accepts_the_readers_own_numbers_and_the_conclusion_they_support():
    shares = pooling_table()
    assert check_pooling_shift_experiment(run_pooling_shift, shares, "A")
    assert check_pooling_shift_experiment(run_pooling_shift, shares, " a ")
    more_seeds = pooling_table(seeds=(0, 1, 2, 3, 4))
    assert check_pooling_shift_experiment(run_pooling_shift, more_seeds, "A")

    # Integers, tensors and a function that computes the same in other words are fine too.
    def in_other_words(kernel_size, stride, seed):
        maps = torch.randn(1, 16, 55, 55, generator=torch.Generator().manual_seed(seed))
        left, right = maps[:, :, :, :-1], maps[:, :, :, 1:]
        same = F.max_pool2d(left, kernel_size, stride).eq(F.max_pool2d(right, kernel_size, stride))
        return torch.tensor(same.double().mean().item())

    assert check_pooling_shift_experiment(in_other_words, pooling_table(in_other_words), "A")


def test_pooling_experiment_names_a_conclusion_the_numbers_do_not_support():
    shares = pooling_table()
    for wrong in "BCD":
        feedback = check_pooling_shift_experiment(run_pooling_shift, shares, wrong)
        assert not feedback and "your own numbers say A" in feedback.message
    assert (
        '"A", "B", "C" or "D"'
        in check_pooling_shift_experiment(run_pooling_shift, shares, "E").message
    )
    assert not check_pooling_shift_experiment(run_pooling_shift, shares, 1)


def test_pooling_experiment_refuses_forged_or_mismeasured_numbers():
    shares = pooling_table()
    forged = shares | {(3, 2, 0): 0.9}
    assert (
        "fill it from your own runs"
        in check_pooling_shift_experiment(run_pooling_shift, forged, "A").message
    )

    def two_pixels(kernel_size, stride, seed):
        maps = torch.randn(1, 16, 55, 55, generator=torch.Generator().manual_seed(seed))
        pool = nn.MaxPool2d(kernel_size, stride)
        return (pool(maps[..., :-2]) == pool(maps[..., 2:])).float().mean().item()

    message = check_pooling_shift_experiment(two_pixels, pooling_table(two_pixels), "A").message
    assert "far from what random maps give" in message

    def mean_pooling(kernel_size, stride, seed):
        maps = torch.randn(1, 16, 55, 55, generator=torch.Generator().manual_seed(seed))
        pool = nn.AvgPool2d(kernel_size, stride)
        return (pool(maps[..., :-1]) == pool(maps[..., 1:])).float().mean().item()

    assert not check_pooling_shift_experiment(mean_pooling, pooling_table(mean_pooling), "A")


def test_pooling_experiment_refuses_too_few_seeds_bad_keys_and_placeholders():
    shares = pooling_table()
    too_few = {key: value for key, value in shares.items() if key[2] != 2}
    assert "three seeds" in check_pooling_shift_experiment(run_pooling_shift, too_few, "A").message
    one_setting_short = {key: value for key, value in shares.items() if key != (3, 3, 1)}
    assert (
        "three seeds"
        in check_pooling_shift_experiment(run_pooling_shift, one_setting_short, "A").message
    )
    assert (
        "(kernel_size, stride, seed)"
        in check_pooling_shift_experiment(run_pooling_shift, {(2, 2): 0.33}, "A").message
    )
    assert (
        "should be a dict" in check_pooling_shift_experiment(run_pooling_shift, [0.33], "A").message
    )
    assert "should be a function" in check_pooling_shift_experiment(0.33, shares, "A").message
    assert not check_pooling_shift_experiment(run_pooling_shift, ..., ...).answered
    assert not check_pooling_shift_experiment(..., shares, "A").answered


def test_pooling_experiment_refuses_a_formula_a_partly_typed_table_and_a_seed_ignored():
    def theory(kernel_size, stride, seed):  # the hint's formula, no maps measured
        return (kernel_size - 1) / (kernel_size + 1)

    message = check_pooling_shift_experiment(theory, pooling_table(theory), "A").message
    assert "the recipe of the exercise gives" in message and "on seed" in message

    typed = pooling_table() | {(k, s, seed): 0.4 for k, s in POOLING_SETTINGS for seed in (1, 2)}
    feedback = check_pooling_shift_experiment(run_pooling_shift, typed, "D")
    assert not feedback and "fill it from your own runs" in feedback.message

    def after_relu(kernel_size, stride, seed):  # another measurement than the one asked for
        maps = torch.randn(1, 16, 55, 55, generator=torch.Generator().manual_seed(seed)).relu()
        pool = nn.MaxPool2d(kernel_size, stride)
        return (pool(maps[..., :-1]) == pool(maps[..., 1:])).float().mean().item()

    feedback = check_pooling_shift_experiment(after_relu, pooling_table(after_relu), "A")
    assert not feedback and "the recipe of the exercise gives" in feedback.message

    def one_seed_only(kernel_size, stride, seed):  # right on new seeds, the table from seed 0
        return run_pooling_shift(kernel_size, stride, 0 if seed < 3 else seed)

    message = check_pooling_shift_experiment(
        one_seed_only, pooling_table(one_seed_only), "A"
    ).message
    assert "the same share for every seed" in message


def test_pooling_experiment_refuses_numbers_typed_in_for_the_tables_seeds():
    # Within 0.05 of (k - 1) / (k + 1), but as if the overlap mattered as much as the window (C).
    typed = {(2, 2): 0.29, (3, 2): 0.47, (2, 1): 0.38, (3, 3): 0.54}
    forged_table = {(k, s, seed): typed[k, s] + seed / 1000 for k, s in typed for seed in (0, 1, 2)}

    def forged(kernel_size, stride, seed):  # the typed-in numbers for the table, real runs else
        return forged_table.get((kernel_size, stride, seed)) or run_pooling_shift(
            kernel_size, stride, seed
        )

    message = check_pooling_shift_experiment(forged, forged_table, "C").message
    assert "`pooling_shift` holds" in message and "for every seed" in message


def test_pooling_experiment_accepts_numpy_seeds_and_wants_the_seeds_0_1_and_2():
    shares = {(k, s, np.int64(seed)): v for (k, s, seed), v in pooling_table().items()}
    assert check_pooling_shift_experiment(run_pooling_shift, shares, "A")
    later = pooling_table(seeds=(3, 4, 5))
    message = check_pooling_shift_experiment(run_pooling_shift, later, "A").message
    assert "0, 1 and 2" in message
