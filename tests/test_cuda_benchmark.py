"""tests/cuda_benchmark.py (make test-cuda): it stops cleanly where there is no GPU, and its
machinery (run, record, compare) works on the CPU of this machine, which has none. And the
GPU settings each chapter advises are the ones it runs, and pass the chapter's own checks."""

import ast
import json
import subprocess
import sys
from pathlib import Path

import cuda_benchmark
import nbformat
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "tests" / "cuda_benchmark.py"
RESULTS = ROOT / "tests" / "chapter_results.yml"


def benchmark(*arguments):
    return subprocess.run(
        [sys.executable, str(SCRIPT), *arguments], capture_output=True, text=True, cwd=ROOT
    )


def test_without_a_gpu_it_says_so_in_one_line_and_writes_nothing(tmp_path):
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA")
    out = tmp_path / "cuda.json"
    run = benchmark("--out", str(out))
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith(cuda_benchmark.NO_GPU) and run.stdout.count("\n") == 1
    assert not out.exists()


def test_a_cpu_run_records_seconds_outcome_values_and_expression_errors(tmp_path):
    results = tmp_path / "results.yml"
    results.write_text(
        yaml.safe_dump(
            {"01_perceptron": {"and_epochs": "len(gates['AND'])", "broken": "no_such_name + 1"}}
        )
    )
    out = tmp_path / "cuda.json"
    arguments = ["--devices", "cpu", "--parameters", "small", "--chapters", "01_perceptron"]
    run = benchmark(*arguments, "--results", str(results), "--out", str(out))
    assert run.returncode == 0, run.stdout + run.stderr
    written = json.loads(out.read_text())
    assert written["parameters"] == "small" and written["machine"]["cpu_count"] >= 1
    entry = written["chapters"]["01_perceptron"]
    assert entry["parameters"] == {"num_points": 40, "max_epochs": 20}
    cpu = entry["cpu"]
    assert cpu["ok"] is True and cpu["error"] is None and cpu["seconds"] > 0
    assert cpu["ran_on"] == "cpu"
    assert cpu["results"] == {"and_epochs": 4}  # w, b, epochs, accuracy
    assert cpu["result_errors"]["broken"].startswith("NameError")
    assert "| 01_perceptron |" in run.stdout and "[1/1] 01_perceptron on cpu" in run.stdout


def test_a_failed_assert_is_recorded_with_its_name_message_and_cell():
    # One epoch is too few for the perceptron to converge, which the chapter asserts.
    run = cuda_benchmark.run_chapter(
        "01_perceptron", {"num_points": 40, "max_epochs": 1, "device": "cpu"}, {"x": "1"}
    )
    assert run["ok"] is False and run["seconds"] > 0 and run["results"] == {}
    assert run["error"]["name"] == "AssertionError"
    assert "did not learn" in run["error"]["message"] or "converge" in run["error"]["message"]


def test_a_bare_assert_is_named_by_the_line_the_traceback_points_at():
    traceback = [
        "\x1b[31m---------\x1b[39m",
        "\x1b[0;32m----> 3\x1b[0m \x1b[38;5;28;01massert\x1b[39;00m x \x1b[38;5;241m>\x1b[39m y",
    ]
    assert cuda_benchmark.failing_line(traceback) == "assert x > y"
    assert cuda_benchmark.failing_line(["no arrow here"]) == ""


def test_results_agree_within_five_percent_and_bools_and_strings_exactly():
    assert not cuda_benchmark.values_differ(0.98, 0.96)
    assert cuda_benchmark.values_differ(0.98, 0.90)
    assert cuda_benchmark.values_differ(100, 94) and not cuda_benchmark.values_differ(100, 96)
    assert cuda_benchmark.values_differ(True, False) and not cuda_benchmark.values_differ(1.0, 1)
    assert cuda_benchmark.values_differ("nan", 0.5) and not cuda_benchmark.values_differ("a", "a")


def test_the_table_gives_times_speed_up_and_the_results_that_differ():
    def run(seconds, **results):
        return {"seconds": seconds, "ok": True, "error": None, "results": results}

    failed = {"seconds": 3.0, "ok": False, "error": {"name": "AssertionError"}, "results": {}}
    benchmark = {
        "machine": {"gpu": "H200", "cuda": "12.8", "torch": "2.13.0", "cpu": "x", "cpu_count": 16},
        "date": "2025-01-01T00:00:00+00:00",
        "parameters": "default",
        "chapters": {
            "01_perceptron": {
                "cuda": run(2.0, accuracy=0.97, epochs=6),
                "cpu": run(8.0, accuracy=0.98, epochs=6),
                "speedup": 4.0,
            },
            "07_lenet5": {"cuda": run(5.0, accuracy=0.80), "cpu": run(9.0, accuracy=0.98)},
            "08_imagenet_and_alexnet": {"cuda": failed, "cpu": run(60.0)},
            "09_deeper_cnns": {"cuda": run(4.0)},
        },
    }
    table = cuda_benchmark.markdown_table(benchmark).splitlines()
    assert "| chapter | CPU s | CUDA s | speed-up | results agree? |" in table
    assert "| 01_perceptron | 8.0 | 2.0 | 4.0x | yes (2) |" in table
    assert "| 07_lenet5 | 9.0 | 5.0 | - | no: accuracy |" in table
    assert "| 08_imagenet_and_alexnet | 60.0 | failed (AssertionError) | - | CUDA run failed |" in (
        table
    )
    assert "| 09_deeper_cnns | - | 4.0 | - | (one device only) |" in table
    assert "| 07_lenet5 | accuracy | 0.98 | 0.8 | **yes** |" in table


def test_a_split_run_adds_to_the_file_of_the_same_machine_and_parameters(tmp_path):
    out = tmp_path / "cuda.json"
    here = {"gpu": "H200", "torch": "2.13.0"}
    earlier = {"machine": here, "date": None, "parameters": "default", "chapters": {"01": {}}}
    out.write_text(json.dumps(earlier))
    assert cuda_benchmark.start_benchmark(out, here, "default")["chapters"] == {"01": {}}
    assert cuda_benchmark.start_benchmark(out, here, "small")["chapters"] == {}
    assert cuda_benchmark.start_benchmark(out, {"gpu": "A100"}, "default")["chapters"] == {}


def test_the_results_file_names_every_chapter_and_each_expression_parses():
    if not RESULTS.exists():
        pytest.skip("tests/chapter_results.yml is not written yet")
    expressions = yaml.safe_load(RESULTS.read_text())
    assert set(expressions) == set(cuda_benchmark.CHAPTERS)
    for chapter, named in expressions.items():
        assert isinstance(named, dict) and named, f"{chapter} names no results"
        for name, expression in named.items():
            assert isinstance(expression, str), f"{chapter}.{name} is not a string"
            compile(expression, f"{chapter}.{name}", "eval")


PARAMETERS = yaml.safe_load((ROOT / "tests" / "chapter_parameters.yml").read_text())


def chapter_cells(chapter: str) -> tuple[str, str, str]:
    """A chapter's first markdown cell, its parameters cell and the cell that checks them."""
    cells = nbformat.read(ROOT / "chapters" / f"{chapter}.ipynb", as_version=4).cells
    (index,) = [i for i, c in enumerate(cells) if "parameters" in c.metadata.get("tags", [])]
    return cells[0].source, cells[index].source, cells[index + 1].source


def as_python(value: object) -> str:
    return json.dumps(value) if isinstance(value, str) else str(value)


@pytest.mark.parametrize("chapter", cuda_benchmark.CHAPTERS)
def test_the_first_cell_advises_the_gpu_settings_that_make_test_cuda_runs(chapter):
    intro, _, _ = chapter_cells(chapter)
    advice = intro.partition("**On a GPU.**")[2].partition("**Prerequisites.**")[0]
    assert advice, f"{chapter}'s first cell has no **On a GPU.** advice"
    settings = PARAMETERS[chapter]["gpu"]
    for name, value in settings.items():
        assert f"`{name} = {as_python(value)}`" in advice, f"{chapter}: {name} = {value!r}"
    if not settings:
        assert "No parameter here is worth raising" in advice, chapter


@pytest.mark.parametrize("chapter", cuda_benchmark.CHAPTERS)
def test_the_gpu_settings_change_parameters_and_pass_the_chapters_own_checks(chapter):
    """The chapter's require_* lines, run on its defaults with the GPU settings put in."""
    import lecturekit.params

    _, parameters_cell, checks_cell = chapter_cells(chapter)
    defaults = {}
    exec(parameters_cell, {}, defaults)
    settings = PARAMETERS[chapter]["gpu"]
    for name, value in settings.items():
        assert name in defaults and value != defaults[name], f"{chapter}: {name} = {value!r}"
    namespace = vars(lecturekit.params) | defaults | settings
    checks = [
        statement
        for statement in ast.parse(checks_cell).body
        if isinstance(statement, ast.Assign)
        and isinstance(statement.value, ast.Call)
        and getattr(statement.value.func, "id", "").startswith("require_")
    ]
    assert {target.id for check in checks for target in check.targets} >= set(settings)
    exec(compile(ast.Module(checks, type_ignores=[]), chapter, "exec"), namespace)
