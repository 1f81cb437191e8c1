"""Does the loss explorer report what cross_entropy really does with a tagger's scores?"""
import pytest

from shapeschool import ShapeSchoolError
from shapeschool.losses import PAD_TAG, layout_summary, loss_layout


def test_classes_on_axis_1_with_padding_ignored_give_the_mean_over_real_words():
    result = loss_layout(batch=3, time=5, classes=4)
    assert not result.error and result.loss == pytest.approx(result.reference, abs=1e-5)
    assert [s.shape for s in result.stages] == [(3, 5, 4), (3, 4, 5), (3, 5)]
    assert result.stages[1].axes == ("batch", "classes", "time")
    assert "right" in layout_summary(result)


def test_scores_as_given_raise_when_time_and_classes_differ():
    result = loss_layout(batch=3, time=5, classes=4, permute=False)
    assert result.loss is None and "Expected target size" in result.error
    assert "raised" in layout_summary(result)


def test_scores_as_given_run_and_are_wrong_when_time_equals_classes():
    result = loss_layout(batch=3, time=4, classes=4, permute=False)
    assert not result.error and result.loss != pytest.approx(result.reference, abs=1e-3)
    assert "wrong" in layout_summary(result)


def test_padding_counted_changes_the_loss_and_one_full_sentence_has_none():
    assert loss_layout(ignore_padding=False).loss != pytest.approx(loss_layout().reference, abs=1e-3)
    single = loss_layout(batch=1, ignore_padding=False)
    assert single.loss == pytest.approx(single.reference, abs=1e-5)      # nothing padded: nothing to count


@pytest.mark.parametrize("batch, time", [(1, 2), (2, 2), (4, 3), (6, 6)])
def test_every_sentence_after_the_first_is_padded_and_each_keeps_a_word(batch, time):
    result = loss_layout(batch=batch, time=time, classes=3)
    assert result.loss == pytest.approx(result.reference, abs=1e-5)
    counted = loss_layout(batch=batch, time=time, classes=3, ignore_padding=False)
    assert (counted.loss != pytest.approx(counted.reference, abs=1e-6)) == (batch > 1)   # padding only after the first
    assert PAD_TAG == 0


@pytest.mark.parametrize("kwargs, named", [(dict(batch=0), "batch"), (dict(time=1), "time"), (dict(classes=1), "classes")])
def test_sizes_too_small_are_named(kwargs, named):
    with pytest.raises(ShapeSchoolError, match=f"{named} must be at least"):
        loss_layout(**kwargs)
