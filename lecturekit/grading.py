"""Grade submitted chapter notebooks: each in its own sandboxed kernel, judged from outside.

Submissions are laid out one folder per student, each notebook named as in the book::

    submissions/ada/01_perceptron.ipynb
    submissions/alan/01_perceptron.ipynb

``grade_folder("submissions", source_dir="chapters", out_dir="_build/grades")`` writes
``gradebook.csv`` (one row per student, notebook and exercise), ``gradebook.md`` (a readable
summary) and ``feedback/<student>/<notebook>.md`` (what each student may read), and returns
the rows.

What runs is the book's own notebook with the student's ``solution`` cells put in (matched
by their nbgrader ``grade_id``); every other cell, the ``graded`` cells and their hidden
tests included, comes from the source, so a submission cannot change how it is graded.

Where the verdict is made: each ``assert check_...(answer)`` of a graded cell is sent to the
kernel as a call that *probes* the answer (``lecturekit.answers``) and sends what it found
out as data. The check's *judge* then runs here, in the grader's process, on that data
alone: nothing the submission did inside its kernel (rebinding a check, patching a module,
printing "Correct!") can change it. An exercise scores its points when every check of its
graded cell is judged correct here and its hidden tests, which run in the kernel, raise no
error; a hidden test can take points away, never give them.

Where the code runs: each submission's kernel runs in a bubblewrap sandbox
(``lecturekit.sandbox``): no network, its own PID namespace, a working folder of its own,
memory and process limits, and none of the book's sources, hidden tests, other submissions
or instructor's files in sight. nbclient stays in the grader and keeps the results in
memory. The grader enforces a time limit per cell and per notebook from outside and, when
a notebook ends, kills everything that is left in its sandbox. Where bubblewrap cannot run,
grading refuses unless ``unsafe_no_sandbox=True`` (``--unsafe-no-sandbox``), and the
gradebook says so. Every kernel runs under the book's pinned numeric environment
(``lecturekit.numerics``), as the book's outputs were made.
"""

from __future__ import annotations

import ast
import csv
import importlib
import json
import re
import subprocess
import tempfile
import threading
import time
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, TextIO

import nbformat
import psutil
import zmq
import zmq.asyncio
from nbclient import NotebookClient

from lecturekit.answers import MIME
from lecturekit.sandbox import DEFAULT_LIMITS, Limits, Sandbox
from lecturekit.sandbox import available as sandbox_available
from lecturekit.sandbox import describe as describe_sandbox
from lecturekit.student import remove_solution

__all__ = [
    "Exercise",
    "Result",
    "SandboxUnavailable",
    "assemble",
    "exercises",
    "feedback_reason",
    "grade_folder",
    "grade_notebook",
    "inject_parameters",
    "plan_graded_cells",
    "run_graded",
    "write_feedback",
]

MAX_OUTPUT_CHARS = 100_000  # per cell; the rest of a flood is dropped, not stored
MAX_EXPORT_CHARS = 64_000_000  # answers exported by the graded cells of one notebook
# Any one message from the kernel: a larger one is dropped by zmq before it is read, so that
# a flood cannot swell in the grader's memory while it is parsed.
MAX_MESSAGE_BYTES = 32_000_000
HIDDEN_TEST_FAILED = "a hidden test failed"
UNSAFE = "NOT sandboxed (--unsafe-no-sandbox): students' code ran with the grader's rights"
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


class SandboxUnavailable(RuntimeError):
    """bubblewrap cannot run here, and the instructor did not accept grading without it."""


@dataclass(frozen=True)
class _CheckCall:
    """One ``assert check_...(...)`` of a graded cell: which check judges which answers."""

    index: int
    module: str
    name: str


def plan_graded_cells(source: nbformat.NotebookNode) -> dict[str, list[_CheckCall]]:
    """For every graded cell, the checks that its ``assert check_...(...)`` lines call.

    A check's module is the one that a check cell imports it from. A graded cell that calls
    no check cannot be judged outside the kernel, so it is refused.
    """
    modules = {}
    for cell in source.cells:
        if cell.cell_type != "code" or cell.metadata.get("nbgrader", {}).get("solution"):
            continue
        for node in ast.walk(_parse(cell.source) or ast.Module(body=[], type_ignores=[])):
            if isinstance(node, ast.ImportFrom) and node.module:
                for alias in node.names:
                    modules[alias.asname or alias.name] = (node.module, alias.name)
    plan = {}
    for cell in source.cells:
        nbgrader = cell.metadata.get("nbgrader", {})
        if cell.cell_type != "code" or not nbgrader.get("grade"):
            continue
        calls = []
        for statement in _check_asserts(cell.source):
            name = statement.test.func.id
            if name not in modules:
                raise ValueError(f"graded cell {nbgrader['grade_id']}: no cell imports {name}")
            calls.append(_CheckCall(len(calls), *modules[name]))
        if not calls:
            raise ValueError(
                f"graded cell {nbgrader['grade_id']} calls no check (assert check_...(...)): "
                "nothing could judge it outside the kernel"
            )
        plan[nbgrader["grade_id"]] = calls
    return plan


# CPython 3.11's parser is not safe to call from two threads at once ("AST constructor
# recursion depth mismatch"), and --jobs grades in threads.
_PARSING = threading.Lock()


def _parse(source: str) -> ast.Module | None:
    lines = [line for line in source.splitlines() if not line.lstrip().startswith(("%", "!"))]
    try:
        with _PARSING:
            return ast.parse("\n".join(lines))
    except SyntaxError:
        return None


def _check_asserts(source: str) -> list[ast.Assert]:
    tree = _parse(source)
    return [
        node
        for node in (tree.body if tree else [])
        if isinstance(node, ast.Assert)
        and isinstance(node.test, ast.Call)
        and isinstance(node.test.func, ast.Name)
        and node.test.func.id.startswith("check_")
        and not node.test.keywords
    ]


def _exporting(source: str, grade_id: str, calls: list[_CheckCall]) -> str:
    """``source`` with each ``assert check_...(...)`` turned into a call that exports data."""
    lines = source.splitlines()
    for statement, call in reversed(list(zip(_check_asserts(source), calls, strict=True))):
        arguments = ", ".join(ast.get_source_segment(source, a) for a in statement.test.args)
        export = (
            f"__import__('lecturekit.answers').answers.export("
            f"{grade_id!r}, {call.index}, {call.module!r}, {call.name!r}, {arguments})"
        )
        indent = lines[statement.lineno - 1][: statement.col_offset]
        lines[statement.lineno - 1 : statement.end_lineno] = [indent + export]
    return "\n".join(lines)


class _CappedClient(NotebookClient):
    """An nbclient that stores at most ``MAX_OUTPUT_CHARS`` of output per cell.

    The answers that graded cells export are kept apart (up to ``MAX_EXPORT_CHARS`` in all);
    an export from any other cell is dropped.
    """

    graded_cells: frozenset[int] = frozenset()
    exported = 0

    async def async_execute_cell(self, cell, cell_index, execution_count=None, store_history=True):  # noqa: ANN001, ANN201
        # A graded cell leaves no trace in the kernel's history (In, _ih): a later solution
        # cell cannot read its hidden tests back from there.
        if cell_index in self.graded_cells:
            store_history = False
        return await super().async_execute_cell(cell, cell_index, execution_count, store_history)

    def output(self, outs, msg, display_id, cell_index):  # noqa: ANN001, ANN201
        if MIME in msg.get("content", {}).get("data", {}):
            size = len(json.dumps(msg["content"]["data"][MIME]))
            if cell_index not in self.graded_cells or self.exported + size > MAX_EXPORT_CHARS:
                return None
            self.exported += size
            return super().output(outs, msg, display_id, cell_index)
        stored = sum(
            len(str(out.get("text", out.get("data", ""))))
            for out in outs
            if MIME not in out.get("data", {})
        )
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
    scratch: str | Path,
    cell_timeout: int,
    time_limit: float,
    parameters: Mapping[str, Any] | None = None,
    limits: Limits = DEFAULT_LIMITS,
    isolate: bool = True,
) -> list[Result]:
    """Run an assembled notebook in a new sandboxed kernel; judge each graded cell here.

    ``scratch`` is an empty folder of the grader's; the kernel sees only its ``work`` and
    ``sockets`` subfolders. Exercises that did not run score zero, with the reason.
    """
    plan = plan_graded_cells(notebook)
    if parameters:
        notebook = inject_parameters(notebook, parameters)
    notebook = nbformat.from_dict(notebook)
    graded_cells = set()
    for index, cell in enumerate(notebook.cells):
        nbgrader = cell.metadata.get("nbgrader", {})
        if cell.cell_type == "code" and nbgrader.get("grade"):
            cell.source = _exporting(cell.source, nbgrader["grade_id"], plan[nbgrader["grade_id"]])
            graded_cells.add(index)
    todo = {exercise.grade_id: exercise for exercise in exercises(notebook)}
    checks = {
        (grade_id, call.index): getattr(importlib.import_module(call.module), call.name)
        for grade_id, calls in plan.items()
        for call in calls
    }
    results: list[Result] = []
    solution_failed = ""  # why the latest solution cell failed, if it did

    def score(cell, cell_index, execute_reply):  # noqa: ANN001
        nonlocal solution_failed
        nbgrader = cell.metadata.get("nbgrader", {})
        reply = (execute_reply or {}).get("content", {})
        error = reply if reply.get("status") == "error" else None
        if nbgrader.get("solution"):
            solution_failed = _reason(error) if error else ""
        if error is not None and not nbgrader and "check" not in cell.metadata.get("tags", []):
            # Not an exercise, so worth nothing, but the instructor should see it.
            where = f"cell {cell_index}, outside the exercises"
            results.append(Result(student, name, "-", where, 0.0, 0.0, _reason(error)))
        if not nbgrader.get("grade") or nbgrader.get("grade_id") not in todo:
            return
        exercise = todo[nbgrader["grade_id"]]
        verdict = _judge(cell, exercise.grade_id, plan[exercise.grade_id], checks)
        if solution_failed:
            points, reason = 0.0, f"the solution cell failed: {solution_failed}"
        elif verdict:
            points, reason = 0.0, verdict
        elif error is not None:
            points, reason = 0.0, f"{HIDDEN_TEST_FAILED}: {_reason(error)}"
        else:
            points, reason = exercise.max_points, "passed"
        solution_failed = ""
        results.append(
            Result(student, name, exercise.grade_id, exercise.title, points, exercise.max_points,
                   reason)
        )  # fmt: skip

    sandbox = Sandbox(Path(scratch), limits, isolate=isolate)
    context = zmq.asyncio.Context()
    context.setsockopt(zmq.MAXMSGSIZE, MAX_MESSAGE_BYTES)  # for every socket made from it
    client = _CappedClient(
        notebook,
        km=sandbox.kernel_manager(context),
        timeout=cell_timeout,
        interrupt_on_timeout=True,
        allow_errors=True,
        resources={"metadata": {"path": str(sandbox.work)}},
        on_cell_executed=score,
    )
    client.graded_cells = frozenset(graded_cells)
    stopped = ""
    timer = threading.Timer(time_limit, _stop, args=(client, sandbox))
    timer.start()
    try:
        # The kernel's own stdout and stderr go nowhere: what a cell prints comes over its
        # connection, capped; a submission writing to its file descriptors floods nothing.
        client.execute(stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    except Exception as error:  # the kernel died or was stopped: what ran has been scored
        stopped = f"{type(error).__name__}: {str(error).strip().splitlines()[0][:200]}"
        if not timer.is_alive():
            stopped = f"the time limit of {time_limit:g} s ran out before this exercise ran"
    finally:
        timer.cancel()
        _stop(client, sandbox)
        context.destroy(linger=0)
    done = {row.grade_id: row for row in results if row.grade_id != "-"}
    missing = (
        f"the notebook stopped before this exercise ran ({stopped})"
        if stopped and "time limit" not in stopped
        else stopped or "this exercise's graded cell did not run"
    )
    graded = [
        done.get(e.grade_id) or Result(student, name, e.grade_id, e.title, 0.0, e.max_points,
                                       missing)
        for e in todo.values()
    ]  # fmt: skip
    return graded + [row for row in results if row.grade_id == "-"]


def _judge(
    cell: nbformat.NotebookNode,
    grade_id: str,
    calls: list[_CheckCall],
    checks: Mapping[tuple[str, int], Any],
) -> str:
    """Why the exported answers of a graded cell are not all correct ("" if they are)."""
    sent: dict[int, list[Any]] = {}
    for out in cell.get("outputs", []):
        data = out.get("data", {}).get(MIME)
        if isinstance(data, dict) and data.get("grade_id") == grade_id:
            sent.setdefault(data.get("index"), []).append(data.get("payload"))
    for call in calls:
        payloads = sent.get(call.index, [])
        if len(payloads) != 1:
            return (
                "no answer reached the grader from this exercise's graded cell"
                if not payloads
                else "more than one answer was sent for this exercise, so none counts"
            )
        try:
            feedback = checks[grade_id, call.index].judge(payloads[0])
        except Exception as error:  # a malformed record is a wrong answer, never a crash
            return f"the grader could not read the answer ({type(error).__name__})"
        if not feedback.correct:
            return repr(feedback)[:300]
    return ""


def _stop(client: NotebookClient, sandbox: Sandbox) -> None:
    """Kill the kernel's sandbox (bubblewrap's PID namespace takes everything inside)."""
    manager = client.km
    process = getattr(getattr(manager, "provisioner", None), "process", None)
    if process is not None:
        _kill_tree(process.pid)
    sandbox.close()


def grade_notebook(
    submission: str | Path,
    source: str | Path,
    *,
    student: str,
    time_limit: float,
    cell_timeout: int,
    parameters: Mapping[str, Any] | None = None,
    limits: Limits = DEFAULT_LIMITS,
    isolate: bool = True,
) -> list[Result]:
    """Grade one submitted notebook in a sandboxed kernel, within ``time_limit`` seconds.

    Exercises that did not run (time limit, crash, unreadable notebook) score zero with the
    reason.
    """
    source_notebook = nbformat.read(Path(source), as_version=4)
    name = Path(source).stem
    try:
        submitted = nbformat.read(Path(submission), as_version=4)
    except Exception as error:  # not a notebook: every exercise scores zero
        why = f"the submission could not be read as a notebook ({type(error).__name__})"
        return [
            Result(student, name, e.grade_id, e.title, 0.0, e.max_points, why)
            for e in exercises(source_notebook)
        ]
    with tempfile.TemporaryDirectory(prefix=f"grade-{name}-") as scratch:
        return run_graded(
            assemble(source_notebook, submitted),
            student=student, name=name, scratch=scratch, cell_timeout=cell_timeout,
            time_limit=time_limit, parameters=parameters, limits=limits, isolate=isolate,
        )  # fmt: skip


def grade_folder(
    submissions: str | Path,
    *,
    source_dir: str | Path,
    out_dir: str | Path,
    time_limit: float = 900,
    cell_timeout: int = 300,
    parameters: Mapping[str, Mapping[str, Any]] | None = None,
    jobs: int = 1,
    limits: Limits = DEFAULT_LIMITS,
    unsafe_no_sandbox: bool = False,
    progress: TextIO | None = None,
) -> list[Result]:
    """Grade ``submissions/<student>/<notebook>.ipynb`` against ``source_dir/<notebook>.ipynb``.

    ``parameters`` maps a notebook name to papermill parameters for it (smaller sizes grade
    faster). ``jobs`` submissions are graded at a time, each in its own sandbox; with
    ``progress`` (a text stream), a line per finished submission says how far it has got and
    about how long is left. Writes ``gradebook.csv``, ``gradebook.md`` and the feedback files
    to ``out_dir``. Refuses (``SandboxUnavailable``) where bubblewrap cannot run, unless
    ``unsafe_no_sandbox``.
    """
    submissions, source_dir, out_dir = Path(submissions), Path(source_dir), Path(out_dir)
    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
        raise ValueError(f"jobs must be an integer >= 1 (got {jobs!r})")
    ok, why = sandbox_available()
    if not ok and not unsafe_no_sandbox:
        raise SandboxUnavailable(
            f"cannot sandbox the submissions' kernels: {why}. Install bubblewrap, or pass "
            "--unsafe-no-sandbox to run students' code with your own rights (recorded in "
            "the gradebook)."
        )
    isolate = ok and not unsafe_no_sandbox
    confinement = describe_sandbox(limits) if isolate else UNSAFE
    paths = sorted(submissions.glob("*/*.ipynb"))
    for path in {source_dir / p.name for p in paths if (source_dir / p.name).exists()}:
        plan_graded_cells(nbformat.read(path, as_version=4))  # refuse a bad book before any run
    start, finished, lock = time.perf_counter(), [0], threading.Lock()

    def grade(path: Path) -> tuple[list[Result], float | None]:
        student, name = path.parent.name, path.stem
        source = source_dir / path.name
        if not source.exists():
            return [Result(student, name, "-", "-", 0.0, 0.0, "no such notebook in the book")], None
        began = time.perf_counter()
        rows = grade_notebook(
            path, source, student=student, time_limit=time_limit, cell_timeout=cell_timeout,
            parameters=(parameters or {}).get(name), limits=limits, isolate=isolate,
        )  # fmt: skip
        seconds = time.perf_counter() - began
        if progress is not None:
            with lock:
                finished[0] += 1
                _report(progress, finished[0], len(paths), start, jobs, student, name, rows)
        return rows, seconds

    # Threads only wait: each submission's code runs in its own sandboxed kernel.
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
    (out_dir / "gradebook.md").write_text(_summary(rows, timings, confinement))
    write_feedback(rows, out_dir / "feedback")
    return rows


def _report(
    stream: TextIO, done: int, total: int, start: float, jobs: int, student: str, name: str,
    rows: list[Result],
) -> None:  # fmt: skip
    elapsed = time.perf_counter() - start
    left = elapsed / done * (total - done)
    points = sum(r.points for r in rows)
    earned = f"{points:g}/{sum(r.max_points for r in rows):g}"
    bar = "#" * round(20 * done / total)
    stream.write(
        f"[{bar:<20}] {done}/{total} graded ({student}/{name}: {earned}); "
        f"{elapsed:.0f} s so far, about {left:.0f} s left\n"
    )
    stream.flush()


def write_feedback(rows: list[Result], folder: Path) -> list[Path]:
    """One Markdown file per student and notebook: which exercises passed, and why not.

    A hidden test that failed is named as such, never shown.
    """
    written = []
    for student, name in sorted({(r.student, r.notebook) for r in rows}):
        mine = [r for r in rows if (r.student, r.notebook) == (student, name)]
        points, total = sum(r.points for r in mine), sum(r.max_points for r in mine)
        lines = [f"# {name}: {points:g} of {total:g} points", ""]
        for row in mine:
            if row.grade_id == "-":
                reason = _inline(feedback_reason(row.reason))
                lines.append(f"- Outside the exercises ({row.title}): {reason}")
                continue
            verdict = (
                "passed" if row.points == row.max_points else _inline(feedback_reason(row.reason))
            )
            lines.append(f"- {row.title or row.grade_id}: {row.points:g}/{row.max_points:g}, "
                         f"{verdict}")  # fmt: skip
        path = folder / _safe(student) / f"{_safe(name)}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(lines) + "\n")
        written.append(path)
    return written


def feedback_reason(reason: str) -> str:
    """What a student may read of a reason: a failed hidden test is named, never shown."""
    return HIDDEN_TEST_FAILED if reason.startswith(HIDDEN_TEST_FAILED) else reason


def _inline(text: str) -> str:
    """A reason on one Markdown line: what a submission's error says can add no rows."""
    return " ".join(text.split()).replace("|", "\\|")


def _safe(name: str) -> str:
    return re.sub(r"[^\w.-]", "_", name)[:100] or "_"


def _reason(error: Mapping[str, Any]) -> str:
    ename, evalue = error.get("ename", "Error"), error.get("evalue", "")
    reason = f"{ename}: {evalue}".strip().rstrip(":")
    if ename == "KeyboardInterrupt":
        reason = "a cell ran past the per-cell time limit and was interrupted"
    return reason[:300]


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


def _summary(rows: list[Result], timings: Mapping[tuple[str, str], float], confinement: str) -> str:
    lines = [
        "# Gradebook",
        "",
        f"Kernels: {confinement}.",
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
            f"- {r.title or r.grade_id}: {r.points:g}/{r.max_points:g} ({_inline(r.reason)})"
            for r in rows
            if (r.student, r.notebook) == (student, name)
        ]
        lines.append("")
    return "\n".join(lines)
