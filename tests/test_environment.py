"""Do requirements.txt (pip) and environment.yml (conda-forge, Binder) ask for the same things?"""
import re

from conftest import REPO

# conda-forge names that differ from PyPI's
CONDA_NAME = {"torch": "pytorch"}


def pip_pins():
    pins = {}
    for line in (REPO / "requirements.txt").read_text().splitlines():
        line = line.split("#")[0].strip()
        if line:
            name, _, version = line.partition("==")
            assert version, f"requirements.txt: pin {line!r} exactly with =="
            pins[CONDA_NAME.get(name.lower(), name.lower())] = version
    return pins


def conda_pins():
    text = (REPO / "environment.yml").read_text()
    assert re.search(r"^channels:\n  - conda-forge\n(?!  -)", text, re.M), "use conda-forge and only it"
    pins = {}
    for name, version in re.findall(r"^  - ([A-Za-z0-9_.-]+)=([^\s=]+)$", text, re.M):
        pins[name.lower()] = version
    return pins


def test_every_pip_pin_is_in_environment_yml_at_the_same_version():
    conda = conda_pins()
    mismatched = {n: (v, conda.get(n)) for n, v in pip_pins().items() if conda.get(n) != v}
    assert not mismatched, f"requirements.txt vs environment.yml: {mismatched}"


def test_environment_yml_has_nothing_pip_lacks():
    extra = set(conda_pins()) - set(pip_pins()) - {"python"}
    assert not extra, f"environment.yml pins {extra}, which requirements.txt does not"


def test_no_deprecated_pytorch_channel():
    assert "pytorch\n" not in (REPO / "environment.yml").read_text().split("dependencies:")[0]


def test_helper_package_stays_loose_for_colab():
    text = (REPO / "pyproject.toml").read_text()
    assert '"torch>=2.1"' in text and '"ipywidgets>=7.6,<9"' in text, \
        "the helper package must accept Colab's torch and ipywidgets 7"


def test_binder_postbuild_installs_the_helper_and_stops_on_error():
    post = REPO / "postBuild"
    assert post.stat().st_mode & 0o111, "postBuild must be executable"
    lines = [line for line in post.read_text().splitlines() if line and not line.startswith("#")]
    assert lines[0].startswith("set -e"), "postBuild must stop at its first failing step (set -e)"
    assert "pip install --no-deps --editable ." in post.read_text()
    entries = [line for line in (REPO / "environment.yml").read_text().splitlines() if not line.lstrip().startswith("#")]
    assert not any("-e ." in line or "--editable" in line for line in entries), \
        "environment.yml is built before the repository is copied: install the package in postBuild"
