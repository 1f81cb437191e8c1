"""Forked grading kernels: do they run notebooks as fresh kernels do, each in its own process,
inside a sandbox that hides the course and the network and forgets each notebook's leftovers,
with limits enforced from outside?"""
import json
import os
import re
import signal
import socket
import time

import pytest
from nbclient import NotebookClient
from nbformat.v4 import new_code_cell, new_notebook
from nbgrader.preprocessors import Execute

from shapeschool_grader import kernels, limits, preload, proc, sandbox
from processes import command_lines, grading_groups, grading_processes
from conftest import REPO
from notebooks import errors, load, printed

pytestmark = pytest.mark.slow


# what the course's chapters import, as shapeschool-grade reads it from their releases
CHAPTERS = preload.for_notebooks([load("exercises", path.stem) for path in sorted((REPO / "exercises").glob("*.ipynb"))])


def notebook(*sources):
    nb = new_notebook(cells=[new_code_cell(s) for s in sources])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nb


@pytest.fixture(scope="module")
def slot():
    sandbox.check()   # the test machine installs bubblewrap (Makefile): a sandbox must be there
    with kernels.KernelSlot(sandboxed=True, preload=CHAPTERS, colours=False) as s:
        yield s


def run(slot, nb, **limits):
    return slot.run(nb, Execute(timeout=30), {}, **limits)


def texts(nb):
    """Cell by cell, what was printed and shown as text (streams joined: message cuts vary)."""
    return [(printed(c), [o.data.get("text/plain") for o in c.get("outputs", []) if o.output_type == "execute_result"])
            for c in nb.cells if c.cell_type == "code"]


def test_answer_key_runs_as_in_a_fresh_kernel(slot, chapter, monkeypatch):
    forked = run(slot, load("solutions", chapter))
    assert forked.problem is None
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")   # as nbgrader autograde starts its kernels, and the slot's
    fresh = load("solutions", chapter)
    NotebookClient(fresh, timeout=120, kernel_name="python3").execute()
    assert texts(forked.notebook) == texts(fresh)


def test_student_version_fails_as_in_a_fresh_kernel(slot, chapter, monkeypatch):
    forked = run(slot, load("exercises", chapter))
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    fresh = load("exercises", chapter)
    NotebookClient(fresh, timeout=120, kernel_name="python3", allow_errors=True).execute()
    assert [[e.ename for e in errors(c)] for c in forked.notebook.cells] == \
           [[e.ename for e in errors(c)] for c in fresh.cells]


def test_every_notebook_gets_a_sandbox_of_its_own(slot):
    """Three notebooks at once (a namespace's number can be reused once it is gone, so they are
    compared while all three live): each has PID, mount and network namespaces of its own, none
    of them the grader's."""
    import threading

    code = ("import os, time\n"
            "print(os.getpid() == os.getsid(0), os.readlink('/proc/self/ns/pid'),"
            " os.readlink('/proc/self/ns/mnt'), os.readlink('/proc/self/ns/net'))\ntime.sleep(2)")
    slots = [kernels.KernelSlot(server=slot.server) for _ in range(3)]
    outs = [None] * 3
    threads = [threading.Thread(target=lambda i=i: outs.__setitem__(i, run(slots[i], notebook(code)))) for i in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    seen = set()
    for out in outs:
        leads, *namespaces = printed(out.notebook.cells[0]).split()
        assert leads == "True", "the kernel leads its own session"
        seen.add(tuple(namespaces))
    ours = {os.readlink(f"/proc/self/ns/{ns}") for ns in ("pid", "mnt", "net")}
    assert len(seen) == 3 and len({n for three in seen for n in three} - ours) == 9, \
        "each notebook needs its own PID, mount and network namespaces"


def test_student_code_sees_only_its_own_processes_and_cannot_touch_the_sandboxs(slot):
    out = run(slot, notebook(
        "import ctypes, os, signal\n"
        "mine = os.getpid()\n"
        "others = sorted(int(p) for p in os.listdir('/proc') if p.isdigit() and int(p) != mine)\n"
        "print(others)\n"
        "libc = ctypes.CDLL(None, use_errno=True)\n"
        "for pid in others:\n"
        "    for sig in (signal.SIGSTOP, signal.SIGKILL):\n"
        "        try:\n            os.kill(pid, sig)\n            print('signalled', pid)\n"
        "        except OSError as exc:\n            print('refused', type(exc).__name__)\n"
        "    print('ptrace', libc.ptrace(16, pid, 0, 0), ctypes.get_errno())\n",
        "print('still here')"))
    text = printed(out.notebook.cells[0])
    others = eval(text.splitlines()[0])
    assert others == [1, 2], "the sandbox's init and its holder, nothing of the grader's or another notebook's"
    assert "signalled" not in text and text.count("ptrace -1 1\n") == 2   # EPERM: owned by the sandbox's root
    assert printed(out.notebook.cells[1]) == "still here\n"


def test_the_warm_server_is_out_of_reach(slot):
    """No student code runs in the server the next kernel will be forked from, and nothing in a
    sandbox can see it: its pid, its command line and its memory are not in the sandbox's /proc."""
    out = run(slot, notebook(
        "import os\n"
        "lines = [open(f'/proc/{p}/cmdline', 'rb').read() for p in os.listdir('/proc')\n"
        "         if p.isdigit() and int(p) != os.getpid()]   # the kernel itself is a copy of the server\n"
        "print(any(b'zygote' in line for line in lines), len(lines))"))
    assert printed(out.notebook.cells[0]).split()[0] == "False"
    assert slot.alive()


def test_student_code_runs_unprivileged(slot):
    out = run(slot, notebook(
        "import os, subprocess\n"
        "status = dict(line.split(':', 1) for line in open('/proc/self/status'))\n"
        "print(os.getuid(), int(status['CapEff'], 16), int(status['CapBnd'], 16), status['NoNewPrivs'].strip())\n"
        "print(subprocess.run(['unshare', '--user', 'true'], capture_output=True).returncode)"))
    uid, effective, bounding, no_new_privileges, nested = printed(out.notebook.cells[0]).split()
    if os.geteuid() == 0:
        assert uid == str(sandbox.SANDBOX_USER), "a root grader's kernels run as nobody"
    assert (effective, bounding, no_new_privileges) == ("0", "0", "1")
    assert nested != "0", "no user namespace may be made inside the sandbox (it would give capabilities back)"


def test_student_code_cannot_see_the_course_or_the_gradebook(slot, repo, tmp_path):
    gradebook = tmp_path / "gradebook.db"
    gradebook.write_text("secret")
    out = run(slot, notebook(
        "import os\n"
        f"print(sorted(os.listdir({str(repo)!r})))\n"
        f"print(os.path.exists({str(repo / 'course')!r}), os.path.exists({str(repo / 'solutions')!r}),"
        f" os.path.exists({str(gradebook)!r}), os.path.exists({str(tmp_path)!r}))"))
    listing, hidden = printed(out.notebook.cells[0]).splitlines()
    assert "course" not in listing and "solutions" not in listing and "tests" not in listing
    assert hidden == "False False False False"


def test_student_code_cannot_reach_the_network(slot):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    listener.settimeout(0.5)
    port = listener.getsockname()[1]
    out = run(slot, notebook(
        "import socket\ntry:\n"
        f"    socket.create_connection(('127.0.0.1', {port}), timeout=3)\n    print('connected')\n"
        "except OSError as exc:\n    print('blocked', type(exc).__name__)"))
    assert printed(out.notebook.cells[0]).startswith("blocked")
    with pytest.raises(socket.timeout):
        listener.accept()
    listener.close()


def test_student_code_holds_no_capabilities_and_cannot_write_outside_its_run(slot, repo):
    out = run(slot, notebook(
        "print([line.split()[1] for line in open('/proc/self/status') if line.startswith('CapEff')][0])",
        "import sys\n"
        f"for path in ({str(repo / 'shapeschool' / 'x.py')!r}, sys.prefix + '/x', '/x', '/usr/x'):\n"
        "    try:\n        open(path, 'w')\n        print('wrote', path)\n"
        "    except OSError as exc:\n        print('refused', type(exc).__name__)"))
    assert int(printed(out.notebook.cells[0]), 16) == 0
    assert "wrote" not in printed(out.notebook.cells[1])


def test_nothing_one_notebook_leaves_reaches_the_next(slot):
    run(slot, notebook(
        "import os, subprocess\n"
        "open('/tmp/left-behind', 'w').write('answers')\n"
        "open('/dev/shm/left-behind', 'w').write('answers')\n"
        "open('left-behind', 'w').write('answers')\n"
        "subprocess.Popen(['sleep', '600'], start_new_session=True)"))
    assert b"sleep\0600\0" not in command_lines().values(), \
        "a process the notebook started in a session of its own must not outlive it"
    out = run(slot, notebook(
        "import os\n"
        "print(os.path.exists('/tmp/left-behind'), os.path.exists('/dev/shm/left-behind'),"
        " os.path.exists('left-behind'))"))
    assert printed(out.notebook.cells[0]).split() == ["False", "False", "False"]



def test_a_loop_that_swallows_interrupts_is_stopped_from_outside(slot):
    start = time.monotonic()
    out = slot.run(notebook("while True:\n    try:\n        pass\n    except KeyboardInterrupt:\n        pass",
                            "print('never')"), Execute(timeout=60), {}, wall_limit=3)
    assert time.monotonic() - start < 15
    assert "wall-time limit" in out.problem
    assert [e.ename for e in errors(out.notebook.cells[1])] == [kernels.STOPPED], \
        "a cell that never ran must not count as passed"


def test_memory_is_limited_from_outside(slot):
    out = run(slot, notebook("hoard = []\nwhile True:\n    hoard.append(bytearray(50 * 2**20))"),
              memory_limit=700 * 2**20)
    assert "memory limit" in out.problem
    assert out.peak_memory < 2 * 2**30


@pytest.mark.parametrize("hoard", [
    "open('/dev/shm/hoard', 'wb').write(b'x' * (900 * 2**20))",
    "open('/tmp/hoard', 'wb').write(b'x' * (900 * 2**20))",
    "import os\nfd = os.memfd_create('hoard')\nfor _ in range(18):\n    os.write(fd, b'x' * (50 * 2**20))",
], ids=["dev-shm", "tmp", "memfd"])
def test_memory_held_in_files_counts_against_the_limit(slot, hoard):
    """tmpfs and memfd pages are host memory that no process's resident size shows."""
    if slot.groups is None:
        pytest.skip("no usable control groups here: " + kernels.cgroups.why_not())
    out = run(slot, notebook(hoard + "\nprint('kept it all')"), memory_limit=500 * 2**20)
    assert "kept it all" not in printed(out.notebook.cells[0])
    assert out.problem and "memory limit" in out.problem, out.problem


def test_a_fork_bomb_is_stopped_and_the_slot_carries_on(slot):
    out = run(slot, notebook(
        "import os, time\n"
        "children = 0\n"
        "try:\n"
        "    for _ in range(5000):\n"
        "        if os.fork() == 0:\n            time.sleep(600)\n            os._exit(0)\n"
        "        children += 1\n"
        "except OSError as exc:\n    print('refused after', children, type(exc).__name__)"), wall_limit=20)
    text = printed(out.notebook.cells[0])
    assert text.startswith("refused after") or "processes" in (out.problem or ""), (text, out.problem)
    if text.startswith("refused after"):
        assert int(text.split()[2]) < kernels.PIDS_LIMIT
    assert run(slot, notebook("print('next')")).problem is None


@pytest.mark.parametrize("flood", [
    "print('x' * (100 * 2**20))",
    "import sys\nfor _ in range(200):\n    sys.stdout.write('y' * 2**20)\n    sys.stdout.flush()",
    "from IPython.display import display\nfor _ in range(4):\n    display({'text/plain': 'z' * (20 * 2**20)}, raw=True)",
], ids=["one-print", "many-writes", "displays"])
def test_a_flood_of_output_is_cut_down_and_the_notebook_graded_on(slot, flood):
    """As nbgrader's LimitOutput cuts a cell's output and grading goes on: what the grader keeps
    is bounded, the notebook runs to its end, and the cell and the outcome say output was cut."""
    out = run(slot, notebook(flood, "print('after')"), wall_limit=60)
    stored = sum(len(json.dumps(o)) for c in out.notebook.cells for o in c.get("outputs", []))
    assert stored <= kernels.OUTPUT_LIMIT + 2**20, f"{stored / 2**20:.0f} MiB of output kept"
    assert out.problem is None and printed(out.notebook.cells[1]) == "after\n", "the notebook ran on"
    assert "Output truncated" in json.dumps(out.notebook.cells[0].outputs)
    assert out.notes and "ran on and was graded" in out.notes[-1]


def test_a_kernel_that_sends_one_giant_message_loses_only_that_message(slot):
    """A student who undoes the kernel's own cut and prints 100 MB at once: the grader's socket
    drops that one message; the notebook still runs to its end."""
    nb = notebook("get_ipython().kernel.session.send = type(get_ipython().kernel.session).send."
                  "__get__(get_ipython().kernel.session)\nprint('x' * (100 * 2**20))", "print('after')")
    out = run(slot, nb, wall_limit=60)
    stored = sum(len(json.dumps(o)) for c in out.notebook.cells for o in c.get("outputs", []))
    assert stored < 2 * limits.SOCKET_LIMIT and printed(out.notebook.cells[1]) == "after\n"


def test_nothing_is_left_on_the_host(slot):
    before = set(grading_processes())
    groups = grading_groups()
    run(slot, notebook(
        "import os, subprocess\n"
        "for _ in range(3):\n"
        "    subprocess.Popen(['sleep', '600'], start_new_session=True)\n"
        "if os.fork() == 0:\n"
        "    os.setsid()\n"
        "    while True:   # a daemon that keeps changing its pid\n"
        "        if os.fork():\n            os._exit(0)\n"))
    time.sleep(0.5)
    left = {pid: line for pid, line in grading_processes().items() if pid not in before}
    assert not left, f"processes outlived their notebook: {left}"
    assert grading_groups() == groups, "a notebook's control groups outlived it"
    zombies = [p for p in os.listdir("/proc") if p.isdigit() and proc.read(f"/proc/{p}/stat").rsplit(")", 1)[-1].split()[:2] == ["Z", str(os.getpid())]]
    assert not zombies, "every sandbox is waited for"



def test_os_exit_is_reported_and_the_slot_carries_on(slot):
    out = run(slot, notebook("import os\nos._exit(3)", "print('after')"))
    assert "kernel died" in out.problem
    assert all(e.ename == kernels.STOPPED for c in out.notebook.cells for e in errors(c))
    assert run(slot, notebook("print('next')")).problem is None


def test_without_bubblewrap_kernels_still_run_in_their_own_session(tmp_path):
    with kernels.KernelSlot(sandboxed=False) as bare:
        out = bare.run(notebook("import os\nprint(os.getpid() == os.getsid(0))"), Execute(timeout=30), {})
    assert printed(out.notebook.cells[0]).strip() == "True"
    assert "UNSANDBOXED" in sandbox.UNSANDBOXED_WARNING


def test_no_server_outlives_its_slot():
    with kernels.KernelSlot(sandboxed=True) as s:
        server = s.server.pid
    time.sleep(0.5)
    assert not os.path.exists(f"/proc/{server}")


def test_a_server_that_dies_is_reported_and_the_slot_restarts():
    """Student code cannot reach the server any more; the OOM killer or an operator still can."""
    with kernels.KernelSlot(sandboxed=True) as own:
        os.kill(own.server.pid, signal.SIGKILL)
        with pytest.raises(kernels.KernelFailed, match="exited"):
            run(own, notebook("print('never')"))
        assert not own.alive()
        own.restart()
        assert printed(run(own, notebook("print('again')")).notebook.cells[0]) == "again\n"


def test_a_server_that_stops_answering_is_stopped_in_time():
    with kernels.KernelSlot(sandboxed=True) as own:
        own.reply_timeout = 2
        os.kill(own.server.pid, signal.SIGSTOP)
        start = time.monotonic()
        with pytest.raises(kernels.KernelFailed, match="did not answer"):
            run(own, notebook("print('never')"))
        assert time.monotonic() - start < 10 and not own.alive()


def test_the_graders_environment_never_reaches_student_code(monkeypatch):
    """Every process a student can see in the sandbox, its own and pid 1 included, was started
    without the grader's environment: a token planted there must not be readable."""
    monkeypatch.setenv("INSTRUCTOR_TOKEN", "tok-3f9a1c-never-show-me")
    nb = notebook("import os, glob\n"
                  "seen = ''\n"
                  "for path in glob.glob('/proc/*/environ'):\n"
                  "    try:\n        seen += open(path, 'rb').read().decode(errors='replace')\n"
                  "    except OSError:\n        pass\n"
                  "print(len(glob.glob('/proc/*/environ')), 'environ files read')\n"
                  "print(seen + repr(dict(os.environ)))")
    with kernels.KernelSlot(sandboxed=True) as fresh:
        out = run(fresh, nb)
    text = printed(out.notebook.cells[0])
    assert "environ files read" in text and "PATH" in text
    assert "tok-3f9a1c" not in text, "the grader's environment is visible inside the sandbox"


def test_a_first_traceback_reads_as_a_fresh_kernels_and_its_sources_were_read_by_the_server(slot):
    """The server reads the torch sources tracebacks pass through, once, before any fork: a
    kernel shows exactly the traceback a fresh kernel shows, without parsing them itself."""
    cells = ("import torch\nfrom torch import nn\nlstm = nn.LSTM(8, 16)",
             "lstm(torch.zeros(3, 2, 5))",   # input_size 8, given 5: raises inside rnn.py
             "import stack_data, torch.nn.modules.rnn as rnn\n"
             "print(any(path == rnn.__file__ for path, _ in\n"
             "          stack_data.Source._class_local('__source_cache_with_lines', {})))")
    forked = run(slot, notebook(*cells[:2]))
    fresh = notebook(*cells[:2])
    NotebookClient(fresh, timeout=120, kernel_name="python3", allow_errors=True).execute()

    def shown(nb):   # a cell's code is kept in a file named after the kernel's pid, and IPython
        # writes paths under each kernel's own HOME (not the same in the sandbox) as ~/...
        return [re.sub(r"\S*site-packages/", "site-packages/", re.sub(r"ipykernel_\d+", "ipykernel_N", uncoloured(line)))
                for e in errors(nb.cells[1]) for line in e.traceback]

    assert [e.ename for e in errors(forked.notebook.cells[1])] == ["RuntimeError"]
    assert shown(forked.notebook) == shown(fresh)   # the same text; only the colour is left out
    assert printed(run(slot, notebook(*cells[::2])).notebook.cells[1]).strip() == "True"


def test_the_server_indexed_every_module_it_imported_for_tracebacks(slot):
    """IPython's tracebacks look up each frame's module; the server built that index after its
    last import, so a kernel's first traceback does not build it again."""
    out = run(slot, notebook("import inspect, sys, IPython.core.ultratb, torch.nn.modules.rnn\n"
                             "print(all(name in inspect._filesbymodname for name in\n"
                             "          ('IPython.core.ultratb', 'torch.nn.modules.rnn', 'shapeschool.checks')))"))
    assert printed(out.notebook.cells[0]).strip() == "True"


def uncoloured(text):
    return re.sub(r"\x1b\[[0-9;]*m", "", text)


def test_grading_kernels_write_tracebacks_without_colour(slot):
    """When the course asks (this one does): colouring costs a tenth of a second a traceback (server.NO_COLOUR)."""
    out = run(slot, notebook("import torch\ntorch.zeros(2, 3) @ torch.zeros(2, 3)"))
    (error,) = errors(out.notebook.cells[0])
    assert "mat1 and mat2 shapes cannot be multiplied" in error.evalue
    text = "\n".join(error.traceback)
    assert "torch.zeros(2, 3) @ torch.zeros(2, 3)" in text and "\x1b[" not in text, text[:500]


def test_slots_sharing_one_server_run_notebooks_at_once_each_in_its_own_sandbox():
    """The pool's slots share one server: notebooks run side by side, none sees another's."""
    import threading

    with kernels.KernelServer(sandboxed=True) as server:
        slots = [kernels.KernelSlot(server=server) for _ in range(3)]
        outcomes = [None] * 3

        def grade(i):
            code = (f"import os, time\nopen('mine', 'w').write('{i}')\ntime.sleep(1)\n"
                    "print(open('mine').read(), sorted(os.listdir('.')).count('mine'), os.getpid())")
            outcomes[i] = run(slots[i], notebook(code))

        threads = [threading.Thread(target=grade, args=(i,)) for i in range(3)]
        start = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        together = time.monotonic() - start
        lines = [printed(o.notebook.cells[0]).split() for o in outcomes]
        assert [line[:2] for line in lines] == [["0", "1"], ["1", "1"], ["2", "1"]], lines
        assert together < 3 * 1 + 2, f"three 1-second notebooks took {together:.1f} s: they ran one after another"
        for slot in slots:
            slot.__exit__(None, None, None)
        assert server.alive(), "a slot stopped the server it shares"
    assert not server.alive()


def test_a_shared_server_that_dies_is_restarted_once_for_every_slot():
    with kernels.KernelServer(sandboxed=True) as server:
        a, b = kernels.KernelSlot(server=server), kernels.KernelSlot(server=server)
        first = server.pid
        os.kill(first, signal.SIGKILL)
        for slot in (a, b):
            with pytest.raises(kernels.KernelFailed, match="exited"):
                run(slot, notebook("print('never')"))
        a.restart()
        second = server.pid
        b.restart()   # already restarted by a: nothing to do
        assert server.pid == second != first
        assert [printed(run(s, notebook("print('again')")).notebook.cells[0]) for s in (a, b)] == ["again\n"] * 2


def test_a_notebook_that_changes_folder_still_meets_its_checks(slot):
    """The check kernel reaches the student's names through a socket in the kernel's folder;
    a notebook that moves elsewhere (``os.chdir``, as plain nbgrader allows) must still be graded."""
    nb = notebook("import os\nos.chdir('/')\nanswer = 41 + 1", "assert answer == 42\nprint('checked')")
    out = slot.run(nb, Execute(timeout=30), {}, split=kernels.Split(frozenset({1}), frozenset(), ("answer",)))
    assert out.problem is None and errors(out.notebook.cells[1]) == []
    assert printed(out.notebook.cells[1]).split()[0] == "checked"


def test_the_check_kernel_runs_only_the_checks_and_the_student_kernel_the_rest(slot):
    nb = notebook("where = 'student'\nkept = 1", "print('kept' in globals(), where)")
    out = slot.run(nb, Execute(timeout=30), {}, split=kernels.Split(frozenset({1}), frozenset(), ("where",)))
    assert printed(out.notebook.cells[1]).split() == ["False", "student"], \
        "the check ran in a kernel of its own, given only the names the split names"


WORK = "import time\nstart = time.monotonic()\nsum(range(15_000_000))\nprint(time.monotonic() - start)"
HOG = ("import os, time\nfor _ in range(6):\n    if os.fork() == 0:\n        end = time.monotonic() + 20\n"
       "        while time.monotonic() < end:\n            pass\n        os._exit(0)\ntime.sleep(20)")


@pytest.fixture
def no_autogroup():
    """Linux's autogroup scheduling (on here) shares the CPU between sessions, and each kernel
    has a session of its own: it would hide whether the control groups' limits work. Off for
    the test (as on many servers), then back as it was."""
    switch = "/proc/sys/kernel/sched_autogroup_enabled"
    try:
        with open(switch) as f:
            was = f.read().strip()
        with open(switch, "w") as f:
            f.write("0")
    except OSError as exc:
        pytest.skip(f"cannot turn autogroup scheduling off ({exc}): the test could not fail")
    yield
    with open(switch, "w") as f:
        f.write(was)


def test_a_cpu_hog_slows_only_itself(no_autogroup):
    """Six busy processes in one notebook, an honest notebook beside it: the honest one keeps
    its share of the machine (each notebook's control group has one core at most)."""
    import threading

    if not (kernels.cgroups.find() and kernels.cgroups.find().cpu_limited):
        pytest.skip("no cpu controller here: " + kernels.cgroups.why_not_cpu())
    with kernels.KernelServer(sandboxed=True) as server:
        honest, hog = kernels.KernelSlot(server=server), kernels.KernelSlot(server=server)
        alone = float(printed(run(honest, notebook(WORK)).notebook.cells[0]))
        hogging = threading.Thread(target=run, args=(hog, notebook(HOG)), kwargs={"wall_limit": 25})
        hogging.start()
        time.sleep(2)   # the hog's processes are all busy
        beside = float(printed(run(honest, notebook(WORK)).notebook.cells[0]))
        hogging.join()
    # unlimited, six busy processes would leave the honest notebook a seventh of the machine
    assert beside < 2.2 * alone, f"alone {alone:.2f} s, beside a CPU hog {beside:.2f} s"


@pytest.mark.parametrize("gpu", [False, True])
def test_only_the_gpu_flag_shows_a_kernel_the_devices_sys_and_the_device_setting(gpu, monkeypatch, tmp_path):
    """--gpu gives a sandboxed kernel the NVIDIA device nodes, /sys read-only and SHAPESCHOOL_DEVICE /
    CUDA_VISIBLE_DEVICES from the grader; without it, none of them. (This machine has no GPU: a
    folder of stand-in device files takes /dev's place in what the flag exposes.)"""
    dev = tmp_path / "dev"
    dev.mkdir()
    for name in ("nvidia0", "nvidiactl", "nvidia-uvm"):
        (dev / name).write_text("")
    exposed = sandbox.gpu_arguments
    monkeypatch.setattr(sandbox, "gpu_arguments", lambda: exposed(dev, folders=("/sys",)))
    monkeypatch.setenv("SHAPESCHOOL_DEVICE", "cuda")
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "0")
    with kernels.KernelSlot(sandboxed=True, gpu=gpu) as own:
        out = run(own, notebook(f"import glob, os\nprint(os.environ.get('SHAPESCHOOL_DEVICE'), "
                                f"os.environ.get('CUDA_VISIBLE_DEVICES'), os.path.isdir('/sys/devices'), "
                                f"len(glob.glob({str(dev)!r} + '/nvidia*')))"))
    expected = ["cuda", "0", "True", "3"] if gpu else ["None", "None", "False", "0"]
    assert printed(out.notebook.cells[0]).split() == expected
