"""The shape doctor in a test suite (installed with shapeschool as a pytest plugin).

    pytest --shape-doctor            # every test runs with the doctor on

    def test_forward(shape_doctor):  # or only the tests that ask for it
        model(batch)

A shape error in a test then carries the doctor's account (module, what flowed in, the cause,
the fix) as a note, which pytest prints under the failure. Without the option or the fixture the
plugin does nothing.
"""
import pytest


def pytest_addoption(parser):
    parser.addoption("--shape-doctor", action="store_true", default=False,
                     help="run every test with the shapeschool shape doctor on: shape errors are explained "
                          "under their traceback")


@pytest.fixture
def shape_doctor():
    """The shape doctor, on for this test."""
    from shapeschool import doctor
    with doctor.Session():
        yield doctor


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item):
    everywhere = item.config.getoption("--shape-doctor", default=False)
    if not everywhere and "shape_doctor" not in getattr(item, "fixturenames", ()):
        yield                          # torch is not even imported
        return
    from shapeschool import doctor
    if everywhere:
        doctor.start()
    try:
        outcome = yield
        exc = outcome.excinfo[1] if outcome.excinfo else None
        if isinstance(exc, Exception) and doctor.running():
            try:
                doctor.explain(exc)    # adds the account to the exception as a note
            except Exception:
                if doctor.recorder.strict():
                    raise
    finally:
        if everywhere:
            doctor.stop()
