"""Checks for the exercises of chapter 08, *ImageNet and AlexNet*.

Conventions as in the chapter: AlexNet's conv2 has 256 kernels of 5 x 5 over conv1's 96
maps, split in two groups of 48 (one per GPU); scores are ``(N, C)`` tensors with the
correct classes in an ``(N,)`` tensor; dropout is PyTorch's "inverted" dropout.
"""

from __future__ import annotations

import torch

from lecturekit.exercises import (
    Wrong,
    as_callable,
    as_number,
    as_tensor,
    exercise_check,
    matches_key,
)

__all__ = [
    "check_conv2_one_gpu",
    "check_crops_per_image",
    "check_dropout",
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
    "dropout by hand",
    hint="keep = torch.rand_like(x) >= p; return x * keep / (1 - p) in training, x otherwise.",
)
def check_dropout(dropout: object) -> None:
    function = as_callable(dropout, "dropout")
    x = torch.rand(200_000, generator=torch.Generator().manual_seed(8)) + 0.5
    for p in (0.5, 0.2):
        out = as_tensor(function(x.clone(), p, True), f"dropout(x, {p}, True)")
        if tuple(out.shape) != tuple(x.shape):
            raise Wrong(f"the output should have the input's shape {tuple(x.shape)}.")
        zero = out == 0
        zero_fraction = zero.double().mean().item()
        if abs(zero_fraction - (1 - p)) < 0.01 and p != 0.5:
            raise Wrong(f"with p={p} you zeroed {zero_fraction:.0%}: p is the chance to *drop*.")
        if abs(zero_fraction - p) > 0.01:
            raise Wrong(f"with p={p} a fraction {zero_fraction:.3f} of the outputs is zero.")
        kept = out[~zero] / x.double()[~zero]
        if torch.allclose(kept, torch.ones_like(kept)):
            raise Wrong("the kept outputs are not scaled: multiply them by 1 / (1 - p).")
        if not torch.allclose(kept, torch.full_like(kept, 1 / (1 - p)), atol=1e-5):
            raise Wrong(f"the kept outputs should be x / (1 - p) = x * {1 / (1 - p):.2f}.")
    again = as_tensor(function(x.clone(), 0.5, True), "dropout(x, 0.5, True)")
    first = as_tensor(function(x.clone(), 0.5, True), "dropout(x, 0.5, True)")
    if torch.equal(again == 0, first == 0):
        raise Wrong("two calls dropped the same elements: draw a new random mask every call.")
    at_test = as_tensor(function(x.clone(), 0.5, False), "dropout(x, 0.5, False)")
    if not torch.allclose(at_test, x.double()):
        raise Wrong("with training=False the input should come back unchanged.")


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
