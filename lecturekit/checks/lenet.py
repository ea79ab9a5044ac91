"""Checks for the exercises of chapter 07, *LeNet-5*.

Conventions as in the chapter: images are ``(N, 1, 32, 32)`` batches; LeNet-5's layers are
C1 (6 maps, 5 x 5), S2 (2 x 2), C3 (16 maps, 5 x 5), S4 (2 x 2), C5 (120 maps, 5 x 5), F6
(84 units) and the output (10 classes). A confusion matrix has the true classes as rows
and the predicted classes as columns.
"""

from __future__ import annotations

import torch
from torch import nn

from lecturekit.exercises import (
    Wrong,
    as_callable,
    as_number,
    as_tensor,
    exercise_check,
    matches_key,
)

__all__ = [
    "check_confusion_matrix",
    "check_modern_lenet",
    "check_s4_receptive_field",
    "check_unpadded_c5_parameters",
]

# The exact answers, as keys (lecturekit.exercises.answer_key) rather than in plain text.
_UNPADDED_C5_KEY = (
    "sha256:6175bae73330bd61:da59e80d834db3f48fa57fa0b12f69b10f98d0e6359f0a0e30b0ecee5dfff9b3"
)
_MODERN_LENET_KEY = (
    "sha256:189ab130751d5c8a:113ef71aa181291b06db7b2aefa2a5b0f0d75c4361002b21046ec369669a6de2"
)
_S4_RECEPTIVE_FIELD_KEY = (
    "sha256:1ad353bf1dd76791:e4c6ad5b88bf530119b27eed5e377abf9ea3851b691112668e0ea86482ec4633"
)


@exercise_check(
    "C5 on unpadded 28 x 28 digits",
    hint="follow the sides: 28 -> 24 (C1) -> 12 (S2) -> 8 (C3) -> 4 (S4). Each of the 120 "
    "units of the fully connected layer has one weight per number in S4's output, plus a bias.",
)
def check_unpadded_c5_parameters(c5_parameters: object) -> None:
    count = as_number(c5_parameters, "c5_parameters", integer=True)
    if count == 48_120:
        raise Wrong(
            "48,120 is C5 on 32 x 32 inputs, where S4's maps are 5 x 5; without padding "
            "they are smaller."
        )
    if count == 30_720:
        raise Wrong(f"{count:,} counts the weights; the 120 biases are parameters too.")
    if count in (17_400, 69_240):
        raise Wrong(f"{count:,} uses the wrong side for S4's maps: recompute it layer by layer.")
    if not matches_key(count, _UNPADDED_C5_KEY):
        raise Wrong(f"{count:,} is not the number of parameters of that layer.")


def _count(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


def _probe_modern_lenet(modern_lenet: object) -> dict:
    """Build the reader's network in the kernel; what leaves is what the check looks at."""
    if isinstance(modern_lenet, nn.Module):
        raise Wrong("`modern_lenet` should be a function that builds the network, not a network.")
    build = as_callable(modern_lenet, "modern_lenet")
    model = build()
    if not isinstance(model, nn.Module):
        raise Wrong(f"modern_lenet() should return an nn.Module, not {type(model).__name__}.")
    kinds = [
        kind.__name__
        for kind in (nn.MaxPool2d, nn.ReLU, nn.Tanh, nn.AvgPool2d)
        if any(isinstance(m, kind) for m in model.modules())
    ]
    model.eval()
    with torch.no_grad():
        output = model(torch.randn(3, 1, 32, 32))
    shape = tuple(output.shape) if isinstance(output, torch.Tensor) else type(output).__name__
    return {"kinds": kinds, "shape": shape, "count": _count(model)}


@exercise_check(
    "the modern LeNet-5",
    hint="nn.Sequential(nn.Conv2d(1, 6, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(6, 16, 5), "
    "nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(16, 120, 5), nn.ReLU(), nn.Flatten(), ...) and two "
    "linear layers, 120 -> 84 -> 10.",
    probe=_probe_modern_lenet,
)
def check_modern_lenet(network: dict) -> None:
    kinds = set(network["kinds"])
    if "MaxPool2d" not in kinds:
        raise Wrong("there is no nn.MaxPool2d: the modern version max-pools instead of S2 and S4.")
    if "ReLU" not in kinds:
        raise Wrong("there is no nn.ReLU: the modern version uses ReLU activations.")
    if "Tanh" in kinds or "AvgPool2d" in kinds:
        raise Wrong("the modern version has no tanh and no average pooling.")
    if network["shape"] != (3, 10):
        raise Wrong(
            f"a batch of 3 images of 32 x 32 should give (3, 10) scores, got {network['shape']}."
        )
    count = as_number(network["count"], "the number of parameters", integer=True)
    if count == 60_806:
        raise Wrong("C3 should connect every S2 map to every C3 map (no connection table).")
    if not matches_key(count, _MODERN_LENET_KEY):
        raise Wrong(
            f"your network has {count:,} parameters; LeNet-5's layers with max pooling and a "
            "fully connected C3 have a different count."
        )


@exercise_check(
    "a confusion matrix",
    hint="start from torch.zeros(num_classes, num_classes, dtype=torch.long) and add 1 at "
    "[true, predicted] for every example (a loop is fine; torch.bincount of "
    "true * num_classes + predicted does it at once).",
)
def check_confusion_matrix(confusion_matrix: object) -> None:
    function = as_callable(confusion_matrix, "confusion_matrix")
    generator = torch.Generator().manual_seed(7)
    for num_classes, size in [(10, 200), (3, 7), (4, 1)]:
        y_true = torch.randint(0, num_classes, (size,), generator=generator)
        y_pred = torch.where(
            torch.rand(size, generator=generator) < 0.6,
            y_true,
            torch.randint(0, num_classes, (size,), generator=generator),
        )
        expected = torch.bincount(y_true * num_classes + y_pred, minlength=num_classes**2)
        expected = expected.view(num_classes, num_classes).to(torch.float64)
        answer = as_tensor(function(y_true, y_pred, num_classes), "confusion_matrix(...)")
        if tuple(answer.shape) != (num_classes, num_classes):
            raise Wrong(
                f"with num_classes={num_classes} the matrix should be {num_classes} x "
                f"{num_classes}, not {tuple(answer.shape)}."
            )
        if torch.equal(answer, expected):
            continue
        if torch.equal(answer, expected.T):
            raise Wrong("rows and columns are swapped: row = true class, column = prediction.")
        if answer.sum() != size:
            raise Wrong(f"the entries add up to {answer.sum():.0f}, not to the {size} examples.")
        raise Wrong(f"the counts differ from the true ones for num_classes={num_classes}.")


@exercise_check(
    "the receptive field of one S4 unit",
    hint="go backwards from one S4 unit: it sees 2 x 2 units of C3; those see 2 + 5 - 1 = 6 "
    "units of S2 along each side; keep going through S2 (x 2) and C1 (+ 4).",
)
def check_s4_receptive_field(s4_receptive_field: object) -> None:
    side = as_number(s4_receptive_field, "s4_receptive_field", integer=True)
    if side == 14:
        raise Wrong("14 is the receptive field of one C3 unit; S4 adds a 2 x 2 window on top.")
    if side == 32:
        raise Wrong("32 is the receptive field of a C5 unit, which sees the whole image.")
    if side in (2, 5, 10, 20):
        raise Wrong(f"{side} counts units of one layer, not pixels of the 32 x 32 input.")
    if not matches_key(side, _S4_RECEPTIVE_FIELD_KEY):
        raise Wrong(f"{side} is not the side of the input patch one S4 unit depends on.")
