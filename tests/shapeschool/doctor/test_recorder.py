"""Does the doctor cost nothing while off, keep the learner's error as it was, and name modules
by the paths the learner would write?"""
import threading

import pytest
import torch
from torch import nn
from torch.nn.modules import module as torch_module
from torch.optim import optimizer as torch_optimizer

import shapeschool as ss
from shapeschool.doctor.recorder import Recorder, failure_of


def nothing_registered():
    return (not torch_module._global_forward_hooks and not torch_module._global_forward_pre_hooks
            and not torch_optimizer._global_optimizer_pre_hooks and not torch_optimizer._global_optimizer_post_hooks
            and torch._C._len_torch_function_stack() == 0)


def broken():
    return nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(6, 2))


def test_off_it_registers_nothing():
    assert nothing_registered()
    with ss.doctor():
        assert not nothing_registered()
    assert nothing_registered()
    with pytest.raises(RuntimeError):
        with ss.doctor():
            broken()(torch.randn(3, 4))
    assert nothing_registered()


def test_sessions_nest():
    with ss.doctor():
        with ss.doctor():
            pass
        assert ss.doctor.running()
    assert not ss.doctor.running() and nothing_registered()


def test_the_error_keeps_its_type_and_message_and_gains_a_note():
    model = broken()
    with pytest.raises(RuntimeError, match=r"^mat1 and mat2 shapes cannot be multiplied \(3x8 and 6x2\)") as caught:
        with ss.doctor():
            model(torch.randn(3, 4))
    assert str(caught.value) == "mat1 and mat2 shapes cannot be multiplied (3x8 and 6x2)"
    notes = caught.value.__notes__
    assert len(notes) == 1 and notes[0].startswith("shapeschool.doctor:")
    assert "model.2, Linear(in_features=6, out_features=2)" in notes[0]
    assert "in_features=6" in notes[0] and "8 features" in notes[0]


def test_a_note_is_added_once_however_many_sessions_see_it():
    model = broken()
    with pytest.raises(RuntimeError) as caught:
        with ss.doctor():
            with ss.doctor():
                model(torch.randn(3, 4))
    assert len(caught.value.__notes__) == 1


def test_paths_follow_attribute_names_and_containers():
    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.encoder = nn.Sequential(nn.Embedding(10, 4), nn.LSTM(5, 8))

        def forward(self, ids):
            return self.encoder(ids)

    net = Net()
    with pytest.raises(RuntimeError) as caught:
        with ss.doctor():
            net(torch.tensor([[1, 2]]))
    assert failure_of(caught.value).call.path == "net.encoder.1"
    with pytest.raises(RuntimeError) as caught:
        with ss.doctor():
            net.encoder(torch.tensor([[1, 2]]))            # a part of a named model, called alone
    assert failure_of(caught.value).call.path == "net.encoder.1"


def test_an_error_caught_inside_the_model_leaves_the_record_consistent():
    class Careful(nn.Module):
        def __init__(self):
            super().__init__()
            self.wrong, self.right = nn.Linear(3, 2), nn.Linear(4, 2)

        def forward(self, x):
            try:
                return self.wrong(x)
            except RuntimeError:
                return self.right(x)

    careful, model = Careful(), broken()
    with ss.doctor():
        out = careful(torch.randn(2, 4))
        with pytest.raises(RuntimeError) as caught:
            model(torch.randn(3, 4))
    assert out.shape == (2, 2)
    assert [c.path for c in failure_of(caught.value).stack] == ["model", "model.2"]


def test_other_threads_run_unrecorded():
    model, seen = nn.Linear(4, 2), []
    with ss.doctor():
        thread = threading.Thread(target=lambda: seen.append(model(torch.randn(1, 4)).shape))
        thread.start()
        thread.join()
    assert seen == [torch.Size([1, 2])]


def test_errors_outside_any_module_are_explained_too():
    with pytest.raises(RuntimeError) as caught:
        with ss.doctor():
            torch.randn(8, 16, 5, 5).view(-1, 256)
    report = ss.doctor.explain(caught.value)
    assert report.cause_id == "view_per_example" and "x.flatten(1)" in report.text()


def test_a_selection_by_mask_is_recorded_and_plain_slicing_is_not():
    x = torch.arange(12.0).view(3, 4)
    recorder = Recorder().start()
    try:
        x[:, -1]
        x[1]
        x[x > 5]
        x[torch.tensor([True, False, True])]
        x[torch.tensor([0, 2])]
    finally:
        recorder.stop()
    kept = [op for op in recorder.ops if op.name == "__getitem__"]
    assert [op.result.shape for op in kept] == [(6,), (2, 4)]


def test_an_error_it_does_not_know_gets_the_flow_and_says_so():
    class Odd(nn.Module):
        def forward(self, x):
            raise KeyError("the learner's own dictionary")

    odd = Odd()
    with pytest.raises(KeyError) as caught:
        with ss.doctor():
            odd(torch.randn(2, 3))
    text = ss.doctor.explain(caught.value).text()
    assert "odd, Odd" in text and "not an error the doctor recognises" in text and "(2, 3) float32" in text


def test_check_puts_the_model_back_in_training_mode():
    model = nn.Sequential(nn.Linear(4, 4), nn.Dropout(0.5))
    model.train()
    ss.doctor.check(model, torch.randn(3, 4), warn=False)
    assert model.training
    with pytest.raises(ValueError, match="batch axis"):
        ss.doctor.check(model, 3.0, warn=False)


def modes_during_step(optimizer):
    """How many torch function modes are active while ``optimizer`` updates (its own pre-hook runs
    after the global ones)."""
    seen = []
    optimizer.register_step_pre_hook(lambda *_: seen.append(torch._C._len_torch_function_stack()))
    return seen


def test_an_optimizer_steps_outside_the_function_mode_and_the_mode_comes_back():
    model = nn.Linear(4, 2)
    optimizer = torch.optim.Adam(model.parameters())
    during = modes_during_step(optimizer)
    with pytest.raises(RuntimeError) as caught:
        with ss.doctor():
            model(torch.randn(3, 4)).sum().backward()
            optimizer.step()
            assert torch._C._len_torch_function_stack() == 1
            torch.randn(8, 16, 5, 5).view(-1, 256)          # plain code after the step is still seen
    assert during == [0]
    assert ss.doctor.explain(caught.value).cause_id == "view_per_example"
    assert nothing_registered()


class Failing(torch.optim.SGD):
    def step(self, closure=None):
        raise ValueError("a step that raises never reaches the post-hook")


def test_a_step_that_raises_gets_the_mode_back_at_the_next_module_call():
    model = nn.Linear(4, 2)
    optimizer = Failing(model.parameters(), lr=0.1)
    with pytest.raises(RuntimeError) as caught:
        with ss.doctor():
            with pytest.raises(ValueError):
                optimizer.step()
            model(torch.randn(3, 4))
            assert torch._C._len_torch_function_stack() == 1
            torch.randn(8, 16, 5, 5).view(-1, 256)
    assert ss.doctor.explain(caught.value).cause_id == "view_per_example"
    assert nothing_registered()


def test_stopping_while_a_step_has_the_mode_set_aside_leaves_nothing_behind():
    optimizer = Failing(nn.Linear(4, 2).parameters(), lr=0.1)
    with ss.doctor():
        with pytest.raises(ValueError):
            optimizer.step()
    assert nothing_registered()


def test_a_closure_that_runs_the_model_inside_the_step_is_recorded():
    model = broken()
    optimizer = torch.optim.LBFGS(model.parameters())
    with pytest.raises(RuntimeError) as caught:
        with ss.doctor():
            optimizer.step(lambda: model(torch.randn(3, 4)).sum())
    assert ss.doctor.explain(caught.value).path == "model.2"
    assert nothing_registered()

