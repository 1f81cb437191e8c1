"""Do the answer keys run, and the widgets respond, with Colab's ipywidgets 7 and matplotlib 3.10?"""
import os
import subprocess
from pathlib import Path

import pytest

from conftest import CHAPTERS, REPO


@pytest.mark.slow
def test_answer_keys_and_explorers_in_colab_versions():
    python = Path(os.environ.get("SHAPESCHOOL_COLAB_PYTHON", REPO / ".venv-colab" / "bin" / "python"))
    if not python.exists():
        message = f"no Colab stand-in environment at {python}: `make test` builds it"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    notebooks = [str(REPO / "solutions" / f"{c}.ipynb") for c in CHAPTERS]
    done = subprocess.run([str(python), str(REPO / "tests" / "colab" / "run_answer_keys.py"), *notebooks],
                          cwd=REPO, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-4000:]
    lines = [line for line in done.stdout.splitlines() if "ran with ipywidgets 7.7.1, matplotlib 3.10" in line]
    assert len(lines) == len(CHAPTERS), done.stdout
    assert all("drove 1 explorer(s)" in line for line in lines), done.stdout
