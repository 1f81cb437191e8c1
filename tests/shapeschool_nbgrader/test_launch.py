"""Do the Colab and Binder links point at each notebook itself, and is the Colab cell safe?"""
import re
import sys
import types

import pytest

from shapeschool_nbgrader import launch
from notebooks import load


def test_every_student_notebook_opens_with_its_own_badges(chapter, repo):
    path = f"exercises/{chapter}.ipynb"
    assert (repo / path).is_file()
    first, second = load("exercises", chapter).cells[:2]
    assert first.cell_type == "markdown"
    assert f"]({launch.colab_url(path)})" in first.source
    assert f"]({launch.binder_url(path)})" in first.source
    assert second.cell_type == "code" and second.source == launch.colab_setup_source()


def test_urls_name_the_configured_repository_and_the_file():
    assert launch.colab_url("exercises/x.ipynb") == \
        f"https://colab.research.google.com/github/{launch.REPOSITORY}/blob/{launch.BRANCH}/exercises/x.ipynb"
    assert launch.binder_url("exercises/x.ipynb").endswith(f"/{launch.BRANCH}?labpath=exercises%2Fx.ipynb")


def test_readme_links_every_chapter_to_colab_and_binder(chapter, repo):
    readme = (repo / "README.md").read_text()
    path = f"exercises/{chapter}.ipynb"
    assert launch.colab_url(path) in readme and launch.binder_url(path) in readme


def _run_setup_cell(monkeypatch, in_colab):
    calls = []
    monkeypatch.setattr("subprocess.run", lambda args, **kw: calls.append(args))
    if in_colab:
        monkeypatch.setitem(sys.modules, "google.colab", types.ModuleType("google.colab"))
    else:
        monkeypatch.delitem(sys.modules, "google.colab", raising=False)
    exec(launch.colab_setup_source(), {})
    return calls


def test_setup_cell_does_nothing_outside_colab(monkeypatch):
    assert _run_setup_cell(monkeypatch, in_colab=False) == []


def test_setup_cell_on_colab_installs_only_the_helper_without_dependencies(monkeypatch):
    helper, extra = _run_setup_cell(monkeypatch, in_colab=True)
    assert "--no-deps" in helper and helper[-1] == f"shapeschool @ git+https://github.com/{launch.REPOSITORY}@{launch.BRANCH}"
    assert extra[-2:] == ["einops", "torchinfo"] and "--upgrade" not in extra and "-U" not in extra
    named = {re.split(r"[<>=@ \[]", arg)[0] for arg in helper + extra}
    assert not named & {"torch", "matplotlib", "ipywidgets"}, "Colab's own torch, matplotlib and ipywidgets stay"


@pytest.mark.parametrize("source_only", ["course", "solutions"])
def test_sources_and_answer_keys_carry_no_launch_cells(source_only, chapter):
    assert not any(c.metadata.get("shapeschool", {}).get("launch") for c in load(source_only, chapter).cells)
