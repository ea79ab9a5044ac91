import math

import torch

from lecturekit.checks.rnn import (
    check_perplexity_from_cross_entropy,
    check_rnn_lm_parameter_count,
    check_rnn_step,
    check_scalar_bptt,
)


def rnn_step(x, h_prev, W_hx, W_hh, b):
    return torch.tanh(W_hx @ x + W_hh @ h_prev + b)


def not_implemented(*args):
    raise NotImplementedError


def test_rnn_step_check_accepts_the_cell_and_names_common_mistakes():
    assert check_rnn_step(rnn_step)
    assert check_rnn_step(lambda x, h, W_hx, W_hh, b: torch.tanh(x @ W_hx.T + h @ W_hh.T + b))

    def forgets_tanh(x, h_prev, W_hx, W_hh, b):
        return W_hx @ x + W_hh @ h_prev + b

    def uses_sigmoid(x, h_prev, W_hx, W_hh, b):
        return torch.sigmoid(W_hx @ x + W_hh @ h_prev + b)

    def forgets_bias(x, h_prev, W_hx, W_hh, b):
        return torch.tanh(W_hx @ x + W_hh @ h_prev)

    def forgets_the_past(x, h_prev, W_hx, W_hh, b):
        return torch.tanh(W_hx @ x + b)

    assert "before the tanh" in check_rnn_step(forgets_tanh).message
    assert "sigmoid" in check_rnn_step(uses_sigmoid).message
    assert "bias b is missing" in check_rnn_step(forgets_bias).message
    feedback = check_rnn_step(forgets_the_past)
    assert not feedback and feedback.answered and "h_t for case 1" in feedback.message


def test_rnn_step_check_on_wrong_shapes_types_and_placeholders():
    transposed = check_rnn_step(lambda x, h, W_hx, W_hh, b: torch.tanh(x @ W_hx + h @ W_hh + b))
    assert not transposed and transposed.answered
    assert "tuple" in check_rnn_step(lambda *args: (rnn_step(*args), None)).message
    assert "not str" in check_rnn_step(lambda *args: "h").message
    assert "should be a function" in check_rnn_step(3).message
    assert not check_rnn_step(...).answered
    assert not check_rnn_step(not_implemented).answered


def test_parameter_count_check():
    def count(vocab_size, hidden_size):
        return 2 * vocab_size * hidden_size + hidden_size**2 + hidden_size + vocab_size

    assert check_rnn_lm_parameter_count(count)
    assert check_rnn_lm_parameter_count(lambda V, H: torch.tensor(count(V, H)))
    two_biases = check_rnn_lm_parameter_count(lambda V, H: count(V, H) + H)
    assert not two_biases and "bias_hh" in two_biases.message
    assert (
        "W_hh is missing" in check_rnn_lm_parameter_count(lambda V, H: count(V, H) - H * H).message
    )
    assert "bias is missing" in check_rnn_lm_parameter_count(lambda V, H: count(V, H) - V).message
    assert not check_rnn_lm_parameter_count(lambda V, H: V * H)
    assert "whole number" in check_rnn_lm_parameter_count(lambda V, H: count(V, H) + 0.5).message
    assert "whole number" in check_rnn_lm_parameter_count(lambda V, H: "many").message
    assert not check_rnn_lm_parameter_count(...).answered
    assert not check_rnn_lm_parameter_count(not_implemented).answered


def scalar_rnn_grad(w, u, xs):
    hs = [0.0]
    for x in xs:
        hs.append(math.tanh(w * hs[-1] + u * x))
    grad, dh = 0.0, 1.0
    for t in range(len(xs), 0, -1):
        da = dh * (1 - hs[t] ** 2)
        grad += da * hs[t - 1]
        dh = da * w
    return grad


def test_scalar_bptt_check_accepts_bptt_and_rejects_the_last_step_only():
    assert check_scalar_bptt(scalar_rnn_grad)

    def with_autograd(w, u, xs):
        w = torch.tensor(w, requires_grad=True, dtype=torch.float64)
        h = torch.zeros((), dtype=torch.float64)
        for x in xs:
            h = torch.tanh(w * h + u * x)
        h.backward()
        return w.grad

    assert check_scalar_bptt(with_autograd)

    def last_step_only(w, u, xs):
        hs = [0.0]
        for x in xs:
            hs.append(math.tanh(w * hs[-1] + u * x))
        return (1 - hs[-1] ** 2) * hs[-2]

    feedback = check_scalar_bptt(last_step_only)
    assert not feedback and "only the last step" in feedback.message
    assert not check_scalar_bptt(lambda w, u, xs: 0.0)
    assert "should be a number" in check_scalar_bptt(lambda w, u, xs: [1.0, 2.0]).message
    assert not check_scalar_bptt(...).answered
    assert not check_scalar_bptt(not_implemented).answered


def test_perplexity_check():
    assert check_perplexity_from_cross_entropy(math.exp)
    assert check_perplexity_from_cross_entropy(lambda ce: torch.exp(torch.as_tensor(ce)))
    assert "bits" in check_perplexity_from_cross_entropy(lambda ce: 2**ce).message
    assert "natural" in check_perplexity_from_cross_entropy(lambda ce: 10**ce).message
    feedback = check_perplexity_from_cross_entropy(lambda ce: ce)
    assert not feedback and feedback.answered
    assert "should be a number" in check_perplexity_from_cross_entropy(lambda ce: "e").message
    assert not check_perplexity_from_cross_entropy(...).answered
    assert not check_perplexity_from_cross_entropy(not_implemented).answered
