import numpy as np
import pytest
import torch
from sklearn.datasets import load_digits
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from lecturekit.checks import training
from lecturekit.checks.training import (
    GAP_DATA_SHAPES,
    GAP_RANGES,
    GAP_SETTINGS,
    GAP_TOLERANCE,
    QUADRATIC_H,
    check_dropout_gap_experiment,
    check_inverted_dropout,
    check_largest_stable_lr,
    check_nearest_centroid_accuracy,
    check_train_one_epoch,
)
from lecturekit.checks.training import _reference_gap as reference_gap


def reference_train_one_epoch(model, loader, loss_fn, optimizer):
    total, count = 0.0, 0
    for X, y in loader:
        loss = loss_fn(model(X), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        total += loss.item() * len(y)
        count += len(y)
    return total / count


def test_train_one_epoch_check_accepts_the_loop_and_rejects_common_mistakes():
    assert check_train_one_epoch(reference_train_one_epoch)

    def forgets_zero_grad(model, loader, loss_fn, optimizer):
        total, count = 0.0, 0
        for X, y in loader:
            loss = loss_fn(model(X), y)
            loss.backward()
            optimizer.step()
            total += loss.item() * len(y)
            count += len(y)
        return total / count

    def forgets_step(model, loader, loss_fn, optimizer):
        for X, y in loader:
            loss_fn(model(X), y).backward()
        return 1.0

    def returns_the_mean_of_batch_means(model, loader, loss_fn, optimizer):
        losses = []
        for X, y in loader:
            loss = loss_fn(model(X), y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
        return sum(losses) / len(losses)

    feedback = check_train_one_epoch(forgets_zero_grad)
    assert not feedback and "zero the gradients" in feedback.message
    feedback = check_train_one_epoch(forgets_step)
    assert not feedback and "optimizer.step()" in feedback.message
    feedback = check_train_one_epoch(returns_the_mean_of_batch_means)
    assert not feedback and "mean training loss" in feedback.message


def test_train_one_epoch_check_on_wrong_types_and_placeholders():
    assert "should be a function" in check_train_one_epoch(3).message
    assert not check_train_one_epoch(...).answered

    def not_implemented(model, loader, loss_fn, optimizer):
        raise NotImplementedError

    assert not check_train_one_epoch(not_implemented).answered


def test_largest_stable_lr_check():
    eigenvalues = torch.linalg.eigvalsh(QUADRATIC_H.double())
    assert check_largest_stable_lr(2 / eigenvalues.max())
    assert check_largest_stable_lr(float(2 / eigenvalues.max()))
    assert "1 / lambda_max" in check_largest_stable_lr(1 / eigenvalues.max()).message
    assert "smallest eigenvalue" in check_largest_stable_lr(2 / eigenvalues.min()).message
    assert not check_largest_stable_lr(0.5)
    assert "should be a number" in check_largest_stable_lr("0.55").message
    assert not check_largest_stable_lr(...).answered


def test_inverted_dropout_check():
    def inverted_dropout(x, p, training):
        if not training or p == 0:
            return x
        return x * (torch.rand_like(x) >= p) / (1 - p)

    def forgets_to_scale(x, p, training):
        return x * (torch.rand_like(x) >= p) if training else x

    def drops_in_evaluation_too(x, p, training):
        return x * (torch.rand_like(x) >= p) / (1 - p)

    def keeps_with_probability_p(x, p, training):
        return x * (torch.rand_like(x) < p) / (1 - p) if training and p > 0 else x

    assert check_inverted_dropout(inverted_dropout)
    assert "x / (1 - p)" in check_inverted_dropout(forgets_to_scale).message
    assert "training=False" in check_inverted_dropout(drops_in_evaluation_too).message
    assert "fraction" in check_inverted_dropout(keeps_with_probability_p).message

    def fixed_stripes(x, p, training):  # the right fraction and scale, but no randomness
        if not training or p == 0:
            return x
        keep = (torch.arange(x.numel()) % 100) >= round(100 * p)
        return x * keep.reshape(x.shape) / (1 - p)

    def in_place(x, p, training):  # modifies its argument: still a random mask each call
        if not training or p == 0:
            return x
        return x.mul_((torch.rand_like(x) >= p) / (1 - p))

    assert "new random mask" in check_inverted_dropout(fixed_stripes).message
    assert check_inverted_dropout(in_place)
    assert "should be a function" in check_inverted_dropout("dropout").message
    assert not check_inverted_dropout(...).answered


def test_nearest_centroid_check():
    def nearest_centroid_accuracy(train_features, train_labels, test_features, test_labels):
        centroids = torch.stack(
            [
                train_features[train_labels == k].mean(dim=0)
                for k in range(int(train_labels.max()) + 1)
            ]
        )
        predictions = torch.cdist(test_features, centroids).argmin(dim=1)
        return (predictions == test_labels).float().mean()

    def uses_the_test_set_for_centroids(train_features, train_labels, test_features, test_labels):
        return nearest_centroid_accuracy(test_features, test_labels, test_features, test_labels)

    def counts_instead_of_fraction(train_features, train_labels, test_features, test_labels):
        return 60 * nearest_centroid_accuracy(
            train_features, train_labels, test_features, test_labels
        )

    assert check_nearest_centroid_accuracy(nearest_centroid_accuracy)
    assert not check_nearest_centroid_accuracy(uses_the_test_set_for_centroids)
    assert "fraction" in check_nearest_centroid_accuracy(counts_instead_of_fraction).message
    assert "should be a function" in check_nearest_centroid_accuracy([0.9]).message
    assert not check_nearest_centroid_accuracy(...).answered


@pytest.fixture(autouse=True)
def one_thread():
    """One thread, as the chapter runs: faster for these small networks, above all on a busy
    machine, where a second thread mostly waits."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def gap_digits():
    """Exercise 5.5's data, as the chapter makes them: the split of section 5.1."""
    digits = load_digits()
    X_all = torch.tensor(digits.images, dtype=torch.float32).reshape(-1, 64) / 16
    y_all = torch.tensor(digits.target)
    split = torch.randperm(len(X_all), generator=torch.Generator().manual_seed(0))
    val_idx, train_idx = split[360:540], split[540:740]
    return X_all[train_idx], y_all[train_idx], X_all[val_idx], y_all[val_idx]


GAP_DATA = gap_digits()


def gap_function(no_dropout, dropout):
    """A stand-in for run_dropout_gap: the given gaps on seeds 0, 1, 2, and on any other seed
    what the recipe gives (the check's own reference run, cached, so the tests stay quick)."""

    def run_dropout_gap(setting, seed, data):
        if seed in (0, 1, 2):
            return (no_dropout if setting == "no dropout" else dropout)[seed]
        return reference_gap(setting, seed)

    return run_dropout_gap


@pytest.fixture
def gap_world(monkeypatch):
    """``gap_function``, in a world where the recipe itself gives those gaps on seeds 0, 1, 2:
    the check's reference is made the same function, so that only what follows is judged."""

    def install(no_dropout, dropout):
        run = gap_function(no_dropout, dropout)
        monkeypatch.setattr(
            training, "_reference_gap", lambda setting, seed: run(setting, seed, GAP_DATA)
        )
        return run

    return install


def gap_check(*answers):
    """The check, with the random draws (the seeds it reruns) the same on every call."""
    torch.manual_seed(0)
    return check_dropout_gap_experiment(*answers)


def gap_table(run, seeds=(0, 1, 2)):
    return {(setting, s): run(setting, s, GAP_DATA) for setting in GAP_SETTINGS for s in seeds}


def test_gap_experiment_check_accepts_the_conclusion_the_readers_numbers_support(gap_world):
    apart = ([0.40, 0.38, 0.42], [0.22, 0.24, 0.20])
    overlapping = ([0.30, 0.35, 0.40], [0.25, 0.31, 0.33])
    mixed = ([0.30, 0.35, 0.40], [0.25, 0.36, 0.33])
    for gaps, supported in [(mixed, "C"), (overlapping, "B"), (apart, "A")]:
        run = gap_world(*gaps)
        table = gap_table(run)
        assert gap_check(run, GAP_DATA, table, supported)
        assert gap_check(run, GAP_DATA, table, f" {supported.lower()} ")
        for other in {"A", "B", "C"} - {supported}:
            feedback = gap_check(run, GAP_DATA, table, other)
            assert not feedback and f"your own numbers say {supported}" in feedback.message
    feedback = gap_check(run, GAP_DATA, gap_table(run), "dropout helps")
    assert 'set `gap_conclusion` to "A", "B" or "C"' in feedback.message


def test_gap_experiment_check_rejects_numbers_the_function_does_not_give(gap_world):
    mine = gap_world([0.40, 0.38, 0.42], [0.22, 0.24, 0.20])
    borrowed = gap_table(gap_function([0.41, 0.37, 0.43], [0.23, 0.25, 0.21]))
    feedback = gap_check(mine, GAP_DATA, borrowed, "A")
    assert not feedback and "fill the table from your own runs" in feedback.message

    def unseeded(setting, seed, data):
        return 0.3 + 0.05 * torch.rand(()).item()

    feedback = gap_check(unseeded, GAP_DATA, gap_table(unseeded), "C")
    assert not feedback and "torch.manual_seed(seed)" in feedback.message


def test_gap_experiment_check_rejects_a_typed_in_table_and_a_function_that_ignores_its_inputs():
    def typed_in(setting, seed, data):  # the expert's forgery: a table typed by hand
        return {"no dropout": 0.40, "dropout": 0.20}[setting]

    zeros = tuple(torch.zeros_like(tensor) for tensor in GAP_DATA)
    feedback = gap_check(typed_in, zeros, gap_table(typed_in), "A")
    assert not feedback and "is not section 5.5's 200 training digits" in feedback.message
    feedback = gap_check(typed_in, GAP_DATA, gap_table(typed_in), "A")
    assert not feedback and "the same gap" in feedback.message

    typical = {"no dropout": [0.39, 0.38, 0.40], "dropout": [0.22, 0.21, 0.23]}

    def looked_up(setting, seed, data):  # seed by seed, but the same numbers on any seed
        return typical[setting][seed % 3]

    feedback = gap_check(looked_up, GAP_DATA, gap_table(looked_up), "A")
    assert not feedback and "on a seed your table does not hold" in feedback.message

    def other_recipe(setting, seed, data):  # the recipe's numbers, but from other seeds
        return reference_gap(setting, seed + 100)

    feedback = gap_check(other_recipe, GAP_DATA, gap_table(other_recipe), "A")
    assert not feedback and "on a seed your table does not hold" in feedback.message


def test_gap_experiment_check_rejects_numbers_typed_in_for_the_tables_seeds():
    # Made up for seeds 0, 1, 2 (dropout wider for one seed: as if C held), real runs elsewhere.
    forged = gap_function([0.40, 0.38, 0.42], [0.22, 0.45, 0.20])
    feedback = gap_check(forged, GAP_DATA, gap_table(forged), "C")
    assert not feedback and "`gap_results` holds" in feedback.message
    assert "for every seed" in feedback.message


def test_gap_experiment_check_rejects_gaps_no_correct_run_gives(gap_world):
    the_other_way_round = gap_world([-0.40, -0.38, -0.42], [-0.22, -0.24, -0.20])
    feedback = gap_check(the_other_way_round, GAP_DATA, gap_table(the_other_way_round), "C")
    assert not feedback and "outside what this experiment gives" in feedback.message


def test_gap_experiment_check_on_missing_seeds_wrong_data_and_placeholders(gap_world):
    run = gap_world([0.40, 0.38, 0.42], [0.22, 0.24, 0.20])
    assert tuple(tuple(tensor.shape) for tensor in GAP_DATA) == GAP_DATA_SHAPES
    table = gap_table(run)
    two_seeds = gap_table(run, seeds=(0, 1))
    assert "three seeds" in gap_check(run, GAP_DATA, two_seeds, "A").message
    unmatched = two_seeds | {("dropout", 2): 0.2}
    assert "three seeds" in gap_check(run, GAP_DATA, unmatched, "A").message
    later = {(setting, s + 3): gap for (setting, s), gap in table.items()}
    assert "0, 1 and 2" in gap_check(run, GAP_DATA, later, "A").message
    as_numpy = {(setting, np.int64(s)): gap for (setting, s), gap in table.items()}
    assert gap_check(run, GAP_DATA, as_numpy, "A")
    few_digits = (GAP_DATA[0][:100], *GAP_DATA[1:])
    assert "shape" in gap_check(run, few_digits, table, "A").message
    feedback = gap_check(run, GAP_DATA, {("p=0.5", 0): 0.2}, "A")
    assert "setting" in feedback.message
    assert "dict" in gap_check(run, GAP_DATA, [0.4, 0.2], "A").message
    assert "should be a function" in gap_check(0.4, GAP_DATA, table, "A").message
    for answers in [
        (..., GAP_DATA, table, "A"),
        (run, GAP_DATA, ..., "A"),
        (run, GAP_DATA, table, ...),
    ]:
        assert not gap_check(*answers).answered

    def not_implemented(setting, seed, data):
        raise NotImplementedError

    assert not gap_check(not_implemented, GAP_DATA, table, "A").answered


def test_the_reference_recipe_on_the_digits_gives_gaps_in_the_checks_ranges():
    """Exercise 5.5's recipe on its data (the split of section 5.1), three seeds: in range."""
    digits = load_digits()
    X_all = torch.tensor(digits.images, dtype=torch.float32).reshape(-1, 64) / 16
    y_all = torch.tensor(digits.target)
    split = torch.randperm(len(X_all), generator=torch.Generator().manual_seed(0))
    val_idx, train_idx = split[360:540], split[540:740]
    data = (X_all[train_idx], y_all[train_idx], X_all[val_idx], y_all[val_idx])

    def run_dropout_gap(setting, seed, data):
        X, y, X_val, y_val = data
        p_input, p_hidden = {"no dropout": (0.0, 0.0), "dropout": (0.2, 0.5)}[setting]
        torch.manual_seed(seed)
        layers = [nn.Dropout(p_input), nn.Linear(64, 128), nn.ReLU(), nn.Dropout(p_hidden)]
        layers += [nn.Linear(128, 128), nn.ReLU(), nn.Dropout(p_hidden), nn.Linear(128, 10)]
        model = nn.Sequential(*layers)
        optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
        loader = DataLoader(TensorDataset(X, y), batch_size=50, shuffle=True)
        loss_fn = nn.CrossEntropyLoss()
        model.train()
        for _ in range(50):
            for X_batch, y_batch in loader:
                loss = loss_fn(model(X_batch), y_batch)
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
        model.eval()
        with torch.no_grad():
            return (loss_fn(model(X_val), y_val) - loss_fn(model(X), y)).item()

    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # as the chapter runs it: one thread is faster for small networks
    try:
        table = {
            (name, s): run_dropout_gap(name, s, data) for name in GAP_SETTINGS for s in (0, 1, 2)
        }
        assert check_dropout_gap_experiment(run_dropout_gap, data, table, "A")
        for (setting, s), gap in table.items():  # the check's own run of the recipe agrees
            assert abs(gap - reference_gap(setting, s)) <= GAP_TOLERANCE
    finally:
        torch.set_num_threads(threads)
    for (setting, _), gap in table.items():
        low, high = GAP_RANGES[setting]
        assert low <= gap <= high
