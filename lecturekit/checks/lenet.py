"""Checks for the exercises of chapter 07, *LeNet-5*.

Conventions as in the chapter: images are ``(N, 1, 32, 32)`` batches; LeNet-5's layers are
C1 (6 maps, 5 x 5), S2 (2 x 2), C3 (16 maps, 5 x 5), S4 (2 x 2), C5 (120 maps, 5 x 5), F6
(84 units) and the output (10 classes). A confusion matrix has the true classes as rows
and the predicted classes as columns. Exercise 7.5's digits are scikit-learn's 8 x 8 ones,
ink in [0, 1], split as in section 7.2.
"""

from __future__ import annotations

import functools

import torch
import torch.nn.functional as F
from sklearn.datasets import load_digits
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from lecturekit.exercises import (
    Wrong,
    as_callable,
    as_choice,
    as_number,
    as_seed,
    as_tensor,
    common_seeds,
    exercise_check,
    matches_key,
    unseen_seeds,
)

__all__ = [
    "PREPARATIONS",
    "check_confusion_matrix",
    "check_modern_lenet",
    "check_preparation_experiment",
    "check_s4_receptive_field",
    "check_unpadded_c5_parameters",
]

# The exact answers, as keys (lecturekit.exercises.answer_key) rather than in plain text.
_UNPADDED_C5_KEY = (
    "sha256:6175bae73330bd61:da59e80d834db3f48fa57fa0b12f69b10f98d0e6359f0a0e30b0ecee5dfff9b3"
)
_MODERN_LENET_KEY = (
    "sha256:189ab130751d5c8a:113ef71aa181291b06db7b2aefa2a5b0f0d75c4361002b21046ec369669a6de2"
)
_S4_RECEPTIVE_FIELD_KEY = (
    "sha256:1ad353bf1dd76791:e4c6ad5b88bf530119b27eed5e377abf9ea3851b691112668e0ea86482ec4633"
)


@exercise_check(
    "C5 on unpadded 28 x 28 digits",
    hint="follow the sides: 28 -> 24 (C1) -> 12 (S2) -> 8 (C3) -> 4 (S4). Each of the 120 "
    "units of the fully connected layer has one weight per number in S4's output, plus a bias.",
)
def check_unpadded_c5_parameters(c5_parameters: object) -> None:
    count = as_number(c5_parameters, "c5_parameters", integer=True)
    if count == 48_120:
        raise Wrong(
            "48,120 is C5 on 32 x 32 inputs, where S4's maps are 5 x 5; without padding "
            "they are smaller."
        )
    if count == 30_720:
        raise Wrong(f"{count:,} counts the weights; the 120 biases are parameters too.")
    if count in (17_400, 69_240):
        raise Wrong(f"{count:,} uses the wrong side for S4's maps: recompute it layer by layer.")
    if not matches_key(count, _UNPADDED_C5_KEY):
        raise Wrong(f"{count:,} is not the number of parameters of that layer.")


def _count(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


def _probe_modern_lenet(modern_lenet: object) -> dict:
    """Build the reader's network in the kernel; what leaves is what the check looks at."""
    if isinstance(modern_lenet, nn.Module):
        raise Wrong("`modern_lenet` should be a function that builds the network, not a network.")
    build = as_callable(modern_lenet, "modern_lenet")
    model = build()
    if not isinstance(model, nn.Module):
        raise Wrong(f"modern_lenet() should return an nn.Module, not {type(model).__name__}.")
    kinds = [
        kind.__name__
        for kind in (nn.MaxPool2d, nn.ReLU, nn.Tanh, nn.AvgPool2d)
        if any(isinstance(m, kind) for m in model.modules())
    ]
    model.eval()
    with torch.no_grad():
        output = model(torch.randn(3, 1, 32, 32))
    shape = tuple(output.shape) if isinstance(output, torch.Tensor) else type(output).__name__
    return {"kinds": kinds, "shape": shape, "count": _count(model)}


@exercise_check(
    "the modern LeNet-5",
    hint="keep LeNet-5's layer sizes (6, 16 and 120 maps of 5 x 5 kernels, then 84 units and "
    "10 scores) and change only what section 7.3 says the modern version changes: the "
    "activation, the pooling, C3's connections and the output layer. Build it as an "
    "nn.Sequential of modules, as the exercise asks.",
    probe=_probe_modern_lenet,
)
def check_modern_lenet(network: dict) -> None:
    kinds = set(network["kinds"])
    if "MaxPool2d" not in kinds:
        raise Wrong(
            "there is no nn.MaxPool2d module: the modern version max-pools instead of S2 and "
            "S4. Build the network as an nn.Sequential of modules, as the exercise asks (a "
            "pooling done with a function in forward() cannot be seen by the check)."
        )
    if "ReLU" not in kinds:
        raise Wrong(
            "there is no nn.ReLU module: the modern version uses ReLU activations, as modules "
            "of an nn.Sequential."
        )
    if "Tanh" in kinds or "AvgPool2d" in kinds:
        raise Wrong("the modern version has no tanh and no average pooling.")
    if network["shape"] != (3, 10):
        raise Wrong(
            f"a batch of 3 images of 32 x 32 should give (3, 10) scores, got {network['shape']}."
        )
    count = as_number(network["count"], "the number of parameters", integer=True)
    if count == 60_806:
        raise Wrong("C3 should connect every S2 map to every C3 map (no connection table).")
    if not matches_key(count, _MODERN_LENET_KEY):
        raise Wrong(
            f"your network has {count:,} parameters; LeNet-5's layers with max pooling and a "
            "fully connected C3 have a different count."
        )


@exercise_check(
    "a confusion matrix",
    hint="start from a square of zeros, one row per true class and one column per predicted "
    "class, and count each example once, in the row of its true class and the column of its "
    "prediction.",
)
def check_confusion_matrix(confusion_matrix: object) -> None:
    function = as_callable(confusion_matrix, "confusion_matrix")
    generator = torch.Generator().manual_seed(7)
    for num_classes, size in [(10, 200), (3, 7), (4, 1)]:
        y_true = torch.randint(0, num_classes, (size,), generator=generator)
        y_pred = torch.where(
            torch.rand(size, generator=generator) < 0.6,
            y_true,
            torch.randint(0, num_classes, (size,), generator=generator),
        )
        expected = torch.bincount(y_true * num_classes + y_pred, minlength=num_classes**2)
        expected = expected.view(num_classes, num_classes).to(torch.float64)
        answer = as_tensor(function(y_true, y_pred, num_classes), "confusion_matrix(...)")
        if tuple(answer.shape) != (num_classes, num_classes):
            raise Wrong(
                f"with num_classes={num_classes} the matrix should be {num_classes} x "
                f"{num_classes}, not {tuple(answer.shape)}."
            )
        if torch.equal(answer, expected):
            continue
        if torch.equal(answer, expected.T):
            raise Wrong("rows and columns are swapped: row = true class, column = prediction.")
        if answer.sum() != size:
            raise Wrong(f"the entries add up to {answer.sum():.0f}, not to the {size} examples.")
        raise Wrong(f"the counts differ from the true ones for num_classes={num_classes}.")


@exercise_check(
    "the receptive field of one S4 unit",
    hint="go backwards from one S4 unit, one layer at a time: a pooling window multiplies "
    "the side it covers by its stride, a 5 x 5 convolution with stride 1 adds 4 to it.",
)
def check_s4_receptive_field(s4_receptive_field: object) -> None:
    side = as_number(s4_receptive_field, "s4_receptive_field", integer=True)
    if side == 14:
        raise Wrong("14 is the receptive field of one C3 unit; S4 adds a 2 x 2 window on top.")
    if side == 32:
        raise Wrong("32 is the receptive field of a C5 unit, which sees the whole image.")
    if side in (2, 5, 10, 20):
        raise Wrong(f"{side} counts units of one layer, not pixels of the 32 x 32 input.")
    if not matches_key(side, _S4_RECEPTIVE_FIELD_KEY):
        raise Wrong(f"{side} is not the side of the input patch one S4 unit depends on.")


PREPARATIONS = ("pad", "upsample")
"""Section 7.2's two ways of making an 8 x 8 digit 32 x 32, which exercise 7.5 compares."""
_PREPARATION_CONCLUSIONS = {
    "A": "after 2 epochs upsampled digits gave the higher validation accuracy for every seed "
    "(they are learned faster)",
    "B": "after 2 epochs padded digits gave the higher validation accuracy for every seed "
    "(they are learned faster)",
    "C": "neither held for every seed",
}
_NUM_TEST, _NUM_VAL, _NUM_EXPERIMENT_TRAIN = 450, 225, 500
# What a correct run can give, from seeds 0-29 of the book's solution (2 epochs, pinned CPU):
# padded 0.44 to 0.73, upsampled 0.84 to 0.94, upsampled above padded by 0.20 or more for
# every seed. The ranges below leave room for other correct code (another interpolation,
# another machine's rounding) and still tell the two preparations apart.
_ACCURACY_RANGES = {"pad": (0.25, 0.85), "upsample": (0.70, 1.0)}
# The check's own input, which no table of the reader's can hold: upsampled digits, seed 1998,
# and the 500 training labels shuffled (generator seed 1998), so that nothing can be learned.
# The book's solution (pinned CPU) reaches 15 of the 225 validation digits there; with seeds
# 1999, 2000, 0 and 1 (labels shuffled by the same seed) 27, 11, 38 and 7, and the same with
# padded digits 15 to 31: chance, 0.03 to 0.17. A correct function lands within 0.15 of the
# reference; a function that ignores its data returns an upsampled accuracy of 0.70 or more.
# The check also compares the reader's function, on a seed no table holds (drawn at random),
# and every entry of the table with its own run of the recipe, _reference_preparation_accuracy.
# Measured on seeds 0 to 11 and 1998, 31337, 77777 and 424242: the book's solution and the
# reference gave the same number of right digits for every seed and both preparations, pinned
# (lecturekit.numerics, 1 or 2 threads) and unpinned (1, 2, 4, 8 or 16 threads), and still did
# with the initial weights moved by about one rounding step (3 draws per seed). Different seeds
# differ far more: padded 103 to 157 of 225, upsampled 190 to 212. The tolerance, 9 digits of
# 225, leaves room for another processor's rounding; a table typed in for "B" or "C" must move
# an entry by 29 digits or more (seed 0: 132 padded against 190 upsampled).
_PREPARATION_TOLERANCE = 9 / _NUM_VAL
_PREPARATION_UNSEEN_SEEDS = 1
_SHUFFLED_SEED = 1998
_SHUFFLED_REFERENCE = 15 / _NUM_VAL
_SHUFFLED_TOLERANCE = 0.15
_PREPARED = {"pad": "padded", "upsample": "upsampled"}


def _experiment_digits() -> dict[str, torch.Tensor]:
    """Exercise 7.5's digits: 500 of section 7.2's training digits and its 225 validation ones.

    ``train_images``: (500, 8, 8) and ``val_images``: (225, 8, 8), ink in [0, 1]; the labels
    (500,) and (225,). Section 7.2's split: a fixed permutation (generator seed 0) of the
    1,797 digits, the first 450 for testing, the next 225 for validation, the rest training.
    """
    digits = load_digits()
    images = torch.tensor(digits.images, dtype=torch.float32) / 16
    labels = torch.tensor(digits.target)
    order = torch.randperm(len(labels), generator=torch.Generator().manual_seed(0))
    val = order[_NUM_TEST : _NUM_TEST + _NUM_VAL]
    train = order[_NUM_TEST + _NUM_VAL :][:_NUM_EXPERIMENT_TRAIN]
    return {
        "train_images": images[train],
        "train_labels": labels[train],
        "val_images": images[val],
        "val_labels": labels[val],
    }


# Chapter 07's LeNet-5 and its training, as the chapter writes them (sections 7.3 and 7.4).
_C3_TABLE = (
    (0, 1, 2), (1, 2, 3), (2, 3, 4), (3, 4, 5), (4, 5, 0), (5, 0, 1),
    (0, 1, 2, 3), (1, 2, 3, 4), (2, 3, 4, 5), (3, 4, 5, 0), (4, 5, 0, 1), (5, 0, 1, 2),
    (0, 1, 3, 4), (1, 2, 4, 5), (0, 2, 3, 5), (0, 1, 2, 3, 4, 5),
)  # fmt: skip


class _ScaledTanh(nn.Module):
    def forward(self, a: torch.Tensor) -> torch.Tensor:
        return 1.7159 * torch.tanh(2 * a / 3)


class _Subsampling(nn.Module):
    def __init__(self, num_maps: int) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.ones(num_maps))
        self.bias = nn.Parameter(torch.zeros(num_maps))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        window_sums = 4 * F.avg_pool2d(x, kernel_size=2)
        return window_sums * self.weight[:, None, None] + self.bias[:, None, None]


class _SparseConv2d(nn.Module):
    def __init__(self, table: tuple, in_maps: int, kernel_size: int = 5) -> None:
        super().__init__()
        pairs = [(out_map, in_map) for out_map, in_maps in enumerate(table) for in_map in in_maps]
        self.register_buffer("pairs", torch.tensor(pairs))
        self.shape = (len(table), in_maps, kernel_size, kernel_size)
        fan_in = torch.tensor([len(table[out_map]) * kernel_size**2 for out_map, _ in pairs])
        bound = fan_in.float().rsqrt()[:, None, None]
        self.weight = nn.Parameter(
            (2 * torch.rand(len(pairs), kernel_size, kernel_size) - 1) * bound
        )
        map_bound = torch.tensor([len(t) * kernel_size**2 for t in table]).float().rsqrt()
        self.bias = nn.Parameter((2 * torch.rand(len(table)) - 1) * map_bound)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        weight = self.weight.new_zeros(self.shape)
        weight[self.pairs[:, 0], self.pairs[:, 1]] = self.weight
        return F.conv2d(x, weight, self.bias)


def _lenet5() -> nn.Sequential:
    return nn.Sequential(
        nn.Sequential(nn.Conv2d(1, 6, kernel_size=5), _ScaledTanh()),
        nn.Sequential(_Subsampling(6), _ScaledTanh()),
        nn.Sequential(_SparseConv2d(_C3_TABLE, in_maps=6), _ScaledTanh()),
        nn.Sequential(_Subsampling(16), _ScaledTanh()),
        nn.Sequential(nn.Conv2d(16, 120, kernel_size=5), _ScaledTanh(), nn.Flatten()),
        nn.Sequential(nn.Linear(120, 84), _ScaledTanh()),
        nn.Linear(84, 10),
    )


def _to_lenet_input(images: torch.Tensor, preparation: str) -> torch.Tensor:
    """(N, 8, 8) ink in [0, 1] made 32 x 32 as ``preparation`` says, then section 7.2's map."""
    if preparation == "pad":
        ink = F.pad(images, (12, 12, 12, 12))
    else:
        ink = F.interpolate(images[:, None], size=(32, 32), mode="bilinear", align_corners=False)
        ink = ink[:, 0].clamp(0, 1)
    return ink[:, None] * 1.275 - 0.1


@functools.lru_cache(maxsize=32)  # the check and its graded cell in one process run it once
def _reference_preparation_accuracy(preparation: str, seed: int) -> float:
    """The book's solution of exercise 7.5 on its digits: validation accuracy after 2 epochs.

    ``set_seed(seed)`` (as it seeds torch), the chapter's ``lenet5()`` and ``train_lenet5``
    (Adam, lr 0.001, a cosine schedule over the 2 epochs, batches of 32 shuffled, no shift),
    on one thread as the chapter runs; torch's global random state is left as it was.
    """
    digits = _experiment_digits()
    X_train = _to_lenet_input(digits["train_images"], preparation)
    X_val = _to_lenet_input(digits["val_images"], preparation)
    threads = torch.get_num_threads()
    with torch.random.fork_rng(devices=[]):
        torch.set_num_threads(1)
        try:
            torch.manual_seed(seed)  # as set_seed(seed) seeds torch
            model = _lenet5()
            optimizer = torch.optim.Adam(model.parameters(), lr=0.001)
            schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=2)
            loader = DataLoader(
                TensorDataset(X_train, digits["train_labels"]), batch_size=32, shuffle=True
            )
            # Read once per epoch, as train_lenet5 does: each pass over a DataLoader draws
            # from torch's generator, and so moves the order of the next epoch's batches.
            val_loader = DataLoader(TensorDataset(X_val, digits["val_labels"]), batch_size=1000)
            for _ in range(2):
                model.train()
                for X_batch, y_batch in loader:
                    loss = F.cross_entropy(model(X_batch), y_batch)
                    optimizer.zero_grad()
                    loss.backward()
                    optimizer.step()
                schedule.step()
                model.eval()
                with torch.no_grad():
                    correct = sum((model(X).argmax(dim=1) == y).sum().item() for X, y in val_loader)
        finally:
            torch.set_num_threads(threads)
    return correct / _NUM_VAL


def _accuracy_table(accuracies: object) -> dict[tuple[str, int], float]:
    if not isinstance(accuracies, dict):
        raise Wrong(
            "`preparation_accuracies` should be a dict {(preparation, seed): accuracy}, "
            f"not {type(accuracies).__name__}."
        )
    table = {}
    for key, value in accuracies.items():
        if not isinstance(key, tuple | list) or len(key) != 2 or key[0] not in PREPARATIONS:
            raise Wrong(f'each key should be a pair ("pad" or "upsample", seed), not {key!r}.')
        seed = as_seed(key[1], "`preparation_accuracies`")
        accuracy = as_number(value, f"preparation_accuracies[{key!r}]")
        if not 0 <= accuracy <= 1:
            raise Wrong(f"an accuracy is a fraction from 0 to 1, not {accuracy:g} ({key!r}).")
        # An accuracy on the 225 validation digits is a whole number of them out of 225.
        # (1e-4: a float32 accuracy, times 225, is off a whole number by up to about 5e-6)
        if abs(accuracy * _NUM_VAL - round(accuracy * _NUM_VAL)) > 1e-4:
            raise Wrong(
                f"{accuracy:g} ({key!r}) is not a number of correct digits out of the "
                f"{_NUM_VAL} validation digits: measure on preparation_digits' val_images."
            )
        table[key[0], seed] = accuracy
    return table


@exercise_check(
    "padding or upsampling, measured",
    hint="let run_preparation_experiment use its arguments, all of them: make both image sets "
    "32 x 32 the way `preparation` says, turn them into network inputs as section 7.2 does, "
    "seed, build and train the chapter's LeNet-5 exactly as the exercise lists, and return the "
    "validation accuracy after the last epoch. Fill `preparation_accuracies` from calls of "
    "that function, for both preparations and the seeds 0, 1 and 2 (or more).",
)
def check_preparation_experiment(
    run_preparation_experiment: object, accuracies: object, conclusion: object
) -> None:
    run = as_callable(run_preparation_experiment, "run_preparation_experiment")
    table = _accuracy_table(accuracies)
    seeds = common_seeds(table, PREPARATIONS, "`preparation_accuracies`, for both preparations,")
    unseen = unseen_seeds(_PREPARATION_UNSEEN_SEEDS, seeds)  # before the reader's function runs
    # The numbers are the reader's own: their function, rerun on every entry, gives what the
    # table holds (about a second each).
    digits = _experiment_digits()
    for (preparation, s), reported in sorted(table.items()):
        rerun = as_number(
            run(preparation, s, **digits), f"run_preparation_experiment({preparation!r}, ...)"
        )
        if abs(rerun - reported) > 1e-6:
            raise Wrong(
                f"run_preparation_experiment({preparation!r}, {s}, **preparation_digits) "
                f"returns {rerun:.4f}, but `preparation_accuracies` holds {reported:.4f}: fill "
                "it from your own runs (and let your function call set_seed(seed) before it "
                "builds the model)."
            )
    for (preparation, s), accuracy in sorted(table.items()):
        low, high = _ACCURACY_RANGES[preparation]
        if not low <= accuracy <= high:
            raise Wrong(
                f"{accuracy:.1%} for {preparation!r} with seed {s} is outside what two epochs "
                f"of LeNet-5 on {_PREPARED[preparation]} digits give ({low:.0%} to "
                f"{high:.0%}): check how the images are made 32 x 32 and the training settings."
            )
    # ... and it measures: on training labels shuffled, which no table can hold, it should
    # give what the check's own reference run gave there, about chance.
    shuffled = dict(digits)
    order = torch.randperm(
        _NUM_EXPERIMENT_TRAIN, generator=torch.Generator().manual_seed(_SHUFFLED_SEED)
    )
    shuffled["train_labels"] = digits["train_labels"][order]
    fresh = as_number(
        run("upsample", _SHUFFLED_SEED, **shuffled),
        "run_preparation_experiment('upsample', ...)",
    )
    if abs(fresh - _SHUFFLED_REFERENCE) > _SHUFFLED_TOLERANCE:
        raise Wrong(
            f"with the training labels shuffled (seed {_SHUFFLED_SEED}, upsampled digits) your "
            f"function returns {fresh:.1%}, but there is nothing to learn: a model trained as "
            f"the exercise says reaches chance there, about 10% (the check's own run: "
            f"{_SHUFFLED_REFERENCE:.1%}). Let the "
            "function train on the images and labels it is given and measure on the "
            "validation digits it is given."
        )
    # ... and it follows the recipe: on a seed no table holds (drawn at random), then on every
    # entry of the table, it gives what the check's own run of the recipe gives (about 2 s),
    # so that numbers typed in for the table's seeds, with real runs elsewhere, fail.
    tolerance = f"{_PREPARATION_TOLERANCE * _NUM_VAL:.0f} of the {_NUM_VAL} digits"
    for s in unseen:
        for preparation in PREPARATIONS:
            theirs = as_number(
                run(preparation, s, **digits), f"run_preparation_experiment({preparation!r}, ...)"
            )
            if not abs(theirs - _reference_preparation_accuracy(preparation, s)) <= (
                _PREPARATION_TOLERANCE + 1e-9
            ):
                raise Wrong(
                    f"on a seed your table does not hold, run_preparation_experiment("
                    f"{preparation!r}, {s}, **preparation_digits) returns {theirs:.1%}, where "
                    f"the recipe of the exercise gives another accuracy (more than {tolerance} "
                    "away): follow the exercise's steps exactly, set_seed(seed) first, then "
                    "lenet5() and train_lenet5 with the settings it lists."
                )
    for (preparation, s), accuracy in sorted(table.items()):
        if s in seeds and not abs(accuracy - _reference_preparation_accuracy(preparation, s)) <= (
            _PREPARATION_TOLERANCE + 1e-9
        ):
            raise Wrong(
                f"`preparation_accuracies` holds {accuracy:.1%} for ({preparation!r}, {s}), "
                f"where the recipe of the exercise gives another accuracy (more than "
                f"{tolerance} away): does your function follow the recipe for every seed, "
                "the ones in your table too?"
            )
    upsample_wins = [table["upsample", s] > table["pad", s] for s in seeds]
    pad_wins = [table["pad", s] > table["upsample", s] for s in seeds]
    supported = "A" if all(upsample_wins) else "B" if all(pad_wins) else "C"
    conclusion = as_choice(conclusion, "preparation_conclusion", list(_PREPARATION_CONCLUSIONS))
    if conclusion != supported:
        raise Wrong(
            f"your own numbers say {supported}: {_PREPARATION_CONCLUSIONS[supported]} "
            f"(seeds {seeds})."
        )
