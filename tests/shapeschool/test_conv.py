"""Does the conv picture agree with real layers, and the formula with both?"""
import itertools

import pytest
import torch

from shapeschool.conv import conv_formula, conv_summary, conv_windows, draw_conv


def _fits(length, kernel, stride, padding, dilation):
    return length + 2 * padding >= dilation * (kernel - 1) + 1


@pytest.mark.parametrize("length, kernel, stride, padding, dilation",
                         [c for c in itertools.product([5, 8, 13], [1, 3, 4], [1, 2, 3], [0, 1, 2], [1, 2])
                          if _fits(*c)])
def test_formula_matches_conv1d(length, kernel, stride, padding, dilation):
    real = torch.nn.Conv1d(1, 1, kernel, stride, padding, dilation)(torch.zeros(1, 1, length)).shape[-1]
    assert conv_formula(length, kernel, stride, padding, dilation) == real


def test_windows_step_by_stride_and_spread_by_dilation():
    pic = conv_windows(length=7, kernel=3, stride=2, padding=1, dilation=2)
    assert pic.out_length == 3
    assert pic.windows == ((0, 2, 4), (2, 4, 6), (4, 6, 8))
    assert "= <b>3</b>; the real <code>nn.Conv1d</code> gave <b>3</b>" in conv_summary(pic)


def test_drawing_has_a_row_per_output():
    fig = draw_conv(conv_windows(length=6, kernel=2))
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert "out[4]" in texts and "out[5]" not in texts


def test_kernel_bigger_than_input_is_pytorchs_error():
    with pytest.raises(RuntimeError, match="Kernel size can't be greater than actual input size"):
        conv_windows(length=2, kernel=5)
