"""environment.yml (conda, Binder) describes the same environment as pyproject + constraints."""

import tomllib
from pathlib import Path

import yaml
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
ENVIRONMENT = yaml.safe_load((ROOT / "environment.yml").read_text())


def pyproject_requirements():
    lines = PYPROJECT["dependencies"] + sum(PYPROJECT["optional-dependencies"].values(), [])
    return {canonicalize_name(r.name): r for r in map(Requirement, lines)}


def environment_pins():
    pip = next(d["pip"] for d in ENVIRONMENT["dependencies"] if isinstance(d, dict))
    requirements = [Requirement(line) for line in pip if not line.startswith(("-", "--"))]
    return {canonicalize_name(r.name): r for r in requirements}


def constraint_pins():
    lines = (ROOT / "constraints.txt").read_text().splitlines()
    pins = [Requirement(line) for line in lines if line.strip() and not line.startswith("#")]
    return {canonicalize_name(r.name): r for r in pins}


def pinned_version(requirement):
    (specifier,) = requirement.specifier
    assert specifier.operator == "==", f"{requirement} is not pinned with =="
    return Version(specifier.version)


def test_environment_pins_every_pyproject_dependency_and_nothing_else():
    assert set(environment_pins()) == set(pyproject_requirements())


def test_environment_pins_equal_the_constraints_and_satisfy_pyproject():
    constraints = constraint_pins()
    for name, requirement in environment_pins().items():
        version = pinned_version(requirement)
        assert pinned_version(constraints[name]).public == version.public, name
        assert pyproject_requirements()[name].specifier.contains(version, prereleases=True), name


def test_torch_is_pinned_in_the_constraints():
    assert str(pinned_version(constraint_pins()["torch"])) == "2.13.0"


def test_environment_python_satisfies_requires_python():
    python = next(d for d in ENVIRONMENT["dependencies"] if str(d).startswith("python="))
    assert SpecifierSet(PYPROJECT["requires-python"]).contains(python.split("=")[1] + ".0")


def test_environment_installs_lecturekit_itself():
    pip = next(d["pip"] for d in ENVIRONMENT["dependencies"] if isinstance(d, dict))
    assert "-e ." in pip
