import inspect
import re

import torch
import torch.nn.functional as F
from torch import nn

from lecturekit.checks import resnet
from lecturekit.checks.resnet import (
    check_bottleneck_weights,
    check_five_crops,
    check_inception_4a,
    check_residual_block,
)


def names_number(source: str, number: int) -> bool:
    """Whether ``source`` has ``number`` as a number of its own (14, 30_840 or 30,840)."""
    spellings = "|".join(re.escape(s) for s in {str(number), f"{number:_}", f"{number:,}"})
    return re.search(rf"(?<![\w.,])(?:{spellings})(?![\w]|[.,]\d)", source) is not None


def test_inception_4a_check_accepts_the_counts_and_names_the_usual_mistakes():
    assert check_inception_4a(512, 376_176)
    assert check_inception_4a(torch.tensor(512), torch.tensor(376_176))
    assert "projection" in check_inception_4a(928, 376_176).message
    assert "sum of the channels" in check_inception_4a(480, 376_176).message
    assert "weights only" in check_inception_4a(512, 375_552).message
    no_reductions = 376_176 - (480 * 96 + 96) - (480 * 16 + 16)
    assert "reductions" in check_inception_4a(512, no_reductions).message
    assert not check_inception_4a(512, 376_000)


def test_inception_4a_check_on_wrong_types_and_placeholders():
    assert "whole number" in check_inception_4a("512", 376_176).message
    assert "whole number" in check_inception_4a(512, 376_176.5).message
    assert not check_inception_4a(..., ...).answered
    assert not check_inception_4a(512, ...).answered


def test_bottleneck_check_accepts_the_formula_and_names_the_usual_mistakes():
    assert check_bottleneck_weights(lambda c, b: 2 * c * b + 9 * b * b)
    assert check_bottleneck_weights(lambda c, b: torch.tensor(2 * c * b + 9 * b * b))
    assert "9 weights" in check_bottleneck_weights(lambda c, b: 2 * c * b + b * b).message
    assert (
        "bottleneck's channels"
        in check_bottleneck_weights(lambda c, b: 2 * c * b + 9 * c * c).message
    )
    assert "missing" in check_bottleneck_weights(lambda c, b: c * b + 9 * b * b).message
    feedback = check_bottleneck_weights(lambda c, b: 69_632)
    assert not feedback and "expected" in feedback.message


def test_bottleneck_check_on_wrong_types_and_placeholders():
    assert "should be a function" in check_bottleneck_weights(69_632).message
    assert "a number" in check_bottleneck_weights(lambda c, b: "many").message
    assert not check_bottleneck_weights(...).answered

    def not_written(channels, bottleneck_channels):
        raise NotImplementedError

    assert not check_bottleneck_weights(not_written).answered


class Block(nn.Module):
    def __init__(self, channels, skip=True, final_relu=True, bias=False, kernel=3):
        super().__init__()
        self.skip, self.final_relu = skip, final_relu
        self.layers = nn.Sequential(
            nn.Conv2d(channels, channels, kernel, padding=kernel // 2, bias=bias),
            nn.BatchNorm2d(channels),
            nn.ReLU(),
            nn.Conv2d(channels, channels, kernel, padding=kernel // 2, bias=bias),
            nn.BatchNorm2d(channels),
        )

    def forward(self, x):
        out = self.layers(x) + x if self.skip else self.layers(x)
        return F.relu(out) if self.final_relu else out


def test_residual_block_check_accepts_blocks_with_or_without_conv_biases():
    assert check_residual_block(Block)
    assert check_residual_block(lambda c: Block(c, bias=True))


def test_residual_block_check_rejects_plain_blocks_and_other_shapes():
    assert "no shortcut" in check_residual_block(lambda c: Block(c, skip=False)).message
    assert "negative" in check_residual_block(lambda c: Block(c, final_relu=False)).message
    assert "3 x 3" in check_residual_block(lambda c: Block(c, kernel=5)).message
    no_bn = check_residual_block(
        lambda c: nn.Sequential(nn.Conv2d(c, c, 3, padding=1), nn.Conv2d(c, c, 3, padding=1))
    )
    assert not no_bn and "batch normalisation" in no_bn.message


def test_residual_block_check_on_wrong_types_and_placeholders():
    assert "should be a function" in check_residual_block(Block(8)).message
    assert "nn.Module" in check_residual_block(lambda c: 3).message
    assert not check_residual_block(...).answered

    def not_written(channels):
        raise NotImplementedError

    assert not check_residual_block(not_written).answered


def reference_five_crops(image, side):
    _, h, w = image.shape
    top, left = (h - side) // 2, (w - side) // 2
    corners = [(0, 0), (0, w - side), (h - side, 0), (h - side, w - side), (top, left)]
    return torch.stack([image[:, r : r + side, c : c + side] for r, c in corners])


def test_five_crops_check_accepts_slicing_and_spots_order_and_centre_mistakes():
    assert check_five_crops(reference_five_crops)
    assert check_five_crops(lambda image, side: reference_five_crops(image, side).tolist())
    reordered = check_five_crops(lambda image, side: reference_five_crops(image, side).flip(0))
    assert not reordered and "order" in reordered.message

    def bad_centre(image, side):
        crops = reference_five_crops(image, side)
        crops[4] = image[:, :side, :side]
        return crops

    assert "centre" in check_five_crops(bad_centre).message
    assert "shape" in check_five_crops(lambda image, side: image[:, :side, :side]).message


def test_five_crops_check_on_wrong_types_and_placeholders():
    assert "should be a function" in check_five_crops(torch.zeros(5, 3, 6, 6)).message
    assert "not str" in check_five_crops(lambda image, side: "crops").message
    assert not check_five_crops(...).answered

    def not_written(image, side):
        raise NotImplementedError

    assert not check_five_crops(not_written).answered


def test_the_exact_answers_are_not_in_the_source():
    assert not names_number(inspect.getsource(resnet), 376_176)
    assert not names_number(inspect.getsource(check_inception_4a), 512)
