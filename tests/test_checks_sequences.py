import functools

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_sequence

from lecturekit.checks import sequences
from lecturekit.checks.sequences import (
    PATTERNS,
    check_architectures,
    check_distance_experiment,
    check_last_outputs,
    check_masked_mean,
    check_padding_mask,
    check_temperature_softmax,
)
from lecturekit.data.grammar.reviews import verdict_first_reviews


def not_written(*args):
    raise NotImplementedError


def test_padding_mask_check_accepts_broadcasting_and_rejects_common_mistakes():
    assert check_padding_mask(lambda lengths, T: torch.arange(T)[None, :] < lengths[:, None])

    def off_by_one(lengths, T):
        return torch.arange(T)[None, :] <= lengths[:, None]

    def as_integers(lengths, T):
        return (torch.arange(T)[None, :] < lengths[:, None]).long()

    def only_to_the_longest(lengths, T):
        return torch.arange(int(lengths.max()))[None, :] < lengths[:, None]

    def transposed(lengths, T):
        return (torch.arange(T)[None, :] < lengths[:, None]).T

    feedback = check_padding_mask(off_by_one)
    assert not feedback and feedback.answered and "expected" in feedback.message
    assert "torch.bool" in check_padding_mask(as_integers).message
    assert "shape" in check_padding_mask(only_to_the_longest).message
    assert "shape" in check_padding_mask(transposed).message
    assert "a tensor" in check_padding_mask(lambda lengths, T: [[True]]).message


def test_padding_mask_check_on_wrong_types_and_placeholders():
    assert "should be a function" in check_padding_mask(3).message
    assert not check_padding_mask(...).answered
    assert not check_padding_mask(not_written).answered


def test_masked_mean_check_tells_token_mean_from_sentence_mean():
    assert check_masked_mean(lambda losses, mask: losses[mask].mean())
    assert check_masked_mean(lambda losses, mask: (losses * mask).sum() / mask.sum())

    def per_sentence(losses, mask):
        return ((losses * mask).sum(1) / mask.sum(1)).mean()

    def ignores_the_mask(losses, mask):
        return losses.mean()

    assert "per-sentence means" in check_masked_mean(per_sentence).message
    feedback = check_masked_mean(ignores_the_mask)
    assert not feedback and "junk" in feedback.message
    assert "should be a number" in check_masked_mean(lambda losses, mask: "1.0").message
    assert not check_masked_mean(...).answered
    assert not check_masked_mean(not_written).answered


def test_last_outputs_check():
    def right(outputs, lengths):
        return outputs[torch.arange(len(lengths)), lengths - 1]

    def with_gather(outputs, lengths):
        index = (lengths - 1)[:, None, None].expand(-1, 1, outputs.shape[2])
        return outputs.gather(1, index)[:, 0]

    def after_the_padding(outputs, lengths):
        return outputs[:, -1]

    assert check_last_outputs(right)
    assert check_last_outputs(with_gather)
    feedback = check_last_outputs(after_the_padding)
    assert not feedback and feedback.answered
    assert not check_last_outputs(lambda outputs, lengths: outputs[:, 0])
    assert not check_last_outputs(...).answered
    assert "should be a function" in check_last_outputs([1, 2]).message


def test_temperature_softmax_check():
    assert check_temperature_softmax(lambda z, T: torch.softmax(z / T, dim=-1))

    def multiplies(z, T):
        return torch.softmax(z * T, dim=-1)

    def overflows(z, T):
        e = torch.exp(z / T)
        return e / e.sum(-1, keepdim=True)

    def wrong_dimension(z, T):
        return torch.softmax(z / T, dim=0)

    assert not check_temperature_softmax(multiplies)
    assert "NaN" in check_temperature_softmax(overflows).message
    assert not check_temperature_softmax(wrong_dimension)
    assert not check_temperature_softmax(...).answered
    assert not check_temperature_softmax(not_written).answered
    assert "not str" in check_temperature_softmax(lambda z, T: "p").message


ANSWERS = {
    "recognizing a handwritten digit in one image": "one-to-one",
    "spam filtering (an e-mail in, spam or not out)": "many-to-one",
    "music generation from a chosen genre": "one-to-many",
    "named-entity recognition (a label for every word)": "aligned many-to-many",
    "speech recognition (audio frames in, words out)": "encoder-decoder",
    "video frame classification": "aligned many-to-many",
    "summarizing a news article": "encoder-decoder",
    "predicting tomorrow's stock price from the last 30 days": "many-to-one",
}


def test_architectures_check():
    assert set(ANSWERS.values()) == set(PATTERNS)
    assert check_architectures(ANSWERS)
    assert check_architectures({task: f" {p.upper()} " for task, p in ANSWERS.items()})
    wrong = ANSWERS | {"video frame classification": "encoder-decoder"}
    feedback = check_architectures(wrong)
    assert not feedback and "video frame classification" in feedback.message
    typo = ANSWERS | {"summarizing a news article": "seq2seq"}
    assert "should be one of" in check_architectures(typo).message
    missing = {task: p for task, p in ANSWERS.items() if "spam" not in task}
    assert "no entry" in check_architectures(missing).message
    assert "`...`" in check_architectures(ANSWERS | {"summarizing a news article": ...}).message
    assert "should be a dict" in check_architectures(["one-to-one"]).message
    assert not check_architectures(...).answered


# Exercise 13.6. The chapter's code (section 13.4), copied: RNNClassifier, encode_reviews and
# train_reader, and the book's solution, run_distance_experiment.
class RNNClassifier(nn.Module):
    def __init__(self, vocabulary_size, hidden_size, embedding_dim=32):
        super().__init__()
        self.embedding = nn.Embedding(vocabulary_size, embedding_dim, padding_idx=0)
        self.rnn = nn.RNN(embedding_dim, hidden_size, batch_first=True)
        self.output = nn.Linear(hidden_size, 2)

    def forward(self, X, lengths):
        packed = pack_padded_sequence(
            self.embedding(X), lengths.cpu(), batch_first=True, enforce_sorted=False
        )
        _, h_n = self.rnn(packed)
        return self.output(h_n[-1])


def encode_reviews(data, index, reverse=False):
    sequences = [
        torch.tensor([index.get(w, index["<unk>"]) for w in (words[::-1] if reverse else words)])
        for words, _ in data
    ]
    X = pad_sequence(sequences, batch_first=True, padding_value=index["<pad>"])
    lengths = torch.tensor([len(s) for s in sequences])
    return X, lengths, torch.tensor([label for _, label in data])


def train_reader(
    train, evaluate_on, *, reverse, lr, seed, hidden_size, num_epochs, device, batch_size=32
):
    words = sorted({w for review, _ in train for w in review})
    index = {w: i for i, w in enumerate(["<pad>", "<unk>", *words])}
    torch.manual_seed(seed)
    shuffle = torch.Generator().manual_seed(seed)
    model = RNNClassifier(len(index), hidden_size).to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    X, lengths, y = encode_reviews(train, index, reverse)
    for _ in range(num_epochs):
        model.train()
        for batch in torch.randperm(len(train), generator=shuffle).split(batch_size):
            X_batch = X[batch][:, : lengths[batch].max()].to(device)
            loss = F.cross_entropy(model(X_batch, lengths[batch]), y[batch].to(device))
            optimizer.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
    model.eval()
    accuracies = []
    with torch.no_grad():
        for data in evaluate_on:
            X_eval, lengths_eval, y_eval = encode_reviews(data, index, reverse)
            predicted = model(X_eval.to(device), lengths_eval).argmax(dim=1).cpu()
            accuracies.append((predicted == y_eval).float().mean().item())
    return accuracies


@functools.cache  # the checks below call it many times with the same inputs
def run_distance_experiment(seed, distance):
    """The book's solution of exercise 13.6."""
    data = verdict_first_reviews(600, seed=seed, filler_words=distance)
    return train_reader(
        data[:400],
        [data[400:]],
        reverse=False,
        lr=0.01,
        seed=seed,
        hidden_size=32,
        num_epochs=5,
        device=torch.device("cpu"),
    )[0]


def distance_results_of(run, seeds=(0, 1, 2)):
    return {d: {s: run(s, d) for s in seeds} for d in (0, 12)}


@pytest.fixture(scope="module")
def distance_results():
    return distance_results_of(run_distance_experiment)


@pytest.fixture
def cached_reference(monkeypatch):
    """The check's own recipe, remembered, so that the tests below stay cheap."""
    monkeypatch.setattr(
        sequences,
        "_reference_distance_accuracy",
        functools.cache(sequences._reference_distance_accuracy),
    )


def test_distance_experiment_check_accepts_the_book_solution(distance_results, cached_reference):
    means = {d: sum(r.values()) / len(r) for d, r in distance_results.items()}
    assert means[0] - means[12] > 0.1  # the book's numbers support A
    torch.manual_seed(0)
    assert check_distance_experiment(run_distance_experiment, distance_results, "A")
    torch.manual_seed(0)
    assert check_distance_experiment(run_distance_experiment, distance_results, " a ")


def test_distance_experiment_check_rejects_a_conclusion_the_numbers_do_not_support(
    distance_results, cached_reference
):
    for wrong in ("B", "C"):
        torch.manual_seed(0)
        feedback = check_distance_experiment(run_distance_experiment, distance_results, wrong)
        assert not feedback and feedback.answered
        assert f"do not support {wrong}" in feedback.message
    torch.manual_seed(0)
    feedback = check_distance_experiment(run_distance_experiment, distance_results, "D")
    assert not feedback and '"A", "B" or "C"' in feedback.message


def test_distance_experiment_check_judges_the_conclusion_by_the_readers_numbers(monkeypatch):
    def flat(seed, distance):  # a world in which the distance made no difference
        return run_distance_experiment(seed, 0)

    monkeypatch.setattr(sequences, "_reference_distance_accuracy", flat)
    results = distance_results_of(flat)
    assert check_distance_experiment(flat, results, "B")
    feedback = check_distance_experiment(flat, results, "A")
    assert not feedback and "do not support A" in feedback.message


def test_distance_experiment_check_rejects_typed_in_numbers(distance_results):
    forged = {d: {s: v + 0.05 for s, v in r.items()} for d, r in distance_results.items()}
    feedback = check_distance_experiment(run_distance_experiment, forged, "A")
    assert not feedback and "now returns" in feedback.message
    one_forged = {d: dict(r) for d, r in distance_results.items()}
    one_forged[12][2] += 0.01  # the last entry, which a check drawing one entry could miss
    feedback = check_distance_experiment(run_distance_experiment, one_forged, "A")
    assert not feedback and "run_distance_experiment(2, 12) now returns" in feedback.message


def test_distance_experiment_check_rejects_a_function_that_ignores_the_seed():
    table = {0: 0.75, 12: 0.5}  # plausible numbers, no experiment
    results = {d: {s: table[d] for s in (0, 1, 2)} for d in table}
    feedback = check_distance_experiment(lambda seed, distance: table[distance], results, "A")
    assert not feedback and feedback.answered and "whatever the seed" in feedback.message


def test_distance_experiment_check_rejects_a_looked_up_table(distance_results, cached_reference):
    means = {d: sum(r.values()) / len(r) for d, r in distance_results.items()}

    def looked_up(seed, distance):  # the true numbers where the table has them, else the mean
        return distance_results[distance].get(seed, means[distance])

    torch.manual_seed(0)  # the seeds the check draws for itself
    feedback = check_distance_experiment(looked_up, distance_results, "A")
    assert not feedback and "the recipe gives" in feedback.message

    def another_seed(seed, distance):  # a real run, but on the reviews of another seed
        return run_distance_experiment(seed + 1, distance)

    torch.manual_seed(0)
    feedback = check_distance_experiment(another_seed, distance_results_of(another_seed), "A")
    assert not feedback and "the recipe gives" in feedback.message


def test_distance_experiment_check_on_placeholders_and_wrong_types(distance_results):
    assert not check_distance_experiment(..., ..., ...).answered
    feedback = check_distance_experiment(run_distance_experiment, [0.7, 0.5], "A")
    assert not feedback and "should be a dict" in feedback.message
    feedback = check_distance_experiment(run_distance_experiment, {0: distance_results[0]}, "A")
    assert not feedback and "no entry for the distance 12" in feedback.message


def test_distance_experiment_check_rejects_typed_in_numbers_for_the_tables_seeds_only(
    cached_reference,
):
    typed = {0: {0: 0.50, 1: 0.52, 2: 0.48}, 12: {0: 0.70, 1: 0.72, 2: 0.68}}  # says "C"

    def typed_or_real(seed, distance):  # real runs on any seed the table does not hold
        return typed[distance].get(seed) or run_distance_experiment(seed, distance)

    torch.manual_seed(0)
    feedback = check_distance_experiment(typed_or_real, typed, "C")
    assert not feedback and "the recipe gives" in feedback.message


def test_distance_experiment_check_accepts_numpy_seeds_and_wants_0_1_and_2(
    distance_results, cached_reference
):
    as_numpy = {d: {np.int64(s): v for s, v in r.items()} for d, r in distance_results.items()}
    torch.manual_seed(0)
    assert check_distance_experiment(run_distance_experiment, as_numpy, "A")
    shifted = {d: {s + 1: v for s, v in r.items()} for d, r in distance_results.items()}
    feedback = check_distance_experiment(run_distance_experiment, shifted, "A")
    assert not feedback and "0, 1 and 2" in feedback.message
