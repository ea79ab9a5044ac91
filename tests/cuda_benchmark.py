"""Run the chapters on a CUDA GPU and on the CPU of the same machine, and compare (make test-cuda).

Each chapter runs once per device, in a fresh kernel (``python3``, this venv's Python), in an
empty temporary working directory, headless (``LECTUREKIT_HEADLESS=1``), with its default
parameters (or, with ``--parameters small`` or ``gpu``, those of tests/chapter_parameters.yml:
the quick test settings, or the larger settings each chapter advises for a GPU) and ``device``
set. Each run
records its wall time, whether it ran to the end (the chapters assert their results: a failed
assert stops that run and is recorded), and the chapter's headline results: the named
expressions of tests/chapter_results.yml, evaluated in the chapter's namespace after it ran.
It writes ``_build/benchmarks/cuda.json`` and prints a Markdown table for how_to_use.md.

    .venv/bin/python tests/cuda_benchmark.py                        # all 16 chapters, cuda and cpu
    .venv/bin/python tests/cuda_benchmark.py --chapters 01,07 --devices cuda --parameters small
    .venv/bin/python tests/cuda_benchmark.py --devices cuda --parameters gpu  # the advice

It runs unpinned, like ``make lab``: under ``python -m lecturekit.numerics`` (``make test``)
CUDA_VISIBLE_DEVICES is empty and no GPU is seen. Asked for cuda where there is none, it says
so in one line and exits 0 without running or writing anything.

Splitting the run. A machine lent for a short time (say 10 minutes a command) cannot run all
16 chapters twice in one go: the chapters take 15 to 90 s each on a 2-core laptop CPU with
their default parameters, about 12 minutes in all, plus a few seconds per kernel start. So
run a few chapters per command, e.g. ``--chapters 01,02,03,04,05,06,07,08`` and then
``--chapters 09,10,11,12,13,14,15,16``; ``--devices cuda`` leaves out the CPU reference when
time is short, and ``--parameters small`` checks the machinery in about a minute. Runs add
to an existing ``--out`` file made on the same machine with the same kind of parameters (a
chapter run again replaces its earlier entry), the file is rewritten after every chapter, so
a command stopped part way keeps what it finished, and every run prints the table of all the
file holds.
"""

from __future__ import annotations

import argparse
import datetime
import json
import math
import os
import platform
import re
import sys
import tempfile
import time
import uuid
from pathlib import Path

import nbformat
import yaml

ROOT = Path(__file__).resolve().parents[1]
CHAPTER_DIR = ROOT / "chapters"
CHAPTERS = sorted(path.stem for path in CHAPTER_DIR.glob("[0-9][0-9]_*.ipynb"))
CHAPTER_PARAMETERS = ROOT / "tests" / "chapter_parameters.yml"
DEFAULT_RESULTS = ROOT / "tests" / "chapter_results.yml"
DEFAULT_OUT = ROOT / "_build" / "benchmarks" / "cuda.json"
DEVICES = ("cuda", "cpu")
PARAMETER_SETS = ("default", "small", "gpu")
CELL_TIMEOUT_S = 1800
# GPU and CPU kernels round differently, and training amplifies that: results are compared
# loosely, numbers within 5% of each other agree.
RELATIVE_TOLERANCE = 0.05
MAX_STRING_CHARS = 200

NO_GPU = (
    "No CUDA GPU on this machine (torch.cuda.is_available() is False): "
    "make test-cuda needs one; nothing was run."
)

# The cell appended to the chapter: it evaluates each named expression in the chapter's
# namespace and prints the values (or the errors) as one JSON line after a unique marker.
RESULTS_CELL = """\
import json as _benchmark_json
import math as _benchmark_math

_benchmark_values, _benchmark_errors = {{}}, {{}}
for _benchmark_name, _benchmark_expression in {expressions!r}.items():
    try:
        _benchmark_value = eval(_benchmark_expression)
        if isinstance(_benchmark_value, float) and not _benchmark_math.isfinite(_benchmark_value):
            _benchmark_value = repr(_benchmark_value)  # nan and inf are not JSON numbers
        if not isinstance(_benchmark_value, bool | int | float | str):
            raise TypeError(
                f"gave a {{type(_benchmark_value).__name__}}, not a number, bool or string "
                "(wrap it in float(), int(), bool() or str())"
            )
        if isinstance(_benchmark_value, str) and len(_benchmark_value) > {max_chars}:
            raise ValueError(f"gave a string of {{len(_benchmark_value)}} characters")
        _benchmark_values[_benchmark_name] = _benchmark_value
    except Exception as _benchmark_error:
        _benchmark_errors[_benchmark_name] = (
            f"{{type(_benchmark_error).__name__}}: {{_benchmark_error}}"
        )
print({marker!r} + _benchmark_json.dumps({{
    "device": str(globals().get("device")),
    "results": _benchmark_values,
    "result_errors": _benchmark_errors,
}}))
"""


def main(argv: list[str] | None = None) -> int:
    args = parse_arguments(argv)
    import torch  # after parsing, so that --help is quick

    if "cuda" in args.devices and not torch.cuda.is_available():
        print(NO_GPU + why_no_gpu(torch), flush=True)
        return 0
    os.environ["LECTUREKIT_HEADLESS"] = "1"
    chapter_parameters = yaml.safe_load(CHAPTER_PARAMETERS.read_text())
    expressions = read_results(args.results)
    benchmark = start_benchmark(args.out, machine(torch), args.parameters)

    runs = [(chapter, device) for chapter in args.chapters for device in args.devices]
    print(f"{len(runs)} runs: {', '.join(args.chapters)} on {', '.join(args.devices)}", flush=True)
    started = time.perf_counter()
    for number, (chapter, device) in enumerate(runs, start=1):
        parameters = chapter_parameters[chapter].get(args.parameters, {})
        print(f"[{number}/{len(runs)}] {chapter} on {device} ...", end=" ", flush=True)
        run = run_chapter(chapter, parameters | {"device": device}, expressions.get(chapter, {}))
        entry = benchmark["chapters"].setdefault(chapter, {})
        entry["parameters"] = parameters
        entry[device] = run
        entry.pop("speedup", None)
        if entry.get("cpu", {}).get("ok") and entry.get("cuda", {}).get("ok"):
            entry["speedup"] = round(entry["cpu"]["seconds"] / entry["cuda"]["seconds"], 2)
        write_benchmark(args.out, benchmark)
        error = run["error"]
        outcome = "ok" if run["ok"] else f"FAILED: {error['name']}: {error['message']}"
        print(
            f"{run['seconds']:.1f} s, {outcome} (total {time.perf_counter() - started:.0f} s)",
            flush=True,
        )
    print(f"\nWrote {args.out}\n")
    print(markdown_table(benchmark), flush=True)
    return 0


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Run the chapters on CUDA and on the CPU, and compare their times and results."
    )
    parser.add_argument(
        "--chapters",
        type=chapter_list,
        default=CHAPTERS,
        help="comma-separated chapter names or numbers, e.g. 01_perceptron,07 (default: all)",
    )
    parser.add_argument(
        "--devices",
        type=device_list,
        default=list(DEVICES),
        help="comma-separated, from cuda and cpu, run in this order (default: cuda,cpu)",
    )
    parser.add_argument(
        "--results",
        type=Path,
        default=DEFAULT_RESULTS,
        help="YAML: chapter -> {result name: Python expression} (default: %(default)s)",
    )
    parser.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, help="JSON file to write (default: %(default)s)"
    )
    parser.add_argument(
        "--parameters",
        choices=PARAMETER_SETS,
        default="default",
        help="the chapters' defaults, or the small (quick test) or gpu (advised for a GPU) "
        "settings of tests/chapter_parameters.yml (default: %(default)s)",
    )
    return parser.parse_args(argv)


def chapter_list(text: str) -> list[str]:
    """``"01,07_lenet5"`` -> ``["01_perceptron", "07_lenet5"]``: full names or their numbers."""
    chapters = []
    for name in filter(None, (part.strip() for part in text.split(","))):
        matches = [c for c in CHAPTERS if c == name or c.split("_", 1)[0] == name]
        if not matches:
            raise argparse.ArgumentTypeError(
                f"no chapter {name!r}; the chapters are {', '.join(CHAPTERS)}"
            )
        chapters += [c for c in matches if c not in chapters]
    if not chapters:
        raise argparse.ArgumentTypeError("name at least one chapter")
    return chapters


def device_list(text: str) -> list[str]:
    devices = list(dict.fromkeys(part.strip() for part in text.split(",") if part.strip()))
    unknown = [d for d in devices if d not in DEVICES]
    if unknown or not devices:
        allowed = ", ".join(DEVICES)
        raise argparse.ArgumentTypeError(f"devices must be from {allowed} (got {text!r})")
    return devices


def why_no_gpu(torch) -> str:
    """A second sentence for the no-GPU line, where the reason is visible from here."""
    if torch.version.cuda is None:
        return f" This torch ({torch.__version__}) is a CPU-only build: a GPU needs a CUDA build."
    if os.environ.get("CUDA_VISIBLE_DEVICES") == "":
        return (
            " CUDA_VISIBLE_DEVICES is empty here, which hides every GPU "
            "(run it unpinned, not under python -m lecturekit.numerics)."
        )
    return ""


def read_results(path: Path) -> dict[str, dict[str, str]]:
    """chapter -> {result name: expression}; empty (times only) if there is no such file."""
    if not path.exists():
        print(f"No results file {path}: recording times and outcomes only.", flush=True)
        return {}
    return yaml.safe_load(path.read_text()) or {}


def run_chapter(chapter: str, parameters: dict, expressions: dict[str, str]) -> dict:
    """Run one chapter in a fresh kernel: its wall seconds, outcome and headline results."""
    import papermill

    notebook = nbformat.read(CHAPTER_DIR / f"{chapter}.ipynb", as_version=4)
    marker = f"@@cuda-benchmark-results-{uuid.uuid4().hex}@@"
    source = RESULTS_CELL.format(
        expressions=dict(expressions), marker=marker, max_chars=MAX_STRING_CHARS
    )
    notebook.cells.append(nbformat.v4.new_code_cell(source))
    run = {"seconds": None, "ok": False, "error": None, "results": {}, "result_errors": {}}
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix=f"cuda-benchmark-{chapter}-") as folder:
        try:
            executed = papermill.execute_notebook(
                notebook,
                None,
                parameters=parameters,
                cwd=folder,
                kernel_name="python3",
                progress_bar=False,
                execution_timeout=CELL_TIMEOUT_S,
            )
        except papermill.PapermillExecutionError as error:
            message = error.evalue or failing_line(error.traceback)  # a bare assert has none
            run["error"] = {"name": error.ename, "message": message, "cell": error.cell_index}
        except Exception as error:  # a cell timeout, a dead kernel: record it, go on
            run["error"] = {"name": type(error).__name__, "message": str(error), "cell": None}
        else:
            run["ok"] = True
            reported = results_printed(executed.cells[-1], marker)
            run["ran_on"] = reported.get("device")
            run["results"] = reported.get("results", {})
            run["result_errors"] = reported.get("result_errors", {})
    run["seconds"] = round(time.perf_counter() - started, 2)
    return run


def failing_line(traceback: list[str]) -> str:
    """The source line IPython's traceback points at (``----> 12 assert x > y``), or ""."""
    text = re.sub(r"\x1b\[[0-9;]*m", "", "\n".join(traceback))
    lines = re.findall(r"^-+>\s*\d+\s+(.*)$", text, re.MULTILINE)
    return lines[-1].strip() if lines else ""


def results_printed(cell, marker: str) -> dict:
    """The JSON that the results cell printed after ``marker`` (an error if it printed none)."""
    text = "".join(o.get("text", "") for o in cell.outputs if o.get("name") == "stdout")
    for line in text.splitlines():
        if line.startswith(marker):
            return json.loads(line[len(marker) :])
    return {"result_errors": {"(all)": f"the results cell printed no results: {text[-300:]!r}"}}


def machine(torch) -> dict:
    """What the numbers were measured on."""
    cuda = torch.cuda.is_available()
    return {
        "gpu": torch.cuda.get_device_name(0) if cuda else None,
        "cuda": torch.version.cuda,
        "torch": torch.__version__,
        "cpu": cpu_model(),
        "cpu_count": os.cpu_count(),
        "python": platform.python_version(),
    }


def cpu_model() -> str:
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        match = re.search(r"^model name\s*:\s*(.+)$", cpuinfo.read_text(), re.MULTILINE)
        if match:
            return match.group(1).strip()
    return platform.processor() or platform.machine()


def start_benchmark(out: Path, machine: dict, parameters: str) -> dict:
    """The benchmark to add to: ``out`` if it was made here with the same kind of parameters."""
    if out.exists():
        earlier = json.loads(out.read_text())
        if earlier.get("machine") == machine and earlier.get("parameters") == parameters:
            print(f"Adding to {out} ({len(earlier['chapters'])} chapters in it).", flush=True)
            return earlier
        print(f"Replacing {out}: it was made on another machine or with other parameters.")
    return {"machine": machine, "date": None, "parameters": parameters, "chapters": {}}


def write_benchmark(out: Path, benchmark: dict) -> None:
    benchmark["date"] = datetime.datetime.now().astimezone().isoformat(timespec="seconds")
    benchmark["chapters"] = dict(sorted(benchmark["chapters"].items()))
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".partial")
    partial.write_text(json.dumps(benchmark, indent=2) + "\n")
    partial.replace(out)  # never a half-written file, even if the command is stopped


def values_differ(a: object, b: object) -> bool:
    """Numbers more than 5% apart (relative), or different bools or strings."""
    numbers = (int, float)
    if all(isinstance(v, numbers) and not isinstance(v, bool) for v in (a, b)):
        return abs(a - b) > RELATIVE_TOLERANCE * max(abs(a), abs(b))
    return a != b


def comparison(entry: dict) -> tuple[str, list[tuple[str, object, object, bool]]]:
    """The "results agree?" cell of a chapter, and (name, cpu value, cuda value, differ) rows."""
    cpu, cuda = entry.get("cpu"), entry.get("cuda")
    if cpu is None or cuda is None:
        return "(one device only)", []
    failed = [name for name, run in (("CPU", cpu), ("CUDA", cuda)) if not run["ok"]]
    if failed:
        return " and ".join(f"{name} run failed" for name in failed), []
    names = list(
        dict.fromkeys(
            name for run in (cpu, cuda) for name in [*run["results"], *run.get("result_errors", {})]
        )
    )
    rows = []
    for name in names:
        a, b = cpu["results"].get(name), cuda["results"].get(name)
        missing = name not in cpu["results"] or name not in cuda["results"]
        rows.append((name, a, b, missing or values_differ(a, b)))
    flagged = [name for name, _, _, differ in rows if differ]
    if not rows:
        return "(no results named)", rows
    return ("no: " + ", ".join(flagged)) if flagged else f"yes ({len(rows)})", rows


def markdown_table(benchmark: dict) -> str:
    """A table of times, speed-ups and agreement, then one of every result, in Markdown."""
    machine = benchmark["machine"]
    lines = [
        f"Measured {benchmark['date'][:10]} on {machine['gpu'] or 'no GPU'} "
        f"(CUDA {machine['cuda']}, torch {machine['torch']}) and {machine['cpu']} "
        f"({machine['cpu_count']} CPUs), {benchmark['parameters']} parameters:",
        "",
        "| chapter | CPU s | CUDA s | speed-up | results agree? |",
        "|---|---:|---:|---:|---|",
    ]
    details = ["| chapter | result | CPU | CUDA | differ? |", "|---|---|---:|---:|---|"]
    for chapter, entry in benchmark["chapters"].items():
        agree, rows = comparison(entry)
        speedup = f"{entry['speedup']:.1f}x" if "speedup" in entry else "-"
        lines.append(
            f"| {chapter} | {seconds(entry.get('cpu'))} | {seconds(entry.get('cuda'))} "
            f"| {speedup} | {agree} |"
        )
        for name, a, b, differ in rows:
            details.append(
                f"| {chapter} | {name} | {shown(a)} | {shown(b)} | {'**yes**' if differ else ''} |"
            )
    if len(details) > 2:
        lines += ["", "Each result on both devices:", "", *details]
    return "\n".join(lines)


def seconds(run: dict | None) -> str:
    if run is None:
        return "-"
    return f"{run['seconds']:.1f}" if run["ok"] else f"failed ({run['error']['name']})"


def shown(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, float) and not isinstance(value, bool) and math.isfinite(value):
        return f"{value:.4g}"
    return str(value)


if __name__ == "__main__":
    sys.exit(main())
