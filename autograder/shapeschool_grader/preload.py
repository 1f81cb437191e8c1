"""What a kernel server imports before it forks, read from the course: the modules its
notebooks import, what every IPython kernel imports as it starts, and the heavy parts some
libraries import only on first use. Each grading kernel then finds them imported.

    names = for_notebooks(release_notebooks, extra=["my_course_helpers"])

A module the server cannot import is skipped (its kernels import it themselves, as they always
would), and one that starts a thread as it is imported is left out (``server.KernelServer``).
"""
import ast
import functools

from . import protocol
from .split import python_source

# What ipykernel and IPython import as a kernel starts and runs its first cell (the debugger
# alone is a quarter of a kernel's start-up), and what IPython's first traceback imports.
KERNEL = ("ipykernel.ipkernel", "ipykernel.zmqshell", "ipykernel.debugger", "IPython.core.debugger",
          "IPython.core.completerlib", "IPython.core.oinspect", "IPython.extensions.storemagic",
          "ipykernel.kernelapp", "psutil", "sqlite3", "pdb", "pydoc", "faulthandler", "tornado.platform.asyncio",
          "stack_data", "pygments.lexers.python", "pygments.formatters.terminal256", "pygments.formatters.html",
          "pygments.styles")

# For a package the server finds imported once the course's modules are (by the course, or by
# its helpers), what that package imports later, on first use, at a cost worth paying once. torch.distributed.tensor (and sympy under it) is what torch.testing.assert_close imports
# on its first call: a second of every kernel's time when each imported it for itself.
# torch._dynamo (three hundred modules) is what the first torch.optim optimizer imports as it is
# built: two thirds of a second of every kernel that trains. The PIL plugins and the inline
# backend are what a kernel's first figure imports.
COMPANIONS = {
    "torch": ("numpy", "torch.testing", "torch.distributed.tensor", "torch._dynamo"),
    "matplotlib": ("matplotlib.pyplot", "matplotlib_inline.backend_inline", "PIL.PngImagePlugin",
                   "PIL.JpegImagePlugin", "PIL.GifImagePlugin", "PIL.BmpImagePlugin", "PIL.PpmImagePlugin"),
}

# Modules whose source files students' errors most often pass through: the server reads those
# it has imported as IPython's tracebacks do, once, so that no kernel parses them for its first
# traceback.
TRACEBACK_SOURCES = ("torch.nn.modules.module", "torch.nn.modules.rnn", "torch.nn.modules.linear",
                     "torch.nn.modules.conv", "torch.nn.modules.sparse", "torch.nn.modules.container",
                     "torch.nn.modules.flatten", "torch.nn.functional", "torch.nn.utils.rnn", "torch._tensor",
                     "torch.functional", "einops.einops", "shapeschool.checks", "shapeschool.cases",
                     protocol.CALLS_MODULE)

# What the call channel between a student's kernel and its check kernel (calls.py) imports to move
# values across: preloaded wherever checks run apart.
CALLS = ("torch",)

# A name after this mark is imported only if it is a module (``from x import y``: y may be a
# function); the kernel server says nothing of one that is not.
IF_MODULE = "?"


@functools.lru_cache(maxsize=4096)
def imports(source):
    """The modules a cell's code imports, anywhere in it (a function's imports included, as the
    kernel would run them). ``from a import b`` gives ``a`` and ``?a.b``; relative imports none."""
    try:
        tree = ast.parse(python_source(source))
    except SyntaxError:
        return ()
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.append(node.module)
            found += [f"{IF_MODULE}{node.module}.{alias.name}" for alias in node.names if alias.name != "*"]
    return tuple(found)


def for_notebooks(notebooks, extra=()):
    """What to preload for kernels that will run ``notebooks`` (nbformat nodes)."""
    course = []
    for nb in notebooks:
        for cell in nb.cells:
            if cell.get("cell_type") == "code":
                course += imports(cell.source)
    return tuple(dict.fromkeys(course + list(extra) + list(KERNEL)))   # in order, each once


def for_course(course, assignments, extra=()):
    """What to preload for grading ``assignments`` of ``course``: read from their releases."""
    notebooks = [course.release(assignment, name) for assignment in assignments
                 for name in course.assignments.get(assignment, ())]
    return for_notebooks(notebooks, extra)
