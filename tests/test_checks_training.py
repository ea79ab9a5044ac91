import torch

from lecturekit.checks.training import (
    QUADRATIC_H,
    check_inverted_dropout,
    check_largest_stable_lr,
    check_nearest_centroid_accuracy,
    check_train_one_epoch,
)


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
