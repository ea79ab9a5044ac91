import inspect
import re

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from lecturekit.checks import resnet
from lecturekit.checks.resnet import (
    check_augmentation_experiment,
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


class IgnoresF(Block):
    """Registers the five layers of F and never uses them."""

    def forward(self, x):
        return F.relu(x)


class ReluBeforeAdding(Block):
    def forward(self, x):
        return F.relu(self.layers(x)) + F.relu(x)


class LayersInAnotherOrder(Block):
    """conv, ReLU, BN, conv, BN: two batch normalisations, but F is not the one asked for."""

    def __init__(self, channels):
        super().__init__(channels)
        self.layers = nn.Sequential(
            nn.Conv2d(channels, channels, 3, padding=1, bias=False),
            nn.ReLU(),
            nn.BatchNorm2d(channels),
            nn.Conv2d(channels, channels, 3, padding=1, bias=False),
            nn.BatchNorm2d(channels),
        )


class OneBatchNorm(Block):
    """conv, ReLU, BN, conv (with a bias): the parameter count of the block is in range."""

    def __init__(self, channels):
        super().__init__(channels)
        self.layers = nn.Sequential(
            nn.Conv2d(channels, channels, 3, padding=1, bias=False),
            nn.ReLU(),
            nn.BatchNorm2d(channels),
            nn.Conv2d(channels, channels, 3, padding=1, bias=True),
        )


class RegisteredInAnotherOrder(nn.Module):
    """A right block whose layers are attributes created in the order conv, conv, BN, BN."""

    def __init__(self, channels):
        super().__init__()
        self.conv1 = nn.Conv2d(channels, channels, 3, padding=1, bias=False)
        self.conv2 = nn.Conv2d(channels, channels, 3, padding=1, bias=False)
        self.bn1, self.bn2 = nn.BatchNorm2d(channels), nn.BatchNorm2d(channels)

    def forward(self, x):
        return F.relu(self.bn2(self.conv2(F.relu(self.bn1(self.conv1(x))))) + x)


def test_residual_block_check_accepts_a_right_block_built_another_way():
    assert check_residual_block(RegisteredInAnotherOrder)


def test_residual_block_check_rejects_blocks_that_do_not_compute_relu_of_f_plus_x():
    ignores = check_residual_block(IgnoresF)
    assert not ignores and "does not depend on F" in ignores.message
    relu_first = check_residual_block(ReluBeforeAdding)
    assert not relu_first and "ReLU(F(x)) + ReLU(x)" in relu_first.message
    reordered = check_residual_block(LayersInAnotherOrder)
    assert not reordered and "order of the layers" in reordered.message
    one_bn = check_residual_block(OneBatchNorm)
    assert not one_bn and "two of them; your block has 1" in one_bn.message

    def no_affine(channels):
        block = Block(channels)
        block.layers[1] = nn.BatchNorm2d(channels, affine=False)
        return block

    feedback = check_residual_block(no_affine)
    assert not feedback and "scale and shift" in feedback.message


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


# Exercise 9.5: a stand-in for the reader's experiment, deterministic and quick. It measures
# (a nearest-centroid classifier of the 100 training digits it is given, about 0.8 on the
# real ones and chance on permuted labels) and adds a made-up effect of augmentation.
def centroid_accuracy(images, labels):
    X, y = images[:100].flatten(1), labels[:100]
    centroids = torch.stack([X[y == k].mean(dim=0) for k in range(10)]).nan_to_num(1e3)
    predicted = torch.cdist(images[-500:].flatten(1), centroids).argmin(dim=1)
    return (predicted == labels[-500:]).float().mean().item()


def fake_experiment(gain_by_seed):
    def run_augmentation_experiment(seed, augment, images, labels):
        assert images.shape == (1077, 1, 8, 8) and labels.shape == (1077,)
        gain = gain_by_seed.get(seed, 0.01) if augment else 0.0
        return centroid_accuracy(images, labels) + 0.01 * (seed % 5) + gain

    return run_augmentation_experiment


def reported(run, seeds=(0, 1, 2)):
    """What a reader who ran `run` honestly would fill in."""
    return {s: {"without": run(s, False, *DIGITS), "with": run(s, True, *DIGITS)} for s in seeds}


DIGITS = resnet._digits()
HELPS = fake_experiment({0: 0.03, 1: 0.05, 2: 0.01})
MIXED = fake_experiment({0: 0.03, 1: -0.02, 2: 0.01})
HURTS = fake_experiment({0: -0.01, 1: -0.02, 2: -0.002})


def test_the_experiment_digits_are_the_chapters_training_digits():
    images, labels = DIGITS
    assert images.shape == (1077, 1, 8, 8) and 0 <= images.min() and images.max() <= 1
    assert 0.70 < centroid_accuracy(images, labels) < 0.95


def test_augmentation_check_accepts_the_conclusion_the_readers_own_numbers_support():
    assert check_augmentation_experiment(HELPS, reported(HELPS), "helps")
    assert check_augmentation_experiment(MIXED, reported(MIXED), "unclear")
    assert check_augmentation_experiment(HURTS, reported(HURTS), "hurts")
    one_tie = fake_experiment({0: 0.0, 1: 0.02, 2: 0.01})  # a seed may tie (seed 19 did)
    assert check_augmentation_experiment(one_tie, reported(one_tie), "unclear")
    more_seeds = fake_experiment(dict.fromkeys(range(5), 0.02))
    assert check_augmentation_experiment(more_seeds, reported(more_seeds, range(5)), "helps")


def test_augmentation_check_rejects_a_conclusion_the_numbers_do_not_support():
    for run, wrong in [(HELPS, "unclear"), (MIXED, "helps"), (HURTS, "helps"), (MIXED, "hurts")]:
        feedback = check_augmentation_experiment(run, reported(run), wrong)
        assert not feedback and "your numbers support" in feedback.message
    feedback = check_augmentation_experiment(HELPS, reported(HELPS), "it helps a lot")
    assert not feedback and "one of 'helps', 'hurts', 'unclear'" in feedback.message


def test_augmentation_check_rejects_numbers_the_function_does_not_give():
    forged = {s: {"without": 0.80, "with": 0.90} for s in (0, 1, 2)}
    feedback = check_augmentation_experiment(HELPS, forged, "helps")
    assert not feedback and "gives" in feedback.message
    calls = []

    def unseeded(seed, augment, images, labels):  # a new number at every call
        calls.append(seed)
        return 0.80 + 0.001 * len(calls) + (0.05 if augment else 0.0)

    feedback = check_augmentation_experiment(unseeded, reported(unseeded), "helps")
    assert not feedback and "seed everything" in feedback.message


def test_augmentation_check_rejects_functions_that_do_not_measure():
    def remembers(seed, augment, images, labels):  # the numbers, typed in as a function
        return 0.85 if augment else 0.80

    feedback = check_augmentation_experiment(remembers, reported(remembers), "helps")
    assert not feedback and "nothing to learn" in feedback.message

    def draws(seed, augment, images, labels):  # a seeded random number, no training
        generator = torch.Generator().manual_seed(2 * seed + augment)
        return 0.8 + 0.1 * torch.rand((), generator=generator).item()

    results = reported(draws)
    conclusion = resnet._supported_conclusion(
        {s: (r["without"], r["with"]) for s, r in results.items()}
    )
    feedback = check_augmentation_experiment(draws, results, conclusion)
    assert not feedback and "nothing to learn" in feedback.message

    def learns_on_augmented_only(seed, augment, images, labels):
        return HELPS(seed, augment, images, labels) if not augment else 0.88

    feedback = check_augmentation_experiment(
        learns_on_augmented_only, reported(learns_on_augmented_only), "unclear"
    )
    assert not feedback and "nothing to learn" in feedback.message
    ignores_augment = fake_experiment(dict.fromkeys(range(3), 0.0))
    feedback = check_augmentation_experiment(ignores_augment, reported(ignores_augment), "unclear")
    assert not feedback and "same for every seed" in feedback.message


def test_augmentation_check_rejects_numbers_no_run_of_this_experiment_gives():
    def perfect(seed, augment, images, labels):
        return min(1.0, 10 * centroid_accuracy(images, labels))

    feedback = check_augmentation_experiment(perfect, reported(perfect), "unclear")
    assert not feedback and "outside what this experiment gives" in feedback.message

    def jumps(seed, augment, images, labels):
        return centroid_accuracy(images, labels) - 0.15 + (0.22 if augment else 0.0)

    feedback = check_augmentation_experiment(jumps, reported(jumps), "helps")
    assert not feedback and "far more than this experiment" in feedback.message


def test_augmentation_check_on_wrong_shapes_types_and_placeholders():
    two_seeds = reported(HELPS, (0, 1))
    assert (
        "at least three seeds" in check_augmentation_experiment(HELPS, two_seeds, "helps").message
    )
    as_pairs = {s: (r["without"], r["with"]) for s, r in reported(HELPS).items()}
    assert '"without"' in check_augmentation_experiment(HELPS, as_pairs, "helps").message
    as_list = list(reported(HELPS).values())
    assert "should be a dict" in check_augmentation_experiment(HELPS, as_list, "helps").message
    in_percent = {s: {"without": 80.0, "with": 85.0} for s in (0, 1, 2)}
    assert "fraction" in check_augmentation_experiment(HELPS, in_percent, "helps").message
    named = {"zero": {"without": 0.8, "with": 0.85}} | reported(HELPS)
    assert "whole numbers" in check_augmentation_experiment(HELPS, named, "helps").message
    assert (
        "should be a function"
        in check_augmentation_experiment(0.8, reported(HELPS), "helps").message
    )
    assert not check_augmentation_experiment(HELPS, ..., "helps").answered
    assert not check_augmentation_experiment(HELPS, reported(HELPS), ...).answered
    half_done = {s: {"without": 0.8, "with": ...} for s in (0, 1, 2)}
    assert not check_augmentation_experiment(HELPS, half_done, "helps").answered

    def not_written(seed, augment, images, labels):
        raise NotImplementedError

    assert not check_augmentation_experiment(not_written, reported(HELPS), "helps").answered


def reference_experiment(seed, augment, images, labels):
    """The solution of exercise 9.5, with section 9.4's random_augment written out."""
    X_train, y_train = images[:100], labels[:100]
    X_val, y_val = images[-500:], labels[-500:]
    torch.manual_seed(seed)
    generator = torch.Generator().manual_seed(seed)
    model = nn.Sequential(
        nn.Conv2d(1, 8, 3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(8, 16, 3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(64, 10),
    )
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
    for _ in range(150):
        X = X_train
        if augment:
            n = len(X)
            angle = torch.deg2rad((2 * torch.rand(n, generator=generator) - 1) * 15.0)
            scale = 1 + (2 * torch.rand(n, generator=generator) - 1) * 0.15
            shift = (2 * torch.rand(n, 2, generator=generator) - 1) * 0.75 * 2 / 8
            cos, sin = torch.cos(angle) / scale, torch.sin(angle) / scale
            tx, ty = shift[:, 0], shift[:, 1]
            theta = torch.stack(
                [
                    torch.stack([cos, -sin, -(cos * tx - sin * ty)], dim=1),
                    torch.stack([sin, cos, -(sin * tx + cos * ty)], dim=1),
                ],
                dim=1,
            )
            grid = F.affine_grid(theta, list(X.shape), align_corners=False)
            X = F.grid_sample(X, grid, mode="bilinear", padding_mode="zeros", align_corners=False)
        loss = F.cross_entropy(model(X), y_train)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    with torch.no_grad():
        return (model(X_val).argmax(dim=1) == y_val).float().mean().item()


def test_augmentation_check_passes_the_reference_solution_on_the_real_digits():
    results = reported(reference_experiment)
    gains = [r["with"] - r["without"] for r in results.values()]
    conclusion = "helps" if all(g > 0 for g in gains) else "unclear"
    assert check_augmentation_experiment(reference_experiment, results, conclusion)


def test_augmentation_check_reruns_every_seed():
    one_forged = reported(HELPS)
    one_forged[2] = one_forged[2] | {"with": one_forged[2]["with"] + 0.01}
    for torch_seed in range(3):  # whatever the check's own draws
        torch.manual_seed(torch_seed)
        feedback = check_augmentation_experiment(HELPS, one_forged, "helps")
        assert not feedback and "augmentation_results[2] says" in feedback.message


def test_augmentation_check_accepts_numpy_seeds_and_wants_the_seeds_0_1_and_2():
    as_numpy = {np.int64(s): r for s, r in reported(HELPS).items()}
    assert check_augmentation_experiment(HELPS, as_numpy, "helps")
    later = reported(HELPS, (3, 4, 5))
    feedback = check_augmentation_experiment(HELPS, later, "helps")
    assert not feedback and "0, 1 and 2" in feedback.message
