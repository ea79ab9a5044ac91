"""Colab's published environment (tests/colab/), and the install cell every chapter opens with.

    python tests/colab_env.py venv-pins          # Colab's versions for .venv/colab (make colab-env)
    python tests/colab_env.py wheel DIR          # lecturekit's wheel, built from this source
    python tests/colab_env.py install-cell       # rewrite every chapter's install cell

The chapters' install cell names lecturekit's version and the repository's address, each kept
in one place: ``lecturekit.__version__`` and ``_config.yml``. After changing either, run
``install-cell``; tests/test_colab.py fails until the chapters agree.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

import nbformat
import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]
COLAB = ROOT / "tests" / "colab"
FREEZE = COLAB / "pip-freeze.gpu.txt"
CHAPTERS = sorted((ROOT / "chapters").glob("[0-9][0-9]_*.ipynb"))

# Colab's CUDA build of torch and what comes with it: no resolver can put our CPU build in
# their place, so the resolver check leaves them out and checks torch's version by itself.
CUDA_STACK = {"torch", "torchvision", "torchaudio", "triton"}
# What lecturekit needs and Colab lacks: the install cell brings these, with --no-deps, since
# Colab has everything else (tests/test_colab.py resolves it). Without --no-deps pip would also
# add jedi, which Colab's IPython 7.34 lists as a dependency but Colab leaves out on purpose:
# with jedi present, IPython switches its completions over to it.
COLAB_LACKS = ["gensim"]
LEFT_OUT_BY_COLAB = {"jedi"}
# What lecturekit and the chapters import, and the classic notebook that the live widget test
# runs as Colab's front end does. On Python 3.11 only these are pinned; their own dependencies
# float, because some of Colab's pins need Python 3.12 or later (tifffile 2026.8.16, for one).
VENV_PACKAGES = [
    "numpy", "matplotlib", "scikit-image", "scikit-learn", "scipy", "tqdm", "pooch",
    "ipython", "ipykernel", "ipywidgets", "jupyter-client", "traitlets", "pyyaml",
    "nbformat", "nbclient", "notebook", "widgetsnbextension", "smart-open", "packaging",
]  # fmt: skip


def colab_pins() -> dict[str, Version]:
    """Every package Colab's list pins with ``==`` (not those installed from a URL)."""
    pins = {}
    for line in FREEZE.read_text().splitlines():
        if line.strip() and not line.startswith("#") and " @ " not in line:
            requirement = Requirement(line)
            (specifier,) = requirement.specifier
            pins[canonicalize_name(requirement.name)] = Version(specifier.version)
    return pins


def resolver_constraints() -> list[str]:
    """Colab's pins as pip constraints, its CUDA torch stack left out."""
    return [
        f"{name}=={version}"
        for name, version in colab_pins().items()
        if name not in CUDA_STACK and not name.startswith("nvidia-")
    ]


def venv_pins() -> list[str]:
    """Colab's versions of the packages a Python 3.11 stand-in for Colab needs."""
    pins = colab_pins()
    return [f"{name}=={pins[canonicalize_name(name)]}" for name in VENV_PACKAGES]


def build_wheel(out: Path) -> Path:
    """lecturekit's wheel, built from a copy of the source so that no build/ is left here."""
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as source:
        for name in ["pyproject.toml", "README.md"]:
            shutil.copy(ROOT / name, source)
        ignore = shutil.ignore_patterns("__pycache__", "*.egg-info")
        shutil.copytree(ROOT / "lecturekit", Path(source) / "lecturekit", ignore=ignore)
        subprocess.run(
            [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps",
             "--no-build-isolation", "--wheel-dir", str(out), source],
            check=True,
        )  # fmt: skip
    (wheel,) = out.glob(f"lecturekit-{lecturekit_version()}-*.whl")
    return wheel


def repository_url() -> str:
    return yaml.safe_load((ROOT / "_config.yml").read_text())["repository"]["url"]


def lecturekit_version() -> str:
    source = (ROOT / "lecturekit" / "__init__.py").read_text()
    return re.search(r'^__version__ = "([^"]+)"$', source, re.MULTILINE).group(1)


def lecturekit_requirements() -> dict[str, Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    requirements = map(Requirement, project["dependencies"])
    return {canonicalize_name(r.name): r for r in requirements}


def install_cell_source(url: str | None = None, version: str | None = None) -> str:
    """The first code cell of every chapter: lecturekit at the release the book declares."""
    url, version = url or repository_url(), version or lecturekit_version()
    lacking = " ".join(f'"{lecturekit_requirements()[name]}"' for name in COLAB_LACKS)
    return f"""\
# In Colab, install lecturekit {version}, the release of the book's helper package that this
# chapter was written for, and what Colab lacks; Colab's own packages stay as they are
# (--no-deps: Colab has the rest). Anywhere else this cell does nothing.
import sys

if "google.colab" in sys.modules:
    import importlib.metadata

    repository = "{url}"
    release = "v{version}"
    %pip install --quiet --no-deps "lecturekit @ git+{{repository}}@{{release}}" {lacking}
    print("lecturekit", importlib.metadata.version("lecturekit"), "from", repository, release)"""


def install_cell(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The chapter's install cell: the code cell that mentions ``google.colab``."""
    (cell,) = [c for c in notebook.cells if c.cell_type == "code" and "google.colab" in c.source]
    return cell


def write_install_cells() -> None:
    for path in CHAPTERS:
        notebook = nbformat.read(path, as_version=4)
        install_cell(notebook).source = install_cell_source()
        nbformat.write(notebook, path)


if __name__ == "__main__":
    command = sys.argv[1:] or ["help"]
    if command == ["venv-pins"]:
        print("\n".join(venv_pins()))
    elif command[:1] == ["wheel"] and len(command) == 2:
        print(build_wheel(Path(command[1])))
    elif command == ["install-cell"]:
        write_install_cells()
    else:
        sys.exit(__doc__)
