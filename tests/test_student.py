"""Student versions: no solution and no hidden test reaches a student; the rest is intact."""

import re
from pathlib import Path

import nbformat
import pytest

from lecturekit.__main__ import main
from lecturekit.student import (
    remove_hidden_tests,
    remove_solution,
    student_version,
    write_student_versions,
)

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = sorted((ROOT / "chapters").glob("[0-9][0-9]_*.ipynb"))
REGION = r"### BEGIN {0}[^\n]*\n(.*?)### END {0}"


def test_a_solution_inside_a_function_becomes_raise_not_implemented():
    source = (
        'def f(x):\n    """Twice x."""\n'
        "    ### BEGIN SOLUTION\n    return 2 * x\n    ### END SOLUTION"
    )
    assert remove_solution(source) == (
        'def f(x):\n    """Twice x."""\n    # YOUR CODE HERE\n    raise NotImplementedError'
    )


def test_a_top_level_solution_leaves_the_placeholder_above_it():
    source = "w = ...  # two weights\n### BEGIN SOLUTION\nw = [1, 2]\n### END SOLUTION\nprint(w)"
    assert remove_solution(source) == "w = ...  # two weights\n# YOUR CODE HERE\nprint(w)"


def test_hidden_tests_are_removed_with_their_markers():
    source = "assert check(x)\n### BEGIN HIDDEN TESTS\nassert x > 0\n### END HIDDEN TESTS"
    assert remove_hidden_tests(source) == "assert check(x)"


def test_an_unbalanced_marker_is_refused_rather_than_leaking_a_solution():
    with pytest.raises(ValueError, match="BEGIN SOLUTION"):
        remove_solution("### BEGIN SOLUTION\nanswer = 42\n")


def test_a_solution_region_outside_a_solution_cell_is_refused():
    notebook = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_code_cell("### BEGIN SOLUTION\nx = 1\n### END SOLUTION")]
    )
    with pytest.raises(ValueError, match="no 'solution' tag"):
        student_version(notebook)


def test_the_command_line_writes_student_versions_and_never_overwrites_the_source(tmp_path):
    assert main(["student", str(CHAPTERS[0]), "--out", str(tmp_path)]) == 0
    assert (tmp_path / CHAPTERS[0].name).exists()
    with pytest.raises(ValueError, match="refusing to overwrite"):
        write_student_versions([CHAPTERS[0]], CHAPTERS[0].parent)


def regions(notebook, marker):
    return [
        region
        for cell in notebook.cells
        for region in re.findall(REGION.format(marker), cell.source, re.S)
    ]


def meaningful_lines(text):
    """Lines of code that say something: not blank, not a comment, not a lone keyword."""
    lines = {line.strip() for line in text.splitlines()}
    return {line for line in lines if line and not line.startswith("#") and len(line) > 4}


@pytest.fixture(params=CHAPTERS, ids=lambda path: path.stem)
def chapter(request):
    return nbformat.read(request.param, as_version=4)


def test_student_version_holds_no_solution_code_and_no_hidden_test(chapter):
    student = student_version(chapter)
    secret = meaningful_lines(
        "\n".join(regions(chapter, "SOLUTION") + regions(chapter, "HIDDEN TESTS"))
    )
    # A line that also appears outside the secret regions (an import, say) gives nothing away.
    public = nbformat.from_dict(chapter)
    for cell in public.cells:
        cell.source = re.sub(REGION.format("(SOLUTION|HIDDEN TESTS)"), "", cell.source, flags=re.S)
        cell.outputs = [] if cell.cell_type == "code" else None
    public_lines = meaningful_lines("\n".join(cell.source for cell in public.cells))
    secret -= public_lines
    assert secret, "every exercise has some solution code"
    student_lines = meaningful_lines("\n".join(cell.source for cell in student.cells))
    leaked = secret & student_lines
    assert not leaked
    text = nbformat.writes(student)
    assert "BEGIN SOLUTION" not in text and "HIDDEN TESTS" not in text


def test_student_version_clears_exercise_outputs_and_keeps_everything_else(chapter):
    student = student_version(chapter)
    assert len(student.cells) == len(chapter.cells)
    for theirs, ours in zip(student.cells, chapter.cells, strict=True):
        tags = ours.metadata.get("tags", [])
        if {"solution", "check", "graded"} & set(tags):
            assert theirs.outputs == [] and theirs.execution_count is None
        else:
            assert theirs == ours
    assert any(cell.get("outputs") for cell in chapter.cells), "the source is left untouched"
