"""The pytest plugin: ``pytest --shape-doctor`` and the ``shape_doctor`` fixture, on a real failing
test run by pytest itself (pytester)."""
import pytest

pytest_plugins = ["pytester"]

FAILING = '''
import torch
from torch import nn


def make():
    return nn.Sequential(nn.Conv2d(3, 8, 3), nn.Flatten(), nn.Linear(8 * 30 * 30, 10))


def test_forward():
    make()(torch.randn(4, 3, 28, 28))
'''

WITH_FIXTURE = FAILING.replace("def test_forward():", "def test_forward(shape_doctor):")


def test_the_option_explains_a_failing_test(pytester):
    pytester.makepyfile(test_model=FAILING)
    result = pytester.runpytest_subprocess("--shape-doctor")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*mat1 and mat2 shapes cannot be multiplied*", "*shapeschool.doctor:*",
                                 "*cause:*in_features=7200*"])


def test_without_the_option_the_failure_is_plain(pytester):
    pytester.makepyfile(test_model=FAILING)
    result = pytester.runpytest_subprocess()
    result.assert_outcomes(failed=1)
    assert "shapeschool.doctor" not in result.stdout.str()


def test_the_fixture_turns_it_on_for_one_test(pytester):
    pytester.makepyfile(test_model=WITH_FIXTURE)
    result = pytester.runpytest_subprocess()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*shapeschool.doctor:*", "*fix:*"])


@pytest.mark.parametrize("option", [[], ["--shape-doctor"]])
def test_a_passing_test_passes_either_way(pytester, option):
    pytester.makepyfile(test_model=FAILING.replace("28, 28", "32, 32"))
    pytester.runpytest_subprocess(*option).assert_outcomes(passed=1)
