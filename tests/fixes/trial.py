"""Run every catalogued fix through a chapter's visible check and its full check (visible plus
hidden tests), in one kernel per chapter, the way a learner's notebook runs them."""
import dataclasses

import nbformat
from jupyter_core.utils import run_sync
from nbclient import NotebookClient

from shapeschool.device import cuda_broken
from shapeschool_nbgrader import markers
from conftest import REPO

from . import catalogue, defined_names, fixed_source


@dataclasses.dataclass
class Outcome:
    chapter: str
    grade_id: str
    fix: object
    fix_cell_error: str      # what the fix-me cell itself raised ("" when it ran)
    visible_error: str       # what the visible check said ("" when it passed)
    full_error: str          # what the check with its hidden tests said

    def line(self):
        kind = "right" if self.fix.right else "wrong"
        visible = "visible: " + ("FAIL " + self.visible_error if self.visible_error else "pass")
        full = "hidden: " + ("FAIL" if self.full_error else "pass")
        return f"{self.chapter[:4]}/{self.grade_id} [{kind}] {self.fix.why}: {visible}; {full}"


def _error(cell):
    errors = [o for o in cell.outputs if o.output_type == "error"]
    return f"{errors[0].ename}: {errors[0].evalue.splitlines()[0] if errors[0].evalue else ''}" if errors else ""


def run_chapter(chapter):
    """Every fix of one chapter, tried in place of the answer; returns a list of Outcomes."""
    source = nbformat.read(REPO / "course" / f"{chapter}.ipynb", as_version=4)
    fixes = catalogue(chapter)
    nb = nbformat.v4.new_notebook(metadata=source.metadata)
    client = NotebookClient(nb, timeout=120, kernel_name="python3", allow_errors=True,
                            resources={"metadata": {"path": str(REPO / "solutions")}})
    outcomes = []

    def run(code):
        cell = nbformat.v4.new_code_cell(code)
        nb.cells.append(cell)
        client.execute_cell(cell, len(nb.cells) - 1)
        return cell

    def restart(replay):
        """A fresh kernel, brought back to where the chapter was, by running its cells again."""
        run_sync(client.km.restart_kernel)(now=True)
        run_sync(client.kc.wait_for_ready)(timeout=60)
        for code in replay:
            run(code)

    with client.setup_kernel():
        cells = source.cells
        replay = []     # what has run at the chapter's own level: the answers, cell by cell
        for i, cell in enumerate(cells):
            if cell.cell_type != "code":
                continue
            gid = cell.metadata.get("nbgrader", {}).get("grade_id")
            if gid in fixes:
                answer = markers.answer_source(cell.source)
                check = cells[i + 1].source
                visible, full = markers.answer_source(check), markers.answer_source(check, keep_hidden_tests=True)
                forget = "".join(f"globals().pop({name!r}, None)\n" for name in defined_names(answer))
                for fix in fixes[gid]:
                    run(forget)
                    fix_cell = run(fixed_source(cell.source, fix))
                    outcomes.append(Outcome(chapter, gid, fix, _error(fix_cell), _error(run(visible)), _error(run(full))))
                    last = outcomes[-1]   # a device-side assert leaves CUDA broken in that kernel
                    if any(map(cuda_broken, (last.fix_cell_error, last.visible_error, last.full_error))):
                        restart(replay)
                run(forget)
            replay.append(markers.answer_source(cell.source, keep_hidden_tests=True))
            done = run(replay[-1])
            assert not _error(done), \
                f"{chapter}/{gid}: the answer key fails after its fixes were tried: {_error(done)}"
    return outcomes
