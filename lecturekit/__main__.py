"""Command line for instructors: ``python -m lecturekit student|grade ...``.

python -m lecturekit student chapters/*.ipynb --out _build/student
python -m lecturekit grade submissions --source chapters --out _build/grades
python -m lecturekit gradescope chapters/01_perceptron.ipynb --out autograder.zip
"""

from __future__ import annotations

import argparse
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

    grade.add_argument(
        "--memory-gib", type=float, default=8, help="address space per kernel process (8 GiB)"
    )
    grade.add_argument(
        "--processes", type=int, default=256, help="processes per sandbox at once (256)"
    )
    grade.add_argument(
        "--disk-gib", type=float, default=2, help="size of a sandbox's folder and /tmp (2 GiB)"
    )
    grade.add_argument(
        "--unsafe-no-sandbox",
        action="store_true",
        help="grade even where bubblewrap cannot run: students' code gets your rights "
        "(the gradebook records it)",
    )

    gradescope = commands.add_parser(
        "gradescope", help="write a Gradescope autograder zip for one chapter"
    )
    gradescope.add_argument("chapter", type=Path, help="the source chapter notebook")
    gradescope.add_argument("--out", type=Path, required=True, help="the zip to write")
    gradescope.add_argument(
        "--parameters", type=Path, help="YAML of papermill parameters for this chapter"
    )
    gradescope.add_argument("--time-limit", type=float, default=900, help="seconds (900)")
    gradescope.add_argument("--cell-timeout", type=int, default=300, help="seconds (300)")

    args = parser.parse_args(argv)
    if args.command == "student":
        for path in _write_student_versions(args.notebooks, args.out):
            print(f"wrote {path}")
    elif args.command == "grade":
        return _grade(args)
    elif args.command == "gradescope":
        import yaml

        from lecturekit.gradescope import build_autograder

        parameters = yaml.safe_load(args.parameters.read_text()) if args.parameters else None
        path = build_autograder(
            args.chapter, args.out, parameters=parameters, time_limit=args.time_limit,
            cell_timeout=args.cell_timeout,
        )  # fmt: skip
        print(f"wrote {path}: upload it as the assignment's autograder")
    return 0


def _write_student_versions(notebooks: list[Path], out: Path) -> list[Path]:
    from lecturekit.student import write_student_versions

    return write_student_versions(notebooks, out)


def _grade(args: argparse.Namespace) -> int:
    import yaml

    from lecturekit.grading import SandboxUnavailable, grade_folder
    from lecturekit.sandbox import Limits

    parameters = yaml.safe_load(args.parameters.read_text()) if args.parameters else None
    limits = Limits(
        memory_bytes=int(args.memory_gib * 2**30),
        processes=args.processes,
        disk_bytes=int(args.disk_gib * 2**30),
    )
    try:
        rows = grade_folder(
            args.submissions,
            source_dir=args.source,
            out_dir=args.out,
            time_limit=args.time_limit,
            cell_timeout=args.cell_timeout,
            parameters=parameters,
            jobs=args.jobs,
            limits=limits,
            unsafe_no_sandbox=args.unsafe_no_sandbox,
            progress=sys.stderr,
        )
    except SandboxUnavailable as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    earned, total = sum(r.points for r in rows), sum(r.max_points for r in rows)
    print(f"graded {len({(r.student, r.notebook) for r in rows})} notebooks: {earned:g}/{total:g}")
    print(f"wrote gradebook.csv, gradebook.md and feedback/ to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
