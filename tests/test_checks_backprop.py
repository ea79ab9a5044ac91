import torch

from lecturekit.checks.backprop import (
    check_hidden_delta_and_update,
    check_output_deltas,
    check_sigmoid_derivative,
    check_sigmoid_layer_backward,
)


def sigmoid_layer_backward(X, W, b, grad_Y):
    Y = torch.sigmoid(X @ W.T + b)
    grad_net = grad_Y * Y * (1 - Y)
    return grad_net @ W, grad_net.T @ X, grad_net.sum(dim=0)


def test_sigmoid_derivative_check_accepts_the_identity_and_names_common_slips():
    assert check_sigmoid_derivative(lambda z: torch.sigmoid(z) * (1 - torch.sigmoid(z)))
    feedback = check_sigmoid_derivative(lambda z: z * (1 - z))
    assert not feedback and "z (1 - z)" in feedback.message
    feedback = check_sigmoid_derivative(torch.sigmoid)
    assert not feedback and "sigmoid itself" in feedback.message


def test_sigmoid_derivative_check_on_wrong_types_and_placeholders():
    assert "should be a function" in check_sigmoid_derivative(0.25).message
    assert "return a tensor" in check_sigmoid_derivative(lambda z: 0.25).message
    assert "shape" in check_sigmoid_derivative(lambda z: torch.zeros(3)).message
    assert not check_sigmoid_derivative(...).answered

    def not_written_yet(z):
        raise NotImplementedError

    feedback = check_sigmoid_derivative(not_written_yet)
    assert not feedback and not feedback.answered


def test_output_deltas_check():
    assert check_output_deltas(torch.tensor([0.063, -0.096]))
    assert check_output_deltas([0.3 * 0.7 * 0.3, -0.4 * 0.4 * 0.6])
    assert "signs are flipped" in check_output_deltas([-0.063, 0.096]).message
    assert "error d - y alone" in check_output_deltas([0.3, -0.4]).message
    assert not check_output_deltas([0.06, -0.1])
    assert "shape (2,)" in check_output_deltas([0.063]).message
    assert "not str" in check_output_deltas("0.063").message
    assert not check_output_deltas(...).answered


def test_hidden_delta_and_update_check():
    delta_hidden = 0.6 * 0.4 * (0.063 * 0.5 + (-0.096) * (-0.3))
    assert check_hidden_delta_and_update(delta_hidden, 0.5 * delta_hidden * 0.8)
    assert check_hidden_delta_and_update(torch.tensor(delta_hidden), 0.5 * delta_hidden * 0.8)
    feedback = check_hidden_delta_and_update(0.0603, 0.5 * 0.0603 * 0.8)
    assert not feedback and "slope" in feedback.message
    feedback = check_hidden_delta_and_update(delta_hidden, 0.5 * delta_hidden * 0.6)
    assert not feedback and "x_m" in feedback.message
    assert not check_hidden_delta_and_update(delta_hidden, delta_hidden)
    assert "should be a number" in check_hidden_delta_and_update("0.01", 0.0).message
    assert not check_hidden_delta_and_update(..., ...).answered


def test_layer_backward_check_matches_autograd_and_rejects_mistakes():
    assert check_sigmoid_layer_backward(sigmoid_layer_backward)

    def forgets_the_slope(X, W, b, grad_Y):
        return grad_Y @ W, grad_Y.T @ X, grad_Y.sum(dim=0)

    def averages_the_bias(X, W, b, grad_Y):
        grad_X, grad_W, grad_b = sigmoid_layer_backward(X, W, b, grad_Y)
        return grad_X, grad_W, grad_b / len(X)

    for wrong in (forgets_the_slope, averages_the_bias):
        feedback = check_sigmoid_layer_backward(wrong)
        assert not feedback and feedback.answered

    def transposed_weight_gradient(X, W, b, grad_Y):
        grad_X, grad_W, grad_b = sigmoid_layer_backward(X, W, b, grad_Y)
        return grad_X, grad_W.T, grad_b

    assert "shape" in check_sigmoid_layer_backward(transposed_weight_gradient).message


def test_layer_backward_check_on_wrong_types_and_placeholders():
    assert "three tensors" in check_sigmoid_layer_backward(lambda X, W, b, g: X).message
    assert "should be a function" in check_sigmoid_layer_backward([1, 2, 3]).message
    assert not check_sigmoid_layer_backward(...).answered

    def not_written_yet(X, W, b, grad_Y):
        raise NotImplementedError

    assert not check_sigmoid_layer_backward(not_written_yet).answered
