"""Does %load_ext shapeschool keep the doctor on for an IPython session, and turn it off again?"""
import pytest
import torch

pytest.importorskip("IPython")
from IPython.testing.globalipapp import start_ipython  # noqa: E402

from torch.nn.modules import module as torch_module  # noqa: E402


@pytest.fixture
def shell():
    ip = start_ipython()
    yield ip
    ip.run_line_magic("unload_ext", "shapeschool")


def test_a_failing_cell_gets_the_note_and_the_doctor_stays_on(shell, capsys):
    shell.run_line_magic("load_ext", "shapeschool")
    assert "shapeschool.doctor is on" in capsys.readouterr().out
    result = shell.run_cell("import torch\nfrom torch import nn\nmodel = nn.Linear(6, 2)\nmodel(torch.randn(3, 4))")
    error = result.error_in_exec
    assert isinstance(error, RuntimeError)
    assert "model, Linear(in_features=6, out_features=2)" in error.__notes__[0]
    assert torch_module._global_forward_hooks
    shell.run_line_magic("unload_ext", "shapeschool")
    assert not torch_module._global_forward_hooks and torch._C._len_torch_function_stack() == 0
