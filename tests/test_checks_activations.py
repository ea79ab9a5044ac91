import inspect
import re

import torch
import torch.nn.functional as F

from lecturekit.checks.activations import (
    check_cross_entropy_from_logits,
    check_elu_derivative_from_output,
    check_sigmoid_slope,
    check_stable_softmax,
)


def names_number(source: str, number: int) -> bool:
    """Whether ``source`` has ``number`` as a number of its own (14, 30_840 or 30,840)."""
    spellings = "|".join(re.escape(s) for s in {str(number), f"{number:_}", f"{number:,}"})
    return re.search(rf"(?<![\w.,])(?:{spellings})(?![\w]|[.,]\d)", source) is not None


def test_elu_derivative_check_accepts_the_rule_and_rejects_common_mistakes():
    def from_output(y, alpha):
        return torch.where(y > 0, torch.ones_like(y), y + alpha)

    def treats_y_as_the_input(y, alpha):
        return torch.where(y > 0, torch.ones_like(y), alpha * torch.exp(y))

    def forgets_alpha(y, alpha):
        return torch.where(y > 0, torch.ones_like(y), y + 1)

    def returns_a_list(y, alpha):
        return from_output(y, alpha).tolist()

    assert check_elu_derivative_from_output(from_output)
    for wrong in (treats_y_as_the_input, forgets_alpha):
        feedback = check_elu_derivative_from_output(wrong)
        assert not feedback and feedback.answered and "alpha=" in feedback.message
    feedback = check_elu_derivative_from_output(returns_a_list)
    assert "should return a tensor, not list" in feedback.message
    assert "should be a function" in check_elu_derivative_from_output(0.25).message


def test_elu_derivative_check_says_not_answered_for_the_placeholder_and_unwritten_body():
    def unwritten(y, alpha):
        raise NotImplementedError

    assert not check_elu_derivative_from_output(...).answered
    assert not check_elu_derivative_from_output(unwritten).answered


def test_softmax_check_accepts_a_stable_softmax_and_rejects_the_naive_one():
    def stable_softmax(z):
        e = torch.exp(z - z.max(dim=-1, keepdim=True).values)
        return e / e.sum(dim=-1, keepdim=True)

    def naive_softmax(z):
        return torch.exp(z) / torch.exp(z).sum(dim=-1, keepdim=True)

    def wrong_dimension(z):
        e = torch.exp(z - z.max())
        return e / e.sum(dim=0, keepdim=True)

    assert check_stable_softmax(stable_softmax)
    assert check_stable_softmax(lambda z: torch.softmax(z, dim=-1))
    assert "inf or nan" in check_stable_softmax(naive_softmax).message
    assert "last dimension" in check_stable_softmax(wrong_dimension).message
    identity = check_stable_softmax(lambda z: z)
    assert not identity and identity.answered
    assert not check_stable_softmax(...).answered


def test_cross_entropy_check_wants_the_stable_mean_over_the_batch():
    def cross_entropy(logits, targets):
        picked = logits[torch.arange(len(targets)), targets]
        return (torch.logsumexp(logits, dim=1) - picked).mean()

    def summed(logits, targets):
        return cross_entropy(logits, targets) * len(targets)

    def naive(logits, targets):
        probabilities = torch.exp(logits) / torch.exp(logits).sum(dim=1, keepdim=True)
        return -torch.log(probabilities[torch.arange(len(targets)), targets]).mean()

    assert check_cross_entropy_from_logits(cross_entropy)
    assert check_cross_entropy_from_logits(F.cross_entropy)
    assert "the mean" in check_cross_entropy_from_logits(summed).message
    feedback = check_cross_entropy_from_logits(naive)
    assert not feedback and "finite" in feedback.message
    assert "should be a number" in check_cross_entropy_from_logits(lambda z, t: "low").message
    assert not check_cross_entropy_from_logits(...).answered


def test_sigmoid_slope_check():
    assert check_sigmoid_slope(0.25, 10)
    assert check_sigmoid_slope(torch.tensor(0.25), torch.tensor(10))
    assert "value at x = 0" in check_sigmoid_slope(0.5, 10).message
    assert "tanh" in check_sigmoid_slope(1, 10).message
    assert "still above" in check_sigmoid_slope(0.25, 9).message
    assert not check_sigmoid_slope(0.25, 12)
    assert "whole number" in check_sigmoid_slope(0.25, 9.5).message
    assert "should be a number" in check_sigmoid_slope("1/4", 10).message
    assert not check_sigmoid_slope(..., ...).answered
    assert not check_sigmoid_slope(0.25, ...).answered


def test_the_number_of_layers_is_not_in_the_source():
    assert not names_number(inspect.getsource(check_sigmoid_slope), 10)
