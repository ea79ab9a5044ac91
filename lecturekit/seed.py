"""Reproducible randomness: seed ``random``, ``numpy`` and ``torch`` in one call."""

from __future__ import annotations

import random

import numpy as np
import torch

__all__ = ["set_seed"]


def set_seed(seed: int) -> None:
    """Seed Python's ``random``, NumPy's global generator and torch (CPU and every GPU).

    >>> set_seed(0); a = torch.rand(2)
    >>> set_seed(0); torch.equal(a, torch.rand(2))
    True

    Call it visibly at the top of a chapter; nothing in lecturekit seeds on import.
    """
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**32:
        raise ValueError(f"seed must be an integer from 0 to 2**32 - 1 (got {seed!r})")
    random.seed(seed)
    np.random.seed(seed)  # noqa: NPY002 (readers and libraries still use the global generator)
    torch.manual_seed(seed)  # also seeds every CUDA device
