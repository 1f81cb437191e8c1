"""Does %load_ext shapeschool keep the doctor on for an IPython session, and turn it off again?"""
import pytest
import torch

pytest.importorskip("IPython")
from IPython.testing import globalipapp  # noqa: E402

from torch.nn.modules import module as torch_module  # noqa: E402


@pytest.fixture
def shell():
    globalipapp.start_ipython()          # once per process; later calls return None
    ip = globalipapp.get_ipython()
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


def test_a_cell_is_explained_by_what_it_ran_not_by_an_earlier_cell(shell):
    """An earlier cell's convolution made (1, 6, 4, 4), 96 values; this cell's Linear gets 96
    features of its own making. Nothing was flattened here, so the doctor must not say so."""
    shell.run_line_magic("load_ext", "shapeschool")
    shell.run_cell("import torch\nfrom torch import nn\nconv = nn.Conv2d(3, 6, 1)\nmaps = conv(torch.randn(1, 3, 4, 4))")
    result = shell.run_cell("head = nn.Linear(48, 5)\nhead(torch.randn(96).unsqueeze(0))")
    assert result.error_in_exec._shapeschool_report.cause_id == "linear_in_features"
    result = shell.run_cell("head(torch.flatten(torch.randn(2, 3, 4, 4)))")
    assert result.error_in_exec._shapeschool_report.cause_id == "flatten_batch"


def test_a_cell_whose_own_code_fails_on_a_modules_result_gets_the_table(shell):
    """No module raised: Python's unpacking did, just after the GRU returned."""
    shell.run_line_magic("load_ext", "shapeschool")
    result = shell.run_cell("import torch\nfrom torch import nn\ngru = nn.GRU(8, 16, num_layers=3, batch_first=True)\n"
                            "out, (h_n, c_n) = gru(torch.randn(3, 5, 8))")
    assert isinstance(result.error_in_exec, ValueError)
    assert result.error_in_exec._shapeschool_report.cause_id == "gru_unpacked"
    result = shell.run_cell("{}['missing']")                  # plain Python: the doctor says nothing
    assert not hasattr(result.error_in_exec, "_shapeschool_report")
