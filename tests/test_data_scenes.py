"""The generated captioned scenes: deterministic, and every caption describes its image."""

import random

import numpy as np
import pytest
import torch

from lecturekit.data.scenes import (
    COLOURS,
    END,
    PAD,
    RELATIONS,
    SHAPES,
    SIZES,
    START,
    VOCABULARY,
    caption_for,
    captioned_scenes,
)


def test_same_seed_same_scenes_and_another_seed_other_scenes():
    a, b = captioned_scenes(20, seed=5), captioned_scenes(20, seed=5)
    assert torch.equal(a.images, b.images)
    assert a.captions == b.captions and a.objects == b.objects and a.relations == b.relations
    c = captioned_scenes(20, seed=6)
    assert not torch.equal(a.images, c.images) and a.captions != c.captions


def test_generation_leaves_the_global_random_state_alone():
    random.seed(1)
    np.random.seed(1)  # noqa: NPY002 (the global state is what we test)
    torch.manual_seed(1)
    expected = (random.random(), np.random.rand(), torch.rand(1).item())  # noqa: NPY002
    random.seed(1)
    np.random.seed(1)  # noqa: NPY002 (the global state is what we test)
    torch.manual_seed(1)
    captioned_scenes(5, seed=0)
    assert (random.random(), np.random.rand(), torch.rand(1).item()) == expected  # noqa: NPY002


def test_shapes_types_and_range():
    scenes = captioned_scenes(7, seed=0, image_size=40)
    assert scenes.images.shape == (7, 3, 40, 40) and scenes.images.dtype == torch.float32
    assert 0.0 <= scenes.images.min() and scenes.images.max() <= 1.0
    assert len(scenes.captions) == len(scenes.objects) == len(scenes.relations) == 7


def test_captions_follow_the_pattern_and_use_only_the_vocabulary():
    scenes = captioned_scenes(200, seed=1)
    assert VOCABULARY[:3] == (PAD, START, END) and len(set(VOCABULARY)) == len(VOCABULARY)
    for words, (first, second), relation in zip(
        scenes.captions, scenes.objects, scenes.relations, strict=True
    ):
        assert set(words) <= set(VOCABULARY[3:])
        assert words == caption_for(first, relation, second)
        assert words[1] in SIZES and words[2] in COLOURS and words[3] in SHAPES
        assert " ".join(words[4:-4]) in RELATIONS and words[-4] == "a"
        assert words[-3] in SIZES and words[-2] in COLOURS and words[-1] in SHAPES
        # The caption names the earlier of two different colours first.
        assert list(COLOURS).index(first.colour) < list(COLOURS).index(second.colour)


@pytest.mark.parametrize("image_size", [24, 32, 64])
def test_the_caption_describes_the_image(image_size):
    scenes = captioned_scenes(150, seed=2, image_size=image_size, noise=0.0)
    for image, (first, second), relation in zip(
        scenes.images, scenes.objects, scenes.relations, strict=True
    ):
        for thing in (first, second):  # the pixel at the centre has the shape's colour
            expected = torch.tensor(COLOURS[thing.colour])
            assert torch.allclose(image[:, thing.y, thing.x], expected)
            assert thing.radius == pytest.approx(SIZES[thing.size] * image_size)
        along, across = {
            "left of": (second.x - first.x, second.y - first.y),
            "right of": (first.x - second.x, second.y - first.y),
            "above": (second.y - first.y, second.x - first.x),
            "below": (first.y - second.y, second.x - first.x),
        }[relation]
        assert along >= first.radius + second.radius + 2 and along >= 2 * abs(across)


def test_shapes_cover_the_expected_areas_and_differ():
    scenes = captioned_scenes(300, seed=3, noise=0.0)
    coverage = {shape: [] for shape in SHAPES}
    for image, pair in zip(scenes.images, scenes.objects, strict=True):
        lit = image.sum(0) > 0
        total = lit.sum().item()
        areas = [np.pi * t.radius**2 for t in pair]
        coverage_ratio = total / sum(areas)  # both shapes together, relative to two discs
        if pair[0].shape == pair[1].shape:
            coverage[pair[0].shape].append(coverage_ratio)
    means = {shape: float(np.mean(values)) for shape, values in coverage.items()}
    assert 0.8 < means["circle"] < 1.2  # a disc covers about pi r^2
    assert means["triangle"] < 0.8 * means["circle"]  # a triangle covers less


def test_all_relations_colours_shapes_and_sizes_occur():
    scenes = captioned_scenes(400, seed=4)
    assert set(scenes.relations) == set(RELATIONS)
    assert {t.colour for pair in scenes.objects for t in pair} == set(COLOURS)
    assert {t.shape for pair in scenes.objects for t in pair} == set(SHAPES)
    assert {t.size for pair in scenes.objects for t in pair} == set(SIZES)


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError, match="num_scenes must be an integer >= 1"):
        captioned_scenes(0, seed=0)
    with pytest.raises(ValueError, match="seed must be an integer >= 0"):
        captioned_scenes(3, seed=-1)
    with pytest.raises(ValueError, match="seed must be an integer"):
        captioned_scenes(3, seed=1.5)
    with pytest.raises(ValueError, match="image_size must be an integer >= 24"):
        captioned_scenes(3, seed=0, image_size=16)
    with pytest.raises(ValueError, match="noise must be a number from 0 to 0.5"):
        captioned_scenes(3, seed=0, noise=-0.1)
    first, second = captioned_scenes(1, seed=0).objects[0]
    with pytest.raises(ValueError, match="relation must be one of"):
        caption_for(first, "near", second)
