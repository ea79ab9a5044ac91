"""Checks for the exercises of chapter 09, *Deeper CNNs: GoogLeNet and ResNet*.

Conventions as in the chapter: images are ``(N, C, H, W)`` batches (one image ``(C, H, W)``);
a convolution from ``c`` to ``c'`` channels with a ``k x k`` kernel has ``k * k * c * c'``
weights and ``c'`` biases; a residual block computes ``ReLU(F(x) + x)``.
"""

from __future__ import annotations

import torch
from torch import nn

from lecturekit.exercises import Wrong, as_callable, as_number, as_tensor, exercise_check

__all__ = [
    "check_bottleneck_weights",
    "check_five_crops",
    "check_inception_4a",
    "check_residual_block",
]

# Inception (4a) of GoogLeNet: 480 channels in; 192; 96 -> 208; 16 -> 48; pool proj 64.
_IN = 480
_BRANCHES = [
    (_IN * 192, 192),  # 1x1
    (_IN * 96, 96),  # 3x3 reduce
    (9 * 96 * 208, 208),  # 3x3
    (_IN * 16, 16),  # 5x5 reduce
    (25 * 16 * 48, 48),  # 5x5
    (_IN * 64, 64),  # pool projection
]
_INCEPTION_4A_CHANNELS = 192 + 208 + 48 + 64
_INCEPTION_4A_PARAMETERS = sum(w + b for w, b in _BRANCHES)


@exercise_check(
    "inception (4a)",
    hint="add the channels of the four branches (1x1, 3x3, 5x5, pool projection); every "
    "convolution from c to c' channels with a k x k kernel has k*k*c*c' + c' parameters, and "
    "there are six convolutions (two of them 1x1 reductions).",
)
def check_inception_4a(out_channels_4a: object, parameters_4a: object) -> None:
    channels = as_number(out_channels_4a, "out_channels_4a", integer=True)
    count = as_number(parameters_4a, "parameters_4a", integer=True)
    if channels == _INCEPTION_4A_CHANNELS - 64 + _IN:
        raise Wrong(
            f"{channels} lets the pooling branch pass all 480 channels; in GoogLeNet a 1 x 1 "
            "projection reduces them to 64."
        )
    if channels in (480, 192 + 96 + 16 + 64):
        raise Wrong(f"{channels} is not the sum of the channels each branch outputs.")
    if channels != _INCEPTION_4A_CHANNELS:
        raise Wrong(f"{channels} is not the number of output channels of inception (4a).")
    weights_only = sum(w for w, _ in _BRANCHES)
    if count == weights_only:
        raise Wrong(f"{count:,} counts the weights only; each output channel also has a bias.")
    without_reductions = sum(w + b for w, b in _BRANCHES) - _BRANCHES[1][0] - _BRANCHES[1][1]
    if count == without_reductions - _BRANCHES[3][0] - _BRANCHES[3][1]:
        raise Wrong(f"{count:,} leaves out the two 1 x 1 reductions before the 3x3 and 5x5.")
    if count != _INCEPTION_4A_PARAMETERS:
        raise Wrong(f"{count:,} is not the number of parameters of inception (4a).")


def _bottleneck(channels: int, bottleneck_channels: int) -> int:
    return 2 * channels * bottleneck_channels + 9 * bottleneck_channels**2


@exercise_check(
    "the bottleneck formula",
    hint="channels * bottleneck (the 1x1 reduction) + 9 * bottleneck**2 (the 3x3) + "
    "bottleneck * channels (the 1x1 back to the channels).",
)
def check_bottleneck_weights(bottleneck_weights: object) -> None:
    function = as_callable(bottleneck_weights, "bottleneck_weights")
    for channels, bottleneck in [(256, 64), (512, 128), (2048, 512), (10, 3)]:
        answer = as_number(
            function(channels, bottleneck), f"bottleneck_weights({channels}, {bottleneck})"
        )
        expected = _bottleneck(channels, bottleneck)
        if answer == expected:
            continue
        if answer == 2 * channels * bottleneck + bottleneck**2:
            raise Wrong("the 3 x 3 convolution has 9 weights per pair of channels, not 1.")
        if answer == 2 * channels * bottleneck + 9 * channels**2:
            raise Wrong("the 3 x 3 convolution runs on the bottleneck's channels, not on all.")
        if answer == channels * bottleneck + 9 * bottleneck**2:
            raise Wrong("the last 1 x 1 convolution back to `channels` is missing.")
        raise Wrong(
            f"bottleneck_weights({channels}, {bottleneck}) gave {answer:,.0f}, "
            f"expected {expected:,}."
        )


@exercise_check(
    "a residual block",
    hint="in forward, return F.relu(self.layers(x) + x), where self.layers is an nn.Sequential "
    "of Conv2d(channels, channels, 3, padding=1, bias=False), BatchNorm2d, ReLU, Conv2d and "
    "BatchNorm2d.",
)
def check_residual_block(residual_block: object) -> None:
    if isinstance(residual_block, nn.Module):
        raise Wrong("`residual_block` should be a function that builds a block, not a block.")
    build = as_callable(residual_block, "residual_block")
    generator = torch.Generator().manual_seed(9)
    for channels in (8, 3):
        block = build(channels)
        if not isinstance(block, nn.Module):
            raise Wrong(
                f"residual_block({channels}) should return an nn.Module, not "
                f"{type(block).__name__}."
            )
        convolutions = [m for m in block.modules() if isinstance(m, nn.Conv2d)]
        if len(convolutions) != 2 or any(m.kernel_size != (3, 3) for m in convolutions):
            raise Wrong("F should have exactly two 3 x 3 convolutions.")
        if not any(isinstance(m, nn.BatchNorm2d) for m in block.modules()):
            raise Wrong("F should use batch normalisation (nn.BatchNorm2d) after each convolution.")
        count = sum(p.numel() for p in block.parameters())
        smallest = 18 * channels**2
        if not smallest <= count <= smallest + 6 * channels:
            raise Wrong(
                f"with {channels} channels the block has {count:,} parameters; two 3 x 3 "
                f"convolutions and two batch normalisations have about {smallest + 4 * channels:,}."
            )
        x = torch.randn(4, channels, 6, 6, generator=generator)
        block.train()
        with torch.no_grad():
            y = as_tensor(block(x), f"residual_block({channels})(x)")
        if tuple(y.shape) != tuple(x.shape):
            raise Wrong(
                f"the output should keep the input's shape {tuple(x.shape)}, not {tuple(y.shape)}."
            )
        if y.min() < 0:
            raise Wrong("the output has negative values: end with a ReLU after the addition.")
        with torch.no_grad():
            for parameter in block.parameters():
                parameter.zero_()
            x = x.relu()
            y = as_tensor(block(x), f"residual_block({channels})(x)")
        if y.abs().max() < 1e-6:
            raise Wrong(
                "with all parameters zero your block outputs zeros: it has no shortcut (+ x)."
            )
        if not torch.allclose(y, x.double(), atol=1e-5):
            raise Wrong(
                "with all parameters zero, F(x) = 0 and the block should return its "
                "non-negative input x unchanged; yours does not."
            )


def _five_crops(image: torch.Tensor, side: int) -> torch.Tensor:
    _, height, width = image.shape
    top, left = (height - side) // 2, (width - side) // 2
    return torch.stack([
        image[:, :side, :side],
        image[:, :side, width - side :],
        image[:, height - side :, :side],
        image[:, height - side :, width - side :],
        image[:, top : top + side, left : left + side],
    ])  # fmt: skip


@exercise_check(
    "five crops",
    hint="image[:, :side, :side] is the top-left crop and image[:, H - side:, W - side:] the "
    "bottom-right one; torch.stack the five crops in the order top-left, top-right, "
    "bottom-left, bottom-right, centre.",
)
def check_five_crops(five_crops: object) -> None:
    function = as_callable(five_crops, "five_crops")
    generator = torch.Generator().manual_seed(5)
    for shape, side in [((3, 10, 12), 6), ((1, 9, 9), 4), ((2, 7, 11), 7)]:
        image = torch.rand(shape, generator=generator)
        expected = _five_crops(image, side).double()
        answer = as_tensor(function(image, side), f"five_crops(image, {side})")
        if tuple(answer.shape) != tuple(expected.shape):
            raise Wrong(
                f"for an image of shape {shape} and side {side} the result should have shape "
                f"{tuple(expected.shape)}, not {tuple(answer.shape)}."
            )
        if torch.equal(answer, expected):
            continue
        found = [any(torch.equal(a, e) for a in answer) for e in expected]
        if all(found):
            raise Wrong(
                "the crops are right but in another order: top-left, top-right, bottom-left, "
                "bottom-right, centre."
            )
        if all(found[:4]):
            raise Wrong(
                "the four corners are right but not the centre crop: it starts at row "
                "(H - side) // 2 and column (W - side) // 2."
            )
        raise Wrong(f"the crops of an image of shape {shape} with side {side} are not right.")
