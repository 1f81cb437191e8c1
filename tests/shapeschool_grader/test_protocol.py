"""The grader's internal protocols are written once, in protocol.py: a field the grader sends or
the kernel server reads that is not documented there fails here."""
import ast
from pathlib import Path
from types import SimpleNamespace

import pytest

from shapeschool_grader import box, protocol, server

ZYGOTE = Path(server.ZYGOTE)


def fields_the_server_reads():
    """Every ``request["x"]`` and ``request.get("x")`` in zygote.py."""
    tree = ast.parse(ZYGOTE.read_text())
    found = set()
    for node in ast.walk(tree):
        if (isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name) and node.value.id == "request"
                and isinstance(node.slice, ast.Constant)):
            found.add(node.slice.value)
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get"
                and isinstance(node.func.value, ast.Name) and node.func.value.id == "request" and node.args
                and isinstance(node.args[0], ast.Constant)):
            found.add(node.args[0].value)
    return found


def test_every_field_the_server_reads_is_documented():
    read = fields_the_server_reads()
    assert {"folder", "connection", "sandbox", "calls_socket"} <= read, "the reader above found the server's fields"
    assert read <= set(protocol.START_FIELDS), f"undocumented in protocol.START_FIELDS: {read - set(protocol.START_FIELDS)}"


def test_every_documented_field_is_read_by_the_server():
    assert set(protocol.START_FIELDS) <= fields_the_server_reads(), "a documented field no one reads"


def test_a_request_with_an_undocumented_field_is_refused():
    with pytest.raises(protocol.UndocumentedField, match="debug"):
        protocol.start_request(folder="/tmp", connection={}, env={}, calls_socket="s", groups=[], limits={}, debug=1)
    with pytest.raises(protocol.UndocumentedField, match="calls_socket"):
        protocol.start_request(folder="/tmp", connection={}, env={}, groups=[], limits={})


class _Listening:
    """A kernel server that records the request it is sent and refuses it."""

    def __init__(self):
        self.sent = []
        self.kernel_env = {"PATH": "/usr/bin"}

    def request(self, message, timeout=None):
        self.sent.append(message)
        return {"error": "refused by the test"}


@pytest.mark.parametrize("sandboxed", [False, True])
def test_what_a_notebook_box_sends_is_what_is_documented(tmp_path, sandboxed):
    """The request made on the path production takes (``NotebookBox.start_kernel``)."""
    listening = _Listening()
    slot = SimpleNamespace(server=listening, scratch=tmp_path, groups=None, sandboxed=False, threads=1, pids_limit=8)
    notebook = box.NotebookBox(slot, 1, wall_limit=10, memory_limit=1 << 30)
    notebook.__enter__()
    if sandboxed:   # as a sandboxed box would send it, without making a sandbox
        notebook.holder = SimpleNamespace(pid=12345, uid=65534, gid=65534, kill=lambda: None)
    with pytest.raises(server.KernelFailed, match="refused by the test"):
        notebook.start_kernel()
    notebook.holder = None
    sent = listening.sent[0]
    assert set(sent) <= set(protocol.START_FIELDS)
    assert protocol.REQUIRED <= set(sent)
    assert ("sandbox" in sent) is sandboxed
