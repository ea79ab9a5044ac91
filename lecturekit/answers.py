"""Answers as data: how a check's view of an answer leaves a kernel, to be judged elsewhere.

A check (``lecturekit.exercises.exercise_check``) works in two halves. Its *probe* runs where
the answer lives, in the reader's kernel: it keeps a value answer as data, and it calls a
function answer on the check's own inputs and records what came back. Its *judge* runs the
check's code on that record alone, and can run in another process (the grader's), where
nothing of the submission can reach it::

    payload = check_perceptron_step.probe(perceptron_step)   # in the kernel: data only
    check_perceptron_step.judge(payload)                      # anywhere: a Feedback

In a notebook, ``check_perceptron_step(perceptron_step)`` is both halves in one process, so the
reader sees exactly the verdict that the grader will give.

A record holds only numbers, strings, lists and tensors, written as JSON (tensors as their
bytes, in base64); nothing is ever unpickled. The judge replays a function answer from it: a
call on inputs that the record does not hold fails, so a record made with other inputs than
the judge's own cannot pass. Each recorded call also keeps the random-number state that the
answer left behind and any change it made to its tensor arguments, so that the judge sees
what the check saw.
"""

from __future__ import annotations

import base64
import builtins
import functools
import hashlib
import json
import re
from collections import defaultdict, deque
from collections.abc import Callable
from typing import Any

import numpy as np
import torch

__all__ = ["MIME", "Unrecorded", "decode", "encode", "export", "record", "replay"]

MIME = "application/vnd.lecturekit.answer+json"
"""The MIME type of the display message that carries a graded answer out of the kernel."""


class Unrecorded(Exception):
    """A replayed answer was asked about inputs that its record does not hold."""


class _Opaque:
    """Stands in for a value that is not data (a module, a file, ...): no check accepts it."""

    def __repr__(self) -> str:
        return f"<{type(self).__name__}>"


def encode(value: object, *, strict: bool = False) -> Any:
    """``value`` as JSON-ready data; what is not data becomes an opaque stand-in (or, with
    ``strict``, raises ``TypeError``)."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if np.isfinite(value) else {"__float__": repr(value)}
    if value is Ellipsis:
        return {"__ellipsis__": True}
    if isinstance(value, torch.Tensor):
        tensor = value.detach().cpu()
        dtype = str(tensor.dtype).removeprefix("torch.")
        if tensor.dtype == torch.bfloat16:
            tensor = tensor.float()
        array = np.ascontiguousarray(tensor.resolve_conj().resolve_neg().numpy())
        return {"__tensor__": [dtype, list(array.shape), _b64(array)]}
    if isinstance(value, np.ndarray) and value.dtype != object:
        array = np.ascontiguousarray(value)
        return {"__ndarray__": [array.dtype.str, list(array.shape), _b64(array)]}
    if isinstance(value, np.generic):
        return encode(value.item(), strict=strict)
    if isinstance(value, list):
        return [encode(v, strict=strict) for v in value]
    if isinstance(value, tuple | torch.Size):
        return {"__tuple__": [encode(v, strict=strict) for v in value]}
    if isinstance(value, dict):
        return {"__dict__": [[encode(k, strict=strict), encode(v, strict=strict)]
                             for k, v in value.items()]}  # fmt: skip
    if strict:
        raise TypeError(f"{type(value).__name__} is not data")
    return {"__opaque__": re.sub(r"\W", "", type(value).__name__)[:60] or "object"}


def decode(data: Any) -> object:
    """The value that ``encode`` wrote (an opaque stand-in for what was not data)."""
    if isinstance(data, list):
        return [decode(v) for v in data]
    if not isinstance(data, dict):
        return data
    if len(data) != 1:
        raise ValueError(f"not an encoded answer: {str(data)[:80]}")
    ((kind, body),) = data.items()
    if kind == "__float__" and body in ("nan", "inf", "-inf"):
        return float(body)
    if kind == "__ellipsis__":
        return Ellipsis
    if kind == "__tensor__":
        dtype, shape, raw = body
        target = getattr(torch, dtype)
        numpy_dtype = torch.float32 if target == torch.bfloat16 else target
        array = _array(raw, torch.empty(0, dtype=numpy_dtype).numpy().dtype, shape)
        return torch.from_numpy(array.copy()).to(target)
    if kind == "__ndarray__":
        dtype, shape, raw = body
        return _array(raw, np.dtype(dtype), shape).copy()
    if kind == "__tuple__":
        return tuple(decode(v) for v in body)
    if kind == "__dict__":
        return {_hashable(decode(k)): decode(v) for k, v in body}
    if kind == "__opaque__":
        return _opaque_class(re.sub(r"\W", "", str(body))[:60] or "object")()
    raise ValueError(f"not an encoded answer: {str(data)[:80]}")


@functools.lru_cache(maxsize=256)
def _opaque_class(name: str) -> type:
    return type(name, (_Opaque,), {})


def fingerprint(args: tuple, kwargs: dict) -> str:
    """A digest of a call's arguments, the same wherever the same data is passed."""
    try:
        text = json.dumps(encode((args, kwargs), strict=True), sort_keys=True)
    except TypeError as error:
        raise TypeError(
            f"a check passed an argument that is not data ({error}) to a function answer; "
            "give the check a probe= that turns the answer into data"
        ) from None
    return hashlib.sha256(text.encode()).hexdigest()


class _Recorder:
    """A function answer, wrapped so that every call the check makes on it is recorded."""

    def __init__(self, function: Callable) -> None:
        self.function, self.calls = function, []

    def __call__(self, *args: object, **kwargs: object) -> object:
        key = fingerprint(args, kwargs)
        tensors = _tensor_arguments(args, kwargs)
        before = {place: tensor.detach().clone() for place, tensor in tensors.items()}
        call: dict[str, Any] = {"key": key}
        try:
            result = self.function(*args, **kwargs)
        except Exception as error:
            call["raised"] = [type(error).__name__, str(error)[:2000]]
            raise
        else:
            call["value"] = encode(result)
            return result
        finally:
            call["changed"] = [
                [place, encode(tensor)]
                for place, tensor in tensors.items()
                if not _same(tensor, before[place])
            ]
            call["rng"] = encode(torch.get_rng_state())
            self.calls.append(call)


class _Replayer:
    """A function answer rebuilt from its record: it answers only what was recorded."""

    def __init__(self, calls: list[dict[str, Any]]) -> None:
        self.calls: dict[str, deque] = defaultdict(deque)
        for call in calls:
            self.calls[call["key"]].append(call)

    def __call__(self, *args: object, **kwargs: object) -> object:
        queue = self.calls.get(fingerprint(args, kwargs))
        if not queue:
            raise Unrecorded(
                "your function's answer to one of the check's inputs is missing from what "
                "your notebook sent (run the check cell again; do not change the check)."
            )
        call = queue.popleft()
        tensors = _tensor_arguments(args, kwargs)
        for place, data in call.get("changed", []):
            changed = decode(data)
            if place in tensors and changed.shape == tensors[place].shape:
                with torch.no_grad():
                    tensors[place].copy_(changed)
        torch.set_rng_state(decode(call["rng"]))
        if "raised" in call:
            raise _rebuilt(*call["raised"])
        return decode(call["value"])


# Checks name the type of a wrong answer; a replayed function reads as a function.
_Replayer.__name__ = _Replayer.__qualname__ = "function"


def record(answer: object) -> _Recorder | None:
    """A recorder for ``answer`` if it is a function (not a tensor, array or value)."""
    data = (torch.Tensor, np.ndarray, type(Ellipsis), type(None))
    if callable(answer) and not isinstance(answer, data):
        return _Recorder(answer)
    return None


def replay(calls: list[dict[str, Any]]) -> _Replayer:
    """A function that gives back what the recorded function gave on the recorded inputs."""
    return _Replayer(calls)


def export(grade_id: str, index: int, module: str, name: str, *answers: object) -> None:
    """Send the probe of check ``module.name`` on ``answers`` out of the kernel, as data.

    The grader writes a call to this in place of each ``assert check_...(...)`` of a graded
    cell; the grader, not the kernel, then judges what arrives.
    """
    import importlib

    from IPython.display import display

    check = getattr(importlib.import_module(module), name)
    payload = {"grade_id": grade_id, "index": index, "payload": check.probe(*answers)}
    display({MIME: payload}, raw=True)


def _b64(array: np.ndarray) -> str:
    return base64.b64encode(array.tobytes()).decode("ascii")


def _array(raw: str, dtype: np.dtype, shape: list[int]) -> np.ndarray:
    if dtype.hasobject:
        raise ValueError("object arrays are not data")
    return np.frombuffer(base64.b64decode(raw), dtype=dtype).reshape(shape)


def _hashable(key: object) -> object:
    return tuple(key) if isinstance(key, list) else key


def _tensor_arguments(args: tuple, kwargs: dict) -> dict[str, torch.Tensor]:
    places = {str(i): a for i, a in enumerate(args)} | {f"k:{k}": v for k, v in kwargs.items()}
    return {place: a for place, a in places.items() if isinstance(a, torch.Tensor)}


def _same(a: torch.Tensor, b: torch.Tensor) -> bool:
    a = a.detach()
    if a.shape != b.shape or a.dtype != b.dtype:
        return False
    if a.is_floating_point() or a.is_complex():
        return bool(torch.allclose(a, b, rtol=0, atol=0, equal_nan=True))
    return bool(torch.equal(a, b))


def _rebuilt(name: str, message: str) -> Exception:
    """An exception that reads as the one the answer raised (a builtin type where it was one)."""
    known = getattr(builtins, name, None)
    if isinstance(known, type) and issubclass(known, Exception):
        try:
            return known(message)
        except TypeError:
            pass
    safe = re.sub(r"\W", "", name)[:60] or "Error"
    return type(safe, (Exception,), {})(message)
