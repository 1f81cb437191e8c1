"""Which cells of a notebook run where when its checks are decided outside the student's kernel.

The grader reads this from the *release* of each notebook, the instructor's own copy, never
from the submission:

- a test cell (``grade`` and ``locked``) runs only in the trusted check kernel;
- a lesson cell (``locked``, not a solution) is the instructor's code, restored by nbgrader from
  the gradebook if a student changed it; it runs in the student's kernel, where the student's
  code builds on it, and, when a test cell reads (through any chain of lesson cells) a name it
  defines, again in the check kernel, where the checks build on it;
- every other cell (the fix-me cells, cells a student added, unlocked cells) runs only in the
  student's kernel;
- the check kernel takes from the student's kernel only the names the release's fix-me cells
  define at top level (``encode``, ``TokenEncoder``), less any name the instructor's own cells
  define: a check's ``nn``, ``torch``, ``vocab`` or reference helper is always the instructor's.
"""
import ast
import functools
from dataclasses import dataclass


@dataclass(frozen=True)
class Split:
    """How a notebook's cells divide when its checks are decided outside the student's kernel.

    ``checks``: indices of the test cells, run only in the check kernel. ``lessons``: indices of
    the instructor's own (locked) cells, run in the student's kernel and again in the check
    kernel. Every other cell is the student's and runs only in the student's kernel. ``names``:
    what the student's cells define, bound in the check kernel before each of its cells.
    """
    checks: frozenset
    lessons: frozenset
    names: tuple



NONE = Split(frozenset(), frozenset(), ())   # every cell the student's, no check kernel needed


def python_source(source):
    """Cell source as plain Python (IPython's magics and shell escapes turned into calls)."""
    from IPython.core.inputtransformer2 import TransformerManager

    return TransformerManager().transform_cell(source)


class _Bound(ast.NodeVisitor):
    """Names a module binds at top level (not inside functions, classes or comprehensions)."""

    def __init__(self):
        self.names = set()

    def visit_FunctionDef(self, node):
        self.names.add(node.name)

    visit_AsyncFunctionDef = visit_ClassDef = visit_FunctionDef

    def visit_Lambda(self, node):
        pass

    visit_ListComp = visit_SetComp = visit_DictComp = visit_GeneratorExp = visit_Lambda

    def visit_Name(self, node):
        if isinstance(node.ctx, (ast.Store, ast.Del)):
            self.names.add(node.id)

    def visit_Import(self, node):
        for alias in node.names:
            self.names.add(alias.asname or alias.name.split(".")[0])

    visit_ImportFrom = visit_Import

    def visit_NamedExpr(self, node):
        self.visit(node.target)
        self.visit(node.value)

    def visit_ExceptHandler(self, node):
        if node.name:
            self.names.add(node.name)
        self.generic_visit(node)


@functools.lru_cache(maxsize=4096)   # a class's notebooks share most of their cells
def bound_names(source):
    """The names a cell binds at top level; a cell that does not parse binds none."""
    try:
        tree = ast.parse(python_source(source))
    except SyntaxError:
        return frozenset()
    visitor = _Bound()
    visitor.visit(tree)
    for node in tree.body:   # a cell magic (%%time, %%capture) runs its body, a string here
        call = node.value if isinstance(node, ast.Expr) else None
        if (isinstance(call, ast.Call) and getattr(call.func, "attr", "") == "run_cell_magic"
                and len(call.args) == 3 and isinstance(call.args[2], ast.Constant)):
            visitor.names |= bound_names(str(call.args[2].value))
    return frozenset(visitor.names)


@functools.lru_cache(maxsize=4096)
def used_names(source):
    """Every name a cell reads, anywhere in it (functions included): a generous answer."""
    try:
        tree = ast.parse(python_source(source))
    except SyntaxError:
        return frozenset()
    return frozenset(node.id for node in ast.walk(tree)
                     if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load))


def _role(cell):
    meta = cell.get("metadata", {}).get("nbgrader", {})
    if cell.get("cell_type") != "code" or not meta.get("grade_id"):
        return "student"
    if meta.get("solution"):
        return "student"
    if meta.get("locked") and meta.get("grade"):
        return "check"
    if meta.get("locked"):
        return "lesson"
    return "student"


def plan(notebook, release, instructors_own=None):
    """The Split for ``notebook`` (sanitized by nbgrader) from its ``release``; the names the
    student's cells define are read from the release and, where the course keeps it, from the
    instructor's source notebook, ``instructors_own`` (whose answer cells hold the solutions, where a release may hold
    only a stub that defines nothing). Both are the instructor's: nothing here comes from a
    submission, so a student cannot make a check read a name of their choosing."""
    roles = {c.metadata.nbgrader.grade_id: _role(c) for c in release.cells
             if c.get("metadata", {}).get("nbgrader", {}).get("grade_id")}
    checks, lessons = set(), set()
    for index, cell in enumerate(notebook.cells):
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        role = roles.get(grade_id) if cell.cell_type == "code" else None
        if role == "check":
            checks.add(index)
        elif role == "lesson":
            lessons.add(index)
    # The check kernel runs only the lesson cells the checks build on, found backwards from the
    # names the test cells read: a picture or an explorer no check needs runs once, not twice.
    needed, kept = set(), set()
    for index in sorted(checks | lessons, reverse=True):
        source = notebook.cells[index].source
        if index in checks:
            needed |= used_names(source)
        elif bound_names(source) & needed:
            kept.add(index)
            needed |= used_names(source)
    lessons = kept
    students, instructors = set(), set()
    for cell in release.cells + (instructors_own.cells if instructors_own is not None else []):
        if cell.cell_type != "code":
            continue
        role = _role(cell)
        if role == "student" and cell.metadata.get("nbgrader", {}).get("solution"):
            students |= bound_names(cell.source)
        elif role in ("check", "lesson"):
            instructors |= bound_names(cell.source)
    return Split(frozenset(checks), frozenset(lessons), tuple(sorted(students - instructors)))
