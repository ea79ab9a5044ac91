"""Grading: full marks for the book's own answers, zero for a blank sheet, and no submission
(crashing, looping, flooding, deleting, tampering) can spoil the grading of the others."""

import csv
import time
from pathlib import Path

import nbformat
import pytest
import yaml
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from lecturekit.__main__ import main
from lecturekit.grading import exercises, grade_folder
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


def toy_book():
    """A two-exercise notebook shaped like a chapter, quick to run."""
    cells = [
        new_code_cell("size = 4", metadata={"tags": ["parameters"]}),
        new_code_cell("data = list(range(size))"),
        *exercise_cells(
            1,
            "total = ...\n### BEGIN SOLUTION\ntotal = sum(data)\n### END SOLUTION",
            'print("Correct!" if total == sum(data) else "Not yet: try again")',
            "assert total == sum(data)\n### BEGIN HIDDEN TESTS\nassert isinstance(total, int)\n"
            "### END HIDDEN TESTS",
            points=2,
        ),
        new_code_cell("twice_the_total = 2 * total"),
        *exercise_cells(
            2,
            "def double(x):\n    ### BEGIN SOLUTION\n    return 2 * x\n    ### END SOLUTION",
            "print(double(size))",
            "assert double(size) == 2 * size",
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


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """Grade a batch of toy submissions once; every test below reads the results."""
    root = tmp_path_factory.mktemp("grading")
    source_dir, submissions = root / "book", root / "submissions"
    source_dir.mkdir()
    book = toy_book()
    nbformat.write(book, source_dir / "toy.ipynb")
    tampered = with_answer(book, 1, "total = -1")
    for cell in tampered.cells:
        if "graded" in cell.metadata.get("tags", []):
            cell.source = "pass"
    batch = {
        "correct": book,
        "blank": student_version(book),
        "raises": with_answer(book, 1, 'raise RuntimeError("boom")'),
        "loops": with_answer(book, 1, "while True:\n    pass"),
        "floods": with_answer(book, 1, 'print("x" * 10_000_000)\ntotal = sum(data)'),
        "deletes": with_answer(
            book,
            1,
            "import pathlib, shutil\nfor p in pathlib.Path('.').iterdir():\n"
            "    shutil.rmtree(p) if p.is_dir() else p.unlink()\ntotal = sum(data)",
        ),
        "tampers": tampered,
        "stubborn": with_answer(
            book,
            2,
            "import time\nwhile True:\n    try:\n        time.sleep(0.1)\n"
            "    except BaseException:\n        pass",
        ),
    }
    for student, notebook in batch.items():
        (submissions / student).mkdir(parents=True)
        nbformat.write(notebook, submissions / student / "toy.ipynb")
    (submissions / "lost").mkdir()
    nbformat.write(book, submissions / "lost" / "not_in_the_book.ipynb")
    start = time.perf_counter()
    rows = grade_folder(
        submissions, source_dir=source_dir, out_dir=root / "grades", time_limit=25, cell_timeout=4
    )
    return rows, time.perf_counter() - start, root / "grades"


def points(rows, student):
    return {row.grade_id: row.points for row in rows if row.student == student and row.max_points}


def outside(rows, student):
    """Errors in cells that are not exercises: listed, worth nothing."""
    return [row.reason for row in rows if row.student == student and row.grade_id == "-"]


def reasons(rows, student):
    return {row.grade_id: row.reason for row in rows if row.student == student}


def test_the_books_own_answers_score_full_marks(graded):
    rows, _, _ = graded
    assert points(rows, "correct") == {"g1": 2, "g2": 1}
    assert set(reasons(rows, "correct").values()) == {"passed"}
    assert outside(rows, "correct") == []


def test_a_blank_student_version_scores_zero_with_reasons(graded):
    rows, _, _ = graded
    assert points(rows, "blank") == {"g1": 0, "g2": 0}
    assert (
        "AssertionError" in reasons(rows, "blank")["g1"]
        or "Not yet" in reasons(rows, "blank")["g1"]
    )
    assert "NotImplementedError" in reasons(rows, "blank")["g2"]


def test_an_exception_costs_only_its_own_exercise(graded):
    rows, _, _ = graded
    assert points(rows, "raises") == {"g1": 0, "g2": 1}
    assert "RuntimeError: boom" in reasons(rows, "raises")["g1"]
    assert outside(rows, "raises") == ["NameError: name 'total' is not defined"]


def test_an_infinite_loop_is_interrupted_at_the_cell_time_limit(graded):
    rows, _, _ = graded
    assert points(rows, "loops") == {"g1": 0, "g2": 1}
    assert "time limit" in reasons(rows, "loops")["g1"]


def test_a_loop_that_ignores_interrupts_is_stopped_at_the_notebook_time_limit(graded):
    rows, _, _ = graded
    assert points(rows, "stubborn") == {"g1": 2, "g2": 0}
    assert "time limit of 25 s" in reasons(rows, "stubborn")["g2"]


def test_flooding_output_or_deleting_files_does_not_matter_to_the_grade(graded):
    rows, _, _ = graded
    assert points(rows, "floods") == {"g1": 2, "g2": 1}
    assert points(rows, "deletes") == {"g1": 2, "g2": 1}


def test_graded_cells_come_from_the_book_not_from_the_submission(graded):
    rows, _, _ = graded
    assert points(rows, "tampers") == {"g1": 0, "g2": 1}


def test_a_notebook_that_is_not_in_the_book_is_reported(graded):
    rows, _, _ = graded
    assert reasons(rows, "lost") == {"-": "no such notebook in the book"}


def test_the_batch_finishes_within_its_time_limits(graded):
    _, seconds, _ = graded
    assert seconds < 9 * 25


def test_the_gradebook_is_written_as_csv_and_as_a_summary(graded):
    rows, _, out = graded
    with (out / "gradebook.csv").open() as file:
        table = list(csv.DictReader(file))
    assert len(table) == len(rows)
    assert {"student", "notebook", "grade_id", "title", "points", "max_points", "reason"} <= set(
        table[0]
    )
    summary = (out / "gradebook.md").read_text()
    assert "| correct | toy | 3 | 3 |" in summary and "title 1" in summary


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


def test_parallel_jobs_grade_as_one_job_does(graded, tmp_path):
    rows, _, _ = graded
    submissions = tmp_path / "submissions"
    book = toy_book()
    for student, notebook in {"correct": book, "blank": student_version(book)}.items():
        (submissions / student).mkdir(parents=True)
        nbformat.write(notebook, submissions / student / "toy.ipynb")
    (tmp_path / "book").mkdir()
    nbformat.write(book, tmp_path / "book" / "toy.ipynb")
    parallel = grade_folder(
        submissions, source_dir=tmp_path / "book", out_dir=tmp_path / "grades", jobs=2
    )
    for student in ("correct", "blank"):
        assert points(parallel, student) == points(rows, student)
        assert reasons(parallel, student) == reasons(rows, student)
    with pytest.raises(ValueError, match="jobs must be an integer >= 1"):
        grade_folder(submissions, source_dir=tmp_path / "book", out_dir=tmp_path, jobs=0)
