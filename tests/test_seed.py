import random

import numpy as np
import pytest
import torch

from lecturekit.seed import set_seed


def draw():
    return random.random(), np.random.rand(), torch.rand(3).tolist()  # noqa: NPY002 (global state is the point)


def test_same_seed_gives_the_same_numbers_in_random_numpy_and_torch():
    set_seed(123)
    first = draw()
    set_seed(123)
    assert draw() == first
    set_seed(124)
    assert draw() != first


@pytest.mark.parametrize("bad", [-1, 2**32, 1.5, "0", True, None])
def test_invalid_seeds_are_refused_with_the_allowed_range(bad):
    with pytest.raises(ValueError, match=r"seed must be an integer from 0 to 2\*\*32 - 1"):
        set_seed(bad)
