import math

import torch

from lecturekit.checks.lstm import (
    check_cell_state_from_gates,
    check_forget_bias,
    check_recurrent_parameter_count,
    check_reverse_padded,
)


def not_implemented(*args):
    raise NotImplementedError


def cell_state_by_recurrence(f, i, c_tilde):
    c = torch.zeros_like(f[0])
    for f_t, i_t, g_t in zip(f, i, c_tilde, strict=True):
        c = f_t * c + i_t * g_t
    return c


def cell_state_by_sum(f, i, c_tilde):
    later = torch.cat([f[1:].flip(0).cumprod(0).flip(0), torch.ones_like(f[:1])])
    return (later * i * c_tilde).sum(dim=0)


def test_cell_state_check_accepts_the_sum_and_the_recurrence():
    assert check_cell_state_from_gates(cell_state_by_sum)
    assert check_cell_state_from_gates(cell_state_by_recurrence)
    assert check_cell_state_from_gates(lambda f, i, g: cell_state_by_sum(f, i, g).tolist())


def test_cell_state_check_names_common_mistakes():
    no_forgetting = check_cell_state_from_gates(lambda f, i, g: (i * g).sum(dim=0))
    assert not no_forgetting and "without the forget gates" in no_forgetting.message

    def own_gate_too(f, i, g):
        return (f.flip(0).cumprod(0).flip(0) * i * g).sum(dim=0)

    assert "its own forget gate" in check_cell_state_from_gates(own_gate_too).message

    def every_step(f, i, g):
        c, states = torch.zeros_like(f[0]), []
        for f_t, i_t, g_t in zip(f, i, g, strict=True):
            c = f_t * c + i_t * g_t
            states.append(c)
        return torch.stack(states)

    assert "every step" in check_cell_state_from_gates(every_step).message


def test_cell_state_check_on_wrong_types_and_placeholders():
    assert "not str" in check_cell_state_from_gates(lambda f, i, g: "c").message
    assert "should be a function" in check_cell_state_from_gates(3).message
    assert not check_cell_state_from_gates(...).answered
    assert not check_cell_state_from_gates(not_implemented).answered


def count(kind, input_size, hidden_size, num_layers=1, bidirectional=False):
    gates = {"RNN": 1, "LSTM": 4, "GRU": 3}[kind]
    directions = 2 if bidirectional else 1
    total = 0
    for layer in range(num_layers):
        inputs = input_size if layer == 0 else hidden_size * directions
        total += directions * gates * (hidden_size * inputs + hidden_size**2 + 2 * hidden_size)
    return total


def test_parameter_count_check_accepts_the_formula_and_torch():
    assert check_recurrent_parameter_count(count)
    assert check_recurrent_parameter_count(lambda *args: torch.tensor(count(*args)))

    def by_building(kind, input_size, hidden_size, num_layers=1, bidirectional=False):
        layer = getattr(torch.nn, kind)(
            input_size, hidden_size, num_layers, bidirectional=bidirectional
        )
        return sum(p.numel() for p in layer.parameters())

    assert check_recurrent_parameter_count(by_building)


def test_parameter_count_check_names_common_mistakes():
    def one_bias(kind, input_size, hidden_size, num_layers=1, bidirectional=False):
        gates = {"RNN": 1, "LSTM": 4, "GRU": 3}[kind]
        directions = 2 if bidirectional else 1
        return count(kind, input_size, hidden_size, num_layers, bidirectional) - (
            gates * hidden_size * num_layers * directions
        )

    assert "two" in check_recurrent_parameter_count(one_bias).message

    def upper_layers_read_input(kind, input_size, hidden_size, num_layers=1, bidirectional=False):
        return num_layers * count(kind, input_size, hidden_size, 1, bidirectional)

    feedback = check_recurrent_parameter_count(upper_layers_read_input)
    assert not feedback and feedback.answered and "nn.GRU has" in feedback.message


def test_parameter_count_check_on_wrong_types_and_placeholders():
    assert "whole number" in check_recurrent_parameter_count(lambda *args: 1.5).message
    assert not check_recurrent_parameter_count(lambda *args: "many").correct
    assert not check_recurrent_parameter_count(...).answered
    assert not check_recurrent_parameter_count(not_implemented).answered


def reverse_padded(X, lengths):
    out = X.clone()
    for i, n in enumerate(torch.as_tensor(lengths).tolist()):
        out[i, :n] = X[i, :n].flip(0)
    return out


def test_reverse_padded_check():
    assert check_reverse_padded(reverse_padded)
    assert check_reverse_padded(lambda X, lengths: reverse_padded(X, lengths).numpy())
    flipped = check_reverse_padded(lambda X, lengths: X.flip(1))
    assert not flipped and "whole time axis" in flipped.message
    unchanged = check_reverse_padded(lambda X, lengths: X)
    assert not unchanged and unchanged.answered
    assert "shape" in check_reverse_padded(lambda X, lengths: X[:, :-1]).message
    assert "not NoneType" in check_reverse_padded(lambda X, lengths: None).message
    assert not check_reverse_padded(...).answered
    assert not check_reverse_padded(not_implemented).answered


def forget_bias_for(span, kept):
    f = kept ** (1 / span)
    return math.log(f / (1 - f))


def test_forget_bias_check():
    assert check_forget_bias(forget_bias_for)
    assert check_forget_bias(lambda span, kept: torch.logit(torch.tensor(kept ** (1 / span))))
    gate_value = check_forget_bias(lambda span, kept: kept ** (1 / span))
    assert not gate_value and "the bias b itself" in gate_value.message
    wrong = check_forget_bias(lambda span, kept: 4.0)
    assert not wrong and "keeps" in wrong.message
    assert "a number" in check_forget_bias(lambda span, kept: "four").message
    assert not check_forget_bias(...).answered
    assert not check_forget_bias(not_implemented).answered
