"""Validating a chapter's parameters: fail at once, saying what is allowed.

A chapter's ``parameters`` cell holds plain values (papermill may override them); the
cell after it checks them::

    num_points = require_int("num_points", num_points, minimum=4)
    lr = require_float("lr", lr, minimum=0, strict=True)
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from numbers import Integral, Real
from typing import TypeVar

__all__ = ["require_choice", "require_float", "require_int"]

T = TypeVar("T")


def require_int(
    name: str, value: object, *, minimum: int | None = None, maximum: int | None = None
) -> int:
    """Return ``value`` as an ``int`` if it is a whole number within bounds, else raise."""
    is_integer = isinstance(value, Integral) and not isinstance(value, bool)
    if (
        not is_integer
        or (minimum is not None and value < minimum)
        or (maximum is not None and value > maximum)
    ):
        raise ValueError(f"{name} must be an integer{_bounds(minimum, maximum)} (got {value!r})")
    return int(value)


def require_float(
    name: str,
    value: object,
    *,
    minimum: float | None = None,
    maximum: float | None = None,
    strict: bool = False,
) -> float:
    """Return ``value`` as a ``float`` within bounds (``strict``: excluding them), else raise."""
    bounds = _bounds(minimum, maximum, strict)
    if isinstance(value, bool) or not isinstance(value, Real) or not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number{bounds} (got {value!r})")
    below = minimum is not None and (value <= minimum if strict else value < minimum)
    above = maximum is not None and (value >= maximum if strict else value > maximum)
    if below or above:
        raise ValueError(f"{name} must be a finite number{bounds} (got {value!r})")
    return float(value)


def require_choice(name: str, value: T, choices: Sequence[T]) -> T:
    """Return ``value`` if it is one of ``choices``, else raise ``ValueError`` listing them."""
    if value not in choices:
        allowed = ", ".join(repr(c) for c in choices)
        raise ValueError(f"{name} must be one of {allowed} (got {value!r})")
    return value


def _bounds(minimum: float | None, maximum: float | None, strict: bool = False) -> str:
    low, high = (">", "<") if strict else (">=", "<=")
    parts = []
    if minimum is not None:
        parts.append(f"{low} {minimum}")
    if maximum is not None:
        parts.append(f"{high} {maximum}")
    return (" " + " and ".join(parts)) if parts else ""
