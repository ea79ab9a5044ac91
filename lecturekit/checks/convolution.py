"""Checks for the exercises of chapter 06, *Convolution and pooling*.

Conventions as in the chapter: images are ``(height, width)``, kernels ``(K, K)``; a
"convolution" flips its kernel, while ``F.conv2d`` (used for the edge detector) computes
the cross-correlation.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from lecturekit.exercises import (
    Wrong,
    as_callable,
    as_choice,
    as_number,
    as_tensor,
    exercise_check,
    expect_close,
    matches_key,
)

__all__ = [
    "check_conv1_parameters",
    "check_convolution_by_hand",
    "check_output_side",
    "check_overlapping_max_pool",
    "check_shift_invariance_experiment",
    "check_vertical_edge_kernel",
]


# The exact answer, as a key (lecturekit.exercises.answer_key) rather than in plain text.
_CONV1_PARAMETERS_KEY = (
    "sha256:cd81b9cfdc3cbd25:878d67774fcdf0aef2cc15f8df503edef228938e5b52e0e51bdd906baca26740"
)


def _reference_side(n: int, kernel_size: int, padding: int, stride: int) -> int:
    return (n + 2 * padding - kernel_size) // stride + 1


@exercise_check(
    "the output size of a convolution",
    hint="the padded side is n + 2 * padding; the window fits (n + 2P - K) // S + 1 times "
    "(integer division: a window that would stick out is dropped).",
)
def check_output_side(output_side: object) -> None:
    side = as_callable(output_side, "output_side")
    cases = [  # (n, K, P, S): section 6.4's 10 x 10 and 3 x 3, padding, strides that do not divide
        (10, 3, 0, 1),
        (10, 3, 1, 1),
        (10, 3, 0, 2),
        (10, 4, 0, 3),
        (11, 3, 1, 2),
        (224, 11, 2, 4),
        (28, 5, 2, 1),
        (7, 7, 3, 1),
        (5, 2, 0, 2),
    ]
    for n, k, p, s in cases:
        answer = as_number(side(n, k, p, s), f"output_side({n}, {k}, {p}, {s})", integer=True)
        expected = _reference_side(n, k, p, s)
        if answer != expected:
            raise Wrong(
                f"output_side(n={n}, kernel_size={k}, padding={p}, stride={s}) returned "
                f"{answer}; F.conv2d gives {expected}."
            )


@exercise_check(
    "the parameters of AlexNet's first convolutional layer",
    hint="each of the 96 kernels has 11 * 11 weights for each of the 3 input channels, and "
    "each kernel has a bias.",
)
def check_conv1_parameters(conv1_parameters: object) -> None:
    count = as_number(conv1_parameters, "conv1_parameters", integer=True)
    if count == 34_848:
        raise Wrong(f"{count:,} counts the weights; the 96 biases are parameters too.")
    if count in (11_616, 11_712):
        raise Wrong(f"{count:,} forgets that each kernel spans the 3 colour channels.")
    if count > 1_000_000:
        raise Wrong(f"{count:,} depends on the image size; with weight sharing the count does not.")
    if not matches_key(count, _CONV1_PARAMETERS_KEY):
        raise Wrong(f"{count:,} is not the number of parameters of that layer.")


def _respond(kernel: torch.Tensor, image: torch.Tensor) -> torch.Tensor:
    return F.conv2d(image[None, None], kernel[None, None])[0, 0]


@exercise_check(
    "a kernel that detects vertical edges",
    hint="on a horizontal edge each row of the kernel sees one constant value, so each row of "
    "the kernel must add up to zero; then weigh the left column against the right one, as in "
    "sobel_x.",
)
def check_vertical_edge_kernel(vertical_edge_kernel: object) -> None:
    kernel = as_tensor(vertical_edge_kernel, "vertical_edge_kernel", shape=(3, 3))
    scale = kernel.abs().sum().item()
    if scale == 0:
        raise Wrong("an all-zero kernel responds to nothing at all.")
    uniform = torch.full((8, 8), 0.7, dtype=torch.float64)
    horizontal_edge = torch.zeros(8, 8, dtype=torch.float64)
    horizontal_edge[4:] = 1.0  # dark top, bright bottom
    vertical_edge = horizontal_edge.T.contiguous()  # dark left, bright right
    tolerance = 1e-9 * scale
    if _respond(kernel, uniform).abs().max() > tolerance:
        raise Wrong("your kernel responds to a uniform image; its weights should add up to 0.")
    if _respond(kernel, horizontal_edge).abs().max() > tolerance:
        raise Wrong("your kernel responds to a horizontal edge (dark top, bright bottom).")
    if _respond(kernel, vertical_edge).abs().max() < 0.25 * scale:
        raise Wrong(
            "your kernel barely responds to a vertical edge (dark left, bright right): "
            "is it a horizontal-edge detector?"
        )


_X_HAND = torch.tensor([[1.0, 2.0, 0.0], [0.0, 1.0, 3.0], [2.0, 1.0, 0.0]], dtype=torch.float64)
_K_HAND = torch.tensor([[1.0, 0.0], [2.0, -1.0]], dtype=torch.float64)


@exercise_check(
    "a 2 x 2 convolution by hand",
    hint="flip k (reverse rows and columns) to [[-1, 2], [0, 1]], put it on each 2 x 2 patch "
    "of x, and add the four products: the top-left output is -1*1 + 2*2 + 0*0 + 1*1.",
)
def check_convolution_by_hand(y_hand: object) -> None:
    answer = as_tensor(y_hand, "y_hand", shape=(2, 2))
    expected = F.conv2d(_X_HAND[None, None], _K_HAND.flip(0, 1)[None, None])[0, 0]
    cross_correlation = F.conv2d(_X_HAND[None, None], _K_HAND[None, None])[0, 0]
    if torch.allclose(answer, cross_correlation) and not torch.allclose(answer, expected):
        raise Wrong(
            "that is the cross-correlation (what F.conv2d computes): a convolution flips "
            "the kernel first."
        )
    expect_close(answer, expected, "y_hand")


_M_POOL = torch.tensor(
    [[1.0, 3.0, 2.0, 0.0], [4.0, 0.0, 1.0, 5.0], [2.0, 6.0, 3.0, 1.0], [0.0, 1.0, 2.0, 4.0]],
    dtype=torch.float64,
)


@exercise_check(
    "overlapping max pooling by hand",
    hint="a 2 x 2 window with stride 1 visits 3 x 3 positions; each output is the largest of "
    "the four numbers under the window, and neighbouring windows share two of them.",
)
def check_overlapping_max_pool(pooled_hand: object) -> None:
    answer = as_tensor(pooled_hand, "pooled_hand")
    if tuple(answer.shape) == (2, 2):
        raise Wrong("a 2 x 2 result is max pooling with stride 2; here the stride is 1.")
    expected = F.max_pool2d(_M_POOL[None, None], kernel_size=2, stride=1)[0, 0]
    expect_close(answer, expected, "pooled_hand")


# Exercise 6.6: how far the invariance of 4 x 4 max pooling reaches, on three photographs.
SHIFT_PHOTOS = ("camera", "coins", "moon")
SHIFTS = (1, 8)
POOL_SIZES = (1, 4)
_SHIFT_CONCLUSIONS = {
    "A": "with 4 x 4 pooling the correlation stayed above 0.5 at both shifts on every photo",
    "B": "above 0.5 at a 1-pixel shift on every photo, at 8 pixels on none",
    "C": "neither statement holds",
}


def _reference_shift_correlation(name: str, shift: int, pool_size: int) -> float:
    """Exercise 6.6 as the chapter solves it: the photo at 128 x 128 in grey, |Sobel x| with
    replicated borders, 8 pixels of border dropped, max pooling, Pearson correlation."""
    import skimage.data
    from skimage.color import rgb2gray
    from skimage.transform import resize

    image = getattr(skimage.data, name)()
    side = min(image.shape[:2])
    top, left = (image.shape[0] - side) // 2, (image.shape[1] - side) // 2
    image = image[top : top + side, left : left + side]
    image = rgb2gray(image) if image.ndim == 3 else image
    photo = torch.tensor(resize(image, (128, 128), anti_aliasing=True), dtype=torch.float32)
    sobel_x = torch.tensor([[-1.0, 0.0, 1.0], [-2.0, 0.0, 2.0], [-1.0, 0.0, 1.0]])
    maps = []
    for shifted in (photo, torch.roll(photo, shift, dims=1)):
        padded = F.pad(shifted[None, None], (1, 1, 1, 1), mode="replicate")
        edges = F.conv2d(padded, sobel_x[None, None]).abs()[..., 8:-8, 8:-8]
        maps.append(F.max_pool2d(edges, pool_size).flatten())
    a, b = (m - m.mean() for m in maps)
    return (a @ b / (a.norm() * b.norm())).item()


@exercise_check(
    "how far pooling's invariance reaches",
    hint="pooled_shift_correlation(name, shift, pool_size) loads the photo at 128 x 128 in "
    "grey, takes the absolute Sobel-x response of it and of the photo rolled `shift` pixels "
    "to the right, drops 8 pixels of border from both, max-pools both with pool_size "
    "(1: no pooling) and returns their correlation. Compare the pooled column at 1 and at 8.",
)
def check_shift_invariance_experiment(
    pooled_shift_correlation: object, results: object, conclusion: object
) -> None:
    run = as_callable(pooled_shift_correlation, "pooled_shift_correlation")
    if not isinstance(results, dict):
        raise Wrong("`shift_results` should be a dict {(photo, shift, pool_size): correlation}.")
    table = {}
    for key, value in results.items():
        if not isinstance(key, tuple | list) or len(key) != 3 or not isinstance(key[0], str):
            raise Wrong(f"each key should be (photo name, shift, pool_size), not {key!r}.")
        shift = int(as_number(key[1], "a shift", integer=True))
        pool_size = int(as_number(key[2], "a pool size", integer=True))
        table[key[0], shift, pool_size] = as_number(value, f"shift_results[{key!r}]")
    wanted = [(n, s, k) for n in SHIFT_PHOTOS for s in SHIFTS for k in POOL_SIZES]
    missing = [key for key in wanted if key not in table]
    if missing:
        raise Wrong(f"measure every photo of {SHIFT_PHOTOS} at the shifts {SHIFTS} and the "
                    f"pool sizes {POOL_SIZES} (missing: {missing[:3]}...).")  # fmt: skip
    # The numbers are the reader's own: the function, rerun, gives every entry the table
    # holds; on a shift the table does not hold, and on every entry, it measures what the
    # exercise describes, so that numbers typed in for the table's entries fail too.
    for key in [("camera", 2, 4), *wanted]:
        got = as_number(run(*key), "pooled_shift_correlation(...)")
        if key in table and abs(got - table[key]) > 1e-6:
            raise Wrong(
                f"pooled_shift_correlation{key} returns {got:.4f}, but the table holds "
                f"{table[key]:.4f}: fill it from your own runs."
            )
        if abs(got - _reference_shift_correlation(*key)) > 0.02:
            raise Wrong(
                f"pooled_shift_correlation{key} returns {got:.4f}, but the measurement the "
                "exercise describes gives another correlation (more than 0.02 away): is it "
                "the 128 x 128 grey photo, |Sobel x| with replicated borders, 8 pixels of "
                "border dropped, the roll to the right, then max pooling of both?"
            )
        if not -1 - 1e-6 <= got <= 1 + 1e-6:
            raise Wrong(f"{got:.4g} for {key} is not a correlation: those lie in [-1, 1].")
    near = [table[name, SHIFTS[0], POOL_SIZES[-1]] > 0.5 for name in SHIFT_PHOTOS]
    far = [table[name, SHIFTS[-1], POOL_SIZES[-1]] > 0.5 for name in SHIFT_PHOTOS]
    supported = "A" if all(near) and all(far) else "B" if all(near) and not any(far) else "C"
    conclusion = as_choice(conclusion, "shift_conclusion", list(_SHIFT_CONCLUSIONS))
    if conclusion != supported:
        raise Wrong(f"your own numbers say {supported}: {_SHIFT_CONCLUSIONS[supported]}.")
