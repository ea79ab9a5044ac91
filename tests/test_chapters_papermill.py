"""Every chapter takes its parameters from papermill and refuses bad ones clearly.

A bad value must take effect (papermill's injected cell follows the `parameters` cell) and stop
the chapter at once. That every chapter also runs to the end with its small parameters on
device="cpu" is checked once, by the grading test of its own answers
(tests/test_grading.py), which runs exactly that: running it here too would cost each chapter
a third execution in `make test`.
"""

from pathlib import Path

import papermill
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
CHAPTER_DIR = ROOT / "chapters"
CHAPTERS = sorted(CHAPTER_DIR.glob("[0-9][0-9]_*.ipynb"))
PARAMETERS = yaml.safe_load((ROOT / "tests" / "chapter_parameters.yml").read_text())


def run(chapter, parameters, output):
    return papermill.execute_notebook(
        str(CHAPTER_DIR / f"{chapter}.ipynb"),
        str(output),
        parameters=parameters,
        cwd=str(CHAPTER_DIR),
        kernel_name="python3",
        progress_bar=False,
    )


def test_every_chapter_has_test_parameters_and_every_entry_a_chapter():
    assert {path.stem for path in CHAPTERS} == set(PARAMETERS)


@pytest.mark.parametrize("chapter", sorted(PARAMETERS))
def test_a_bad_parameter_stops_the_chapter_with_its_own_message(chapter, tmp_path):
    entry = PARAMETERS[chapter]
    with pytest.raises(papermill.PapermillExecutionError) as error:
        run(chapter, entry["bad"] | {"device": "cpu"}, tmp_path / f"{chapter}.ipynb")
    assert error.value.ename == "ValueError"
    assert entry["bad_message"] in error.value.evalue
    assert error.value.cell_index <= 6, "parameters must be checked at the top of the chapter"


@pytest.mark.parametrize("chapter", sorted(PARAMETERS))
def test_asking_for_a_missing_gpu_fails_clearly(chapter, tmp_path):
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA")
    with pytest.raises(papermill.PapermillExecutionError) as error:
        run(chapter, PARAMETERS[chapter]["small"] | {"device": "cuda"}, tmp_path / "out.ipynb")
    assert error.value.ename == "ValueError" and "Available: cpu" in error.value.evalue
