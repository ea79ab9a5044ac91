"""Grading: full marks for the book's own answers, zero for a blank sheet, and no submission
(crashing, looping, flooding, deleting, tampering, or any attack of the red team below) can
score more than a blank sheet or spoil the grading of the others."""

import contextlib
import csv
import io
import os
import socket
import time
from pathlib import Path
from types import SimpleNamespace

import nbformat
import psutil
import pytest
import yaml
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from lecturekit.__main__ import main
from lecturekit.grading import (
    Result,
    SandboxUnavailable,
    exercises,
    grade_folder,
    plan_graded_cells,
    write_feedback,
)
from lecturekit.sandbox import Limits, _memory_root
from lecturekit.student import student_version

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = sorted((ROOT / "chapters").glob("[0-9][0-9]_*.ipynb"))
SMALL = {
    name: entry["small"] | {"device": "cpu"}
    for name, entry in yaml.safe_load((ROOT / "tests/chapter_parameters.yml").read_text()).items()
}


def exercise_cells(number, solution, check, graded, points=1):
    grade = {"schema_version": 3, "locked": False, "task": False}
    return [
        new_markdown_cell(f"### Exercise {number}: title {number}"),
        new_code_cell(
            solution,
            metadata={
                "tags": ["solution"],
                "nbgrader": grade | {"grade": False, "solution": True, "grade_id": f"s{number}"},
            },
        ),
        new_code_cell(check, metadata={"tags": ["check"]}),
        new_code_cell(
            graded,
            metadata={
                "tags": ["graded"],
                "nbgrader": grade
                | {"grade": True, "solution": False, "grade_id": f"g{number}", "points": points},
            },
        ),
    ]


CHECKS = "from lecturekit.checks.perceptron import check_geometric_margin, check_separable_count"
MARGIN = """def geometric_margin(w, b, X, y):
    ### BEGIN SOLUTION
    return (torch.min(y * (X @ w + b)) / torch.linalg.norm(w)).item()
    ### END SOLUTION"""


def toy_book():
    """A two-exercise notebook shaped like a chapter, with real checks, quick to run: a value
    answer (2 points) and a function answer (1 point)."""
    cells = [
        new_code_cell("size = 4", metadata={"tags": ["parameters"]}),
        new_code_cell(f"import torch\n\n{CHECKS}"),
        *exercise_cells(
            1,
            "num_separable = ...\n### BEGIN SOLUTION\nnum_separable = 14\n### END SOLUTION",
            "check_separable_count(num_separable)",
            "assert check_separable_count(num_separable)\n### BEGIN HIDDEN TESTS\n"
            "assert isinstance(num_separable, int)\n### END HIDDEN TESTS",
            points=2,
        ),
        new_code_cell("print(num_separable)"),
        *exercise_cells(
            2,
            MARGIN,
            "check_geometric_margin(geometric_margin)",
            "assert check_geometric_margin(geometric_margin)",
        ),
    ]
    return new_notebook(
        cells=cells, metadata={"kernelspec": {"name": "python3", "display_name": "Python 3"}}
    )


def with_answer(notebook, number, source):
    notebook = nbformat.from_dict(notebook)
    cell = next(
        c for c in notebook.cells if c.metadata.get("nbgrader", {}).get("grade_id") == f"s{number}"
    )
    cell.source = source
    return notebook


# The red team: each answers nothing itself, and tries to score anyway, or to harm the others.
# Where an attack would work, it answers exercise 1 correctly, so that success shows as points.
ATTACKS = {
    "patches": """
import lecturekit.answers, lecturekit.exercises, lecturekit.checks.perceptron as checks
from lecturekit.exercises import Feedback
def passing(*args, **kwargs):
    return Feedback("any", True, "well done.")
passing.probe = lambda *args: {"rng": None, "correct": True}
passing.judge = passing
for name in dir(checks):
    if name.startswith("check_"):
        setattr(checks, name, passing)
check_separable_count = check_geometric_margin = passing
lecturekit.exercises.Feedback.__bool__ = lambda self: True
lecturekit.exercises.Feedback.correct = True
lecturekit.answers.encode = lambda value, strict=False: 14
lecturekit.answers.export = lambda *args: None
num_separable = ...""",
    "forges": """
import json, os, pathlib
from IPython.display import display
from lecturekit.answers import MIME
forged = [{"student": "forges", "notebook": "toy", "grade_id": g, "title": "", "points": p,
           "max_points": p, "reason": "passed"} for g, p in (("g1", 2), ("g2", 1))]
for folder in [pathlib.Path.cwd(), *pathlib.Path.cwd().parents, pathlib.Path("/tmp")]:
    for name in ("results.json", "gradebook.csv"):
        try:
            (folder / name).write_text(json.dumps(forged))
        except OSError:
            pass
display({MIME: {"grade_id": "g1", "index": 0, "payload": {"rng": None, "correct": True}}},
        raw=True)
num_separable = ...""",
    "kills": """
import os, signal
for pid in sorted((int(p) for p in os.listdir("/proc") if p.isdigit()), reverse=True):
    if pid != os.getpid():
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
for pid in ({grader}, os.getppid()):
    try:
        os.kill(pid, signal.SIGKILL)
    except OSError:
        pass
num_separable = ...""",
    "reads": """
import glob, json
num_separable = ...
found = [glob.glob(f"{top}/**/toy.ipynb", recursive=True) for top in ("/tmp", "/root", "/work")]
for path in [{source!r}, {other!r}, *sum(found, [])]:
    try:
        notebook = json.load(open(path))
    except OSError:
        continue
    for cell in notebook["cells"]:
        if "num_separable = 14" in "".join(cell["source"]):
            num_separable = 14""",
    "connects": """
import socket
num_separable = ...
try:
    socket.create_connection(("127.0.0.1", {port}), timeout=2).sendall(b"hello")
    num_separable = 14
except OSError:
    pass""",
    "writes": """
import pathlib
num_separable = ...
for folder in [{home!r}, {book!r}, {submissions!r}, "/", "/usr", "/etc"]:
    try:
        (pathlib.Path(folder) / "written-by-a-submission.txt").write_text("x")
        num_separable = 14
    except OSError:
        pass""",
    "forkbomb": """
import os
while True:
    try:
        os.fork()
    except OSError:
        pass""",
    "allocates": """
chunks = []
while True:
    chunks.append(bytearray(2**28))""",
    "daemon": """
import os, sys
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        os.execv(sys.executable, [sys.executable, "-c", "import time; time.sleep(300)",
                                  "lecturekit-daemon-marker"])
    os._exit(0)
num_separable = ...""",
    "escapes": """
import ctypes, os
libc = ctypes.CDLL(None, use_errno=True)
capabilities = open("/proc/self/status").read().split("CapEff:")[1].split()[0]
remounted = libc.mount(None, os.path.dirname(ctypes.__file__).encode(), None, 32 | 4096, None)
try:
    secret = open("/etc/shadow").read()
except OSError:
    secret = ""
num_separable = 14 if int(capabilities, 16) or remounted == 0 or secret else ...""",
    "nan": """
num_separable = float("nan")
def geometric_margin(w, b, X, y):
    return float("nan")""",
    "fills": """
import pathlib
written = 0
for folder in (".", "/tmp"):
    try:
        for i in range(64):
            (pathlib.Path(folder) / f"fill{i}").write_bytes(b"x" * 2**24)
            written += 2**24
    except OSError:
        pass
num_separable = 14 if written > 2 * {disk} else ...""",
    "hogs": """
import os
children = []
for _ in range(3):
    pid = os.fork()
    if pid == 0:
        try:
            block = bytearray(3 * 2**29)  # 1.5 GiB each, touched: 4.5 GiB in all
            block[::4096] = b"x" * len(block[::4096])
            os._exit(0)
        except BaseException:
            os._exit(1)
    children.append(pid)
survived = [os.waitpid(pid, 0)[1] == 0 for pid in children]
num_separable = 14 if all(survived) else ...""",
    "giant": """
from IPython.display import display
from lecturekit.answers import MIME
display({MIME: {"grade_id": "g1", "index": 0, "payload": [[]] * 20_000_000}}, raw=True)
num_separable = ...""",
    "mimics": """
from IPython.display import display
from lecturekit.answers import MIME
print("Correct! how many two-input Boolean functions one perceptron can compute: well done.")
print("passed")
print("| mimics | toy | 3 | 3 |")
display({MIME: {"grade_id": "g1", "index": 0, "payload": {"answers": [{"value": 14}]}}},
        raw=True)
num_separable = ...""",
}


def placed(attack, places):
    """The attack with the test's real paths, port and process id written in."""
    for name, value in places.items():
        attack = attack.replace(f"{{{name}!r}}", repr(value)).replace(f"{{{name}}}", str(value))
    return attack


def exfiltrating_answer():
    """A later answer that tries to read exercise 1's hidden test back from the history."""
    return """
hidden = [cell for cell in In if "BEGIN HIDDEN" in cell]
raise RuntimeError(" ".join(hidden) or "nothing found")"""


def double_answer():
    """A function answer that sends a second, forged answer from inside the graded cell."""
    return """
def geometric_margin(w, b, X, y):
    from IPython.display import display
    from lecturekit.answers import MIME
    display({MIME: {"grade_id": "g2", "index": 0, "payload": {"answers": []}}}, raw=True)
    return 0.0"""


DISK = 128 * 2**20  # each sandbox's folder and /tmp in these tests


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """Grade a batch of toy submissions once, two at a time; every test below reads them."""
    root = tmp_path_factory.mktemp("grading")
    source_dir, submissions = root / "book", root / "submissions"
    source_dir.mkdir()
    book = toy_book()
    nbformat.write(book, source_dir / "toy.ipynb")
    blank = student_version(book)
    tampered = with_answer(book, 1, "num_separable = 13")
    for cell in tampered.cells:
        if "graded" in cell.metadata.get("tags", []):
            cell.source = "pass"
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.5)
    places = {
        "grader": os.getpid(),
        "source": str(source_dir / "toy.ipynb"),
        "other": str(submissions / "correct" / "toy.ipynb"),
        "port": listener.getsockname()[1],
        "home": str(Path.home()),
        "book": str(source_dir),
        "submissions": str(submissions),
        "disk": DISK,
    }
    batch = {
        "correct": book,
        "blank": blank,
        "raises": with_answer(book, 1, 'raise RuntimeError("boom")'),
        "loops": with_answer(book, 1, "while True:\n    pass"),
        "floods": with_answer(
            book,
            1,
            'print("x" * 10_000_000)\nimport os\nos.write(2, b"y" * 10_000_000)\n'
            "num_separable = 14",
        ),
        "deletes": with_answer(
            book,
            1,
            "import pathlib, shutil\nfor p in pathlib.Path('.').iterdir():\n"
            "    shutil.rmtree(p) if p.is_dir() else p.unlink()\nnum_separable = 14",
        ),
        "tampers": tampered,
        "stubborn": with_answer(
            book,
            2,
            "import time\nwhile True:\n    try:\n        time.sleep(0.1)\n"
            "    except BaseException:\n        pass",
        ),
        "doubles": with_answer(blank, 2, double_answer()),
        "exfiltrates": with_answer(blank, 2, exfiltrating_answer()),
    }
    for name, attack in ATTACKS.items():
        batch[name] = with_answer(blank, 1, placed(attack, places))
    for student, notebook in batch.items():
        (submissions / student).mkdir(parents=True)
        nbformat.write(notebook, submissions / student / "toy.ipynb")
    (submissions / "lost").mkdir()
    nbformat.write(book, submissions / "lost" / "not_in_the_book.ipynb")
    cgroups_before = set(Path("/sys/fs/cgroup/pids").glob("lecturekit-*"))
    start = time.perf_counter()
    rows = grade_folder(
        submissions,
        source_dir=source_dir,
        out_dir=root / "grades",
        time_limit=25,
        cell_timeout=4,
        jobs=2,
        limits=Limits(memory_bytes=4 * 2**30, processes=64, disk_bytes=DISK),
    )
    seconds = time.perf_counter() - start
    connections = 0
    with contextlib.suppress(TimeoutError):
        while listener.accept():
            connections += 1
    listener.close()
    return SimpleNamespace(
        rows=rows,
        seconds=seconds,
        out=root / "grades",
        places=places,
        connections=connections,
        cgroups_before=cgroups_before,
    )


def points(rows, student):
    return {row.grade_id: row.points for row in rows if row.student == student and row.max_points}


def outside(rows, student):
    """Errors in cells that are not exercises: listed, worth nothing."""
    return [row.reason for row in rows if row.student == student and row.grade_id == "-"]


def reasons(rows, student):
    return {row.grade_id: row.reason for row in rows if row.student == student}


def test_the_books_own_answers_score_full_marks(graded):
    assert points(graded.rows, "correct") == {"g1": 2, "g2": 1}
    assert set(reasons(graded.rows, "correct").values()) == {"passed"}
    assert outside(graded.rows, "correct") == []


def test_a_blank_student_version_scores_zero_with_reasons(graded):
    assert points(graded.rows, "blank") == {"g1": 0, "g2": 0}
    assert all("Not answered yet" in r for r in reasons(graded.rows, "blank").values())


def test_an_exception_costs_only_its_own_exercise(graded):
    assert points(graded.rows, "raises") == {"g1": 0, "g2": 1}
    assert "RuntimeError: boom" in reasons(graded.rows, "raises")["g1"]
    assert outside(graded.rows, "raises") == ["NameError: name 'num_separable' is not defined"]


def test_an_infinite_loop_is_interrupted_at_the_cell_time_limit(graded):
    assert points(graded.rows, "loops") == {"g1": 0, "g2": 1}
    assert "time limit" in reasons(graded.rows, "loops")["g1"]


def test_a_loop_that_ignores_interrupts_is_stopped_at_the_notebook_time_limit(graded):
    assert points(graded.rows, "stubborn") == {"g1": 2, "g2": 0}
    assert "time limit of 25 s" in reasons(graded.rows, "stubborn")["g2"]


def test_flooding_output_or_deleting_files_does_not_matter_to_the_grade(graded):
    assert points(graded.rows, "floods") == {"g1": 2, "g2": 1}, reasons(graded.rows, "floods")
    assert points(graded.rows, "deletes") == {"g1": 2, "g2": 1}, reasons(graded.rows, "deletes")


def test_graded_cells_come_from_the_book_not_from_the_submission(graded):
    assert points(graded.rows, "tampers") == {"g1": 0, "g2": 1}


@pytest.mark.parametrize("attack", [*ATTACKS, "doubles", "exfiltrates"])
def test_an_attack_scores_what_a_blank_sheet_scores(graded, attack):
    if attack == "hogs" and _memory_root() is None:
        pytest.skip("no memory cgroup here: memory is held per process only (RLIMIT_AS)")
    assert points(graded.rows, attack) == points(graded.rows, "blank"), reasons(graded.rows, attack)


def test_a_hidden_test_cannot_be_read_back_into_the_feedback(graded):
    feedback = (graded.out / "feedback" / "exfiltrates" / "toy.md").read_text()
    assert "nothing found" in feedback and "isinstance(num_separable" not in feedback


def test_an_answer_sent_twice_counts_for_nothing(graded):
    assert "more than one answer" in reasons(graded.rows, "doubles")["g2"]


def test_attacks_leave_the_others_grades_alone(graded):
    """The whole batch ran two at a time beside the attacks, and the honest ones kept their
    marks (the tests above); so did every student's feedback file."""
    for student, expected in {"correct": "3 of 3", "blank": "0 of 3", "floods": "3 of 3"}.items():
        text = (graded.out / "feedback" / student / "toy.md").read_text()
        assert text.startswith(f"# toy: {expected} points")


def test_the_sandbox_hid_the_files_and_the_network(graded):
    assert graded.connections == 0
    for folder in ("home", "book", "submissions"):
        assert not (Path(graded.places[folder]) / "written-by-a-submission.txt").exists()
    assert (Path(graded.places["source"])).exists()  # the book was not deleted either


def test_nothing_a_submission_started_is_left_running(graded):
    mine = psutil.Process()
    left = [p for p in mine.children(recursive=True) if p.is_running()]
    assert not [p for p in left if p.status() != psutil.STATUS_ZOMBIE], left
    daemons = [
        p for p in psutil.process_iter(["cmdline"])
        if "lecturekit-daemon-marker" in (p.info["cmdline"] or [])
    ]  # fmt: skip
    assert daemons == []
    assert set(Path("/sys/fs/cgroup/pids").glob("lecturekit-*")) <= graded.cgroups_before


def test_text_that_mimics_the_grader_changes_nothing(graded):
    summary = (graded.out / "gradebook.md").read_text()
    assert "| mimics | toy | 0 | 3 |" in summary
    assert "| mimics | toy | 3 | 3 |" not in summary


def test_feedback_files_say_why_and_reveal_no_hidden_test(graded, tmp_path):
    text = (graded.out / "feedback" / "blank" / "toy.md").read_text()
    assert "Not answered yet" in text
    hidden = Result("ada", "toy", "g1", "Exercise 1", 0.0, 2.0,
                    "a hidden test failed: AssertionError: the secret check")  # fmt: skip
    (path,) = write_feedback([hidden], tmp_path)
    assert "a hidden test failed" in path.read_text()
    assert "secret" not in path.read_text()


def test_a_notebook_that_is_not_in_the_book_is_reported(graded):
    assert reasons(graded.rows, "lost") == {"-": "no such notebook in the book"}


def test_the_batch_finishes_within_its_time_limits(graded):
    assert graded.seconds < len(ATTACKS) * 25


def test_the_gradebook_is_written_as_csv_and_as_a_summary(graded):
    with (graded.out / "gradebook.csv").open() as file:
        table = list(csv.DictReader(file))
    assert len(table) == len(graded.rows)
    assert {"student", "notebook", "grade_id", "title", "points", "max_points", "reason"} <= set(
        table[0]
    )
    summary = (graded.out / "gradebook.md").read_text()
    assert "| correct | toy | 3 | 3 |" in summary and "title 1" in summary
    assert "Kernels: bubblewrap sandbox" in summary


def test_without_a_sandbox_grading_refuses_unless_told(tmp_path, monkeypatch):
    import lecturekit.grading

    monkeypatch.setattr(lecturekit.grading, "sandbox_available", lambda: (False, "no bwrap"))
    with pytest.raises(SandboxUnavailable, match="--unsafe-no-sandbox"):
        grade_folder(tmp_path, source_dir=tmp_path, out_dir=tmp_path / "out")
    assert main(["grade", str(tmp_path), "--source", str(tmp_path), "--out", str(tmp_path)]) == 2
    grade_folder(tmp_path, source_dir=tmp_path, out_dir=tmp_path / "out", unsafe_no_sandbox=True)
    assert "NOT sandboxed" in (tmp_path / "out" / "gradebook.md").read_text()


def test_a_graded_cell_without_a_check_is_refused(tmp_path):
    book = toy_book()
    for cell in book.cells:
        if "graded" in cell.metadata.get("tags", []):
            cell.source = "assert num_separable == 14"
    with pytest.raises(ValueError, match="calls no check"):
        plan_graded_cells(book)


def test_exercises_are_read_in_order_with_titles_and_points():
    assert [(e.grade_id, e.title, e.max_points) for e in exercises(toy_book())] == [
        ("g1", "Exercise 1: title 1", 2.0),
        ("g2", "Exercise 2: title 2", 1.0),
    ]


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda path: path.stem)
def test_every_chapter_gives_its_own_answers_full_marks_and_a_blank_sheet_zero(chapter, tmp_path):
    """Also the run of every chapter with its small parameters on device="cpu": the book's own
    answers must go through every cell with no error (no papermill run repeats it)."""
    source = nbformat.read(chapter, as_version=4)
    for student, notebook in {"source": source, "blank": student_version(source)}.items():
        (tmp_path / "in" / student).mkdir(parents=True)
        nbformat.write(notebook, tmp_path / "in" / student / chapter.name)
    parameters = tmp_path / "parameters.yml"
    parameters.write_text(yaml.safe_dump({chapter.stem: SMALL[chapter.stem]}))
    out = tmp_path / "out"
    arguments = [
        "--source",
        str(chapter.parent),
        "--out",
        str(out),
        "--parameters",
        str(parameters),
    ]
    # The book's answers and the blank sheet side by side: two kernels for two cores.
    main(["grade", str(tmp_path / "in"), *arguments, "--time-limit", "600", "--jobs", "2"])
    with (out / "gradebook.csv").open() as file:
        table = list(csv.DictReader(file))
    assert not [row for row in table if row["grade_id"] == "-"], "errors outside the exercises"
    mine = [row for row in table if row["student"] == "source"]
    blank = [row for row in table if row["student"] == "blank" and row["grade_id"] != "-"]
    assert len(mine) == len(exercises(source)) >= 3
    assert all(row["points"] == row["max_points"] for row in mine), mine
    assert all(float(row["points"]) == 0 for row in blank), blank
    assert all("Not answered yet" in row["reason"] for row in blank), blank


def test_one_job_grades_as_two_jobs_do(graded, tmp_path):
    submissions = tmp_path / "submissions"
    book = toy_book()
    for student, notebook in {"correct": book, "blank": student_version(book)}.items():
        (submissions / student).mkdir(parents=True)
        nbformat.write(notebook, submissions / student / "toy.ipynb")
    (tmp_path / "book").mkdir()
    nbformat.write(book, tmp_path / "book" / "toy.ipynb")
    progress = io.StringIO()
    serial = grade_folder(
        submissions, source_dir=tmp_path / "book", out_dir=tmp_path / "grades", jobs=1,
        progress=progress,
    )  # fmt: skip
    for student in ("correct", "blank"):
        assert points(serial, student) == points(graded.rows, student)
        assert reasons(serial, student) == reasons(graded.rows, student)
    lines = progress.getvalue().splitlines()
    assert len(lines) == 2 and "2/2 graded" in lines[-1] and "s left" in lines[-1]
    with pytest.raises(ValueError, match="jobs must be an integer >= 1"):
        grade_folder(submissions, source_dir=tmp_path / "book", out_dir=tmp_path, jobs=0)
