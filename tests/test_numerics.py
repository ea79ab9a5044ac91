"""The pinned numeric environment: what it pins, and that every kernel the book's outputs
are made or checked in really runs under it (nbval, papermill, the grader, make execute)."""

import ast
import json
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import papermill
import pytest
from nbformat.v4 import new_code_cell, new_notebook
from test_grading import exercise_cells

from lecturekit.grading import grade_folder
from lecturekit.numerics import PINNED, check_processor, expected_report, pinned_environment

ROOT = Path(__file__).resolve().parents[1]
REPORT_NOTEBOOK = ROOT / "tests" / "pinned_numerics.ipynb"
REPORT_CODE = "import json\nfrom lecturekit.numerics import report\nprint(json.dumps(report()))"


def unpinned(monkeypatch):
    """Remove the pins from this process's environment (conftest.py put them there)."""
    for name in PINNED:
        monkeypatch.delenv(name, raising=False)


def reported(notebook):
    """The report printed by the one code cell of an executed tests/pinned_numerics.ipynb."""
    (cell,) = [c for c in notebook.cells if c.cell_type == "code"]
    return ast.literal_eval(cell.outputs[0]["data"]["text/plain"])


def test_the_pins_are_avx2_kernels_and_two_threads():
    assert PINNED["ATEN_CPU_CAPABILITY"] == "avx2"
    assert PINNED["ONEDNN_MAX_CPU_ISA"] == "AVX2"
    assert PINNED["MKL_CBWR"] == "COMPATIBLE"  # the one branch alike on Intel and AMD
    assert {PINNED[f"{lib}_NUM_THREADS"] for lib in ("OMP", "MKL", "OPENBLAS")} == {"2"}
    assert PINNED["CUDA_VISIBLE_DEVICES"] == ""
    # OpenBLAS's kernel choice is left to the machine (see lecturekit/numerics.py).
    assert "OPENBLAS_CORETYPE" not in PINNED


def test_pinned_environment_puts_the_pins_over_what_it_is_given():
    environment = pinned_environment({"PATH": "/bin", "OMP_NUM_THREADS": "16"})
    assert environment == {"PATH": "/bin", **PINNED}


def test_a_processor_without_avx2_is_refused_with_a_reason():
    check_processor("processor\t: 0\nflags\t\t: fpu sse2 avx avx2 fma avx512f\n")
    with pytest.raises(RuntimeError, match="lacks avx2 and fma"):
        check_processor("processor\t: 0\nflags\t\t: fpu sse2 sse4_2 avx\n")


def test_this_machine_can_run_the_pinned_kernels():
    check_processor()


def test_the_command_line_prints_the_pins_and_runs_a_command_under_them(monkeypatch):
    unpinned(monkeypatch)
    command = [sys.executable, "-m", "lecturekit.numerics"]
    printed = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    assert printed.splitlines() == [f"{name}={value}" for name, value in PINNED.items()]
    ran = subprocess.run(
        [*command, sys.executable, "-c", REPORT_CODE], capture_output=True, text=True, check=True
    )
    assert json.loads(ran.stdout) == expected_report()


def test_an_unpinned_process_is_told_apart_by_what_its_libraries_say(monkeypatch):
    """The report asks MKL, not only the environment: unpinned, MKL's reproducible mode is off."""
    unpinned(monkeypatch)
    ran = subprocess.run(
        [sys.executable, "-c", REPORT_CODE], capture_output=True, text=True, check=True
    )
    report = json.loads(ran.stdout)
    assert report["mkl_branch"] == "OFF"
    assert all(report[name] is None for name in PINNED)


def test_the_committed_report_is_the_pinned_one():
    """nbval replays tests/pinned_numerics.ipynb with the chapters (make test): its committed
    output is the pinned report, so nbval's own kernel must produce exactly that."""
    (cell,) = [
        c for c in nbformat.read(REPORT_NOTEBOOK, as_version=4).cells if c.cell_type == "code"
    ]
    assert ast.literal_eval(cell.outputs[0]["data"]["text/plain"]) == expected_report()


def test_a_papermill_kernel_runs_under_the_pins(tmp_path):
    result = papermill.execute_notebook(
        str(REPORT_NOTEBOOK), str(tmp_path / "out.ipynb"), kernel_name="python3",
        progress_bar=False,
    )  # fmt: skip
    assert reported(result) == expected_report()


def test_the_grader_starts_its_kernels_under_the_pins_whatever_its_own_environment(
    tmp_path, monkeypatch
):
    unpinned(monkeypatch)
    check = (
        "from lecturekit.checks.perceptron import check_separable_count\n"
        "from lecturekit.numerics import report, expected_report\nreport()"
    )
    # Graded cells are judged by a check outside the kernel: it gets the right answer (14)
    # only from a kernel that reports the pins.
    graded = "assert check_separable_count(14 if report() == expected_report() else 0)"
    book = new_notebook(
        cells=[
            new_code_cell("size = 1", metadata={"tags": ["parameters"]}),
            *exercise_cells(
                1, "answer = ...\n### BEGIN SOLUTION\nanswer = 1\n### END SOLUTION", check, graded
            ),
        ],
        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3"}},
    )
    (tmp_path / "book").mkdir()
    (tmp_path / "in" / "ada").mkdir(parents=True)
    nbformat.write(book, tmp_path / "book" / "pins.ipynb")
    nbformat.write(book, tmp_path / "in" / "ada" / "pins.ipynb")
    rows = grade_folder(tmp_path / "in", source_dir=tmp_path / "book", out_dir=tmp_path / "out")
    assert [(row.points, row.reason) for row in rows] == [(1.0, "passed")]


def test_make_execute_and_make_test_run_under_the_pins():
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"^PINNED = .*-m lecturekit\.numerics$", makefile, re.M)
    for target in ("test", "execute"):
        recipe = re.search(rf"^{target}:.*\n((?:\t.*\n)+)", makefile, re.M).group(1)
        assert re.search(r"\$\(PINNED\) .*/(pytest|jupyter) ", recipe), target
    lab = re.search(r"^lab:.*\n((?:\t.*\n)+)", makefile, re.M).group(1)
    assert "PINNED" not in lab, "a reader's own JupyterLab runs at full speed, unpinned"
