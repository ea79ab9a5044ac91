"""The Gradescope autograder: built as a zip, unpacked where Gradescope would put it, run on
the book's answers and on a blank sheet, and its results.json read as Gradescope reads it."""

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest
import yaml

from lecturekit.gradescope import build_autograder, results_json
from lecturekit.grading import Result, exercises
from lecturekit.student import student_version

ROOT = Path(__file__).resolve().parents[1]
CHAPTER = ROOT / "chapters" / "01_perceptron.ipynb"
SMALL = yaml.safe_load((ROOT / "tests/chapter_parameters.yml").read_text())["01_perceptron"]


@pytest.fixture(scope="module")
def autograder(tmp_path_factory):
    """The zip, unpacked into a folder laid out like Gradescope's /autograder."""
    root = tmp_path_factory.mktemp("autograder")
    archive = build_autograder(
        CHAPTER, root / "autograder.zip", parameters=SMALL["small"] | {"device": "cpu"},
        time_limit=300, cell_timeout=120,
    )  # fmt: skip
    with zipfile.ZipFile(archive) as unpacked:
        unpacked.extractall(root / "source")
        modes = {info.filename: info.external_attr >> 16 for info in unpacked.infolist()}
    return root, modes


def run_autograder(root, notebook):
    """Gradescope's steps for one submission: a fresh submission and results folder, then
    run_autograder, as a process of its own."""
    for folder in ("submission", "results"):
        subprocess.run(["rm", "-rf", str(root / folder)], check=True)
        (root / folder).mkdir()
    if notebook is not None:
        nbformat.write(notebook, root / "submission" / CHAPTER.name)
    environment = os.environ | {"AUTOGRADER_ROOT": str(root), "LECTUREKIT_PYTHON": sys.executable}
    script = root / "source" / "run_autograder"
    subprocess.run(["bash", str(script)], env=environment, check=True, timeout=600)
    return json.loads((root / "results" / "results.json").read_text())


def test_the_zip_holds_what_gradescope_runs(autograder):
    root, modes = autograder
    source = root / "source"
    for name in ("setup.sh", "run_autograder", "grading.json", "constraints.txt",
                 "pyproject.toml", f"book/{CHAPTER.name}", "lecturekit/grading.py"):  # fmt: skip
        assert (source / name).exists(), name
    assert modes["setup.sh"] & 0o111 and modes["run_autograder"] & 0o111
    setup = (source / "setup.sh").read_text()
    assert "bubblewrap" in setup and "-c /autograder/source/constraints.txt" in setup


def test_the_books_answers_get_full_marks_and_a_blank_sheet_zero(autograder):
    root, _ = autograder
    source = nbformat.read(CHAPTER, as_version=4)
    full = run_autograder(root, source)
    tests = [t for t in full["tests"] if t["max_score"]]
    points = sum(exercise.max_points for exercise in exercises(source))
    assert len(tests) == len(exercises(source)) >= 4 and full["score"] == points
    assert all(t["score"] == t["max_score"] and t["visibility"] == "visible" for t in tests)
    blank = run_autograder(root, student_version(source))
    assert blank["score"] == 0
    assert all("Not answered yet" in t["output"] for t in blank["tests"] if t["max_score"])
    missing = run_autograder(root, None)
    assert missing["score"] == 0 and "No notebook was submitted" in missing["output"]


def test_a_hidden_test_is_shown_only_once_grades_are_published():
    why = "a hidden test failed: AssertionError: perceptron_step changed w in place"
    row = Result("s", "01", "ex1", "Exercise 1.2", 0.0, 1.0, why)
    visible, hidden = results_json([row])["tests"]
    assert visible["output"] == "a hidden test failed" and visible["visibility"] == "visible"
    assert "in place" in hidden["output"] and hidden["visibility"] == "after_published"
    assert hidden["max_score"] == 0
