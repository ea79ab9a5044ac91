import functools
import inspect
import re

import numpy as np
import torch
import torch.nn.functional as F
from sklearn.datasets import load_digits
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from lecturekit.checks import lenet
from lecturekit.checks.lenet import (
    PREPARATIONS,
    _experiment_digits,
    check_confusion_matrix,
    check_modern_lenet,
    check_preparation_experiment,
    check_s4_receptive_field,
    check_unpadded_c5_parameters,
)
from lecturekit.seed import set_seed


def names_number(source: str, number: int) -> bool:
    """Whether ``source`` has ``number`` as a number of its own (14, 30_840 or 30,840)."""
    spellings = "|".join(re.escape(s) for s in {str(number), f"{number:_}", f"{number:,}"})
    return re.search(rf"(?<![\w.,])(?:{spellings})(?![\w]|[.,]\d)", source) is not None


def test_unpadded_c5_check_accepts_the_count_and_names_the_usual_mistakes():
    assert check_unpadded_c5_parameters(30_840)
    assert check_unpadded_c5_parameters(torch.tensor(30_840))
    assert "32 x 32" in check_unpadded_c5_parameters(48_120).message
    assert "biases" in check_unpadded_c5_parameters(30_720).message
    assert "wrong side" in check_unpadded_c5_parameters(120 * (16 * 9 + 1)).message
    assert not check_unpadded_c5_parameters(30_000)


def test_unpadded_c5_check_on_wrong_types_and_placeholders():
    assert "whole number" in check_unpadded_c5_parameters("30840").message
    assert "whole number" in check_unpadded_c5_parameters(30_840.5).message
    assert not check_unpadded_c5_parameters(...).answered


def modern(c3_in=6, pool=nn.MaxPool2d, act=nn.ReLU, out=10):
    return nn.Sequential(
        nn.Conv2d(1, 6, 5), act(), pool(2),
        nn.Conv2d(c3_in, 16, 5), act(), pool(2),
        nn.Conv2d(16, 120, 5), act(), nn.Flatten(),
        nn.Linear(120, 84), act(), nn.Linear(84, out),
    )  # fmt: skip


def test_modern_lenet_check_accepts_the_network_and_rejects_variants():
    assert check_modern_lenet(modern)
    assert "MaxPool2d" in check_modern_lenet(lambda: modern(pool=nn.AvgPool2d)).message
    assert "ReLU" in check_modern_lenet(lambda: modern(act=nn.Tanh)).message
    assert "(3, 10)" in check_modern_lenet(lambda: modern(out=9)).message

    def wider_f6():
        model = modern()
        model[9], model[11] = nn.Linear(120, 100), nn.Linear(100, 10)
        return model

    feedback = check_modern_lenet(wider_f6)
    assert not feedback and "different count" in feedback.message


def test_modern_lenet_check_on_wrong_types_and_placeholders():
    assert "should be a function" in check_modern_lenet(modern()).message
    assert "should be a function" in check_modern_lenet(61_706).message
    assert "nn.Module" in check_modern_lenet(lambda: 3).message
    assert not check_modern_lenet(...).answered

    def not_written():
        raise NotImplementedError

    assert not check_modern_lenet(not_written).answered


def reference_confusion(y_true, y_pred, num_classes):
    matrix = torch.zeros(num_classes, num_classes, dtype=torch.long)
    for t, p in zip(y_true.tolist(), y_pred.tolist(), strict=True):
        matrix[t, p] += 1
    return matrix


def test_confusion_matrix_check_accepts_loops_and_bincount_and_spots_a_transpose():
    assert check_confusion_matrix(reference_confusion)
    assert check_confusion_matrix(lambda t, p, n: reference_confusion(t, p, n).numpy().tolist())
    swapped = check_confusion_matrix(lambda t, p, n: reference_confusion(t, p, n).T)
    assert not swapped and "swapped" in swapped.message
    fixed_size = check_confusion_matrix(lambda t, p, n: reference_confusion(t, p, 10))
    assert not fixed_size and "3 x 3" in fixed_size.message
    diagonal_only = check_confusion_matrix(
        lambda t, p, n: torch.diag(torch.bincount(t[t == p], minlength=n))
    )
    assert not diagonal_only and "add up to" in diagonal_only.message


def test_confusion_matrix_check_on_wrong_types_and_placeholders():
    assert "should be a function" in check_confusion_matrix([[1, 0], [0, 1]]).message
    assert "not str" in check_confusion_matrix(lambda t, p, n: "matrix").message
    assert not check_confusion_matrix(...).answered

    def not_written(y_true, y_pred, num_classes):
        raise NotImplementedError

    assert not check_confusion_matrix(not_written).answered


def test_s4_receptive_field_check():
    assert check_s4_receptive_field(16)
    assert "C3" in check_s4_receptive_field(14).message
    assert "C5" in check_s4_receptive_field(32).message
    assert "units of one layer" in check_s4_receptive_field(5).message
    assert not check_s4_receptive_field(18)
    assert "whole number" in check_s4_receptive_field("16").message
    assert not check_s4_receptive_field(...).answered


def test_the_exact_answers_are_not_in_the_source():
    source = inspect.getsource(lenet)
    assert not names_number(source, 30_840) and not names_number(source, 61_706)
    # 16 is also the number of C3's maps; the receptive-field check itself must not name it
    assert not names_number(inspect.getsource(check_s4_receptive_field), 16)


# Exercise 7.5: the book's solution, short, as the reader's answer runs it.
def to_32(images, preparation):
    if preparation == "pad":
        ink = F.pad(images, (12, 12, 12, 12))
    else:
        ink = F.interpolate(images[:, None], size=(32, 32), mode="bilinear", align_corners=False)
        ink = ink[:, 0].clamp(0, 1)
    return ink[:, None] * 1.275 - 0.1


@functools.cache
def _reference_run(preparation, seed, shuffled=False):
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # as the chapter runs; small convolutions gain nothing from two
    try:
        return _train_briefly(preparation, seed, shuffled)
    finally:
        torch.set_num_threads(threads)


def _train_briefly(preparation, seed, shuffled):
    """The book's solution: set_seed, the chapter's LeNet-5 (C3 by its table) and train_lenet5
    (Adam with a cosine schedule, the validation digits read after each epoch)."""
    data = _experiment_digits()
    X, y = to_32(data["train_images"], preparation), data["train_labels"]
    if shuffled:  # the check's own input: the labels in the order of lenet._SHUFFLED_SEED
        y = y[torch.randperm(len(y), generator=torch.Generator().manual_seed(lenet._SHUFFLED_SEED))]
    X_val, y_val = to_32(data["val_images"], preparation), data["val_labels"]
    set_seed(seed)
    model = lenet._lenet5()
    optimizer = torch.optim.Adam(model.parameters(), lr=0.001)
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=2)
    loader = DataLoader(TensorDataset(X, y), batch_size=32, shuffle=True)
    val_loader = DataLoader(TensorDataset(X_val, y_val), batch_size=1000)
    for _ in range(2):
        model.train()
        for X_batch, y_batch in loader:
            loss = nn.CrossEntropyLoss()(model(X_batch), y_batch)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        schedule.step()
        model.eval()
        with torch.no_grad():
            correct = sum((model(Xb).argmax(dim=1) == yb).sum().item() for Xb, yb in val_loader)
    return correct / len(y_val)


def run_preparation_experiment(
    preparation, seed, train_images, train_labels, val_images, val_labels
):
    """The reader's function, right: the runs are cached, as the check calls it again."""
    data = _experiment_digits()
    assert torch.equal(train_images, data["train_images"])
    assert torch.equal(val_images, data["val_images"])
    shuffled = not torch.equal(train_labels, data["train_labels"])
    assert torch.equal(train_labels.sort().values, data["train_labels"].sort().values)
    return _reference_run(preparation, seed, shuffled)


def measured(seeds=(0, 1, 2), run=run_preparation_experiment):
    data = _experiment_digits()
    return {(p, s): run(p, s, **data) for p in PREPARATIONS for s in seeds}


def test_experiment_digits_are_500_training_and_the_225_validation_digits_of_section_7_2():
    digits = load_digits()
    images = torch.tensor(digits.images, dtype=torch.float32) / 16
    labels = torch.tensor(digits.target)
    order = torch.randperm(1797, generator=torch.Generator().manual_seed(0))
    test, val, train = order[:450], order[450:675], order[675:]
    data = _experiment_digits()
    assert torch.equal(data["val_images"], images[val]) and torch.equal(
        data["val_labels"], labels[val]
    )
    assert torch.equal(data["train_images"], images[train[:500]])
    assert torch.equal(data["train_labels"], labels[train[:500]])
    assert not set(test.tolist()) & (set(val.tolist()) | set(train.tolist()))
    assert data["train_images"].min() >= 0 and data["train_images"].max() <= 1


def test_preparation_experiment_accepts_a_real_run_and_its_conclusion():
    accuracies = measured()
    # the real runs support "A" with room to spare: upsampling ahead by 0.15 or more per seed
    assert all(accuracies["upsample", s] - accuracies["pad", s] > 0.15 for s in (0, 1, 2))
    assert check_preparation_experiment(run_preparation_experiment, accuracies, "A")
    assert check_preparation_experiment(run_preparation_experiment, accuracies, " a ")
    feedback = check_preparation_experiment(run_preparation_experiment, accuracies, "C")
    assert not feedback and "your own numbers say A" in feedback.message


def table_run(table):
    """A function answer that returns what `table` holds on the book's digits (to test the
    check's logic fast), and measures on the check's own input."""

    def run(preparation, seed, **digits):
        typed_in = (preparation, seed) in table
        if typed_in and torch.equal(digits["train_labels"], _experiment_digits()["train_labels"]):
            return table[preparation, seed]
        return run_preparation_experiment(preparation, seed, **digits)

    return run


def recipe_gives(monkeypatch, table):
    """Make `table` what the check's own run of the recipe gives on its seeds (to test the
    logic that follows with numbers no real run gives); real runs elsewhere."""
    data = _experiment_digits()
    monkeypatch.setattr(
        lenet, "_reference_preparation_accuracy", lambda p, s: table_run(table)(p, s, **data)
    )


def test_preparation_experiment_conclusion_follows_the_readers_numbers(monkeypatch):
    pad = {0: 130 / 225, 1: 140 / 225, 2: 150 / 225}
    up = {0: 200 / 225, 1: 190 / 225, 2: 175 / 225}
    split = {("pad", s): pad[s] for s in pad} | {("upsample", s): up[s] for s in up}
    recipe_gives(monkeypatch, split)
    assert check_preparation_experiment(table_run(split), split, "A")
    # a seed where padding wins makes "neither" the supported conclusion
    mixed = split | {("pad", 2): 180 / 225, ("upsample", 2): 170 / 225}
    recipe_gives(monkeypatch, mixed)
    assert check_preparation_experiment(table_run(mixed), mixed, "C")
    feedback = check_preparation_experiment(table_run(mixed), mixed, "A")
    assert not feedback and "say C" in feedback.message
    recipe_gives(monkeypatch, split)
    assert "A" in check_preparation_experiment(table_run(split), split, "D").message


def test_preparation_experiment_refuses_a_table_typed_in_for_its_seeds():
    # In range, 1/225ths, rerun faithfully by a function that returns them for the table's
    # seeds and runs the recipe on any other seed and on the check's shuffled labels:
    # it backs "C", where the real runs say "A" for every seed.
    accuracies = measured()
    forged = accuracies | {("pad", 2): 180 / 225, ("upsample", 2): 170 / 225}
    torch.manual_seed(0)
    feedback = check_preparation_experiment(table_run(forged), forged, "C")
    assert not feedback and "the recipe of the exercise gives another" in feedback.message
    assert "('pad', 2)" in feedback.message
    # nor does the reference's own number show up in what the reader is told
    assert f"{accuracies['pad', 2]:.1%}" not in feedback.message

    def recipe_elsewhere_only(preparation, seed, **digits):  # off the recipe on unseen seeds
        if seed in (0, 1, 2) or seed == lenet._SHUFFLED_SEED:
            return run_preparation_experiment(preparation, seed, **digits)
        return run_preparation_experiment(preparation, 0, **digits)

    feedback = check_preparation_experiment(recipe_elsewhere_only, accuracies, "A")
    assert not feedback and "on a seed your table does not hold" in feedback.message


def test_the_reference_is_the_books_recipe():
    for preparation in PREPARATIONS:
        for seed in (0, 1, 2, 5):
            reference = lenet._reference_preparation_accuracy(preparation, seed)
            assert reference == _reference_run(preparation, seed)


def test_preparation_experiment_refuses_forged_or_impossible_numbers():
    accuracies = measured()
    forged = {key: min(1.0, round(value * 225 + 9) / 225) for key, value in accuracies.items()}
    feedback = check_preparation_experiment(run_preparation_experiment, forged, "A")
    assert not feedback and "fill it from your own runs" in feedback.message
    # swapped preparations: the rerun agrees, but the numbers are impossible for their names
    swapped = {(p, s): accuracies["upsample" if p == "pad" else "pad", s] for p, s in accuracies}
    feedback = check_preparation_experiment(table_run(swapped), swapped, "B")
    assert not feedback and "outside what two epochs" in feedback.message
    not_of_225 = dict(accuracies) | {("pad", 1): 0.6001}
    feedback = check_preparation_experiment(run_preparation_experiment, not_of_225, "A")
    assert not feedback and "out of the 225" in feedback.message


def test_preparation_experiment_refuses_fixed_numbers_and_lookup_tables():
    accuracies = measured()

    def fixed(preparation, seed, **digits):  # ignores its data
        return accuracies[preparation, 0]

    constant = {(p, s): accuracies[p, 0] for p, s in accuracies}
    feedback = check_preparation_experiment(fixed, constant, "A")
    assert not feedback and "labels shuffled" in feedback.message

    def lookup(preparation, seed, **digits):  # a table, with a guess for what it lacks
        return accuracies.get((preparation, seed), 0.9)

    feedback = check_preparation_experiment(lookup, accuracies, "A")
    assert not feedback and "labels shuffled" in feedback.message
    # every entry is rerun, not one drawn at random
    one_forged = dict(accuracies) | {("pad", 2): accuracies["pad", 2] + 1 / 225}
    feedback = check_preparation_experiment(run_preparation_experiment, one_forged, "A")
    assert not feedback and "fill it from your own runs" in feedback.message


def test_preparation_experiment_accepts_float32_accuracies():
    accuracies = {
        key: float(torch.tensor(value, dtype=torch.float32)) for key, value in measured().items()
    }

    def run(preparation, seed, **digits):
        value = run_preparation_experiment(preparation, seed, **digits)
        return float(torch.tensor(value, dtype=torch.float32))

    assert check_preparation_experiment(run, accuracies, "A")


def test_the_shuffled_labels_reference_is_chance_for_a_correct_run():
    # the test's LeNet-5 (fully connected C3) is another correct implementation
    assert abs(
        _reference_run("upsample", lenet._SHUFFLED_SEED, True) - lenet._SHUFFLED_REFERENCE
    ) <= (lenet._SHUFFLED_TOLERANCE)


def test_preparation_experiment_on_wrong_shapes_and_placeholders():
    accuracies = measured()
    two_seeds = {key: value for key, value in accuracies.items() if key[1] != 2}
    assert (
        "three seeds" in check_preparation_experiment(table_run(two_seeds), two_seeds, "A").message
    )
    other = {("bicubic", 0): 0.9}
    assert "pair" in check_preparation_experiment(table_run(other), other, "A").message
    assert "dict" in check_preparation_experiment(table_run({}), [0.9, 0.6], "A").message
    assert "should be a function" in check_preparation_experiment(0.9, accuracies, "A").message
    assert (
        "a fraction" in check_preparation_experiment(table_run({}), {("pad", 0): 130}, "A").message
    )
    assert not check_preparation_experiment(..., accuracies, "A").answered
    assert not check_preparation_experiment(run_preparation_experiment, ..., "A").answered
    assert not check_preparation_experiment(run_preparation_experiment, accuracies, ...).answered

    def not_written(preparation, seed, train_images, train_labels, val_images, val_labels):
        raise NotImplementedError

    assert not check_preparation_experiment(not_written, accuracies, "A").answered


def test_preparation_experiment_accepts_numpy_seeds_and_wants_the_seeds_0_1_and_2():
    accuracies = measured()
    as_numpy = {(p, np.int64(s)): value for (p, s), value in accuracies.items()}
    assert check_preparation_experiment(run_preparation_experiment, as_numpy, "A")
    later = {(p, s + 3): value for (p, s), value in accuracies.items()}
    feedback = check_preparation_experiment(table_run(later), later, "A")
    assert not feedback and "0, 1 and 2" in feedback.message
