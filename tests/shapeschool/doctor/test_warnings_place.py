"""While the doctor is on, does a warning torch raises still name the learner's line (not the
doctor's recorder.py), and is Python's warning display left as it was once the doctor is off?"""
import warnings

import pytest
import torch
import torch.nn.functional as F

import shapeschool as ss


def test_a_torch_warning_names_the_line_that_led_to_it():
    with pytest.warns(UserWarning, match="different to the input size") as caught:
        with ss.doctor():
            F.mse_loss(torch.randn(8, 1), torch.randn(8))                  # broadcasts: torch warns
    assert [w.filename for w in caught] == [__file__]


def test_the_warning_display_is_put_back_and_another_replacement_is_kept():
    before = warnings.showwarning
    with ss.doctor():
        assert warnings.showwarning is not before
    assert warnings.showwarning is before

    def theirs(*args, **kwargs):
        pass
    with ss.doctor():
        warnings.showwarning = theirs                                      # installed while on
    assert warnings.showwarning is theirs
    warnings.showwarning = before
