"""Checks for the exercises of chapter 12, *Recurrent neural networks*.

Conventions, as in the chapter: one sequence, no batch; vectors are 1-D tensors; matrices
act from the left, ``W_hx: (hidden, input)``, ``W_hh: (hidden, hidden)``; the cell is
``h_t = tanh(W_hx x_t + W_hh h_{t-1} + b)``. Cross-entropies are in nats (natural log), as
``torch.nn.functional.cross_entropy`` returns them.
"""

from __future__ import annotations

import math

import torch

from lecturekit.exercises import (
    Wrong,
    as_callable,
    as_number,
    as_tensor,
    exercise_check,
    expect_close,
)

__all__ = [
    "check_perplexity_from_cross_entropy",
    "check_rnn_lm_parameter_count",
    "check_rnn_step",
    "check_scalar_bptt",
]


def _close(a: torch.Tensor, b: torch.Tensor, atol: float = 1e-5) -> bool:
    return a.shape == b.shape and torch.allclose(a, b, atol=atol, rtol=0)


def _rnn_step_cases() -> list[tuple[torch.Tensor, ...]]:
    """(x, h_prev, W_hx, W_hh, b): chapter 12's one-hot example, then random sizes."""
    generator = torch.Generator().manual_seed(12)
    h_1 = torch.tensor([0.1, 0.2, 0.0, -0.3, -0.1])
    W_hx = 0.3 * torch.randn(5, 5, generator=generator)
    W_hx[:, 2] = torch.atanh(h_1)
    one_hot_c = torch.tensor([0.0, 0.0, 1.0, 0.0, 0.0])
    cases = [(one_hot_c, torch.zeros(5), W_hx, torch.eye(5), 0 * h_1)]  # section 12.3
    for input_size, hidden_size in [(3, 4), (6, 2), (1, 5)]:
        cases.append(
            (
                torch.randn(input_size, generator=generator),
                torch.tanh(torch.randn(hidden_size, generator=generator)),
                torch.randn(hidden_size, input_size, generator=generator),
                torch.randn(hidden_size, hidden_size, generator=generator),
                torch.randn(hidden_size, generator=generator),
            )
        )
    return cases


@exercise_check(
    "one step of the RNN cell",
    hint="h_t = tanh(W_hx @ x + W_hh @ h_prev + b): two matrix-vector products (the matrices "
    "on the left), the bias, then tanh. Return only the new hidden state.",
)
def check_rnn_step(rnn_step: object) -> None:
    step = as_callable(rnn_step, "rnn_step")
    for number, (x, h_prev, W_hx, W_hh, b) in enumerate(_rnn_step_cases()):
        result = step(x.clone(), h_prev.clone(), W_hx.clone(), W_hh.clone(), b.clone())
        if isinstance(result, tuple | list):
            raise Wrong("rnn_step should return the new hidden state h_t only, not a tuple.")
        answer = as_tensor(result, "rnn_step(...)")
        pre_activation = (W_hx @ x + W_hh @ h_prev + b).double()
        sizes = f"(input size {len(x)}, hidden size {len(h_prev)})"
        if _close(answer, pre_activation) and not _close(answer, torch.tanh(pre_activation)):
            raise Wrong(f"for case {number} {sizes} you returned the sum before the tanh.")
        if _close(answer, torch.sigmoid(pre_activation)):
            raise Wrong(f"for case {number} {sizes} you used a sigmoid; the cell uses tanh.")
        if number > 0 and _close(answer, torch.tanh(pre_activation - b.double())):
            raise Wrong(f"for case {number} {sizes} the bias b is missing.")
        expect_close(
            answer, torch.tanh(pre_activation), f"h_t for case {number} {sizes}", atol=1e-5
        )


def _lm_parameter_count(vocab_size: int, hidden_size: int) -> int:
    V, H = vocab_size, hidden_size
    return H * V + H * H + H + V * H + V  # W_hx, W_hh, b_h, W_hy, b_y


@exercise_check(
    "the number of parameters of an Elman language model",
    hint="list the parameters with their shapes: W_hx (H, V) reads the one-hot word, W_hh "
    "(H, H) the previous state, b_h (H,), W_hy (V, H) scores every word, b_y (V,). None of them "
    "depends on the length of the text.",
)
def check_rnn_lm_parameter_count(count_rnn_lm_parameters: object) -> None:
    count = as_callable(count_rnn_lm_parameters, "count_rnn_lm_parameters")
    for V, H in [(5, 5), (10, 3), (1000, 50), (2000, 128)]:
        answer = as_number(count(V, H), f"count_rnn_lm_parameters({V}, {H})", integer=True)
        expected = _lm_parameter_count(V, H)
        where = f"for vocab_size={V}, hidden_size={H} you count {answer:,}"
        if answer == expected + H:
            raise Wrong(
                f"{where}: that is one hidden bias too many. torch.nn.RNN stores two "
                "(bias_ih and bias_hh) that always add up; our equations have one, b_h."
            )
        if answer == expected - H * H:
            raise Wrong(f"{where}: the recurrent matrix W_hh is missing.")
        if answer in (expected - H - V, expected - H, expected - V):
            raise Wrong(f"{where}: a bias is missing (b_h has H entries, b_y has V).")
        if answer != expected:
            raise Wrong(f"{where}, which is not the number of parameters.")


def _scalar_rnn_grad(w: float, u: float, xs: list[float]) -> tuple[float, float]:
    """(dh_T/dw by autograd, the last step's term alone) for h_t = tanh(w h_{t-1} + u x_t)."""
    w_t = torch.tensor(w, dtype=torch.float64, requires_grad=True)
    h = torch.zeros((), dtype=torch.float64)
    for x in xs:
        h_prev = h
        h = torch.tanh(w_t * h + u * x)
    (grad,) = torch.autograd.grad(h, w_t)
    last_term = (1 - h.detach() ** 2) * h_prev.detach()
    return grad.item(), last_term.item()


@exercise_check(
    "back-propagation through time for a scalar RNN",
    hint="run forward storing h_0 = 0, h_1, ..., h_T. Then go backward with g = dh_T/dh_t, "
    "starting at g = 1 for t = T: add g (1 - h_t^2) h_{t-1} to the gradient, then pass "
    "g <- g (1 - h_t^2) w on to step t - 1. The weight w is used at every step, so every step "
    "adds a term.",
)
def check_scalar_bptt(scalar_rnn_grad: object) -> None:
    grad_fn = as_callable(scalar_rnn_grad, "scalar_rnn_grad")
    generator = torch.Generator().manual_seed(3)
    cases = [(0.5, 1.0, [1.0, 0.5, -1.0]), (0.9, 0.7, [1.0, -1.0, 0.5, 2.0]), (-1.2, 0.3, [0.2])]
    for length in (3, 6, 10):
        w, u = (torch.randn(2, generator=generator) * 1.2).tolist()
        cases.append((w, u, torch.randn(length, generator=generator).tolist()))
    for w, u, xs in cases:
        call = f"scalar_rnn_grad({w:.3g}, {u:.3g}, {[round(x, 3) for x in xs]})"
        answer = as_number(grad_fn(w, u, list(xs)), call)
        expected, last_term = _scalar_rnn_grad(w, u, xs)
        last_step_only = not math.isclose(expected, last_term, abs_tol=1e-6)
        if last_step_only and math.isclose(answer, last_term, abs_tol=1e-6):
            raise Wrong(
                f"{call} returned {answer:.6f}, only the last step's term; the earlier steps, "
                "which use the same w, are missing."
            )
        expect_close(torch.tensor(answer), torch.tensor(expected), call, atol=1e-6)


@exercise_check(
    "perplexity from a mean cross-entropy",
    hint="the cross-entropy is the mean of -log p(next word) in nats; perplexity undoes the log "
    "of the geometric mean: exp(mean cross-entropy). A uniform guess over V words has "
    "cross-entropy log V and perplexity V.",
)
def check_perplexity_from_cross_entropy(perplexity_from_cross_entropy: object) -> None:
    perplexity = as_callable(perplexity_from_cross_entropy, "perplexity_from_cross_entropy")
    for value in (0.0, 1.0, math.log(2000), 4.5, 6.25):
        for given in (value, torch.tensor(value)):
            what = f"perplexity_from_cross_entropy({value:.4g})"
            answer = as_number(perplexity(given), what)
            if value > 0 and math.isclose(answer, 2**value, rel_tol=1e-6):
                raise Wrong(
                    f"{what} returned 2 ** {value:.4g}: that is for a cross-entropy in bits; "
                    "PyTorch's cross_entropy is in nats (natural log)."
                )
            if value > 0 and math.isclose(answer, 10**value, rel_tol=1e-6):
                raise Wrong(f"{what} returned 10 ** {value:.4g}; the log is the natural one.")
            if not math.isclose(answer, math.exp(value), rel_tol=1e-5):
                raise Wrong(f"{what} returned {answer:.6g}; expected {math.exp(value):.6g}.")
