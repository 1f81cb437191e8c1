"""Do the position codes and grids show where elements went?"""
import pytest
import torch

from shapeschool.layouts import grid, grids_summary, label, position_codes, swap_flow


def test_codes_name_their_position():
    codes = position_codes(3, 4)
    assert codes.shape == (3, 4) and label(codes[2, 3]) == "b2t3"


def test_transpose_keeps_every_element_in_place_and_view_does_not():
    right = swap_flow(3, 4, use_view=False)[1]
    wrong = swap_flow(3, 4, use_view=True)[1]
    assert right.wrong_count == 0
    assert wrong.wrong_count == 10 and wrong.size == 12   # only the first and last stay put
    assert "10 of 12 elements in the wrong place" in grids_summary([wrong])


@pytest.mark.parametrize("batch, seq_len", [(1, 5), (5, 1)])
def test_view_is_harmless_when_an_axis_is_one(batch, seq_len):
    assert swap_flow(batch, seq_len, use_view=True)[1].wrong_count == 0


def test_bad_inputs_are_named():
    with pytest.raises(ValueError, match="batch and seq_len must be 1 to 99, got 0 and 3"):
        position_codes(0, 3)
    with pytest.raises(ValueError, match=r"grid shows 2-D tensors, got shape \(2, 2, 2\)"):
        grid("x", torch.zeros(2, 2, 2))


def test_packing_flow_reads_batch_sizes_from_pytorch():
    from shapeschool.layouts import packing_flow, packing_summary
    padded, packed = packing_flow(5, 2, 4, 1)
    assert padded.labels[1] == ("b1t0", "b1t1", "pad", "pad", "pad")
    assert packed.title.endswith("[4, 3, 2, 2, 1]")
    assert packed.labels[2] == ("b0t2", "-", "b2t2", "-")
    assert "12 real tokens and 8 padding positions" in packing_summary([padded, packed])
    with pytest.raises(ValueError, match="every length must be at least 1"):
        packing_flow(0, 1, 1, 1)
