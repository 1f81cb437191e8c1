"""Does the course silence only the backend notice, and nothing else?"""
import warnings

import pytest

from shapeschool.quiet import no_backend_notices


def test_the_onednn_notice_is_silenced():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with no_backend_notices():
            warnings.warn("LSTM with projections is not supported with oneDNN. Using default implementation.")


def test_other_warnings_still_show():
    with no_backend_notices(), pytest.warns(UserWarning, match="something else"):
        warnings.warn("something else")
