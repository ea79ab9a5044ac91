import inspect
import math
import re

import numpy as np
import pytest
import torch

from lecturekit.checks import captioning
from lecturekit.checks.captioning import (
    check_caption_log_probability,
    check_num_possible_captions,
    check_state_path_experiment,
    check_teacher_forcing_pair,
    check_words_until_end,
)
from lecturekit.data.scenes import COLOURS, END, RELATIONS, SHAPES, SIZES, START


def names_number(source: str, number: int) -> bool:
    """Whether ``source`` has ``number`` as a number of its own (14, 30_840 or 30,840)."""
    spellings = "|".join(re.escape(s) for s in {str(number), f"{number:_}", f"{number:,}"})
    return re.search(rf"(?<![\w.,])(?:{spellings})(?![\w]|[.,]\d)", source) is not None


def not_written(*args):
    raise NotImplementedError


def test_teacher_forcing_pair_check_accepts_the_shift_and_rejects_mistakes():
    def right(words, word_index):
        indices = [word_index[w] for w in words]
        return torch.tensor([word_index[START], *indices]), torch.tensor(
            [*indices, word_index[END]]
        )

    def as_lists(words, word_index):
        inputs, targets = right(words, word_index)
        return inputs.tolist(), targets.tolist()

    def swapped(words, word_index):
        inputs, targets = right(words, word_index)
        return targets, inputs

    def no_end(words, word_index):
        inputs, _ = right(words, word_index)
        return inputs, torch.tensor([word_index[w] for w in words])

    assert check_teacher_forcing_pair(right)
    assert check_teacher_forcing_pair(as_lists)
    assert "swapped" in check_teacher_forcing_pair(swapped).message
    feedback = check_teacher_forcing_pair(no_end)
    assert not feedback and feedback.answered and "shape" in feedback.message
    assert "pair" in check_teacher_forcing_pair(lambda words, word_index: 3).message


def test_teacher_forcing_pair_check_on_wrong_types_and_placeholders():
    assert "should be a function" in check_teacher_forcing_pair("x").message
    assert not check_teacher_forcing_pair(...).answered
    assert not check_teacher_forcing_pair(not_written).answered


def test_words_until_end_check():
    def right(indices, vocabulary):
        words = []
        for i in indices:
            if vocabulary[int(i)] == END:
                break
            words.append(vocabulary[int(i)])
        return words

    def keeps_end(indices, vocabulary):
        return [vocabulary[int(i)] for i in indices][: right(indices, vocabulary).__len__() + 1]

    def drops_all_end_tokens(indices, vocabulary):
        return [vocabulary[int(i)] for i in indices if vocabulary[int(i)] != END]

    def joined(indices, vocabulary):
        return " ".join(right(indices, vocabulary))

    assert check_words_until_end(right)
    assert not check_words_until_end(keeps_end)
    feedback = check_words_until_end(drops_all_end_tokens)
    assert not feedback and "expected" in feedback.message
    assert "list of words" in check_words_until_end(joined).message
    assert not check_words_until_end(...).answered
    assert not check_words_until_end(not_written).answered
    assert "should be a function" in check_words_until_end([1, 2]).message


def test_caption_log_probability_check():
    def right(logits, targets, pad_index):
        chosen = logits.log_softmax(-1).gather(2, targets[..., None])[..., 0]
        return torch.where(targets == pad_index, 0.0, chosen).sum(1)

    def counts_padding(logits, targets, pad_index):
        return logits.log_softmax(-1).gather(2, targets[..., None])[..., 0].sum(1)

    def per_step(logits, targets, pad_index):
        chosen = logits.log_softmax(-1).gather(2, targets[..., None])[..., 0]
        return torch.where(targets == pad_index, 0.0, chosen)

    def negative_log_likelihood(logits, targets, pad_index):
        return -right(logits, targets, pad_index)

    def with_softmax_not_log(logits, targets, pad_index):
        chosen = logits.softmax(-1).gather(2, targets[..., None])[..., 0]
        return torch.where(targets == pad_index, 0.0, chosen).sum(1)

    assert check_caption_log_probability(right)
    assert "padded" in check_caption_log_probability(counts_padding).message
    assert "add up over the time" in check_caption_log_probability(per_step).message
    assert "at most 0" in check_caption_log_probability(negative_log_likelihood).message
    feedback = check_caption_log_probability(with_softmax_not_log)
    assert not feedback and feedback.answered
    assert not check_caption_log_probability(...).answered
    assert not check_caption_log_probability(not_written).answered


def test_num_possible_captions_check():
    right = math.comb(len(COLOURS), 2) * (len(SHAPES) * len(SIZES)) ** 2 * len(RELATIONS)
    assert right == 864
    assert check_num_possible_captions(right)
    assert check_num_possible_captions(torch.tensor(right))
    assert "both orders" in check_num_possible_captions(2 * right).message
    same_colour_allowed = (len(COLOURS) * len(SHAPES) * len(SIZES)) ** 2 * len(RELATIONS)
    assert "same colour" in check_num_possible_captions(same_colour_allowed).message
    assert not check_num_possible_captions(100)
    assert "whole number" in check_num_possible_captions("864").message
    assert "whole number" in check_num_possible_captions(864.5).message
    assert not check_num_possible_captions(...).answered


def test_the_number_of_captions_is_not_in_the_source():
    assert not names_number(inspect.getsource(captioning), 864)


# Exercise 16.5. Real runs of the recipe cost about a fifth of a second each; the tests that judge
# the logic of the check replace the recipe by a cheap stand-in with the same kind of numbers.
def path_table(run, seeds=(0, 1, 2)):
    return {path: {s: run(s, path) for s in seeds} for path in ("h0", "c0")}


def stand_in(seed, path):
    """Seed-dependent losses near the recipe's, c0 lower at every seed."""
    return 0.92 + 0.02 * math.sin(seed) if path == "h0" else 0.88 + 0.02 * math.cos(seed)


@pytest.fixture
def cheap_recipe(monkeypatch):
    monkeypatch.setattr(captioning, "_reference_path_loss", stand_in)
    return stand_in


def test_state_path_check_accepts_the_book_solution_and_rejects_another_seeds_runs():
    solution = captioning._run_path_recipe  # the book's recipe, run for real (not cached)
    table = path_table(solution)
    assert all(table["c0"][s] < table["h0"][s] for s in (0, 1, 2))
    assert check_state_path_experiment(solution, table, "A")
    assert check_state_path_experiment(solution, table, " a ")

    def another_seeds(seed, path):  # a real run, but of the scenes of another seed
        return solution(seed + 1, path)

    forged = {path: {s: table[path][s + 1] if s < 2 else another_seeds(s, path) for s in
                     (0, 1, 2)} for path in table}  # fmt: skip
    feedback = check_state_path_experiment(another_seeds, forged, "A")
    assert not feedback and feedback.answered and "the recipe gives" in feedback.message


def test_state_path_check_runs_its_reference_once_per_seed_and_path(monkeypatch):
    runs = []

    def counted(seed, path):
        runs.append((seed, path))
        return stand_in(seed, path)

    monkeypatch.setattr(captioning, "_run_path_recipe", counted)
    monkeypatch.setattr(captioning, "_PATH_REFERENCE", {})
    torch.manual_seed(0)
    table = path_table(stand_in)
    assert check_state_path_experiment(stand_in, table, "A")
    assert check_state_path_experiment(stand_in, table, "A")  # the graded cell's repeat
    # the unseen seed and every entry of the table, each once: the repeat runs none again
    assert len(runs) == len(set(runs)) == 8 and {path for _, path in runs} == {"h0", "c0"}
    assert {seed for seed, _ in runs} >= {0, 1, 2}


def test_state_path_check_rejects_typed_in_numbers_for_the_tables_seeds_only(cheap_recipe):
    typed = {"h0": {0: 0.85, 1: 0.86, 2: 0.87}, "c0": {0: 0.95, 1: 0.96, 2: 0.97}}  # says "B"

    def typed_or_real(seed, path):  # real runs (here the stand-in) on any other seed
        return typed[path].get(seed) or stand_in(seed, path)

    torch.manual_seed(0)
    feedback = check_state_path_experiment(typed_or_real, typed, "B")
    assert not feedback and "the recipe gives" in feedback.message


def test_state_path_check_takes_numpy_integers_as_seeds(cheap_recipe):
    table = {
        path: {np.int64(s): v for s, v in r.items()} for path, r in path_table(stand_in).items()
    }
    assert check_state_path_experiment(stand_in, table, "A")


def test_state_path_check_leaves_the_random_state_alone(cheap_recipe):
    torch.manual_seed(5)
    before = torch.get_rng_state()
    check_state_path_experiment(cheap_recipe, path_table(cheap_recipe), "A")
    assert torch.equal(torch.get_rng_state(), before)


def test_state_path_check_rejects_typed_in_numbers(cheap_recipe):
    table = path_table(cheap_recipe)
    assert check_state_path_experiment(cheap_recipe, table, "A")
    forged = {path: dict(by_seed) for path, by_seed in table.items()}
    forged["c0"][2] -= 0.01  # the last entry, which a check drawing one entry could miss
    feedback = check_state_path_experiment(cheap_recipe, forged, "A")
    assert not feedback and "run_state_path(2, 'c0') now returns" in feedback.message


def test_state_path_check_rejects_a_function_that_ignores_its_inputs(cheap_recipe):
    def constant(seed, path):
        return 0.7 if path == "c0" else 0.75

    feedback = check_state_path_experiment(constant, path_table(constant), "A")
    assert not feedback and "whatever the seed" in feedback.message

    def same_for_both(seed, path):  # varies with the seed, ignores the path
        return cheap_recipe(seed, "h0")

    feedback = check_state_path_experiment(same_for_both, path_table(same_for_both), "C")
    assert not feedback and "the recipe gives" in feedback.message


@pytest.mark.parametrize("torch_seed", [0, 1, 2])
def test_state_path_check_rejects_a_looked_up_table(cheap_recipe, torch_seed):
    torch.manual_seed(torch_seed)  # the seed the check draws for itself
    table = path_table(cheap_recipe)
    means = {path: sum(t.values()) / 3 for path, t in table.items()}

    def looked_up(seed, path):  # the true numbers where the table has them, the mean elsewhere
        return table[path].get(seed, means[path])

    feedback = check_state_path_experiment(looked_up, table, "A")
    assert not feedback and "the recipe gives" in feedback.message


def test_state_path_check_requires_the_conclusion_of_the_readers_numbers(monkeypatch):
    def mixed(seed, path):  # c0 lower at some seeds only
        return 0.75 + 0.01 * seed - (0.02 if (path == "c0") == (seed % 2 == 0) else 0.0)

    monkeypatch.setattr(captioning, "_reference_path_loss", mixed)
    table = path_table(mixed)
    assert check_state_path_experiment(mixed, table, "C")
    for wrong in ("A", "B"):
        feedback = check_state_path_experiment(mixed, table, wrong)
        assert not feedback and f"do not support {wrong}" in feedback.message
    feedback = check_state_path_experiment(mixed, table, "D")
    assert not feedback and "path_conclusion" in feedback.message


def test_state_path_check_wants_three_seeds_and_both_paths(cheap_recipe):
    feedback = check_state_path_experiment(cheap_recipe, path_table(cheap_recipe, (0, 1)), "A")
    assert not feedback and "at least three seeds" in feedback.message
    feedback = check_state_path_experiment(cheap_recipe, {"h0": {0: 0.7}}, "A")
    assert not feedback and "no entry for the path 'c0'" in feedback.message
    feedback = check_state_path_experiment(cheap_recipe, ..., ...)
    assert not feedback and not feedback.answered


def test_state_path_check_wants_the_seeds_0_1_and_2(cheap_recipe):
    feedback = check_state_path_experiment(cheap_recipe, path_table(cheap_recipe, (3, 4, 5)), "A")
    assert not feedback and "0, 1 and 2" in feedback.message
    assert check_state_path_experiment(cheap_recipe, path_table(cheap_recipe, (0, 1, 2, 3)), "A")
