"""Checks for the exercises of chapter 08, *ImageNet and AlexNet*.

Conventions as in the chapter: AlexNet's conv2 has 256 kernels of 5 x 5 over conv1's 96
maps, split in two groups of 48 (one per GPU); scores are ``(N, C)`` tensors with the
correct classes in an ``(N,)`` tensor; the pooling experiment max-pools 16 maps of 55 x 55
(conv1's size) of standard normal numbers, and the same maps moved by one pixel.
"""

from __future__ import annotations

import torch

from lecturekit.exercises import (
    Wrong,
    as_callable,
    as_choice,
    as_number,
    as_seed,
    common_seeds,
    exercise_check,
    matches_key,
    unseen_seeds,
)

__all__ = [
    "POOLING_SETTINGS",
    "check_conv2_one_gpu",
    "check_crops_per_image",
    "check_pooling_shift_experiment",
    "check_top_k_accuracy",
]

# The exact answers, as keys (lecturekit.exercises.answer_key) rather than in plain text.
_CONV2_ONE_GPU_KEY = (
    "sha256:aa4ce760f0974d24:e8a35028f9cb659f25e41dfd89ba9f2446c0c58309252a42b7fbc3da5d1b6159"
)
_CROPS_KEY = (
    "sha256:2b46a2074d2ba1f6:82266dc090476f7914817ec3301ada43f47a498a16cbcf83e9bd130ed4cadeb3"
)


@exercise_check(
    "conv2 without the two-GPU split",
    hint="each of the 256 kernels is 5 x 5 over all 96 maps of conv1, and has one bias.",
)
def check_conv2_one_gpu(conv2_one_gpu: object) -> None:
    count = as_number(conv2_one_gpu, "conv2_one_gpu", integer=True)
    if count == 307_456:
        raise Wrong("307,456 is conv2 with the split (5 x 5 x 48 kernels); without it they see 96.")
    if count == 614_400:
        raise Wrong(f"{count:,} counts the weights; the 256 biases are parameters too.")
    if count == 614_912:  # 256 biases too many, or twice the split layer
        raise Wrong(f"{count:,} counts the biases twice: there is one bias per kernel, 256 in all.")
    if not matches_key(count, _CONV2_ONE_GPU_KEY):
        raise Wrong(f"{count:,} is not the number of parameters of conv2 on one GPU.")


@exercise_check(
    "top-k accuracy",
    hint="scores.topk(k, dim=1).indices has shape (N, k); compare it with labels[:, None], "
    "take .any(dim=1) and the mean, and return it as a float.",
)
def check_top_k_accuracy(top_k_accuracy: object) -> None:
    function = as_callable(top_k_accuracy, "top_k_accuracy")
    generator = torch.Generator().manual_seed(8)
    for n, c, k in [(200, 10, 1), (200, 10, 5), (50, 1000, 5), (7, 3, 3), (30, 6, 2)]:
        scores = torch.randn(n, c, generator=generator)
        labels = torch.randint(0, c, (n,), generator=generator)
        expected = (scores.topk(k, dim=1).indices == labels[:, None]).any(dim=1).double().mean()
        answer = as_number(function(scores.clone(), labels.clone(), k), "top_k_accuracy(...)")
        if abs(answer - expected.item()) < 1e-6:
            continue
        if abs(answer - (1 - expected.item())) < 1e-6:
            raise Wrong("that is the top-k *error*; return the accuracy, 1 minus the error.")
        smallest = (scores.topk(k, dim=1, largest=False).indices == labels[:, None]).any(dim=1)
        if abs(answer - smallest.double().mean().item()) < 1e-6:
            raise Wrong("that takes the k *lowest* scores; the best classes have the highest.")
        if abs(answer - expected.item() * n) < 1e-6:
            raise Wrong("that is the number of hits; divide by the number of examples.")
        raise Wrong(
            f"with {n} examples, {c} classes and k={k} the accuracy is {expected.item():.4f}, "
            f"not {answer:.4f}."
        )


@exercise_check(
    "crops per training image",
    hint="a 224-pixel window fits at 256 - 224 + 1 = 33 places along each side; square that "
    "and double it for the reflections.",
)
def check_crops_per_image(crops_per_image: object) -> None:
    count = as_number(crops_per_image, "crops_per_image", integer=True)
    if count == 2048:
        raise Wrong(
            "2048 = 32 x 32 x 2 is the paper's round figure; a window can start at "
            "column 0 and at column 32, so there are 33 positions per side."
        )
    if count == 1089:
        raise Wrong(f"{count:,} counts the positions; each crop can also be reflected.")
    if count in (1024, 66, 64):
        raise Wrong(f"{count:,}: count positions along both sides and the reflections.")
    if not matches_key(count, _CROPS_KEY):
        raise Wrong(f"{count:,} is not the number of different crops of one image.")


POOLING_SETTINGS = ((2, 2), (3, 2), (2, 1), (3, 3))
"""The (kernel_size, stride) pairs of exercise 8.4: LeNet's and AlexNet's pooling, and two
that separate the window's size from the overlap of neighbouring windows."""
_POOLING_CONCLUSIONS = {
    "A": "the share that stays the same depends on the window size, not on the overlap",
    "B": "it depends on whether the windows overlap, not on the window size",
    "C": "it depends on both",
    "D": "it depends on neither",
}
# A one-pixel move keeps a k x k window's maximum exactly when the largest of the k(k + 1)
# numbers that the two windows cover lies in the k(k - 1) they share: (k - 1) / (k + 1) for
# independent numbers, whatever the stride. Over 200 seeds the reference gave 0.319-0.345
# (k = 2) and 0.479-0.520 (k = 3); 0.05 either side admits every correct run, and a ReLU
# before the pooling, while a move of two pixels (0 and 0.2) or a mean (never equal) is out.
_SHARE_TOLERANCE = 0.05
# Between window sizes 2 and 3 the share moves by 1/2 - 1/3 = 0.17; between strides it moves
# by sampling noise alone (under 0.03 for one seed, over 200 seeds). 0.08 tells them apart.
_EFFECT_THRESHOLD = 0.08


def _reference_share(kernel_size: int, stride: int, seed: int) -> float:
    """The exercise's recipe: the share of max-pooled outputs unchanged by a one-pixel move."""
    maps = torch.randn(1, 16, 55, 55, generator=torch.Generator().manual_seed(seed))
    pool = torch.nn.MaxPool2d(kernel_size, stride)
    return (pool(maps[..., :-1]) == pool(maps[..., 1:])).float().mean().item()


def _pooling_table(shares: object) -> dict[tuple[int, int, int], float]:
    if not isinstance(shares, dict):
        raise Wrong("`pooling_shift` should be a dict {(kernel_size, stride, seed): share}.")
    table = {}
    for key, value in shares.items():
        if not isinstance(key, tuple | list) or len(key) != 3:
            raise Wrong(
                f"each key of `pooling_shift` should be (kernel_size, stride, seed), not {key!r}."
            )
        k, s = (int(as_number(v, "a kernel size or stride", integer=True)) for v in key[:2])
        table[k, s, as_seed(key[2], "`pooling_shift`")] = as_number(
            value, f"pooling_shift[{key!r}]"
        )
    return table


@exercise_check(
    "pooling and a one-pixel move",
    hint="maps = torch.randn(1, 16, 55, 55, generator=torch.Generator().manual_seed(seed)); "
    "pool = nn.MaxPool2d(kernel_size, stride); compare pool(maps[..., :-1]) with "
    "pool(maps[..., 1:]) and return the mean of (a == b) as a float. Fill `pooling_shift` for "
    "the four settings and the seeds 0, 1, 2 (or more), then compare settings of the same "
    "window size (the overlap changes) and of the same overlap (the window size changes).",
)
def check_pooling_shift_experiment(
    run_pooling_shift: object, pooling_shift: object, conclusion: object
) -> None:
    run = as_callable(run_pooling_shift, "run_pooling_shift")
    table = _pooling_table(pooling_shift)
    seeds = common_seeds(
        (((k, s), seed) for k, s, seed in table),
        POOLING_SETTINGS,
        f"`pooling_shift`, for every setting {POOLING_SETTINGS},",
    )
    [fresh] = unseen_seeds(1, seeds)
    # The numbers are the reader's own: their function, run again, gives every entry of the
    # table (a typed-in or partly typed-in table fails here).
    for (k, s, seed), value in sorted(table.items()):
        again = as_number(run(k, s, seed), "run_pooling_shift(...)")
        if abs(again - value) > 1e-9:
            raise Wrong(
                f"run_pooling_shift({k}, {s}, {seed}) returns {again:.4f}, but "
                f"`pooling_shift` holds {value:.4f}: fill it from your own runs."
            )
    means = {}
    for k, s in POOLING_SETTINGS:
        values = [table[k, s, seed] for seed in seeds]
        expected = (k - 1) / (k + 1)
        for seed, value in zip(seeds, values, strict=True):
            if not 0 <= value <= 1:
                raise Wrong(f"{value:g} at {(k, s, seed)} is not a share between 0 and 1.")
            if abs(value - expected) > _SHARE_TOLERANCE:
                raise Wrong(
                    f"a share of {value:.3f} for kernel_size {k}, stride {s} (seed {seed}) is "
                    f"far from what random maps give: move the maps by one pixel, max-pool "
                    "both, and count the outputs that are exactly equal."
                )
        means[k, s] = sum(values) / len(values)
    # ... and it measures what the exercise asks: on a seed the table does not hold, then on
    # every seed it does, it gives what the recipe gives (a function that returns a formula,
    # ignoring the maps, or typed-in numbers for the table's seeds, fails).
    recipe = (
        "draw the maps from `seed`, pool them with this kernel size and stride, move them by "
        "one pixel"
    )
    for k, s in POOLING_SETTINGS:
        answer = as_number(run(k, s, fresh), "run_pooling_shift(...)")
        if abs(answer - _reference_share(k, s, fresh)) > 1e-6:
            raise Wrong(
                f"on seed {fresh}, run_pooling_shift({k}, {s}, {fresh}) returns {answer:.4f}, "
                f"but the recipe of the exercise gives another share: {recipe}."
            )
    for k, s in POOLING_SETTINGS:
        if len({table[k, s, seed] for seed in seeds}) == 1:
            raise Wrong(
                f"kernel_size {k}, stride {s} gives the same share for every seed: other "
                "seeds draw other maps, and their shares differ a little."
            )
    for k, s, seed in sorted(table):
        if (k, s) in POOLING_SETTINGS and seed in seeds:
            if abs(table[k, s, seed] - _reference_share(k, s, seed)) > 1e-6:
                raise Wrong(
                    f"`pooling_shift` holds {table[k, s, seed]:.4f} for {(k, s, seed)}, but the "
                    f"recipe of the exercise gives another share: {recipe}, for every seed."
                )
    # Same window, other overlap: (2, 2) against (2, 1), (3, 3) against (3, 2).
    overlap_effect = max(abs(means[2, 2] - means[2, 1]), abs(means[3, 3] - means[3, 2]))
    # Same overlap, other window: (2, 2) against (3, 3), (2, 1) against (3, 2).
    window_effect = min(abs(means[3, 3] - means[2, 2]), abs(means[3, 2] - means[2, 1]))
    by_window, by_overlap = window_effect > _EFFECT_THRESHOLD, overlap_effect > _EFFECT_THRESHOLD
    supported = {(True, False): "A", (False, True): "B", (True, True): "C"}.get(
        (by_window, by_overlap), "D"
    )
    conclusion = as_choice(conclusion, "pooling_conclusion", list(_POOLING_CONCLUSIONS))
    if conclusion != supported:
        raise Wrong(
            f"your own numbers say {supported}: {_POOLING_CONCLUSIONS[supported]} (the mean "
            "shares: " + ", ".join(f"{k}/{s}: {m:.3f}" for (k, s), m in means.items()) + ")."
        )
