"""Is the device chosen in one place, and does a bad choice fail loudly?"""
import pytest
import torch

import shapeschool as ss
from shapeschool.device import DEVICE_ENV


def test_default_follows_cuda_availability(monkeypatch):
    monkeypatch.delenv(DEVICE_ENV, raising=False)
    assert ss.pick_device().type == ("cuda" if torch.cuda.is_available() else "cpu")


def test_environment_variable_chooses(monkeypatch):
    monkeypatch.setenv(DEVICE_ENV, "cpu")
    assert ss.pick_device() == torch.device("cpu")


def test_unknown_device_lists_the_choices(monkeypatch):
    monkeypatch.setenv(DEVICE_ENV, "tpu")
    with pytest.raises(ss.ShapeSchoolError, match=r"unknown device 'tpu': choose one of cpu, cuda, mps"):
        ss.pick_device()


@pytest.mark.skipif(torch.cuda.is_available(), reason="needs a machine without CUDA")
def test_missing_cuda_is_an_error_not_a_fallback():
    with pytest.raises(ss.ShapeSchoolError, match=r"torch.cuda.is_available\(\) is False"):
        ss.pick_device("cuda")


def test_seed_everything_repeats_draws():
    ss.seed_everything(7)
    a = torch.randn(3)
    ss.seed_everything(7)
    assert torch.equal(a, torch.randn(3))


def test_a_device_side_assert_is_explained_and_other_errors_are_left_alone():
    # the message CUDA gives for an index out of range (torch 2.11 raises it as AcceleratorError)
    broken = RuntimeError("CUDA error: device-side assert triggered\nCUDA kernel errors might be "
                          "asynchronously reported at some other API call")
    advice = ss.device.gpu_advice(broken)
    assert "index out of range" in advice and "restart the kernel" in advice and f"{DEVICE_ENV}=cpu" in advice
    assert ss.device.gpu_advice(IndexError("index 6 is out of bounds for dimension 1 with size 6")) == ""
    assert ss.device.gpu_advice(RuntimeError("CUDA out of memory")) == ""
    assert ss.device.cuda_broken(broken) and not ss.device.cuda_broken("IndexError: index 6 is out of bounds")
