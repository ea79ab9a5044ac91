import inspect
import math
import re

import torch

from lecturekit.checks import captioning
from lecturekit.checks.captioning import (
    check_caption_log_probability,
    check_num_possible_captions,
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
