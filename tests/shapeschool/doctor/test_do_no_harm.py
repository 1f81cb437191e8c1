"""First, do no harm: with the doctor on, a program raises exactly the errors and computes exactly
the values it does with the doctor off.

Every case of the catalogue runs both ways: each mistake that raises must raise the same type with
the same message; each silent mistake and each correct model must give bit-for-bit the same
output and loss, in training mode (with gradients) and in eval mode under ``torch.no_grad`` (where
PyTorch's attention and transformer modules take their fast paths), and the same gradients."""
import warnings

import pytest
import torch

import doctor_cases
import shapeschool as ss
from doctor_cases import Correct, Raises, Silent


def _off(run):
    return run()


def _on(run):
    with ss.doctor():
        return run()


def _raised(run, way):
    torch.manual_seed(0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            way(run)
        except Exception as exc:
            return type(exc), str(exc)
    return None


@pytest.mark.parametrize("case", doctor_cases.every(Raises), ids=lambda c: c.name)
def test_a_mistake_raises_the_same_error_with_the_doctor_on(case):
    off = _raised(case.run, _off)
    assert off is not None, f"{case.name} raises nothing with the doctor off"
    assert _raised(case.run, _on) == off


def _computed(setup, way, training):
    """(output tensors, loss, gradients) of one forward (and loss, and backward when training)."""
    torch.manual_seed(0)
    kw = setup()
    model, x = kw["model"], kw["example_input"]
    inputs = x if isinstance(x, tuple) else (x,)
    if isinstance(model, torch.nn.Module):
        model.train(training)

    def run():
        with torch.set_grad_enabled(training):
            out = model(*inputs)
            loss = kw["loss_fn"](out, kw["target"]) if kw.get("loss_fn") is not None else None
            if training and loss is not None and loss.requires_grad:
                loss.backward()
        return out, loss

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out, loss = way(run)
    grads = [p.grad for p in model.parameters()] if isinstance(model, torch.nn.Module) else []
    return ss.doctor.summaries.tensors_in(out), loss, grads


def _same(a, b):
    if isinstance(a, torch.Tensor) or isinstance(b, torch.Tensor):
        return isinstance(a, torch.Tensor) and isinstance(b, torch.Tensor) and a.shape == b.shape and \
            torch.equal(a.nan_to_num(), b.nan_to_num())
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    return a == b


@pytest.mark.parametrize("training", [False, True], ids=["eval-no-grad", "training"])
@pytest.mark.parametrize("case", doctor_cases.every(Silent) + doctor_cases.every(Correct), ids=lambda c: c.name)
def test_a_model_computes_the_same_values_with_the_doctor_on(case, training):
    off = _computed(case.setup, _off, training)
    on = _computed(case.setup, _on, training)
    assert _same(off, on), f"{case.name}: the doctor changed what the model computes"
