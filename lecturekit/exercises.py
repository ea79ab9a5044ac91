"""The mechanism behind every exercise check: feedback a reader can act on, never a traceback.

A chapter's checks (in ``lecturekit.checks.<chapter>``) are plain functions that look at
an answer and raise ``Wrong("what is wrong")`` when it is not right; ``exercise_check``
turns each into a checker that returns ``Feedback``::

    @exercise_check("NAND from one threshold unit", hint="NAND is NOT(AND).")
    def check_nand(w, b):
        w = as_tensor(w, "w", shape=(2,))
        ...

    check_nand(w_nand, b_nand)   # -> Correct: ..., Not yet: ... Hint: ..., or Not answered yet

An answer left as the placeholder ``...`` (or a function that still raises
``NotImplementedError``) is "not answered yet", not an error. ``Feedback`` is truthy only
when correct, so grading code can ``assert check_nand(w, b)``.
"""

from __future__ import annotations

import functools
import numbers
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import torch

__all__ = [
    "Feedback",
    "Wrong",
    "as_callable",
    "as_number",
    "as_tensor",
    "exercise_check",
    "expect_close",
]


@dataclass(frozen=True)
class Feedback:
    """The verdict on one answer: ``correct``, whether it was ``answered``, and a message."""

    title: str
    correct: bool
    message: str
    answered: bool = True

    def __bool__(self) -> bool:
        return self.correct

    def __repr__(self) -> str:
        if self.correct:
            return f"Correct! {self.title}: {self.message}"
        if not self.answered:
            return f"Not answered yet ({self.title}): {self.message}"
        return f"Not yet ({self.title}): {self.message}"


class Wrong(Exception):
    """Raised by a check to reject an answer; its message tells the reader what is off."""


class NotAnswered(Exception):
    """Raised when an answer is still the placeholder."""


NOT_ANSWERED = "replace the `...` placeholder with your answer and run the cell again."


def exercise_check(title: str, *, hint: str, praise: str = "well done.") -> Callable:
    """Decorate ``check(*answers)`` (raises ``Wrong`` or returns) into a ``Feedback`` checker."""

    def decorate(check: Callable[..., None]) -> Callable[..., Feedback]:
        @functools.wraps(check)
        def checker(*answers: object) -> Feedback:
            if any(answer is Ellipsis for answer in answers):
                return Feedback(title, False, NOT_ANSWERED, answered=False)
            try:
                check(*answers)
            except (NotAnswered, NotImplementedError):
                return Feedback(title, False, NOT_ANSWERED, answered=False)
            except Wrong as wrong:
                return Feedback(title, False, f"{wrong} Hint: {hint}")
            except Exception as error:  # the reader's code failed while we ran it
                return Feedback(
                    title,
                    False,
                    f"running your answer raised {type(error).__name__}: {error}. Hint: {hint}",
                )
            return Feedback(title, True, praise)

        return checker

    return decorate


def as_tensor(answer: object, name: str, *, shape: Sequence[int] | None = None) -> torch.Tensor:
    """``answer`` as a float64 CPU tensor (from a tensor, array, list or number), or ``Wrong``."""
    if answer is Ellipsis:
        raise NotAnswered
    if isinstance(answer, (str, bytes, dict, set)) or answer is None:
        raise Wrong(
            f"`{name}` should be numbers (a tensor or a list), not {type(answer).__name__}."
        )
    try:
        if isinstance(answer, torch.Tensor):
            tensor = answer.detach().cpu().to(torch.float64)
        else:
            tensor = torch.as_tensor(np.asarray(answer, dtype=np.float64))
    except (TypeError, ValueError) as error:
        raise Wrong(f"`{name}` could not be read as numbers ({error}).") from None
    if shape is not None and tuple(tensor.shape) != tuple(shape):
        raise Wrong(
            f"`{name}` should have shape {tuple(shape)}, but has shape {tuple(tensor.shape)}."
        )
    return tensor


def as_number(answer: object, name: str, *, integer: bool = False) -> float:
    """``answer`` as a Python number (a one-element tensor is fine), or ``Wrong``."""
    if answer is Ellipsis:
        raise NotAnswered
    if isinstance(answer, torch.Tensor) and answer.numel() == 1:
        answer = answer.item()
    elif isinstance(answer, np.ndarray | np.generic) and answer.size == 1:
        answer = answer.item()
    if isinstance(answer, bool) or not isinstance(answer, numbers.Real):
        kind = "a whole number" if integer else "a number"
        raise Wrong(f"`{name}` should be {kind}, not {type(answer).__name__} ({answer!r}).")
    if integer and answer != int(answer):
        raise Wrong(f"`{name}` should be a whole number, not {answer!r}.")
    return int(answer) if integer else float(answer)


def as_callable(answer: object, name: str) -> Callable:
    """``answer`` itself if it can be called, or ``Wrong``."""
    if answer is Ellipsis:
        raise NotAnswered
    if not callable(answer):
        raise Wrong(f"`{name}` should be a function, not {type(answer).__name__}.")
    return answer


def expect_close(
    actual: torch.Tensor, expected: torch.Tensor, what: str, *, atol: float = 1e-6
) -> None:
    """Raise ``Wrong`` naming ``what`` unless ``actual`` has ``expected``'s shape and values."""
    actual = as_tensor(actual, what)
    expected = expected.detach().cpu().to(torch.float64)
    if actual.shape != expected.shape:
        raise Wrong(f"{what} has shape {tuple(actual.shape)}; expected {tuple(expected.shape)}.")
    if not torch.allclose(actual, expected, atol=atol, rtol=0):
        raise Wrong(f"{what} is {_short(actual)}; expected {_short(expected)}.")


def _short(t: torch.Tensor) -> str:
    values = t.flatten()[:6].tolist()
    text = ", ".join(f"{v:.4g}" for v in values)
    return f"[{text}{', ...' if t.numel() > 6 else ''}]" if t.ndim else f"{t.item():.4g}"
