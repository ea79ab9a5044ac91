"""Student versions of chapter notebooks: solutions and hidden tests out, everything else kept.

The chapters mark their exercises with nbgrader's conventions (see the README, "For
instructors")::

    student = student_version(nbformat.read("chapters/01_perceptron.ipynb", as_version=4))
    write_student_versions(["chapters/01_perceptron.ipynb"], "_build/student")

In a ``solution`` cell the region between ``### BEGIN SOLUTION`` and ``### END SOLUTION``
is removed; inside a function body it becomes ``raise NotImplementedError`` (so that the
check says "Not answered yet"), at the top level a ``# YOUR CODE HERE`` comment (the
placeholder above the region, ``answer = ...``, keeps the cell runnable). In ``graded``
cells the region between ``### BEGIN HIDDEN TESTS`` and ``### END HIDDEN TESTS`` is removed.
Exercise cells lose their outputs; every other cell is kept as it is.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

import nbformat

__all__ = [
    "EXERCISE_TAGS",
    "SOLUTION_PLACEHOLDER",
    "remove_hidden_tests",
    "remove_solution",
    "student_version",
    "write_student_versions",
]

EXERCISE_TAGS = ("solution", "check", "graded")
SOLUTION_PLACEHOLDER = "# YOUR CODE HERE"

_SOLUTION = re.compile(
    r"^(?P<indent>[ \t]*)### BEGIN SOLUTION[^\n]*\n.*?^[ \t]*### END SOLUTION[^\n]*(\n|$)",
    re.M | re.S,
)
_HIDDEN_TESTS = re.compile(
    r"^[ \t]*### BEGIN HIDDEN TESTS[^\n]*\n.*?^[ \t]*### END HIDDEN TESTS[^\n]*(\n|$)", re.M | re.S
)


def remove_solution(source: str) -> str:
    """Replace each solution region by a placeholder at the region's indentation.

    >>> remove_solution("def f(x):\\n    ### BEGIN SOLUTION\\n    return x\\n    ### END SOLUTION")
    'def f(x):\\n    # YOUR CODE HERE\\n    raise NotImplementedError'
    """

    def placeholder(match: re.Match[str]) -> str:
        indent = match["indent"]
        lines = [SOLUTION_PLACEHOLDER] + (["raise NotImplementedError"] if indent else [])
        return "".join(f"{indent}{line}\n" for line in lines)

    _require_balanced(source, "SOLUTION")
    return _SOLUTION.sub(placeholder, source).rstrip("\n")


def remove_hidden_tests(source: str) -> str:
    """Drop each hidden-test region (markers included) from a graded cell's source."""
    _require_balanced(source, "HIDDEN TESTS")
    return _HIDDEN_TESTS.sub("", source).rstrip("\n")


def student_version(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Return a copy of ``notebook`` with solutions and hidden tests removed.

    Raises ``ValueError`` if a marker is unbalanced or sits in a cell of the wrong kind, so that
    a solution can never reach students by a typo.
    """
    student = nbformat.from_dict(notebook)
    for index, cell in enumerate(student.cells):
        tags = cell.metadata.get("tags", [])
        where = f"cell {index}"
        if "### BEGIN SOLUTION" in cell.source and "solution" not in tags:
            raise ValueError(f"{where} has a solution region but no 'solution' tag")
        if "### BEGIN HIDDEN TESTS" in cell.source and "graded" not in tags:
            raise ValueError(f"{where} has hidden tests but no 'graded' tag")
        if "solution" in tags:
            cell.source = remove_solution(cell.source)
        if "graded" in tags:
            cell.source = remove_hidden_tests(cell.source)
        if cell.cell_type == "code" and any(tag in tags for tag in EXERCISE_TAGS):
            cell.outputs = []
            cell.execution_count = None
    return student


def write_student_versions(paths: Iterable[str | Path], out_dir: str | Path) -> list[Path]:
    """Write the student version of each notebook in ``paths`` to ``out_dir`` (same names)."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for path in map(Path, paths):
        notebook = nbformat.read(path, as_version=4)
        target = out_dir / path.name
        if target.resolve() == path.resolve():
            raise ValueError(f"refusing to overwrite the source notebook {path}")
        nbformat.write(student_version(notebook), target)
        written.append(target)
    return written


def _require_balanced(source: str, marker: str) -> None:
    begins = source.count(f"### BEGIN {marker}")
    ends = source.count(f"### END {marker}")
    if begins != ends:
        raise ValueError(f"{begins} '### BEGIN {marker}' but {ends} '### END {marker}' markers")
