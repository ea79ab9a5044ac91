"""Every chapter follows the book's template (see README, "Adding a chapter").

These read the committed notebooks without running them.
"""

import re
from pathlib import Path

import nbformat
import pytest
import yaml
from colab_env import install_cell_source

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = sorted((ROOT / "chapters").glob("[0-9][0-9]_*.ipynb"))
REPOSITORY = yaml.safe_load((ROOT / "_config.yml").read_text())["repository"]["url"]


def test_there_are_chapters():
    assert CHAPTERS


def code_cells(nb):
    return [cell for cell in nb.cells if cell.cell_type == "code"]


def tags(cell):
    return cell.metadata.get("tags", [])


@pytest.fixture(params=CHAPTERS, ids=lambda path: path.stem)
def notebook(request):
    return nbformat.read(request.param, as_version=4)


def test_opens_with_learning_goals_and_run_time(notebook):
    intro = notebook.cells[0].source
    assert notebook.cells[0].cell_type == "markdown" and intro.startswith("# ")
    assert "**Learning goals.**" in intro and "**Run time.**" in intro


def test_first_code_cell_installs_lecturekit_only_in_colab_at_the_declared_release(notebook):
    first = code_cells(notebook)[0]
    assert first.source == install_cell_source(), "run: python tests/colab_env.py install-cell"
    assert f"{REPOSITORY}" in first.source and not first.outputs
    assert "remove-cell" in tags(first)


def test_parameters_cell_holds_plain_values_including_device_and_seed(notebook):
    parameters = [cell for cell in code_cells(notebook) if "parameters" in tags(cell)]
    assert len(parameters) == 1
    source = parameters[0].source
    assert re.search(r'^device = "auto"', source, re.M) and re.search(r"^seed = \d+", source, re.M)
    # Derived values belong in the next cell: papermill injects its values after this one.
    assert all(re.match(r"^\w+ = [^()]*(#.*)?$", line) for line in source.splitlines() if line)


def test_committed_outputs_come_from_one_clean_run(notebook):
    counts = [cell.execution_count for cell in code_cells(notebook) if cell.source.strip()]
    assert counts == list(range(1, len(counts) + 1)), "run the chapter top to bottom (make execute)"
    errors = [o for cell in code_cells(notebook) for o in cell.outputs if o.output_type == "error"]
    assert not errors


def test_at_least_three_exercises_each_with_solution_check_and_graded_cell(notebook):
    cells = code_cells(notebook)
    solutions = [i for i, cell in enumerate(cells) if "solution" in tags(cell)]
    assert len(solutions) >= 3
    for i in solutions:
        solution, check, graded = cells[i], cells[i + 1], cells[i + 2]
        assert "### BEGIN SOLUTION" in solution.source and "### END SOLUTION" in solution.source
        assert solution.metadata["nbgrader"]["solution"] is True
        assert "hide-input" in tags(solution)
        assert solution.metadata["mystnb"]["code_prompt_show"] == "Show solution"
        assert "check" in tags(check) and re.search(r"\bcheck_\w+\(", check.source)
        assert "graded" in tags(graded) and "remove-cell" in tags(graded)
        assert graded.metadata["nbgrader"]["grade"] is True
        assert graded.metadata["nbgrader"]["points"] > 0
        assert "assert check_" in graded.source
    grade_ids = [
        cell.metadata["nbgrader"]["grade_id"] for cell in cells if "nbgrader" in cell.metadata
    ]
    assert len(grade_ids) == len(set(grade_ids))


def test_the_committed_run_answers_every_exercise_correctly(notebook):
    for cell in code_cells(notebook):
        if "check" in tags(cell):
            text = "".join(o.get("data", {}).get("text/plain", "") for o in cell.outputs)
            assert text.startswith("Correct!"), f"check cell shows: {text!r}"


def test_hidden_tests_only_in_graded_cells_removed_from_the_book(notebook):
    for cell in code_cells(notebook):
        if "### BEGIN HIDDEN TESTS" in cell.source:
            assert "graded" in tags(cell) and "remove-cell" in tags(cell)
            assert "### END HIDDEN TESTS" in cell.source


def test_hints_are_collapsed_in_exercise_text(notebook):
    exercises = [
        c for c in notebook.cells if c.cell_type == "markdown" and "### Exercise" in c.source
    ]
    assert len(exercises) >= 3
    assert all("<details><summary>Hint</summary>" in c.source for c in exercises)


def test_ends_with_what_we_measured(notebook):
    assert any(
        "## What we measured" in c.source for c in notebook.cells if c.cell_type == "markdown"
    )
