"""How big a network is: its parameter count and the side of a convolution's output.

Both are built in chapter 06, *Convolution and pooling* (sections 6.2 and 6.4); the later
chapters import them from here::

    >>> from torch import nn
    >>> count_parameters(nn.Conv2d(3, 96, kernel_size=11))
    34944
    >>> conv_output_size(227, kernel_size=11, stride=4)
    55
"""

from __future__ import annotations

from torch import nn

__all__ = ["conv_output_size", "count_parameters"]


def count_parameters(module: nn.Module) -> int:
    """The number of numbers a module learns: the sum of the sizes of its parameters."""
    return sum(p.numel() for p in module.parameters())


def conv_output_size(n: int, kernel_size: int, padding: int = 0, stride: int = 1) -> int:
    """Side of a convolution's (or pooling's) output for an input of side ``n``:
    ``floor((n + 2 padding - kernel_size) / stride) + 1``."""
    return (n + 2 * padding - kernel_size) // stride + 1
