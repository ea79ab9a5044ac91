import math
from collections import Counter

import numpy as np
import torch

from lecturekit.checks import seq2seq
from lecturekit.checks.seq2seq import (
    check_best_extensions,
    check_brevity_penalty,
    check_decoder_inputs,
    check_dictionary_experiment,
    check_modified_precision,
)


def not_written(*args):
    raise NotImplementedError


def clipped_precision(candidate, reference, n):
    counts = Counter(tuple(candidate[i : i + n]) for i in range(len(candidate) - n + 1))
    ref = Counter(tuple(reference[i : i + n]) for i in range(len(reference) - n + 1))
    return sum(min(k, ref[g]) for g, k in counts.items()), sum(counts.values())


def test_modified_precision_check_accepts_clipping_and_rejects_plain_matches():
    assert check_modified_precision(clipped_precision)

    def unclipped(candidate, reference, n):
        grams = {tuple(reference[i : i + n]) for i in range(len(reference) - n + 1)}
        found = [tuple(candidate[i : i + n]) for i in range(len(candidate) - n + 1)]
        return sum(g in grams for g in found), len(found)

    def as_fraction(candidate, reference, n):
        matches, total = clipped_precision(candidate, reference, n)
        return matches / max(total, 1)

    assert "only once" in check_modified_precision(unclipped).message
    assert "pair" in check_modified_precision(as_fraction).message
    feedback = check_modified_precision(lambda c, r, n: (0, len(c)))
    assert not feedback and feedback.answered and "expected" in feedback.message


def test_modified_precision_check_on_wrong_types_and_placeholders():
    assert "should be a function" in check_modified_precision("bleu").message
    assert "whole number" in check_modified_precision(lambda c, r, n: ("1", "2")).message
    assert not check_modified_precision(...).answered
    assert not check_modified_precision(not_written).answered


def test_brevity_penalty_check_knows_the_formula_and_the_upside_down_ratio():
    def right(c, r):
        return 1.0 if c > r else (math.exp(1 - r / c) if c else 0.0)

    def upside_down(c, r):
        return 1.0 if c > r else (math.exp(1 - c / r) if c else 0.0)

    assert check_brevity_penalty(right)
    assert check_brevity_penalty(lambda c, r: torch.tensor(right(c, r)))
    assert "upside down" in check_brevity_penalty(upside_down).message
    assert "expected" in check_brevity_penalty(lambda c, r: 1.0).message
    assert "expected 1.0" in check_brevity_penalty(lambda c, r: math.exp(1 - r / c)).message

    def divides_by_zero(c, r):
        return 1.0 if c > r else math.exp(1 - r / c)

    assert "ZeroDivisionError" in check_brevity_penalty(divides_by_zero).message
    assert "should be a number" in check_brevity_penalty(lambda c, r: "1").message
    assert not check_brevity_penalty(...).answered
    assert not check_brevity_penalty(not_written).answered


def test_decoder_inputs_check_wants_start_then_the_shifted_targets():
    def right(targets, start):
        return torch.cat([torch.full((len(targets), 1), start), targets[:, :-1]], dim=1)

    def targets_unchanged(targets, start):
        return targets

    def start_prepended(targets, start):
        return torch.cat([torch.full((len(targets), 1), start), targets], dim=1)

    def as_floats(targets, start):
        return right(targets, start).float()

    assert check_decoder_inputs(right)
    assert "expected" in check_decoder_inputs(targets_unchanged).message
    assert "shape" in check_decoder_inputs(start_prepended).message
    assert "dtype" in check_decoder_inputs(as_floats).message
    assert "a tensor" in check_decoder_inputs(lambda t, s: t.tolist()).message
    assert not check_decoder_inputs(...).answered
    assert not check_decoder_inputs(not_written).answered


def test_best_extensions_check_wants_scores_rows_and_tokens_of_the_flat_top_k():
    def right(beam_scores, log_probs, k):
        top = (beam_scores[:, None] + log_probs).flatten().topk(k)
        return top.values, top.indices // log_probs.shape[1], top.indices % log_probs.shape[1]

    def forgets_the_beam_score(beam_scores, log_probs, k):
        top = log_probs.flatten().topk(k)
        return top.values, top.indices // log_probs.shape[1], top.indices % log_probs.shape[1]

    def rows_and_tokens_swapped(beam_scores, log_probs, k):
        values, rows, tokens = right(beam_scores, log_probs, k)
        return values, tokens, rows

    assert check_best_extensions(right)
    assert "scores" in check_best_extensions(forgets_the_beam_score).message
    assert "beam indices" in check_best_extensions(rows_and_tokens_swapped).message
    assert "three tensors" in check_best_extensions(lambda s, p, k: s).message
    assert not check_best_extensions(...).answered
    assert not check_best_extensions(not_written).answered


def _dictionary_bleu(seed, threshold):
    """The book's solution of exercise 15.5 (the check's recipe)."""
    return seq2seq._reference_dictionary_bleu(seed, threshold)


def _supported(table):
    low, high = table[0.0], table[0.3]
    if all(high[s] > low[s] for s in low):
        return "A"
    if all(low[s] > high[s] for s in low):
        return "B"
    return "C"


def _table(run, seeds=(0, 1, 2)):
    return {t: {s: run(s, t) for s in seeds} for t in (0.0, 0.3)}


def test_dictionary_experiment_accepts_the_solution_and_its_own_conclusion():
    table = _table(_dictionary_bleu)
    assert all(len(set(by_seed.values())) > 1 for by_seed in table.values())
    conclusion = _supported(table)
    assert check_dictionary_experiment(_dictionary_bleu, table, conclusion)
    assert check_dictionary_experiment(_dictionary_bleu, table, f" {conclusion.lower()} ")
    wrong = next(c for c in "ABC" if c != conclusion)
    feedback = check_dictionary_experiment(_dictionary_bleu, table, wrong)
    assert not feedback and "do not support" in feedback.message


def test_dictionary_experiment_refuses_typed_in_and_seed_blind_answers():
    table = _table(_dictionary_bleu)
    conclusion = _supported(table)
    typed_in = {
        t: {s: round(v, 2) + 0.01 for s, v in by_seed.items()} for t, by_seed in table.items()
    }
    assert (
        "fill dictionary_results"
        in check_dictionary_experiment(_dictionary_bleu, typed_in, conclusion).message
    )

    lookup = {(s, t): v for t, by_seed in table.items() for s, v in by_seed.items()}

    def looked_up(seed, threshold):  # the table's numbers, and a guess for any other seed
        return lookup.get((seed, threshold), 0.2)

    feedback = check_dictionary_experiment(looked_up, table, conclusion)
    assert not feedback and "the recipe gives" in feedback.message

    def seed_blind(seed, threshold):
        return _dictionary_bleu(0, threshold)

    blind = _table(seed_blind)
    feedback = check_dictionary_experiment(seed_blind, blind, _supported(blind))
    assert not feedback and "whatever the seed" in feedback.message

    def all_pairs(seed, threshold):  # scores the pairs it learnt from: another recipe
        return _dictionary_bleu(seed + 7, threshold)

    other = _table(all_pairs)
    feedback = check_dictionary_experiment(all_pairs, other, _supported(other))
    assert not feedback and "the recipe gives" in feedback.message


def test_dictionary_experiment_on_malformed_answers():
    table = _table(_dictionary_bleu)
    assert not check_dictionary_experiment(..., table, "A").answered
    assert (
        "three seeds"
        in check_dictionary_experiment(
            _dictionary_bleu, {t: {0: v[0]} for t, v in table.items()}, "A"
        ).message
    )
    assert (
        "no entry" in check_dictionary_experiment(_dictionary_bleu, {0.0: table[0.0]}, "A").message
    )
    assert '"A"' in check_dictionary_experiment(_dictionary_bleu, table, "D").message


def test_dictionary_experiment_refuses_typed_in_numbers_for_the_tables_seeds_only():
    typed = {0.0: {0: 0.30, 1: 0.31, 2: 0.29}, 0.3: {0: 0.10, 1: 0.11, 2: 0.09}}  # says "B"

    def typed_or_real(seed, threshold):  # real runs on any seed the table does not hold
        return typed[threshold].get(seed) or _dictionary_bleu(seed, threshold)

    feedback = check_dictionary_experiment(typed_or_real, typed, "B")
    assert not feedback and "the recipe gives" in feedback.message


def test_dictionary_experiment_accepts_numpy_seeds_and_wants_0_1_and_2():
    table = _table(_dictionary_bleu)
    as_numpy = {t: {np.int64(s): v for s, v in r.items()} for t, r in table.items()}
    assert check_dictionary_experiment(_dictionary_bleu, as_numpy, _supported(table))
    other = _table(_dictionary_bleu, seeds=(3, 4, 5))
    feedback = check_dictionary_experiment(_dictionary_bleu, other, _supported(other))
    assert not feedback and "0, 1 and 2" in feedback.message
