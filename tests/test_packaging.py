"""One distribution, three packages (the learners' with its doctor), one direction of imports, no sys.path edits."""
import ast
import importlib
import subprocess
import tomllib

import pytest

from conftest import REPO

PACKAGES = {"shapeschool": REPO / "shapeschool",
            "shapeschool.chapters": REPO / "shapeschool" / "chapters",
            "shapeschool.doctor": REPO / "shapeschool" / "doctor",
            "shapeschool.doctor.rules": REPO / "shapeschool" / "doctor" / "rules",
            "shapeschool_nbgrader": REPO / "autograder" / "shapeschool_nbgrader",
            "shapeschool_grader": REPO / "autograder" / "shapeschool_grader",
            "shapeschool_site": REPO / "autograder" / "shapeschool_site"}


def _imports(path):
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("package, forbidden, allowed_in", [
    ("shapeschool", {"shapeschool_grader", "shapeschool_nbgrader", "shapeschool_site", "nbgrader", "nbclient"}, set()),
    ("shapeschool.chapters", {"shapeschool_grader", "shapeschool_nbgrader", "shapeschool_site", "nbgrader", "nbclient"},
     set()),
    ("shapeschool.doctor", {"shapeschool_grader", "shapeschool_nbgrader", "shapeschool_site", "nbgrader", "nbclient"},
     set()),
    ("shapeschool_nbgrader", {"shapeschool_grader", "shapeschool_site"}, set()),
    ("shapeschool_grader", {"shapeschool_nbgrader", "shapeschool_site"}, {"benchmark.py"}),   # it builds its class with the course's build
    ("shapeschool_site", {"shapeschool_grader"}, set()),      # it reads the course (launch, cheat sheet), never grades
])
def test_imports_go_one_way(package, forbidden, allowed_in):
    for path in sorted(PACKAGES[package].glob("*.py")):
        if path.name not in allowed_in:
            assert not _imports(path) & forbidden, f"{path.relative_to(REPO)} imports {_imports(path) & forbidden}"


def test_pyproject_installs_the_packages_from_where_they_are_and_the_command():
    project = tomllib.loads((REPO / "pyproject.toml").read_text())
    dirs = project["tool"]["setuptools"]["package-dir"]
    assert set(project["tool"]["setuptools"]["packages"]) == set(PACKAGES)
    assert {name: REPO / folder for name, folder in dirs.items()} == PACKAGES
    module, function = project["project"]["scripts"]["shapeschool-grade"].split(":")
    assert callable(getattr(importlib.import_module(module), function))
    assert "nbgrader" in " ".join(project["project"]["optional-dependencies"]["grader"])
    assert not any("nbgrader" in d for d in project["project"]["dependencies"]), "learners never need nbgrader"


def test_nothing_edits_sys_path():
    tracked = subprocess.run(["git", "ls-files", "*.py"], cwd=REPO, capture_output=True, text=True).stdout.split()
    for name in tracked:
        for node in ast.walk(ast.parse((REPO / name).read_text())):
            if isinstance(node, ast.Attribute) and node.attr in ("insert", "append", "extend") and \
                    isinstance(node.value, ast.Attribute) and node.value.attr == "path" and \
                    isinstance(node.value.value, ast.Name) and node.value.value.id == "sys":
                pytest.fail(f"{name}:{node.lineno} edits sys.path: install the package instead (make setup)")
