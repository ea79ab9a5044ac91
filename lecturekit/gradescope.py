"""A Gradescope autograder for one chapter: the zip to upload, and what runs inside it.

``python -m lecturekit gradescope chapters/01_perceptron.ipynb --out autograder.zip`` writes
a zip that Gradescope unpacks into ``/autograder/source``:

- ``setup.sh`` installs bubblewrap and the book's pinned environment (``constraints.txt``)
  with lecturekit into ``/autograder/venv``, once, when Gradescope builds the image;
- ``run_autograder`` grades ``/autograder/submission/*.ipynb`` exactly as
  ``python -m lecturekit grade`` does (sandboxed kernel, verdicts judged outside it, pinned
  numerics) and writes ``/autograder/results/results.json``;
- ``book/`` holds the chapter with its hidden tests, ``grading.json`` the time limits and
  parameters, and ``lecturekit/`` the package itself.

In ``results.json`` every exercise is one test, visible at once, with its score, max_score
and the same feedback as the student's feedback file. What a failed hidden test said goes in
a test of its own, worth nothing, shown only once the grades are published.

``AUTOGRADER_ROOT`` (default ``/autograder``) and ``LECTUREKIT_PYTHON`` move it off
Gradescope's paths, as the tests do.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import nbformat

from lecturekit.grading import (
    HIDDEN_TEST_FAILED,
    Result,
    SandboxUnavailable,
    feedback_reason,
    grade_folder,
    plan_graded_cells,
)

__all__ = ["build_autograder", "results_json", "run"]

ROOT = Path(__file__).resolve().parents[1]

SETUP = """#!/usr/bin/env bash
# Run once by Gradescope when it builds the autograder's image (Ubuntu, as root).
set -euo pipefail
apt-get update
DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \\
    bubblewrap python3 python3-venv python3-pip
python3 -m venv /autograder/venv
/autograder/venv/bin/pip install -c /autograder/source/constraints.txt /autograder/source
"""

RUN = """#!/usr/bin/env bash
# Gradescope runs this for every submission; results.json is written by lecturekit.
set -euo pipefail
root="${AUTOGRADER_ROOT:-/autograder}"
python="${LECTUREKIT_PYTHON:-$root/venv/bin/python}"
cd "$root"  # not source/, whose copy of lecturekit is only there for setup.sh to install
exec "$python" -m lecturekit.numerics "$python" -m lecturekit.gradescope run --root "$root"
"""


def build_autograder(
    chapter: str | Path,
    out: str | Path,
    *,
    parameters: Mapping[str, Any] | None = None,
    time_limit: float = 900,
    cell_timeout: int = 300,
) -> Path:
    """Write the Gradescope autograder zip for ``chapter`` (a source notebook) to ``out``."""
    chapter, out = Path(chapter), Path(out)
    plan_graded_cells(nbformat.read(chapter, as_version=4))  # a graded cell must call a check
    settings = {
        "notebook": chapter.name,
        "parameters": dict(parameters or {}),
        "time_limit": time_limit,
        "cell_timeout": cell_timeout,
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        _add(archive, "setup.sh", SETUP)
        _add(archive, "run_autograder", RUN)
        _add(archive, "grading.json", json.dumps(settings, indent=1))
        archive.write(chapter, f"book/{chapter.name}")
        for name in ("pyproject.toml", "constraints.txt", "README.md"):
            archive.write(ROOT / name, name)
        package = ROOT / "lecturekit"
        for path in sorted(package.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                archive.write(path, f"lecturekit/{path.relative_to(package)}")
    return out


def _add(archive: zipfile.ZipFile, name: str, text: str) -> None:
    info = zipfile.ZipInfo(name)
    info.external_attr = 0o755 << 16  # executable, as Gradescope needs its two scripts
    archive.writestr(info, text)


def results_json(rows: list[Result]) -> dict[str, Any]:
    """Gradescope's results for one submission's rows."""
    tests = []
    for row in rows:
        if row.grade_id == "-":
            tests.append({
                "name": f"Outside the exercises ({row.title})", "score": 0, "max_score": 0,
                "output": feedback_reason(row.reason), "visibility": "visible",
            })  # fmt: skip
            continue
        passed = row.points == row.max_points
        tests.append({
            "name": row.title or row.grade_id,
            "score": row.points,
            "max_score": row.max_points,
            "output": "passed" if passed else feedback_reason(row.reason),
            "visibility": "visible",
        })  # fmt: skip
        if row.reason.startswith(HIDDEN_TEST_FAILED):
            tests.append({
                "name": f"{row.title or row.grade_id}: hidden tests", "score": 0, "max_score": 0,
                "output": row.reason, "visibility": "after_published",
            })  # fmt: skip
    return {
        "score": sum(row.points for row in rows),
        "stdout_visibility": "hidden",
        "tests": tests,
    }


def run(root: str | Path) -> dict[str, Any]:
    """Grade the submission in ``root/submission`` and write ``root/results/results.json``."""
    root = Path(root)
    source = root / "source"
    settings = json.loads((source / "grading.json").read_text())
    name = settings["notebook"]
    results = root / "results" / "results.json"
    results.parent.mkdir(parents=True, exist_ok=True)
    found = sorted((root / "submission").glob("**/*.ipynb"))
    exact = [path for path in found if path.name == name]
    with tempfile.TemporaryDirectory(prefix="gradescope-") as scratch:
        submissions = Path(scratch) / "submissions" / "student"
        submissions.mkdir(parents=True)
        if exact or found:
            shutil.copy((exact or found)[0], submissions / name)
        try:
            rows = grade_folder(
                submissions.parent,
                source_dir=source / "book",
                out_dir=Path(scratch) / "grades",
                time_limit=settings["time_limit"],
                cell_timeout=settings["cell_timeout"],
                parameters={Path(name).stem: settings["parameters"]},
            )
        except SandboxUnavailable as error:
            report = {"score": 0, "output": f"The autograder could not run: {error}", "tests": []}
            results.write_text(json.dumps(report, indent=1))
            return report
    report = results_json(rows)
    if not found:
        report["output"] = f"No notebook was submitted; expected {name}."
    results.write_text(json.dumps(report, indent=1))
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lecturekit.gradescope")
    commands = parser.add_subparsers(dest="command", required=True)
    one = commands.add_parser("run", help="grade /autograder/submission (run_autograder)")
    one.add_argument("--root", type=Path, default=Path("/autograder"))
    args = parser.parse_args(argv)
    report = run(args.root)
    print(f"score {report['score']:g}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
