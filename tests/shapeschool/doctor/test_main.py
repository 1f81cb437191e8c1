"""``python -m shapeschool.doctor train.py [args]``: a real script that fails, run with the doctor on."""
import subprocess
import sys
import textwrap

import pytest

SCRIPT = textwrap.dedent('''
    import sys
    import torch
    from torch import nn


    class Tagger(nn.Module):
        def __init__(self, width):
            super().__init__()
            self.embed = nn.Embedding(100, width)
            self.lstm = nn.LSTM(64, 48, batch_first=True)

        def forward(self, ids):                       # ids: (B, T)
            out, _ = self.lstm(self.embed(ids))       # (B, T, width) into input_size=64
            return out


    width = int(sys.argv[sys.argv.index("--width") + 1])
    print("running", __name__, sys.argv[1:])
    Tagger(width)(torch.randint(0, 100, (8, 12)))
    print("done")
''')


def doctor(*args, cwd):
    return subprocess.run([sys.executable, "-m", "shapeschool.doctor", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=120)


@pytest.fixture
def script(tmp_path):
    (tmp_path / "train.py").write_text(SCRIPT)
    return tmp_path


def test_a_failing_script_gets_the_account_under_its_traceback(script):
    run = doctor("train.py", "--width", "32", cwd=script)
    assert run.returncode == 1
    assert "running __main__ ['--width', '32']" in run.stdout and "done" not in run.stdout
    traceback, _, account = run.stderr.partition("shapeschool.doctor:")
    assert 'File "' in traceback and "train.py" in traceback and "in <module>" in traceback
    assert "shapeschool/doctor/__main__.py" not in traceback and "runpy" not in traceback
    assert traceback.rstrip().endswith("input.size(-1) must be equal to input_size. Expected 64, got 32")
    assert "embedding_dim=32" in account and "input_size=64" in account and "fix:" in account


def test_a_script_that_runs_exits_zero_and_is_unchanged(script):
    run = doctor("train.py", "--width", "64", cwd=script)
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines() == ["running __main__ ['--width', '64']", "done"]
    assert run.stderr == ""


def test_a_module_runs_with_minus_m(script):
    (script / "pkg").mkdir()
    (script / "pkg" / "__init__.py").write_text("")
    (script / "pkg" / "train.py").write_text(SCRIPT)
    run = doctor("-m", "pkg.train", "--width", "32", cwd=script)
    assert run.returncode == 1 and "embedding_dim=32" in run.stderr


def test_the_script_s_own_exit_status_is_kept(tmp_path):
    (tmp_path / "leave.py").write_text("import sys\nsys.exit(3)\n")
    assert doctor("leave.py", cwd=tmp_path).returncode == 3


def test_a_missing_script_is_named(tmp_path):
    run = doctor("trian.py", cwd=tmp_path)
    assert run.returncode == 2 and "no script 'trian.py'" in run.stderr


def test_no_arguments_prints_the_usage(tmp_path):
    run = doctor(cwd=tmp_path)
    assert run.returncode == 2 and "usage: python -m shapeschool.doctor SCRIPT.py" in run.stderr
