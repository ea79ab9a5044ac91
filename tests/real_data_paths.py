"""Run one chapter's optional real-data section offline, for the tests of those sections.

A section that downloads a real data set is off by default (its host may be unreachable, so the
committed outputs cannot depend on it). Its test serves a small file of the same format on
127.0.0.1 (`loopback.serve`) and runs the chapter, cut after that section, with the loader
pointed there: a first cell binds the loader's ``source`` argument, so the chapter's own call,
``corpora.load_x()`` or ``from lecturekit.data.corpora import load_x``, fetches the small file
through `lecturekit.data.fetch` with its SHA-256, exactly as it would fetch the real one.
"""

from pathlib import Path

import nbformat
import papermill
from loopback import serve

CHAPTER_DIR = Path(__file__).resolve().parents[1] / "chapters"


def heading_level(cell):
    first = cell.source.lstrip().split("\n", 1)[0]
    return len(first) - len(first.lstrip("#")) if cell.cell_type == "markdown" else 0


def up_to_section_end(notebook, heading):
    """The notebook's cells up to the end of the section whose heading starts with
    ``heading`` (e.g. "## 13.10"): its next heading of the same or a higher level."""
    starts = [i for i, c in enumerate(notebook.cells) if c.source.lstrip().startswith(heading)]
    if len(starts) != 1:
        raise ValueError(f"{len(starts)} cells start with {heading!r}")
    level = heading_level(notebook.cells[starts[0]])
    end = next(
        (
            i
            for i in range(starts[0] + 1, len(notebook.cells))
            if 0 < heading_level(notebook.cells[i]) <= level
        ),
        len(notebook.cells),
    )
    return notebook.cells[:end]


def run_section(chapter, heading, parameters, sources, output_dir, insert_before=None):
    """Execute ``chapter`` (a file stem) with ``parameters`` up to the end of the section
    ``heading``, each loader in ``sources`` ({function name in lecturekit.data.corpora:
    (url, sha256)}) reading from that source; returns the executed notebook.

    ``insert_before`` ({start of a code cell's source: code}) runs code just before that cell,
    e.g. to make an optional part cheap enough for a test."""
    notebook = nbformat.read(CHAPTER_DIR / f"{chapter}.ipynb", as_version=4)
    notebook.cells = up_to_section_end(notebook, heading)
    for start, code in (insert_before or {}).items():
        (k,) = [
            i
            for i, c in enumerate(notebook.cells)
            if c.cell_type == "code" and c.source.startswith(start)
        ]
        notebook.cells.insert(k, nbformat.v4.new_code_cell(code))
    patch = ["import functools", "import lecturekit.data.corpora as corpora"] + [
        f"corpora.{name} = functools.partial(corpora.{name}, source={tuple(source)!r})"
        for name, source in sources.items()
    ]
    notebook.cells.insert(0, nbformat.v4.new_code_cell("\n".join(patch)))
    output_dir.mkdir(parents=True, exist_ok=True)
    source_path = output_dir / f"{chapter}.cut.ipynb"
    nbformat.write(notebook, source_path)
    return papermill.execute_notebook(
        str(source_path),
        str(output_dir / f"{chapter}.run.ipynb"),
        parameters=parameters,
        cwd=str(CHAPTER_DIR),
        kernel_name="python3",
        progress_bar=False,
    )


def run_offline(
    chapter,
    heading,
    parameters,
    loader,
    served_name,
    content,
    tmp_path,
    monkeypatch,
    insert_before=None,
):
    """``run_section`` with one loader reading ``content``, served as ``served_name`` on
    127.0.0.1, and an empty data cache at ``tmp_path / "cache"`` (the kernel inherits
    LECTUREKIT_DATA_DIR), so that the file must come through `fetch`; returns the executed
    notebook and that cache folder."""
    cache = tmp_path / "cache"
    monkeypatch.setenv("LECTUREKIT_DATA_DIR", str(cache))
    with serve({served_name: content}, tmp_path / "served") as sources:
        notebook = run_section(
            chapter,
            heading,
            parameters,
            {loader: sources[served_name]},
            tmp_path / "run",
            insert_before,
        )
    return notebook, cache


def printed(notebook, start):
    """What the one code cell whose source starts with ``start`` printed."""
    cells = [c for c in notebook.cells if c.cell_type == "code" and c.source.startswith(start)]
    assert len(cells) == 1, f"{len(cells)} code cells start with {start!r}"
    return "".join(o.get("text", "") for o in cells[0].outputs if o.output_type == "stream")
