"""Checks for the exercises of chapter 03, *Backpropagation*.

The chapter's conventions: squared error ``E = 1/2 sum_k (y_k - d_k)^2``; deltas are
``delta = -dE/dnet``, so an output delta is ``(d_k - y_k) f'(net_k)`` and a hidden delta
``f'(net_j) sum_k delta_k w_kj``; a weight changes by ``Delta w = eta * delta * input``.
Sigmoid units throughout, with ``f'(net) = f (1 - f)``.
"""

from __future__ import annotations

import math

import torch

from lecturekit.exercises import (
    Wrong,
    as_callable,
    as_choice,
    as_number,
    as_tensor,
    exercise_check,
    expect_close,
)

__all__ = [
    "check_hidden_delta_and_update",
    "check_output_deltas",
    "check_sigmoid_derivative",
    "check_sigmoid_layer_backward",
    "check_step_order_experiment",
]

# The numbers of exercises 3.2 and 3.3: a "face" (labels d) seen by two sigmoid outputs y;
# a hidden unit with output h sends it through the weights W_OUT; an input x; a learning rate.
FACE_LABELS = (1.0, 0.0)
FACE_OUTPUTS = (0.7, 0.4)
HIDDEN_OUTPUT = 0.6
WEIGHTS_TO_OUTPUTS = (0.5, -0.3)
INPUT_VALUE = 0.8
LEARNING_RATE = 0.5


def _face_deltas() -> torch.Tensor:
    d = torch.tensor(FACE_LABELS, dtype=torch.float64)
    y = torch.tensor(FACE_OUTPUTS, dtype=torch.float64)
    return (d - y) * y * (1 - y)


@exercise_check(
    "the derivative of the sigmoid",
    hint="with s = torch.sigmoid(z), the derivative is s * (1 - s): the identity uses the "
    "sigmoid's output, not z itself.",
)
def check_sigmoid_derivative(sigmoid_derivative: object) -> None:
    derivative = as_callable(sigmoid_derivative, "sigmoid_derivative")
    z = torch.linspace(-10.0, 10.0, 41, dtype=torch.float64).reshape(41, 1).repeat(1, 2)
    z_in = z.clone().requires_grad_(True)
    torch.sigmoid(z_in).sum().backward()
    answer = derivative(z.clone())
    if not isinstance(answer, torch.Tensor):
        raise Wrong(f"sigmoid_derivative should return a tensor, not {type(answer).__name__}.")
    if tuple(answer.shape) != tuple(z.shape):
        raise Wrong(
            f"for z of shape {tuple(z.shape)} sigmoid_derivative returned shape "
            f"{tuple(answer.shape)}; it should work entry by entry."
        )
    answer = answer.detach().to(torch.float64)
    if torch.allclose(answer, z * (1 - z)):
        raise Wrong("your function computes z (1 - z), the identity applied to z itself.")
    if torch.allclose(answer, torch.sigmoid(z), atol=1e-6):
        raise Wrong("your function returns the sigmoid itself, not its derivative.")
    expect_close(answer, z_in.grad, "sigmoid_derivative(z)", atol=1e-6)


@exercise_check(
    "output deltas for d = (1, 0) and y = (0.7, 0.4)",
    hint="delta_k = (d_k - y_k) * y_k * (1 - y_k) for sigmoid outputs: the error times the "
    "slope, with the error taken as target minus output.",
)
def check_output_deltas(delta_out: object) -> None:
    answer = as_tensor(delta_out, "delta_out", shape=(2,))
    expected = _face_deltas()
    d = torch.tensor(FACE_LABELS, dtype=torch.float64)
    y = torch.tensor(FACE_OUTPUTS, dtype=torch.float64)
    if torch.allclose(answer, -expected, atol=1e-6):
        raise Wrong("the signs are flipped: the delta uses d - y (target minus output).")
    if torch.allclose(answer, d - y, atol=1e-6):
        raise Wrong("that is the error d - y alone; the delta also multiplies by f'(net).")
    expect_close(answer, expected, "delta_out", atol=1e-6)


@exercise_check(
    "a hidden delta and the update of a weight into it",
    hint="delta_j = h_j (1 - h_j) (delta_1 w_1j + delta_2 w_2j) with the output deltas of "
    "exercise 3.2; then Delta w_jm = eta * delta_j * x_m with eta = 0.5 and x_m = 0.8.",
)
def check_hidden_delta_and_update(delta_hidden: object, delta_w: object) -> None:
    hidden = as_number(delta_hidden, "delta_hidden")
    update = as_number(delta_w, "delta_w")
    back = float(_face_deltas() @ torch.tensor(WEIGHTS_TO_OUTPUTS, dtype=torch.float64))
    expected_hidden = HIDDEN_OUTPUT * (1 - HIDDEN_OUTPUT) * back
    if math.isclose(hidden, back, abs_tol=1e-6):
        raise Wrong(
            "delta_hidden is the sum of delta_k w_kj alone; multiply by the hidden unit's "
            "slope h_j (1 - h_j)."
        )
    if not math.isclose(hidden, expected_hidden, abs_tol=1e-6):
        raise Wrong(f"delta_hidden = {hidden:.6g} is not the hidden unit's delta.")
    if math.isclose(update, LEARNING_RATE * hidden * HIDDEN_OUTPUT, abs_tol=1e-7):
        raise Wrong("delta_w used the hidden unit's output h_j; the weight's input is x_m.")
    expected_update = LEARNING_RATE * expected_hidden * INPUT_VALUE
    if not math.isclose(update, expected_update, abs_tol=1e-7):
        raise Wrong(f"delta_w = {update:.6g} is not eta * delta_j * x_m.")


@exercise_check(
    "the backward function of a sigmoid layer",
    hint="with Y = sigmoid(X W^T + b), first grad_net = grad_Y * Y * (1 - Y); then "
    "grad_X = grad_net @ W, grad_W = grad_net.T @ X and grad_b = grad_net summed over the "
    "batch (dim=0).",
)
def check_sigmoid_layer_backward(sigmoid_layer_backward: object) -> None:
    backward = as_callable(sigmoid_layer_backward, "sigmoid_layer_backward")
    generator = torch.Generator().manual_seed(3)
    for n, m, k in [(1, 2, 1), (5, 3, 4), (8, 6, 2)]:
        X, W, b, grad_Y = (
            torch.randn(*shape, generator=generator, dtype=torch.float64)
            for shape in [(n, m), (k, m), (k,), (n, k)]
        )
        leaves = [t.clone().requires_grad_(True) for t in (X, W, b)]
        # E = sum(Y * grad_Y) has dE/dY = grad_Y
        (torch.sigmoid(leaves[0] @ leaves[1].T + leaves[2]) * grad_Y).sum().backward()
        result = backward(X.clone(), W.clone(), b.clone(), grad_Y.clone())
        if not isinstance(result, tuple | list) or len(result) != 3:
            raise Wrong(
                "sigmoid_layer_backward should return three tensors (grad_X, grad_W, grad_b)."
            )
        for name, answer, leaf in zip(("grad_X", "grad_W", "grad_b"), result, leaves, strict=True):
            expect_close(answer, leaf.grad, f"{name} for X: {(n, m)}, W: {(k, m)}", atol=1e-6)


# Exercise 3.5: the worked exercise's 2-2-1 network (section 3.3), trained on its one example.
ORDER_LEARNING_RATES = (1.0, 5.0, 50.0)
ORDERS = ("gradient", "answer")
_ORDER_CONCLUSIONS = {
    "A": "the two orders end within 0.01 of each other at every learning rate",
    "B": "at some learning rate the gradient order ends more than 0.01 closer to the target",
    "C": "at some learning rate the answer's order ends more than 0.01 closer to the target",
}


def _reference_error_after_passes(lr: float, order: str, passes: int = 20) -> float:
    """|d - y| after 20 reverse passes of section 3.3's network, in either order."""
    W1, W2, x, d = _exercise_network()
    for _ in range(passes):
        h = torch.sigmoid(W1 @ x)
        y = torch.sigmoid(W2 @ h)
        delta_out = (d - y) * y * (1 - y)
        W2_new = W2 + lr * torch.outer(delta_out, h)
        back = W2 if order == "gradient" else W2_new
        W1, W2 = W1 + lr * torch.outer(h * (1 - h) * (back.T @ delta_out), x), W2_new
    return abs((d - torch.sigmoid(W2 @ torch.sigmoid(W1 @ x))).item())


def _exercise_network() -> tuple[torch.Tensor, ...]:
    """W1, W2, x and d of section 3.3, in float64."""
    return tuple(
        torch.tensor(v, dtype=torch.float64)
        for v in ([[0.1, 0.8], [0.4, 0.6]], [[0.3, 0.9]], [0.35, 0.9], [0.5])
    )


@exercise_check(
    "the order of the updates, at larger steps",
    hint="error_after_passes(W1, W2, x, d, lr, order) runs 20 reverse passes from the "
    "weights it is given, with reverse_pass (order 'gradient') or reverse_pass_answer_order (order "
    "'answer'), and returns |d - y| after them. Fill `order_errors[(lr, order)]` for the "
    "learning rates 1, 5 and 50 and both orders, then compare the two orders at each rate.",
)
def check_step_order_experiment(
    error_after_passes: object, errors: object, conclusion: object
) -> None:
    run = as_callable(error_after_passes, "error_after_passes")
    if not isinstance(errors, dict):
        raise Wrong("`order_errors` should be a dict {(lr, order): |d - y| after 20 passes}.")
    table = {}
    for key, value in errors.items():
        if not isinstance(key, tuple | list) or len(key) != 2 or key[1] not in ORDERS:
            raise Wrong(f"each key should be (lr, 'gradient' or 'answer'), not {key!r}.")
        table[float(as_number(key[0], "a learning rate")), key[1]] = as_number(
            value, f"order_errors[{key!r}]"
        )
    missing = [(lr, o) for lr in ORDER_LEARNING_RATES for o in ORDERS if (lr, o) not in table]
    if missing:
        raise Wrong(f"measure every learning rate in {ORDER_LEARNING_RATES} with both orders "
                    f"(missing: {missing}).")  # fmt: skip
    # The table is the reader's own: their function, rerun, gives every entry it holds. A
    # learning rate the table does not hold (2, where both orders converge smoothly) shows
    # that the function runs the passes rather than looks them up, and every entry is what
    # the passes give, so that numbers typed in for the table's rates fail too.
    reruns = [(2.0, "gradient"), (2.0, "answer"), *sorted(table)]
    for lr, order in reruns:
        got = as_number(run(*_exercise_network(), lr, order), "error_after_passes(...)")
        call = f"error_after_passes(W1, W2, x, d, {lr:g}, {order!r})"
        if (lr, order) in table and abs(got - table[lr, order]) > 1e-9:
            raise Wrong(
                f"{call} returns {got:.6g}, but the table holds {table[lr, order]:.6g}: "
                "fill it from your own runs."
            )
        expected = _reference_error_after_passes(lr, order)
        if abs(got - expected) > 1e-6:
            raise Wrong(
                f"{call} returns {got:.6g}, but 20 reverse passes in that order end at "
                "another |d - y| (more than 1e-6 away): start from the weights the function is "
                "given, and run every pass in the order `order` names."
            )
        # A sigmoid output lies in (0, 1) and the target is 0.5: |d - y| < 0.5.
        if not 0 <= got < 0.5:
            raise Wrong(f"|d - y| = {got:.4g} from {call} is impossible: the output is a "
                        "sigmoid, in (0, 1), and the target is 0.5.")  # fmt: skip
    gaps = [table[lr, "answer"] - table[lr, "gradient"] for lr in ORDER_LEARNING_RATES]
    supported = {"B"} if max(gaps) > 0.01 else set()
    supported |= {"C"} if min(gaps) < -0.01 else set()
    supported = supported or {"A"}
    conclusion = as_choice(conclusion, "order_conclusion", list(_ORDER_CONCLUSIONS))
    if conclusion not in supported:
        best = sorted(supported)[0]
        raise Wrong(f"your own numbers say {best}: {_ORDER_CONCLUSIONS[best]}.")
