import doctest

import pytest
import torch
from torch import nn

from lecturekit import sizes
from lecturekit.sizes import conv_output_size, count_parameters


def test_the_examples_in_the_docstring_hold():
    assert doctest.testmod(sizes).failed == 0


def test_count_parameters_counts_weights_and_biases_and_nothing_else():
    model = nn.Sequential(
        nn.Linear(3, 4), nn.ReLU(), nn.BatchNorm1d(4), nn.Linear(4, 1, bias=False)
    )
    assert count_parameters(model) == (3 * 4 + 4) + (4 + 4) + 4  # running stats are buffers
    assert count_parameters(nn.ReLU()) == 0


@pytest.mark.parametrize(
    ("n", "kernel_size", "padding", "stride"),
    [(32, 5, 0, 1), (28, 5, 2, 1), (227, 11, 0, 4), (55, 3, 0, 2), (7, 3, 1, 2), (8, 8, 0, 3)],
)
def test_conv_output_size_agrees_with_conv2d_and_max_pool(n, kernel_size, padding, stride):
    x = torch.zeros(1, 1, n, n)
    conv = nn.Conv2d(1, 1, kernel_size, stride=stride, padding=padding)
    assert conv(x).shape[-1] == conv_output_size(n, kernel_size, padding, stride)
    pool = nn.MaxPool2d(kernel_size, stride=stride, padding=min(padding, kernel_size // 2))
    assert pool(x).shape[-1] == conv_output_size(
        n, kernel_size, min(padding, kernel_size // 2), stride
    )
