import torch

from lecturekit.checks.mlp import (
    check_band_network,
    check_mlp_forward,
    check_square_network,
    check_xnor_network,
)

XNOR = ([[1.0, 1.0], [1.0, 1.0]], [-0.5, -1.5], [-1.0, 1.0], 0.5)
XOR = ([[1.0, 1.0], [1.0, 1.0]], [-0.5, -1.5], [1.0, -1.0], -1.0)
SQUARE = ([[1.0, 0.0], [-1.0, 0.0], [0.0, 1.0], [0.0, -1.0]], [0.0, 1.0, 0.0, 1.0], [1.0] * 4, -3)
BAND = ([[1.0], [1.0], [1.0], [1.0]], [1.5, 0.5, -0.5, -1.5], [1.0, -1.0, 1.0, -1.0], -1.0)


def test_xnor_check_accepts_a_solution_and_names_the_first_wrong_row():
    assert check_xnor_network(*XNOR)
    assert check_xnor_network(*(torch.tensor(v) for v in XNOR[:3]), torch.tensor(0.5))
    feedback = check_xnor_network(*XOR)
    assert not feedback and "for input (0, 0) your network outputs -1" in feedback.message


def test_xnor_check_on_wrong_shapes_types_and_placeholders():
    assert "shape (hidden, 2)" in check_xnor_network([1.0, 1.0], [0.0], [1.0], 0.0).message
    assert "shape (2,)" in check_xnor_network(XNOR[0], [0.0], XNOR[2], 0.5).message
    assert "not str" in check_xnor_network(XNOR[0], XNOR[1], XNOR[2], "0.5").message
    assert not check_xnor_network(..., ..., ..., ...).answered


def test_forward_check_accepts_the_formula_and_rejects_common_mistakes():
    def mlp_forward(X, W1, b1, W2, b2):
        return torch.tanh(X @ W1.T + b1) @ W2.T + b2

    def forgets_tanh(X, W1, b1, W2, b2):
        return (X @ W1.T + b1) @ W2.T + b2

    def forgets_transpose(X, W1, b1, W2, b2):
        return torch.tanh(X @ W1 + b1) @ W2 + b2

    def tanh_on_output_too(X, W1, b1, W2, b2):
        return torch.tanh(torch.tanh(X @ W1.T + b1) @ W2.T + b2)

    def not_implemented(X, W1, b1, W2, b2):
        raise NotImplementedError

    assert check_mlp_forward(mlp_forward)
    for wrong in (forgets_tanh, forgets_transpose, tanh_on_output_too):
        feedback = check_mlp_forward(wrong)
        assert not feedback and feedback.answered
    assert "should be a function" in check_mlp_forward(3).message
    assert not check_mlp_forward(...).answered
    assert not check_mlp_forward(not_implemented).answered


def test_square_check():
    assert check_square_network(*SQUARE)
    half_plane = ([[1.0, 0.0]], [0.0], [1.0], 0.0)  # x1 >= 0 only
    feedback = check_square_network(*half_plane)
    assert not feedback and "test points are wrong" in feedback.message
    assert not check_square_network(..., ..., ..., ...).answered


def test_band_check():
    assert check_band_network(*BAND)
    one_interval = ([[1.0], [1.0]], [-0.5, -1.5], [1.0, -1.0], -1.0)  # 0.5 < x < 1.5 only
    feedback = check_band_network(*one_interval)
    assert not feedback and "inside the band" in feedback.message
    assert "shape (hidden, 1)" in check_band_network(*SQUARE).message
    assert not check_band_network(..., ..., ..., ...).answered
