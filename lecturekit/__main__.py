"""Command line for instructors: ``python -m lecturekit student|grade ...``.

python -m lecturekit student chapters/*.ipynb --out _build/student
python -m lecturekit grade submissions --source chapters --out _build/grades
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m lecturekit", description=__doc__.split("\n")[0]
    )
    commands = parser.add_subparsers(dest="command", required=True)

    student = commands.add_parser("student", help="write student versions of chapter notebooks")
    student.add_argument("notebooks", nargs="+", type=Path, help="source chapter notebooks")
    student.add_argument("--out", type=Path, required=True, help="folder for the student versions")

    grade = commands.add_parser("grade", help="grade a folder of submissions into a gradebook")
    grade.add_argument(
        "submissions", type=Path, help="folder laid out as <student>/<NN_name>.ipynb"
    )
    grade.add_argument("--source", type=Path, default=Path("chapters"), help="the book's chapters")
    grade.add_argument("--out", type=Path, required=True, help="folder for gradebook.csv/.md")
    grade.add_argument(
        "--time-limit", type=float, default=900, help="seconds per submitted notebook (900)"
    )
    grade.add_argument("--cell-timeout", type=int, default=300, help="seconds per cell (300)")
    grade.add_argument(
        "--jobs", type=int, default=1, help="submissions graded at a time, one kernel each (1)"
    )
    grade.add_argument(
        "--parameters",
        type=Path,
        help="YAML mapping a notebook name to papermill parameters, e.g. smaller sizes",
    )

    # Internal: grade_notebook runs one submission through this in a child process.
    one = commands.add_parser("grade-one")
    one.add_argument("submission", type=Path)
    one.add_argument("source", type=Path)
    one.add_argument("--student", required=True)
    one.add_argument("--results", type=Path, required=True)
    one.add_argument("--workdir", type=Path, required=True)
    one.add_argument("--cell-timeout", type=int, required=True)
    one.add_argument("--parameters", default="{}")

    args = parser.parse_args(argv)
    if args.command == "student":
        for path in _write_student_versions(args.notebooks, args.out):
            print(f"wrote {path}")
    elif args.command == "grade":
        _grade(args)
    else:
        _grade_one(args)
    return 0


def _write_student_versions(notebooks: list[Path], out: Path) -> list[Path]:
    from lecturekit.student import write_student_versions

    return write_student_versions(notebooks, out)


def _grade(args: argparse.Namespace) -> None:
    import yaml

    from lecturekit.grading import grade_folder

    parameters = yaml.safe_load(args.parameters.read_text()) if args.parameters else None
    rows = grade_folder(
        args.submissions,
        source_dir=args.source,
        out_dir=args.out,
        time_limit=args.time_limit,
        cell_timeout=args.cell_timeout,
        parameters=parameters,
        jobs=args.jobs,
    )
    earned, total = sum(r.points for r in rows), sum(r.max_points for r in rows)
    print(f"graded {len({(r.student, r.notebook) for r in rows})} notebooks: {earned:g}/{total:g}")
    print(f"wrote {args.out / 'gradebook.csv'} and {args.out / 'gradebook.md'}")


def _grade_one(args: argparse.Namespace) -> None:
    import nbformat

    from lecturekit.grading import assemble, run_graded

    source = nbformat.read(args.source, as_version=4)
    submitted = nbformat.read(args.submission, as_version=4)
    run_graded(
        assemble(source, submitted),
        student=args.student,
        name=args.source.stem,
        workdir=args.workdir,
        cell_timeout=args.cell_timeout,
        parameters=json.loads(args.parameters),
        results_path=args.results,
    )


if __name__ == "__main__":
    sys.exit(main())
