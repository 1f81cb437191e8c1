"""Is the helper package, which Colab installs beside its own packages, free of newer syntax?"""
import ast

import pytest

from conftest import REPO

OLDEST_PYTHON = (3, 9)   # pyproject's requires-python; Colab runs 3.13


@pytest.mark.parametrize("module", sorted((REPO / "shapeschool").rglob("*.py")),
                         ids=lambda p: str(p.relative_to(REPO / "shapeschool")))
def test_parses_as_the_oldest_supported_python(module):
    ast.parse(module.read_text(), filename=str(module), feature_version=OLDEST_PYTHON)


def test_requires_python_matches():
    assert f'requires-python = ">={OLDEST_PYTHON[0]}.{OLDEST_PYTHON[1]}"' in (REPO / "pyproject.toml").read_text()
