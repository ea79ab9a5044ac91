"""Checks for the exercises of chapter 09, *Deeper CNNs: GoogLeNet and ResNet*.

Conventions as in the chapter: images are ``(N, C, H, W)`` batches (one image ``(C, H, W)``);
a convolution from ``c`` to ``c'`` channels with a ``k x k`` kernel has ``k * k * c * c'``
weights and ``c'`` biases; a residual block computes ``ReLU(F(x) + x)``.
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
    "check_bottleneck_weights",
    "check_five_crops",
    "check_inception_4a",
    "check_residual_block",
]

# Inception (4a) of GoogLeNet: 480 channels in; 192; 96 -> 208; 16 -> 48; pool proj 64.
# The exact answers, as keys (lecturekit.exercises.answer_key) rather than in plain text.
_INCEPTION_4A_CHANNELS_KEY = (
    "sha256:3be1e5998c9514be:3b22df0b2570b64c8fe655211698b8f50b4dc8267c4b068fcdfcb0e9ead75b71"
)
_INCEPTION_4A_PARAMETERS_KEY = (
    "sha256:eb991ea211810953:81014596bc542788f17fadf83301963e1e24f2661cdc8dca5f6cfcda20b5bc21"
)


@exercise_check(
    "inception (4a)",
    hint="add the channels of the four branches (1x1, 3x3, 5x5, pool projection); every "
    "convolution from c to c' channels with a k x k kernel has k*k*c*c' + c' parameters, and "
    "there are six convolutions (two of them 1x1 reductions).",
)
def check_inception_4a(out_channels_4a: object, parameters_4a: object) -> None:
    channels = as_number(out_channels_4a, "out_channels_4a", integer=True)
    count = as_number(parameters_4a, "parameters_4a", integer=True)
    if channels == 928:
        raise Wrong(
            f"{channels} lets the pooling branch pass all 480 channels; in GoogLeNet a 1 x 1 "
            "projection reduces them to 64."
        )
    if channels in (480, 368):
        raise Wrong(f"{channels} is not the sum of the channels each branch outputs.")
    if not matches_key(channels, _INCEPTION_4A_CHANNELS_KEY):
        raise Wrong(f"{channels} is not the number of output channels of inception (4a).")
    if count == 375_552:
        raise Wrong(f"{count:,} counts the weights only; each output channel also has a bias.")
    if count == 322_304:
        raise Wrong(f"{count:,} leaves out the two 1 x 1 reductions before the 3x3 and 5x5.")
    if not matches_key(count, _INCEPTION_4A_PARAMETERS_KEY):
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


def _probe_residual_block(residual_block: object) -> list[dict]:
    """Build and run the reader's block in the kernel, for 8 and 3 channels; what leaves is
    what the check looks at (each forward pass's output, or the error it raised)."""
    if isinstance(residual_block, nn.Module):
        raise Wrong("`residual_block` should be a function that builds a block, not a block.")
    build = as_callable(residual_block, "residual_block")
    generator = torch.Generator().manual_seed(9)
    facts = []
    for channels in (8, 3):
        block = build(channels)
        if not isinstance(block, nn.Module):
            facts.append({"channels": channels, "type": type(block).__name__})
            break
        x = torch.randn(4, channels, 6, 6, generator=generator)
        convolutions = [m for m in block.modules() if isinstance(m, nn.Conv2d)]
        found = {
            "channels": channels,
            "kernels": [list(m.kernel_size) for m in convolutions],
            "batchnorm": any(isinstance(m, nn.BatchNorm2d) for m in block.modules()),
            "count": sum(p.numel() for p in block.parameters()),
        }
        block.train()
        found["y"] = _forward(block, x)
        with torch.no_grad():
            for parameter in block.parameters():
                parameter.zero_()
        found["y_zero"] = _forward(block, x.relu())
        facts.append(found)
    return facts


def _forward(block: nn.Module, x: torch.Tensor) -> object:
    try:
        with torch.no_grad():
            return {"output": block(x)}
    except Exception as error:
        return {"raised": [type(error).__name__, str(error)[:500]]}


def _output(run: dict, what: str) -> torch.Tensor:
    if "raised" in run:
        name, message = run["raised"]
        raise Wrong(f"{what} raised {name}: {message}")
    return as_tensor(run["output"], what)


@exercise_check(
    "a residual block",
    hint="in forward, return F.relu(self.layers(x) + x), where self.layers is an nn.Sequential "
    "of Conv2d(channels, channels, 3, padding=1, bias=False), BatchNorm2d, ReLU, Conv2d and "
    "BatchNorm2d.",
    probe=_probe_residual_block,
)
def check_residual_block(facts: list) -> None:
    generator = torch.Generator().manual_seed(9)
    # The judge's own channel counts, each with its own facts: what the probe sent can only
    # fill them in, never choose which are checked.
    for i, channels in enumerate((8, 3)):
        found = facts[i] if isinstance(facts, list) and i < len(facts) else None
        if not isinstance(found, dict) or found.get("channels") != channels:
            raise Wrong(f"the block built with residual_block({channels}) was not examined.")
        if "type" in found:
            raise Wrong(
                f"residual_block({channels}) should return an nn.Module, not {found['type']}."
            )
        x = torch.randn(4, channels, 6, 6, generator=generator)
        if len(found["kernels"]) != 2 or any(k != [3, 3] for k in found["kernels"]):
            raise Wrong("F should have exactly two 3 x 3 convolutions.")
        if not found["batchnorm"]:
            raise Wrong("F should use batch normalisation (nn.BatchNorm2d) after each convolution.")
        count = as_number(found["count"], "the number of parameters", integer=True)
        smallest = 18 * channels**2
        if not smallest <= count <= smallest + 6 * channels:
            raise Wrong(
                f"with {channels} channels the block has {count:,} parameters; two 3 x 3 "
                f"convolutions and two batch normalisations have about {smallest + 4 * channels:,}."
            )
        y = _output(found["y"], f"residual_block({channels})(x)")
        if tuple(y.shape) != tuple(x.shape):
            raise Wrong(
                f"the output should keep the input's shape {tuple(x.shape)}, not {tuple(y.shape)}."
            )
        if y.min() < 0:
            raise Wrong("the output has negative values: end with a ReLU after the addition.")
        x = x.relu()
        y = _output(found["y_zero"], f"residual_block({channels})(x)")
        if y.abs().max() < 1e-6:
            raise Wrong(
                "with all parameters zero your block outputs zeros: it has no shortcut (+ x)."
            )
        if y.shape != x.shape or not torch.allclose(y, x.double(), atol=1e-5):
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
