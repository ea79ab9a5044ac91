import torch

from lecturekit.checks.backprop import (
    check_hidden_delta_and_update,
    check_output_deltas,
    check_sigmoid_derivative,
    check_sigmoid_layer_backward,
    check_step_order_experiment,
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


def exercise_network():
    return (
        torch.tensor([[0.1, 0.8], [0.4, 0.6]], dtype=torch.float64),
        torch.tensor([[0.3, 0.9]], dtype=torch.float64),
        torch.tensor([0.35, 0.9], dtype=torch.float64),
        torch.tensor([0.5], dtype=torch.float64),
    )


def error_after_passes(W1, W2, x, d, lr, order):
    """20 reverse passes of the 2-2-1 sigmoid network in either order; |d - y| after them."""
    for _ in range(20):
        h = torch.sigmoid(W1 @ x)
        y = torch.sigmoid(W2 @ h)
        delta_out = (d - y) * y * (1 - y)
        W2_new = W2 + lr * torch.outer(delta_out, h)
        W2_back = W2 if order == "gradient" else W2_new
        W1 = W1 + lr * torch.outer(h * (1 - h) * (W2_back.T @ delta_out), x)
        W2 = W2_new
    return abs((d - torch.sigmoid(W2 @ torch.sigmoid(W1 @ x))).item())


def order_table(run=error_after_passes):
    return {
        (lr, order): run(*exercise_network(), lr, order)
        for lr in (1.0, 5.0, 50.0)
        for order in ("gradient", "answer")
    }


def test_step_order_experiment_accepts_the_readers_table_and_the_conclusion_it_supports():
    table = order_table()
    assert table[50.0, "answer"] - table[50.0, "gradient"] > 0.1
    assert check_step_order_experiment(error_after_passes, table, "B")
    feedback = check_step_order_experiment(error_after_passes, table, "A")
    assert not feedback and "your own numbers say B" in feedback.message


def test_step_order_experiment_refuses_a_slip_forged_numbers_or_a_looked_up_table():
    def always_the_gradient(W1, W2, x, d, lr, order):  # a slip: both runs use one order
        return error_after_passes(W1, W2, x, d, lr, "gradient")

    slipped = order_table(always_the_gradient)
    message = check_step_order_experiment(always_the_gradient, slipped, "A").message
    assert "20 reverse passes in that order end at" in message
    table = order_table()
    for forged in (table | {(50.0, "answer"): 0.3}, table | {(1.0, "gradient"): 0.7}):
        message = check_step_order_experiment(error_after_passes, forged, "B").message
        assert "fill it from your own runs" in message

    def looks_up(W1, W2, x, d, lr, order):
        return table.get((lr, order), 0.1)

    assert "in that order end at" in check_step_order_experiment(looks_up, table, "B").message


def test_step_order_experiment_refuses_missing_entries_bad_keys_and_conclusions():
    table = order_table()
    missing = {k: v for k, v in table.items() if k[0] != 5.0}
    assert "missing" in check_step_order_experiment(error_after_passes, missing, "B").message
    assert (
        "'gradient' or 'answer'"
        in check_step_order_experiment(error_after_passes, {(1.0, "other"): 0.1}, "B").message
    )
    assert '"A", "B" or "C"' in check_step_order_experiment(error_after_passes, table, 2).message
    assert not check_step_order_experiment(error_after_passes, ..., ...).answered


def test_step_order_experiment_refuses_numbers_typed_in_for_the_tables_rates():
    table = order_table()
    typed_in = {key: 0.01 for key in table}  # both orders alike at every rate: as if A held

    def forged(W1, W2, x, d, lr, order):  # the typed-in numbers for the table, real runs else
        return typed_in.get((lr, order)) or error_after_passes(W1, W2, x, d, lr, order)

    feedback = check_step_order_experiment(forged, typed_in, "A")
    assert not feedback and "in that order end at another" in feedback.message
    assert f"{table[1.0, 'gradient']:.6g}" not in feedback.message  # the reference stays hidden
