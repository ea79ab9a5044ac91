"""Grade submitted chapter notebooks: each in its own kernel and folder, with a time limit.

Submissions are laid out one folder per student, each notebook named as in the book::

    submissions/ada/01_perceptron.ipynb
    submissions/alan/01_perceptron.ipynb

``grade_folder("submissions", source_dir="chapters", out_dir="_build/grades")`` writes
``gradebook.csv`` (one row per student, notebook and exercise) and ``gradebook.md`` (a
readable summary), and returns the rows.

What runs is the book's own notebook with the student's ``solution`` cells put in (matched
by their nbgrader ``grade_id``); every other cell, the ``graded`` cells and their hidden
tests included, comes from the source, so a submission cannot change how it is graded. An
exercise scores its points when its graded cell runs without error, and nothing otherwise,
with the reason; an error in a cell outside the exercises is listed too (grade_id "-").
Each submission runs in a child process with a fresh kernel and a fresh working folder; a
time limit, a per-cell time limit and a cap on output size keep a submission that loops,
crashes or floods from touching the grading of the others. Every kernel runs under the
book's pinned numeric environment (``lecturekit.numerics``), as the book's outputs were made.
"""

from __future__ import annotations

import csv
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import nbformat
import psutil
from nbclient import NotebookClient

from lecturekit.numerics import pinned_environment
from lecturekit.student import remove_solution

__all__ = [
    "Exercise",
    "Result",
    "assemble",
    "exercises",
    "grade_folder",
    "grade_notebook",
    "inject_parameters",
    "run_graded",
]

MAX_OUTPUT_CHARS = 100_000  # per cell; the rest of a flood is dropped, not stored
TRUNCATED = "\n[output truncated by the grader]\n"


@dataclass(frozen=True)
class Exercise:
    """One graded cell of a source notebook."""

    grade_id: str
    title: str
    max_points: float


@dataclass(frozen=True)
class Result:
    """What one exercise of one submission earned, and why."""

    student: str
    notebook: str
    grade_id: str
    title: str
    points: float
    max_points: float
    reason: str


def exercises(source: nbformat.NotebookNode) -> list[Exercise]:
    """The graded exercises of a source notebook, in order, titled by their markdown heading."""
    found, title = [], ""
    for cell in source.cells:
        if cell.cell_type == "markdown" and "### Exercise" in cell.source:
            title = cell.source.split("### ", 1)[1].splitlines()[0].strip()
        nbgrader = cell.metadata.get("nbgrader", {})
        if cell.cell_type == "code" and nbgrader.get("grade"):
            found.append(Exercise(nbgrader["grade_id"], title, float(nbgrader["points"])))
    return found


def assemble(
    source: nbformat.NotebookNode, submitted: nbformat.NotebookNode
) -> nbformat.NotebookNode:
    """The notebook to run: ``source`` with the solution cells taken from ``submitted``.

    A solution cell missing from the submission counts as unanswered (its placeholder).
    """
    answers = {
        cell.metadata["nbgrader"]["grade_id"]: cell.source
        for cell in submitted.cells
        if cell.metadata.get("nbgrader", {}).get("solution")
    }
    graded = nbformat.from_dict(source)
    for cell in graded.cells:
        nbgrader = cell.metadata.get("nbgrader", {})
        if nbgrader.get("solution"):
            cell.source = answers.get(nbgrader["grade_id"], remove_solution(cell.source))
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    return graded


def inject_parameters(
    notebook: nbformat.NotebookNode, parameters: Mapping[str, Any]
) -> nbformat.NotebookNode:
    """Add a cell setting ``parameters`` right after the ``parameters`` cell, as papermill does."""
    cells = notebook.cells
    index = next(i for i, c in enumerate(cells) if "parameters" in c.metadata.get("tags", []))
    source = "# Parameters set by the grader\n" + "".join(
        f"{name} = {value!r}\n" for name, value in parameters.items()
    )
    injected = nbformat.v4.new_code_cell(source, metadata={"tags": ["injected-parameters"]})
    notebook = nbformat.from_dict(notebook)
    notebook.cells.insert(index + 1, injected)
    return notebook


class _CappedClient(NotebookClient):
    """An nbclient that stores at most ``MAX_OUTPUT_CHARS`` of output per cell."""

    def output(self, outs, msg, display_id, cell_index):  # noqa: ANN001, ANN201
        stored = sum(len(str(out.get("text", out.get("data", "")))) for out in outs)
        if stored >= MAX_OUTPUT_CHARS:
            if not outs or outs[-1].get("text") != TRUNCATED:
                outs.append(nbformat.v4.new_output("stream", name="stdout", text=TRUNCATED))
            return None
        out = super().output(outs, msg, display_id, cell_index)
        if out is not None and len(out.get("text", "")) > MAX_OUTPUT_CHARS:
            out.text = out.text[:MAX_OUTPUT_CHARS] + TRUNCATED
        return out


def run_graded(
    notebook: nbformat.NotebookNode,
    *,
    student: str,
    name: str,
    workdir: str | Path,
    cell_timeout: int,
    parameters: Mapping[str, Any] | None = None,
    results_path: str | Path | None = None,
) -> list[Result]:
    """Run an assembled notebook in a new kernel and score each graded cell as it finishes.

    With ``results_path``, the results so far are rewritten there after every graded cell, so
    that a parent that kills this run still knows what was earned.
    """
    if parameters:
        notebook = inject_parameters(notebook, parameters)
    todo = {exercise.grade_id: exercise for exercise in exercises(notebook)}
    results: list[Result] = []

    solution_failed = ""  # why the latest solution cell failed, if it did

    def score(cell, cell_index, execute_reply):  # noqa: ANN001
        nonlocal solution_failed
        nbgrader = cell.metadata.get("nbgrader", {})
        reply = (execute_reply or {}).get("content", {})
        error = reply if reply.get("status") == "error" else None
        if nbgrader.get("solution"):
            solution_failed = _reason(error, []) if error else ""
        if error is not None and not nbgrader and "check" not in cell.metadata.get("tags", []):
            # Not an exercise, so worth nothing, but the instructor should see it.
            where = f"cell {cell_index}, outside the exercises"
            results.append(Result(student, name, "-", where, 0.0, 0.0, _reason(error, [])))
            save()
        if not nbgrader.get("grade") or nbgrader.get("grade_id") not in todo:
            return
        exercise = todo[nbgrader["grade_id"]]
        if error is None:
            points, reason = exercise.max_points, "passed"
        elif solution_failed:
            points, reason = 0.0, f"the solution cell failed: {solution_failed}"
        else:
            points, reason = 0.0, _reason(error, client.nb.cells[:cell_index])
        solution_failed = ""
        results.append(
            Result(student, name, exercise.grade_id, exercise.title, points, exercise.max_points,
                   reason)
        )  # fmt: skip
        save()

    def save() -> None:
        if results_path:
            Path(results_path).write_text(json.dumps([asdict(r) for r in results]))

    client = _CappedClient(
        notebook,
        timeout=cell_timeout,
        interrupt_on_timeout=True,
        allow_errors=True,
        kernel_name="python3",
        resources={"metadata": {"path": str(workdir)}},
        on_cell_executed=score,
    )
    client.execute()
    return results


def grade_notebook(
    submission: str | Path,
    source: str | Path,
    *,
    student: str,
    time_limit: float,
    cell_timeout: int,
    parameters: Mapping[str, Any] | None = None,
) -> list[Result]:
    """Grade one submitted notebook in a child process, within ``time_limit`` seconds.

    Exercises that did not run (time limit, crash, unreadable notebook) score zero with the
    reason.
    """
    submission, source = Path(submission).resolve(), Path(source).resolve()
    name = source.stem
    todo = exercises(nbformat.read(source, as_version=4))
    with tempfile.TemporaryDirectory(prefix=f"grade-{student}-{name}-") as scratch:
        # The notebook runs in its own folder; what the grader keeps sits beside it.
        workdir = Path(scratch) / "work"
        workdir.mkdir()
        results_path = Path(scratch) / "results.json"
        command = [
            sys.executable, "-m", "lecturekit", "grade-one", str(submission), str(source),
            "--student", student, "--results", str(results_path), "--workdir", str(workdir),
            "--cell-timeout", str(cell_timeout), "--parameters", json.dumps(dict(parameters or {})),
        ]  # fmt: skip
        log = Path(scratch) / "log.txt"
        # The book's answers were computed under the pinned numerics; so are the submissions.
        environment = pinned_environment() | {"LECTUREKIT_HEADLESS": "1", "MPLBACKEND": "Agg"}
        with log.open("wb") as sink:
            process = subprocess.Popen(
                command, cwd=workdir, stdout=sink, stderr=sink, env=environment,
                start_new_session=True,
            )  # fmt: skip
            try:
                returncode = process.wait(timeout=time_limit)
                stopped = None if returncode == 0 else _last_line(log)
            except subprocess.TimeoutExpired:
                stopped = f"the time limit of {time_limit:g} s ran out before this exercise ran"
            finally:
                _kill_tree(process.pid)
        done = json.loads(results_path.read_text()) if results_path.exists() else []
    results = {row["grade_id"]: Result(**row) for row in done}
    missing_reason = stopped or "this exercise's graded cell did not run"
    graded = [
        results.get(e.grade_id)
        or Result(student, name, e.grade_id, e.title, 0.0, e.max_points, missing_reason)
        for e in todo
    ]
    return graded + [Result(**row) for row in done if row["grade_id"] == "-"]


def grade_folder(
    submissions: str | Path,
    *,
    source_dir: str | Path,
    out_dir: str | Path,
    time_limit: float = 900,
    cell_timeout: int = 300,
    parameters: Mapping[str, Mapping[str, Any]] | None = None,
    jobs: int = 1,
) -> list[Result]:
    """Grade ``submissions/<student>/<notebook>.ipynb`` against ``source_dir/<notebook>.ipynb``.

    ``parameters`` maps a notebook name to papermill parameters for it (smaller sizes grade
    faster). ``jobs`` submissions are graded at a time, each in its own child process and
    kernel. Writes ``gradebook.csv`` and ``gradebook.md`` to ``out_dir``.
    """
    submissions, source_dir, out_dir = Path(submissions), Path(source_dir), Path(out_dir)
    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
        raise ValueError(f"jobs must be an integer >= 1 (got {jobs!r})")

    def grade(path: Path) -> tuple[list[Result], float | None]:
        student, name = path.parent.name, path.stem
        source = source_dir / path.name
        if not source.exists():
            return [Result(student, name, "-", "-", 0.0, 0.0, "no such notebook in the book")], None
        start = time.perf_counter()
        rows = grade_notebook(
            path, source, student=student, time_limit=time_limit, cell_timeout=cell_timeout,
            parameters=(parameters or {}).get(name),
        )  # fmt: skip
        return rows, time.perf_counter() - start

    paths = sorted(submissions.glob("*/*.ipynb"))
    # Threads only wait: each submission runs in its own child process (grade_notebook).
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        graded = list(pool.map(grade, paths))
    rows = [row for found, _ in graded for row in found]
    timings = {
        (path.parent.name, path.stem): seconds
        for path, (_, seconds) in zip(paths, graded, strict=True)
        if seconds is not None
    }
    out_dir.mkdir(parents=True, exist_ok=True)
    _write_csv(rows, out_dir / "gradebook.csv")
    (out_dir / "gradebook.md").write_text(_summary(rows, timings))
    return rows


def _reason(error: Mapping[str, Any], earlier: list[nbformat.NotebookNode]) -> str:
    ename, evalue = error.get("ename", "Error"), error.get("evalue", "")
    reason = f"{ename}: {evalue}".strip().rstrip(":")
    if ename == "AssertionError" and not evalue and earlier:
        # `assert check_x(...)` failed: the check cell just above says why, in words.
        said = "".join(out.get("data", {}).get("text/plain", "") for out in earlier[-1].outputs)
        reason = said.strip().splitlines()[0] if said.strip() else reason
    if ename == "KeyboardInterrupt":
        reason = "a cell ran past the per-cell time limit and was interrupted"
    return reason[:300]


def _last_line(log: Path) -> str:
    lines = [line for line in log.read_text(errors="replace").splitlines() if line.strip()]
    return "the grading run stopped: " + (lines[-1][:300] if lines else "no message")


def _kill_tree(pid: int) -> None:
    try:
        parent = psutil.Process(pid)
    except psutil.NoSuchProcess:
        return
    for process in [*parent.children(recursive=True), parent]:
        try:
            process.kill()
        except psutil.NoSuchProcess:
            pass


def _write_csv(rows: list[Result], path: Path) -> None:
    with path.open("w", newline="") as file:
        writer = csv.DictWriter(file, fieldnames=list(Result.__dataclass_fields__))
        writer.writeheader()
        writer.writerows(asdict(row) for row in rows)


def _summary(rows: list[Result], timings: Mapping[tuple[str, str], float]) -> str:
    lines = [
        "# Gradebook",
        "",
        "| student | notebook | points | of | time |",
        "|---|---|---|---|---|",
    ]
    for student, name in sorted({(r.student, r.notebook) for r in rows}):
        mine = [r for r in rows if (r.student, r.notebook) == (student, name)]
        seconds = timings.get((student, name))
        took = f"{seconds:.0f} s" if seconds is not None else "-"
        points, total = sum(r.points for r in mine), sum(r.max_points for r in mine)
        lines.append(f"| {student} | {name} | {points:g} | {total:g} | {took} |")
    lines += ["", "## Exercises", ""]
    for student, name in sorted({(r.student, r.notebook) for r in rows}):
        lines.append(f"### {student}: {name}")
        lines += [
            f"- {r.title or r.grade_id}: {r.points:g}/{r.max_points:g} ({r.reason})"
            for r in rows
            if (r.student, r.notebook) == (student, name)
        ]
        lines.append("")
    return "\n".join(lines)
