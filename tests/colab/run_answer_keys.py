"""Run every answer key and drive every explorer in the Colab stand-in environment.

    .venv-colab/bin/python tests/colab/run_answer_keys.py solutions/*.ipynb

Run by tests/test_colab_versions.py with the interpreter of the environment made from
requirements-colab.txt. Prints one line per notebook and exits non-zero on the first failure.
"""
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbformat.v4 import new_code_cell

EXPECTED = {"ipywidgets": "7.7.1", "matplotlib": "3.10"}

VERSIONS = """
import ipywidgets, matplotlib
print(ipywidgets.__version__, matplotlib.__version__)
"""

# Appended to each answer key: find the explorers the notebook made and move every control.
DRIVE_WIDGETS = """
from shapeschool.widgets import Explorer
explorers = [v for v in Out.values() if isinstance(v, Explorer)]   # the cells' displayed results
assert explorers, "the notebook made no Explorer"
for ex in explorers:
    assert ex.last_error is None, ex.last_error
    for name, control in ex.controls.items():
        before = (ex.table.value, control.value)
        if isinstance(control.value, bool):
            control.value = not control.value
        else:
            control.value = control.min if control.value != control.min else control.max
        assert ex.table.value != before[0] or ex.last_error, f"moving {name} changed nothing"
        control.value = before[1]
print(f"drove {len(explorers)} explorer(s)")
"""


def run(path):
    nb = nbformat.read(path, as_version=4)
    nb.cells.insert(0, new_code_cell(VERSIONS))
    nb.cells.append(new_code_cell(DRIVE_WIDGETS))
    NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(Path(path).parent)}}).execute()
    versions = nb.cells[0].outputs[0]["text"].split()
    for (package, want), got in zip(EXPECTED.items(), versions):
        if not got.startswith(want):
            raise SystemExit(f"{path}: the kernel has {package} {got}, not Colab's {want}: is another 'python3' kernel first on the path?")
    print(f"{Path(path).name}: ran with ipywidgets {versions[0]}, matplotlib {versions[1]}; "
          + nb.cells[-1].outputs[0]["text"].strip())


if __name__ == "__main__":
    if len(sys.argv) < 2:
        raise SystemExit(__doc__)
    for notebook in sys.argv[1:]:
        run(notebook)
