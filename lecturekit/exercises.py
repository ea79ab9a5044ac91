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
import hashlib
import json
import math
import numbers
import secrets
import threading
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from lecturekit import answers as answers_data

__all__ = [
    "REQUIRED_SEEDS",
    "Feedback",
    "Wrong",
    "answer_key",
    "as_callable",
    "as_choice",
    "as_number",
    "as_seed",
    "as_tensor",
    "common_seeds",
    "exercise_check",
    "expect_close",
    "judge_against_reference",
    "matches_key",
    "require_seeds",
    "rerun_every_entry",
    "seeded_results",
    "unseen_seeds",
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


# A judge sets the global random state while it runs; one judge at a time per process.
_JUDGING = threading.RLock()

NOT_ANSWERED = "replace the `...` placeholder with your answer and run the cell again."


def exercise_check(
    title: str, *, hint: str, praise: str = "well done.", probe: Callable | None = None
) -> Callable:
    """Decorate ``check(*answers)`` (raises ``Wrong`` or returns) into a ``Feedback`` checker.

    The checker has two halves (``lecturekit.answers``): ``checker.probe(*answers)`` turns the
    answers into data where they live, and ``checker.judge(data)`` gives the ``Feedback`` from
    that data alone. ``checker(*answers)`` does both, so a reader sees what the grader sees.

    By default a value answer is its own data and a function answer is recorded on the
    inputs that ``check`` calls it with. With ``probe``, ``probe(*answers)`` makes the data
    itself (for answers such as a network, which are not data), and ``check`` is called with
    it; ``probe`` may raise ``Wrong`` too.
    """

    def decorate(check: Callable[..., None]) -> Callable[..., Feedback]:
        def verdict(run: Callable[[], None]) -> Feedback:
            try:
                run()
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

        def probe_answers(*answers: object) -> dict:
            rng = answers_data.encode(torch.get_rng_state())
            if any(answer is Ellipsis for answer in answers):
                return {"rng": rng, "not_answered": True}
            if probe is not None:
                try:
                    return {"rng": rng, "facts": answers_data.encode(probe(*answers))}
                except (NotAnswered, NotImplementedError):
                    return {"rng": rng, "not_answered": True}
                except Wrong as wrong:
                    return {"rng": rng, "wrong": str(wrong)}
                except Exception as error:
                    return {"rng": rng, "raised": [type(error).__name__, str(error)[:2000]]}
            recorders = [answers_data.record(answer) for answer in answers]
            try:  # the verdict here does not count: only what the answers did is kept
                check(*[r or a for r, a in zip(recorders, answers, strict=True)])
            except Exception:
                pass
            return {
                "rng": rng,
                "answers": [
                    {"calls": r.calls} if r else {"value": answers_data.encode(a)}
                    for r, a in zip(recorders, answers, strict=True)
                ],
            }

        def judge(payload: dict) -> Feedback:
            def run() -> None:
                if payload.get("not_answered"):
                    raise NotAnswered
                if "wrong" in payload:
                    raise Wrong(str(payload["wrong"]))
                if "raised" in payload:
                    raise answers_data._rebuilt(*payload["raised"])
                if "facts" in payload:
                    check(answers_data.decode(payload["facts"]))
                    return
                check(*[
                    answers_data.replay(a["calls"]) if "calls" in a
                    else answers_data.decode(a["value"])
                    for a in payload["answers"]
                ])  # fmt: skip

            with _JUDGING, torch.random.fork_rng(devices=[]):
                torch.set_rng_state(answers_data.decode(payload["rng"]))
                return verdict(run)

        @functools.wraps(check)
        def checker(*answers: object) -> Feedback:
            # Through JSON and back, exactly as the data leaves a kernel for the grader.
            return judge(json.loads(json.dumps(probe_answers(*answers))))

        checker.probe = probe_answers
        checker.judge = judge
        return checker

    return decorate


def as_tensor(
    answer: object, name: str, *, shape: Sequence[int] | None = None, nan_ok: bool = False
) -> torch.Tensor:
    """``answer`` as a float64 CPU tensor (from a tensor, array, list or number), or ``Wrong``.

    NaN is refused unless ``nan_ok`` (for a check that says why the NaN came).
    """
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
    # NaN compares false with everything, so no comparison in a check could catch it.
    if not nan_ok and tensor.isnan().any():
        raise Wrong(f"`{name}` has NaN (not a number) in it.")
    return tensor


def as_number(answer: object, name: str, *, integer: bool = False, nan_ok: bool = False) -> float:
    """``answer`` as a Python number (a one-element tensor is fine), or ``Wrong``.

    NaN is refused unless ``nan_ok`` (for a check that says why the NaN came).
    """
    if answer is Ellipsis:
        raise NotAnswered
    if isinstance(answer, torch.Tensor) and answer.numel() == 1:
        answer = answer.item()
    elif isinstance(answer, np.ndarray | np.generic) and answer.size == 1:
        answer = answer.item()
    if isinstance(answer, bool) or not isinstance(answer, numbers.Real):
        kind = "a whole number" if integer else "a number"
        raise Wrong(f"`{name}` should be {kind}, not {type(answer).__name__} ({answer!r}).")
    if not nan_ok and math.isnan(answer):  # NaN compares false with everything
        raise Wrong(f"`{name}` is NaN (not a number).")
    if integer and (math.isinf(answer) or answer != int(answer)):
        raise Wrong(f"`{name}` should be a whole number, not {answer!r}.")
    return int(answer) if integer else float(answer)


def as_choice(answer: object, name: str, options: Sequence[str]) -> str:
    """A lettered answer such as " b " as one of ``options`` ("B"), or ``Wrong`` naming them."""
    letters = [f'"{option}"' for option in options]
    if not isinstance(answer, str) or answer.strip().upper() not in options:
        raise Wrong(f"set `{name}` to {', '.join(letters[:-1])} or {letters[-1]}.")
    return answer.strip().upper()


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


def answer_key(value: int | str | tuple) -> str:
    """A salted hash of an exact answer, to keep in a check instead of the answer itself.

    >>> key = answer_key(14)          # once, by the author; paste the string into the check
    >>> matches_key(14, key), matches_key(13, key)
    (True, False)

    It keeps the answer out of plain sight in the installed package; a small whole number can
    still be found by trying them all, as it can by running the check on each.
    """
    salt = secrets.token_hex(8)
    return f"sha256:{salt}:{_digest(salt, value)}"


def matches_key(value: object, key: str) -> bool:
    """Whether ``value`` is the exact answer that ``key`` (from ``answer_key``) was made from."""
    _, salt, digest = key.split(":")
    try:
        return secrets.compare_digest(_digest(salt, value), digest)
    except TypeError:  # not an int, str or tuple of them: not the answer
        return False


def _digest(salt: str, value: object) -> str:
    def canonical(v: object) -> object:
        if isinstance(v, bool) or not isinstance(v, int | str | tuple | list):
            raise TypeError(f"an answer key is made from ints and strings, not {type(v).__name__}")
        return [canonical(x) for x in v] if isinstance(v, tuple | list) else v

    text = json.dumps(canonical(value))
    return hashlib.sha256(f"{salt}:{text}".encode()).hexdigest()


# The experiment exercises. The reader writes run(seed, setting), fills a table of its results
# over three or more seeds and reads a conclusion off it; a check reruns the function on every
# entry, and on seeds the table cannot hold compares it with the check's own run of the recipe.

REQUIRED_SEEDS = (0, 1, 2)
"""The seeds every experiment table holds (more are welcome), as the book's solutions do."""


def as_seed(seed: object, where: str) -> int:
    """``seed`` as a Python int (numpy's integers too, never a bool), or ``Wrong`` naming ``where``.

    >>> as_seed(np.int64(2), "`results`"), as_seed(2.0, "`results`")
    (2, 2)
    """
    whole = isinstance(seed, numbers.Real) and not isinstance(seed, bool)
    if not whole or not float(seed).is_integer():
        raise Wrong(f"the seeds of {where} should be whole numbers, not {seed!r}.")
    return int(seed)


def require_seeds(seeds: Iterable[int], where: str) -> list[int]:
    """The seeds, sorted, or ``Wrong`` unless 0, 1 and 2 are among them.

    >>> require_seeds([2, 0, 1, 7], "`results`")
    [0, 1, 2, 7]
    """
    seeds = sorted(set(seeds))
    if not set(REQUIRED_SEEDS) <= set(seeds):
        have = f"the seeds {seeds}" if seeds else "no seeds"
        raise Wrong(
            f"{where} should hold at least three seeds, 0, 1 and 2 among them (more if you "
            f"like), so that your numbers can be set beside the book's; it has {have}."
        )
    return seeds


def common_seeds(
    entries: Iterable[tuple[Hashable, int]], settings: Sequence[Hashable], where: str
) -> list[int]:
    """The seeds measured for every one of ``settings``, sorted; ``Wrong`` unless 0, 1 and 2.

    ``entries`` are the (setting, seed) pairs a table holds; ``where`` names it in a message
    ("`updates`, for both margins,"):

    >>> common_seeds([("a", 0), ("a", 1), ("a", 2), ("b", 0), ("b", 1), ("b", 2)], "ab", "`t`")
    [0, 1, 2]
    """
    by_setting: dict[Hashable, set[int]] = {setting: set() for setting in settings}
    for setting, seed in entries:
        if setting in by_setting:
            by_setting[setting].add(seed)
    return require_seeds(set.intersection(*by_setting.values()), where)


def seeded_results(
    results: object,
    settings: Sequence[Hashable],
    name: str,
    *,
    layout: str,
    entry: str = "{}",
    read: Callable[[object, str], Any] = as_number,
) -> dict[Hashable, dict[int, Any]]:
    """The reader's table ``{setting: {seed: result}}`` as ``{setting: {int seed: read(result)}}``.

    ``Wrong`` (with ``name``, ``layout`` such as ``"{n: {seed: accuracy}}"`` and ``entry``, how
    a setting is named: ``"n = {}"``) unless every one of ``settings`` has a row, a number
    setting matched by value (1.0 for 1), and every row holds the same seeds, 0, 1 and 2 among
    them. Rows for other settings are left out. ``...`` is not answered yet::

        by_order = seeded_results(ngram_results, (1, 2, 3), "ngram_results",
                                  layout="{n: {seed: held-out accuracy}}", entry="n = {}")
    """
    if results is Ellipsis:
        raise NotAnswered
    if not isinstance(results, dict):
        raise Wrong(f"`{name}` should be a dict {layout}, not {type(results).__name__}.")
    keys = {
        setting: [key for key in results if _same_setting(key, setting)] for setting in settings
    }
    for setting in settings:
        if not keys[setting]:
            raise Wrong(f"`{name}` has no entry for {entry.format(setting)}.")
    table = {}
    for setting in settings:
        by_seed, where = results[keys[setting][0]], f"`{name}[{setting!r}]`"
        if not isinstance(by_seed, dict):
            raise Wrong(f"{where} should be a dict {{seed: result}}, not {type(by_seed).__name__}.")
        seeds = {as_seed(seed, where): seed for seed in by_seed}
        table[setting] = {
            s: read(by_seed[seeds[s]], f"{name}[{setting!r}][{s}]")
            for s in require_seeds(seeds, where)
        }
    if len({tuple(by_seed) for by_seed in table.values()}) != 1:
        raise Wrong(
            f"use the same seeds in every row of `{name}`, so that they are compared fairly."
        )
    return table


def _same_setting(key: object, setting: Hashable) -> bool:
    if isinstance(setting, numbers.Real) and not isinstance(setting, bool):
        real = isinstance(key, numbers.Real) and not isinstance(key, bool)
        return real and abs(key - setting) < 1e-9
    return key == setting


def rerun_every_entry(
    run: Callable[[int, Any], object],
    table: dict[Hashable, dict[int, float]],
    name: str,
    run_name: str,
    *,
    rel_tol: float = 1e-6,
    abs_tol: float = 1e-6,
    advice: str = "",
) -> None:
    """``Wrong`` unless ``run(seed, setting)`` gives every number of ``table`` again.

    ``table`` is ``{setting: {seed: number}}`` as ``seeded_results`` reads it; every entry is
    rerun, so that one typed-in number cannot hide among real ones. ``advice`` ends the message.
    """
    for seed in next(iter(table.values())):
        for setting, by_seed in table.items():
            call = f"{run_name}({seed}, {setting!r})"
            again = as_number(run(seed, setting), call)
            if not math.isclose(again, by_seed[seed], rel_tol=rel_tol, abs_tol=abs_tol):
                raise Wrong(
                    f"{call} now returns {again:.4g}, but {name}[{setting!r}][{seed}] says "
                    f"{by_seed[seed]:.4g}: fill {name} with what your function returns{advice}."
                )


def unseen_seeds(count: int, taken: Iterable[int]) -> list[int]:
    """``count`` different seeds from 1,000 to 999,999 that are not in ``taken``.

    They are drawn from torch's global generator, so that a reader cannot know them in advance
    and a test can fix them with ``torch.manual_seed``. Draw them before the reader's function
    is first called: a function that calls ``torch.manual_seed`` would fix them otherwise.
    """
    taken, drawn = set(taken), []
    while len(drawn) < count:
        seed = int(torch.randint(1000, 1_000_000, ()).item())
        if seed not in taken and seed not in drawn:
            drawn.append(seed)
    return drawn


def judge_against_reference(
    run: Callable[[int, Any], object],
    table: dict[Hashable, dict[int, float]],
    reference: Callable[[int, Any], float],
    *,
    name: str,
    run_name: str,
    unseen: Sequence[int],
    close: Callable[[float, float], bool],
    tolerance: str,
    recipe: str,
    varies: str,
) -> None:
    """``Wrong`` unless the reader's function and table measure what the recipe measures.

    ``run(seed, setting)`` is called on the ``unseen`` seeds, which the table does not hold
    (drawn by ``unseen_seeds`` before the reader's function is first called, since it may
    reseed torch: seeds drawn after would be the same on every try). It must not give one
    number whatever the seed (``varies`` says why a seed changes the result), and each of those
    results, then every entry of ``table``, must be ``close(result, reference(seed, setting))``:
    so a function that looks numbers up, or types them in for the table's seeds and runs the
    recipe elsewhere, fails. ``tolerance`` says how close, ``recipe`` asks what to look at;
    the reference's own numbers are never shown.
    """
    seeds, fresh = list(next(iter(table.values()))), list(unseen)
    answers = {
        (seed, setting): as_number(run(seed, setting), f"{run_name}({seed}, {setting!r})")
        for seed in fresh
        for setting in table
    }
    for setting, by_seed in table.items():
        values = set(by_seed.values()) | {answers[seed, setting] for seed in fresh}
        if len(values) == 1:
            raise Wrong(
                f"{run_name}(seed, {setting!r}) returns {values.pop():.4g} whatever the seed: "
                f"{varies}"
            )
    for (seed, setting), answer in answers.items():
        if not close(answer, reference(seed, setting)):
            raise Wrong(
                f"{run_name}({seed}, {setting!r}) returns {answer:.4g}, but the recipe gives "
                f"another number for that seed (more than {tolerance} away): {recipe}"
            )
    for seed in seeds:
        for setting, by_seed in table.items():
            if not close(by_seed[seed], reference(seed, setting)):
                raise Wrong(
                    f"{name}[{setting!r}][{seed}] is {by_seed[seed]:.4g}, but the recipe gives "
                    f"another number for that seed (more than {tolerance} away): does your "
                    "function follow the recipe for every seed, the ones in your table too?"
                )
