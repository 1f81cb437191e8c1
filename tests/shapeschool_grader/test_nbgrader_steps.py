"""nbgrader's own steps as the grader calls them: what ``once_per_run`` changes while grading,
and that it puts everything back."""
import nbgrader.api as nbgrader_api
from nbgrader.api import Gradebook
from nbgrader.nbgraderformat import common as nbgraderformat_common

from shapeschool_grader import nbgrader_steps


def test_while_grading_gradebooks_of_one_database_share_an_engine_and_closing_one_spares_the_other(
        tmp_path, alembic_on_path):
    before = nbgrader_api.create_engine, nbgraderformat_common.jsonschema
    url = f"sqlite:///{tmp_path / 'gradebook.db'}"
    for name in ("gradebook.db", "other.db"):   # made as generate_assignment makes them
        Gradebook(f"sqlite:///{tmp_path / name}").close()
    with nbgrader_steps.once_per_run():
        first, second = Gradebook(url), Gradebook(url)
        assert first.engine is second.engine
        with Gradebook(f"sqlite:///{tmp_path / 'other.db'}") as other:
            assert other.engine is not first.engine
        first.add_student("ada")
        first.close()   # disposes of the shared engine's idle connections
        assert [s.id for s in second.students] == ["ada"]
        second.close()
    assert (nbgrader_api.create_engine, nbgraderformat_common.jsonschema) == before, "nbgrader is put back as it was"
    with Gradebook(url) as a, Gradebook(url) as b:
        assert a.engine is not b.engine


def test_the_schema_checks_reject_what_nbgrader_rejects(tmp_path):
    import jsonschema
    import pytest

    schema = {"type": "object", "properties": {"points": {"type": "number"}}, "required": ["points"]}
    with nbgrader_steps.once_per_run():
        checker = nbgraderformat_common.jsonschema
        checker.validate({"points": 2}, schema)
        for bad in ({"points": "two"}, {}):
            with pytest.raises(jsonschema.ValidationError):
                checker.validate(bad, schema)


def test_while_grading_a_missing_sqlite_gradebook_is_never_made_afresh(tmp_path, alembic_on_path):
    """nbgrader makes an empty gradebook where there is none; under a run that would swallow the
    scores of a gradebook moved away, so there it is an error instead."""
    import pytest
    from sqlalchemy.exc import OperationalError

    missing = tmp_path / "moved-away.db"
    with nbgrader_steps.once_per_run(), pytest.raises(OperationalError, match="unable to open"):
        Gradebook(f"sqlite:///{missing}")
    assert not missing.exists()
