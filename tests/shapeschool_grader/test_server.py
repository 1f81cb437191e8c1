"""The kernel server imports what the course's kernels would, and nothing a kernel cannot fork from."""
import pytest
from nbformat.v4 import new_code_cell, new_notebook
from nbgrader.preprocessors import Execute

from notebooks import printed
from shapeschool_grader import kernels, preload, sandbox

pytestmark = pytest.mark.slow


def run(server, source):
    nb = new_notebook(cells=[new_code_cell(source)])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return kernels.KernelSlot(server=server).run(nb, Execute(timeout=60), {}, wall_limit=60)


def test_a_course_that_never_imports_torch_gets_kernels_without_it():
    sandbox.check()
    names = preload.for_notebooks([new_notebook(cells=[new_code_cell("import json\nx = json.dumps([1])")])])
    with kernels.KernelServer(sandboxed=True, preload=names) as server:
        assert "torch" not in server.preloaded and "json" in server.preloaded
        seen = printed(run(server, "import sys\nprint(sorted({'torch', 'matplotlib', 'json'} & set(sys.modules)))"
                           ).notebook.cells[0])
    assert seen.strip() == "['json']"


def test_what_the_server_cannot_import_is_skipped_and_said(tmp_path):
    (tmp_path / "broken_helper.py").write_text("raise RuntimeError('needs a licence server')\n")
    names = ("json", "no_such_module_anywhere", "broken_helper", "?json.dumps", "?json.tool")
    with kernels.KernelServer(sandboxed=True, preload=names, env={"PYTHONPATH": str(tmp_path)}) as server:
        assert set(server.skipped) == {"no_such_module_anywhere", "broken_helper"}
        assert "licence server" in server.skipped["broken_helper"]
        assert "json.tool" in server.preloaded and "json.dumps" not in server.preloaded
        assert printed(run(server, "print(1 + 1)").notebook.cells[0]).strip() == "2", "the server still forks kernels"


def test_a_module_that_starts_a_thread_is_left_out(tmp_path):
    """Forking a process with a second thread can copy a lock that thread holds into every kernel."""
    (tmp_path / "threaded_helper.py").write_text(
        "import threading, time\nthreading.Thread(target=time.sleep, args=(3600,), daemon=True).start()\n")
    names = ("json", "threaded_helper", "csv")
    with kernels.KernelServer(sandboxed=True, preload=names, env={"PYTHONPATH": str(tmp_path)}) as server:
        assert "threaded_helper" in server.skipped and "thread" in server.skipped["threaded_helper"]
        assert {"json", "csv"} <= set(server.preloaded)
        seen = printed(run(server, "import sys, threading\nprint('threaded_helper' in sys.modules)").notebook.cells[0])
    assert seen.split() == ["False"]
