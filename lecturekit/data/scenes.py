"""Captioned scenes: two coloured shapes in a small image, and a sentence that describes them.

Generated deterministically from a seed (a private ``numpy`` generator, never the global
random state), for the image-captioning chapter::

    scenes = captioned_scenes(2, seed=0)
    scenes.images.shape        # (2, 3, 32, 32): RGB in [0, 1], black background, mild noise
    " ".join(scenes.captions[0])   # e.g. 'a small red circle left of a large blue square'
    scenes.objects[0]          # the two SceneObjects, in the order the caption names them

Every scene holds two shapes (``SHAPES``) of two different colours (``COLOURS``), each
``small`` or ``large`` (``SIZES``), placed so that one clearly lies left of, right of,
above or below the other (``RELATIONS``: the offset along that axis is at least twice the
offset along the other, and the shapes do not touch). The caption is a function of the
image: it names first the shape whose colour comes first in ``COLOURS`` (red, green, blue,
yellow), then the relation of that shape to the other one. ``VOCABULARY`` lists every word
a caption can use, after the special tokens ``PAD``, ``START`` and ``END``.

Built in chapter 16 ("Image captioning").
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import torch

__all__ = [
    "COLOURS",
    "END",
    "PAD",
    "RELATIONS",
    "SHAPES",
    "SIZES",
    "START",
    "VOCABULARY",
    "CaptionedScenes",
    "SceneObject",
    "caption_for",
    "captioned_scenes",
]

COLOURS: dict[str, tuple[float, float, float]] = {  # name: RGB in [0, 1]
    "red": (0.9, 0.1, 0.1),
    "green": (0.1, 0.75, 0.15),
    "blue": (0.15, 0.3, 1.0),
    "yellow": (0.95, 0.85, 0.1),
}
SHAPES: tuple[str, ...] = ("circle", "square", "triangle")
SIZES: dict[str, float] = {"small": 0.13, "large": 0.2}  # name: radius / image size
RELATIONS: tuple[str, ...] = ("left of", "right of", "above", "below")

PAD, START, END = "<pad>", "<start>", "<end>"
VOCABULARY: tuple[str, ...] = (
    PAD,
    START,
    END,
    "a",
    *SIZES,
    *COLOURS,
    *SHAPES,
    *dict.fromkeys(word for relation in RELATIONS for word in relation.split()),
)


class SceneObject(NamedTuple):
    """One shape of a scene: its words, and where it is (centre ``x`` = column, ``y`` = row,
    in pixels from the top left; ``radius`` in pixels)."""

    colour: str
    shape: str
    size: str
    x: int
    y: int
    radius: float


class CaptionedScenes(NamedTuple):
    """Generated scenes: ``images: (n, 3, size, size)`` float32 RGB in [0, 1]; ``captions``,
    ``n`` lists of words; ``objects``, ``n`` pairs of ``SceneObject`` in the order the
    caption names them; ``relations``, ``n`` strings from ``RELATIONS`` (first to second)."""

    images: torch.Tensor
    captions: list[list[str]]
    objects: list[tuple[SceneObject, SceneObject]]
    relations: list[str]


def caption_for(first: SceneObject, relation: str, second: SceneObject) -> list[str]:
    """The caption's words: ``['a', size, colour, shape, *relation, 'a', size, colour, shape]``."""
    if relation not in RELATIONS:
        raise ValueError(f"relation must be one of {', '.join(map(repr, RELATIONS))}")
    return [
        "a",
        first.size,
        first.colour,
        first.shape,
        *relation.split(),
        "a",
        second.size,
        second.colour,
        second.shape,
    ]


def captioned_scenes(
    num_scenes: int, *, seed: int, image_size: int = 32, noise: float = 0.05
) -> CaptionedScenes:
    """``num_scenes`` random scenes and their captions, the same for the same arguments.

    Colours, shapes, sizes and the relation are drawn uniformly and independently (the two
    colours differ); positions are drawn until the relation holds clearly. White noise of
    standard deviation ``noise`` is added and the pixels clipped to [0, 1].
    """
    if isinstance(num_scenes, bool) or not isinstance(num_scenes, int) or num_scenes < 1:
        raise ValueError(f"num_scenes must be an integer >= 1 (got {num_scenes!r})")
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ValueError(f"seed must be an integer >= 0 (got {seed!r})")
    if isinstance(image_size, bool) or not isinstance(image_size, int) or image_size < 24:
        raise ValueError(f"image_size must be an integer >= 24 (got {image_size!r})")
    if not isinstance(noise, int | float) or isinstance(noise, bool) or not 0 <= noise <= 0.5:
        raise ValueError(f"noise must be a number from 0 to 0.5 (got {noise!r})")
    rng = np.random.default_rng(seed)
    colour_names, size_names = list(COLOURS), list(SIZES)
    images = np.zeros((num_scenes, 3, image_size, image_size))
    captions, objects, relations = [], [], []
    rows, columns = np.mgrid[0:image_size, 0:image_size]
    for i in range(num_scenes):
        first_colour, second_colour = sorted(rng.choice(len(COLOURS), size=2, replace=False))
        relation = RELATIONS[rng.integers(len(RELATIONS))]
        shapes = [SHAPES[k] for k in rng.integers(len(SHAPES), size=2)]
        sizes = [size_names[k] for k in rng.integers(len(SIZES), size=2)]
        radii = [SIZES[size] * image_size for size in sizes]
        (x1, y1), (x2, y2) = _place(rng, relation, radii, image_size)
        pair = (
            SceneObject(colour_names[first_colour], shapes[0], sizes[0], x1, y1, radii[0]),
            SceneObject(colour_names[second_colour], shapes[1], sizes[1], x2, y2, radii[1]),
        )
        for thing in pair:
            mask = _mask(thing, rows, columns)
            images[i][:, mask] = np.array(COLOURS[thing.colour])[:, None]
        captions.append(caption_for(pair[0], relation, pair[1]))
        objects.append(pair)
        relations.append(relation)
    images = np.clip(images + noise * rng.standard_normal(images.shape), 0.0, 1.0)
    return CaptionedScenes(torch.from_numpy(images).float(), captions, objects, relations)


def _place(
    rng: np.random.Generator, relation: str, radii: list[float], image_size: int
) -> tuple[tuple[int, int], tuple[int, int]]:
    """Centres (x, y) of the first and second shape such that ``relation`` clearly holds."""
    low = [int(np.ceil(r)) for r in radii]
    high = [image_size - 1 - int(np.ceil(r)) for r in radii]
    gap = radii[0] + radii[1] + 2  # the shapes must not touch along the relation's axis
    while True:  # draw candidates in batches, keep the first that fits
        x1, y1 = rng.integers(low[0], high[0] + 1, size=(2, 64))
        x2, y2 = rng.integers(low[1], high[1] + 1, size=(2, 64))
        along, across = {  # the offset of the second shape from the first
            "left of": (x2 - x1, y2 - y1),
            "right of": (x1 - x2, y2 - y1),
            "above": (y2 - y1, x2 - x1),
            "below": (y1 - y2, x2 - x1),
        }[relation]
        fits = np.flatnonzero((along >= gap) & (along >= 2 * np.abs(across)))
        if len(fits):
            k = fits[0]
            return (int(x1[k]), int(y1[k])), (int(x2[k]), int(y2[k]))


def _mask(thing: SceneObject, rows: np.ndarray, columns: np.ndarray) -> np.ndarray:
    """The pixels a shape covers: a disc, an axis-aligned square, or an upright triangle."""
    dx, dy, r = columns - thing.x, rows - thing.y, thing.radius
    if thing.shape == "circle":
        return dx**2 + dy**2 <= r**2
    if thing.shape == "square":
        return (np.abs(dx) <= 0.85 * r) & (np.abs(dy) <= 0.85 * r)
    # Apex r above the centre, base 0.8 r below it; the centre lies inside.
    height = dy + r
    return (height >= 0) & (dy <= 0.8 * r) & (np.abs(dx) <= height / 1.8)
