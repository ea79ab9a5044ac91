"""Colab for real: the install cell changes none of Colab's packages, and the chapters run there.

Colab's published package list is in tests/colab/ (its README says where it comes from, and
what is left out of each check and why). The chapters run in `.venv/colab` (`make colab-env`), a
stand-in for Colab with Colab's versions of every package they import (all sixteen chapters
with their small parameters: about 3 minutes). `make test-colab` runs this file alone.
"""

import json
import os
import subprocess
import sys
import tomllib
import zipfile
from email.parser import Parser
from pathlib import Path

import papermill
import pytest
import yaml
from colab_env import (
    CHAPTERS,
    COLAB,
    COLAB_LACKS,
    LEFT_OUT_BY_COLAB,
    ROOT,
    VENV_PACKAGES,
    build_wheel,
    colab_pins,
    install_cell_source,
    resolver_constraints,
)
from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

import lecturekit

COLAB_PYTHON = Path(os.environ.get("LECTUREKIT_COLAB_PYTHON", ROOT / ".venv/colab/bin/python"))
PARAMETERS = yaml.safe_load((ROOT / "tests" / "chapter_parameters.yml").read_text())
PURELIB = "import sysconfig; print(sysconfig.get_paths()['purelib'])"
# Wheels for Colab's Python, whatever Python runs pip here (tests/colab/README.md).
FOR_COLAB_PYTHON = [
    "--python-version", "3.13", "--only-binary=:all:", "--ignore-requires-python",
    "--platform", "manylinux_2_28_x86_64", "--platform", "manylinux_2_17_x86_64",
    "--platform", "manylinux2014_x86_64", "--platform", "any",
]  # fmt: skip


@pytest.fixture(scope="session")
def wheel(tmp_path_factory):
    return build_wheel(tmp_path_factory.mktemp("wheel"))


def requirements_of(wheel):
    with zipfile.ZipFile(wheel) as archive:
        (name,) = [n for n in archive.namelist() if n.endswith(".dist-info/METADATA")]
        metadata = Parser().parsestr(archive.read(name).decode())
    return metadata["Version"], [Requirement(r) for r in metadata.get_all("Requires-Dist")]


def test_the_lists_are_googles_unchanged():
    shared = ROOT.parent / "shared" / "colab"
    if not shared.is_dir():
        pytest.skip("no ../shared/colab to compare with on this machine")
    for name in ["pip-freeze.gpu.txt", "os-info-gpu.txt"]:
        assert (COLAB / name).read_text() == (shared / name).read_text(), name


def test_one_version_string_the_packages_own(wheel):
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert "version" not in project["project"] and project["project"]["dynamic"] == ["version"]
    dynamic = project["tool"]["setuptools"]["dynamic"]["version"]
    assert dynamic == {"attr": "lecturekit.__version__"}
    version, _ = requirements_of(wheel)
    assert version == lecturekit.__version__
    assert f'release = "v{lecturekit.__version__}"' in install_cell_source()


def test_the_repository_address_is_written_only_in_config():
    address = yaml.safe_load((ROOT / "_config.yml").read_text())["repository"]["url"]
    skipped = {".git", ".venv", "_build", "__pycache__", ".pytest_cache", ".ruff_cache", "cache"}
    holders = {
        path.relative_to(ROOT).as_posix()
        for path in ROOT.rglob("*")
        if path.is_file()
        and not skipped & set(path.relative_to(ROOT).parts)
        and not path.is_relative_to(COLAB)
        and not path.parent.name.endswith(".egg-info")
        and address.encode() in path.read_bytes()
    }
    # The chapters' install cells are written from _config.yml (tests/colab_env.py).
    assert holders == {"_config.yml"} | {f"chapters/{path.name}" for path in CHAPTERS}


def test_lecturekit_installs_into_colab_changing_none_of_its_packages(wheel, tmp_path):
    pins = colab_pins()
    _, requirements = requirements_of(wheel)
    needed = [r for r in requirements if r.marker is None]
    # Colab's CUDA torch stays: no resolver can swap our CPU build for it, so its version is
    # checked against lecturekit's requirement here, and the rest goes to pip's resolver.
    (torch,) = [r for r in needed if r.name == "torch"]
    assert torch.specifier.contains(pins["torch"]), f"{torch} excludes Colab's {pins['torch']}"
    (tmp_path / "constraints.txt").write_text("\n".join(resolver_constraints()) + "\n")
    (tmp_path / "requirements.txt").write_text(
        "\n".join(str(r) for r in needed if r.name != "torch") + "\n"
    )
    resolve = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--dry-run", "--quiet",
         "--report", str(tmp_path / "report.json"), *FOR_COLAB_PYTHON,
         "--target", str(tmp_path / "target"), "-c", str(tmp_path / "constraints.txt"),
         "-r", str(tmp_path / "requirements.txt")],
        capture_output=True, text=True,
    )  # fmt: skip
    assert resolve.returncode == 0, resolve.stderr[-3000:]
    report = json.loads((tmp_path / "report.json").read_text())
    chosen = {
        canonicalize_name(item["metadata"]["name"]): item["metadata"]["version"]
        for item in report["install"]
    }
    changed = {name: v for name, v in chosen.items() if name in pins and str(pins[name]) != v}
    assert not changed, f"would change Colab's packages: {changed}"
    added = (set(chosen) - set(pins)) & needed_on_colab_python(report)
    assert added == set(COLAB_LACKS) | LEFT_OUT_BY_COLAB, (
        "the install cell brings COLAB_LACKS (tests/colab_env.py) with --no-deps: it must be "
        f"what Colab lacks, {sorted(added - LEFT_OUT_BY_COLAB)}"
    )


def needed_on_colab_python(report):
    """The packages that a pip report's packages require on Python 3.13, Colab's.

    pip evaluates markers for the Python it runs on (3.11 here) even with --python-version, so
    it adds what only Python < 3.12 needs (overrides, for jupyter-server); this leaves it out.
    """
    environment = default_environment() | {
        "python_version": "3.13",
        "python_full_version": "3.13.0",
    }
    needed = set()
    for item in report["install"]:
        metadata = item["metadata"]
        if item["requested"]:
            needed.add(canonicalize_name(metadata["name"]))
        extras = [""] + metadata.get("provides_extra", [])
        for line in metadata.get("requires_dist", []):
            requirement = Requirement(line)
            marker = requirement.marker
            if marker is None or any(marker.evaluate(environment | {"extra": e}) for e in extras):
                needed.add(canonicalize_name(requirement.name))
    return needed


def test_the_install_cell_in_colab_installs_the_release_and_changes_nothing(tmp_path):
    """Run the cell as Colab would, against a local copy of the repository tagged as released.

    A throwaway environment sees the stand-in's packages but lecturekit and gensim as installed
    (a .pth file), so that whatever pip puts into it is exactly what the cell installs.
    """
    repository = tmp_path / "repository"
    repository.mkdir()
    for name in ["pyproject.toml", "README.md"]:
        (repository / name).write_bytes((ROOT / name).read_bytes())
    subprocess.run(
        ["cp", "-r", str(ROOT / "lecturekit"), str(repository / "lecturekit")], check=True
    )
    git = ["git", "-C", str(repository), "-c", "user.name=t", "-c", "user.email=t@localhost"]
    for step in [["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "release"],
                 ["tag", f"v{lecturekit.__version__}"]]:  # fmt: skip
        subprocess.run([*git, *step], check=True, capture_output=True)
    colab = stand_in_python()
    site = subprocess.run(
        [str(colab), "-c", PURELIB],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    runtime = tmp_path / "runtime"
    subprocess.run([str(colab), "-m", "venv", "--without-pip", str(runtime)], check=True)
    own_site = Path(
        subprocess.run(
            [str(runtime / "bin/python"), "-c", PURELIB], capture_output=True, text=True,
            check=True,
        ).stdout.strip()
    )  # fmt: skip
    # Colab's packages, as the stand-in has them: all but those the cell must bring.
    colab_site = tmp_path / "colab-site"
    colab_site.mkdir()
    for entry in Path(site).iterdir():
        if canonicalize_name(entry.name.split("-")[0]) not in {"lecturekit", *COLAB_LACKS}:
            (colab_site / entry.name).symlink_to(entry)
    (own_site / "colab_runtime.pth").write_text(f"{colab_site}\n")
    before = set(os.listdir(own_site))
    # With a host: pip 23's requirement parser refuses a git+file URL without one.
    address = f"file://localhost{repository}"
    cell = install_cell_source(url=address)
    script = (
        "import sys, types\n"
        "sys.modules['google.colab'] = types.ModuleType('google.colab')\n"
        "from IPython.core.interactiveshell import InteractiveShell\n"
        f"result = InteractiveShell.instance().run_cell({cell!r})\n"
        "import gensim, lecturekit.widgets\n"
        "sys.exit(0 if result.success else 1)\n"
    )
    run = subprocess.run(
        [str(runtime / "bin/python"), "-c", script], capture_output=True, text=True, cwd=tmp_path
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    release = f"v{lecturekit.__version__}"
    assert f"lecturekit {lecturekit.__version__} from {address} {release}" in run.stdout
    installed = {
        canonicalize_name(name.split("-")[0])
        for name in set(os.listdir(own_site)) - before
        if name.endswith(".dist-info")
    }
    assert installed == {"lecturekit", *COLAB_LACKS}, installed


def stand_in_python():
    assert COLAB_PYTHON.exists(), f"no Colab stand-in at {COLAB_PYTHON}: run `make colab-env`"
    return COLAB_PYTHON


@pytest.fixture(scope="module")
def colab_kernel(wheel, tmp_path_factory):
    """A kernel spec for the stand-in, with the current source's wheel installed in it.

    Module-scoped, so that the environment it sets (an empty data cache among it) is undone
    before any other test file starts a kernel: the nbval replays that follow need the
    checkout's cache, where make test fetched GloVe and the Penn sample."""
    python = stand_in_python()
    subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--no-deps", "--force-reinstall",
         str(wheel)],
        check=True,
    )  # fmt: skip
    spec = tmp_path_factory.mktemp("jupyter")
    (spec / "kernels" / "colab").mkdir(parents=True)
    argv = [str(python), "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    kernel = {"argv": argv, "display_name": "Colab stand-in", "language": "python"}
    (spec / "kernels" / "colab" / "kernel.json").write_text(json.dumps(kernel))
    saved = {name: os.environ.get(name) for name in ["JUPYTER_PATH", "LECTUREKIT_DATA_DIR"]}
    os.environ["JUPYTER_PATH"] = str(spec)
    os.environ["LECTUREKIT_DATA_DIR"] = str(tmp_path_factory.mktemp("data"))
    yield "colab"
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


def test_the_stand_in_has_colabs_versions_and_lecturekit_as_a_package(colab_kernel, tmp_path):
    pins = colab_pins()
    probe = (
        "import importlib.metadata as m, json, lecturekit, sys\n"
        f"names = {VENV_PACKAGES!r}\n"
        "print(json.dumps({'versions': {n: m.version(n) for n in names},"
        " 'lecturekit': lecturekit.__file__, 'python': sys.version}))\n"
    )
    found = json.loads(
        subprocess.run(
            [str(COLAB_PYTHON), "-c", probe], capture_output=True, text=True, check=True,
            cwd=tmp_path,
        ).stdout
    )  # fmt: skip
    expected = {name: str(pins[canonicalize_name(name)]) for name in VENV_PACKAGES}
    assert found["versions"] == expected
    assert Path(found["lecturekit"]).is_relative_to(COLAB_PYTHON.parents[1])


@pytest.mark.parametrize("chapter", [path.stem for path in CHAPTERS])
def test_the_chapter_runs_alone_in_colabs_versions(chapter, colab_kernel, tmp_path):
    papermill.execute_notebook(
        str(ROOT / "chapters" / f"{chapter}.ipynb"),
        str(tmp_path / "out.ipynb"),
        parameters=PARAMETERS[chapter]["small"] | {"device": "cpu"},
        cwd=str(tmp_path),
        kernel_name=colab_kernel,
        progress_bar=False,
        execution_timeout=600,
    )
