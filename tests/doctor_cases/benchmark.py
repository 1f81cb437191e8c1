"""A benchmark of PyTorch shape mistakes, and a runner that scores any tool adding text to errors.

    make benchmark-doctor                      # every tool, each catalogue, side by side
    PYTHONPATH=tests .venv/bin/python -m doctor_cases.benchmark --tool doctor --catalogue questions --list
    PYTHONPATH=tests .venv/bin/python -m doctor_cases.benchmark --tool doctor --module asked_sixth --list

The catalogue (this package) holds mistakes that raise (``Raises``), mistakes that raise nothing
(``Silent``) and correct models (``Correct``). Those in ``asked_*.py`` are reconstructed from public
questions and cite them; the others rewrite the course's own fix-me cells and common questions.

A tool is a context manager wrapped around a case's code (``TOOLS``): plain PyTorch wraps nothing;
TensorSensor is ``tsensor.clarify``; the shape doctor is ``shapeschool.doctor``. The text a tool
adds is whatever its error carries beyond what the same error carries with no tool (PyTorch's own
message): a longer message, or notes; the scores below read the whole text, so that plain
PyTorch is scored on its message alone. Tools that also look for silent bugs (``check``) are asked
about the silent cases and the correct models.

Scoring, per mistake that raises:
- located: the error's whole text names where it happened: the last part of the case's module
  path (``lstm`` for ``model.lstm``) or, outside any module, the function, as a word (cases that
  name no place, path "", are not counted);
- sized: the error's whole text (message and added text) names both sizes that disagree (every
  number of the case's ``sizes``), for cases that have them; PyTorch's message often does alone;
- cause: the tool states a cause, and it is one the case accepts; only a tool that names causes
  in a form a program can compare (the doctor's cause ids) is scored here; for others it is "-";
- hit: located, sized (where the case has sizes) and, for tools that name causes, the cause.
Per silent mistake: found if the tool reports it, at the case's place, as the case's kind.
False alarms: a correct model given any finding (tools that check), and, for tools that state
causes, a wrong cause stated as certain on any case.
"""
import argparse
import contextlib
import io
import re
import sys
import warnings

import torch

import doctor_cases
from doctor_cases import Correct, Raises, Silent


class Tool:
    name = ""
    names_causes = False
    checks = False

    def wrap(self):
        return contextlib.nullcontext()

    def cause(self, exc):
        """(cause id, certain) the tool states for ``exc``, for tools that name causes."""
        return None, False

    def check(self, setup):
        """Findings [(path, kind, certain)] on a model that raises nothing."""
        return []


class Plain(Tool):
    name = "plain PyTorch"


class TensorSensor(Tool):
    name = "TensorSensor"

    def wrap(self):
        import tsensor
        return tsensor.clarify(show=None)


class Doctor(Tool):
    name = "shape doctor"
    names_causes = True
    checks = True

    def wrap(self):
        import shapeschool
        return shapeschool.doctor()

    def cause(self, exc):
        import shapeschool
        report = shapeschool.doctor.explain(exc)
        if report is None or report.diagnosis is None:
            return None, False
        return report.diagnosis.cause_id, report.diagnosis.certain

    def check(self, setup):
        import shapeschool
        return [(f.path, f.kind, f.certain) for f in shapeschool.doctor.check(**setup(), warn=False)]


TOOLS = {"plain": Plain, "tensorsensor": TensorSensor, "doctor": Doctor}


def _text(exc):
    return "\n".join([str(exc)] + [str(n) for n in getattr(exc, "__notes__", [])])


def _raised(case, tool):
    torch.manual_seed(0)
    with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()), \
            contextlib.redirect_stderr(io.StringIO()):
        warnings.simplefilter("ignore")
        try:
            with tool.wrap():
                case.run()
        except Exception as exc:           # the case's own error, as the tool leaves it
            return exc
    raise AssertionError(f"{case.name} raised nothing")


def _numbers(sizes):
    if isinstance(sizes, (tuple, list)):
        return [n for s in sizes for n in _numbers(s)]
    return [sizes]


def _names(text, word):
    return re.search(rf"(?<!\w){re.escape(word)}(?!\w)", text, re.I) is not None


def score_raising(case, tool):
    exc = _raised(case, tool)
    full = _text(exc)
    where = case.path.rsplit(".", 1)[-1]
    located = _names(full, where) if where else None
    sized = all(_names(full, str(n)) for n in _numbers(case.sizes)) if case.sizes is not None else None
    cause, certain = tool.cause(exc) if tool.names_causes else (None, False)
    right = cause in case.causes if tool.names_causes else None
    hit = located is not False and sized is not False and right is not False
    return dict(case=case.name, located=located, sized=sized, cause=cause, right=right, hit=hit,
                wrong_certain=bool(tool.names_causes and cause is not None and certain and not right))


def score_silent(case, tool):
    torch.manual_seed(0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        findings = tool.check(case.setup) if tool.checks else []
    found = any(kind in case.kinds and path == case.path for path, kind, _ in findings)
    wrong = [f for f in findings if f[2] and not found and f[1] not in case.kinds]
    return dict(case=case.name, found=found, wrong_certain=bool(wrong))


def score_correct(case, tool):
    torch.manual_seed(0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        findings = tool.check(case.setup) if tool.checks else []
    return dict(case=case.name, alarm=bool(findings), certain=any(f[2] for f in findings))


def catalogue_of(case):
    return "questions" if getattr(case, "source", "").startswith("http") else "course"


def run(tool_names, catalogue=None, module=None):
    """{tool name: {"raising": [...], "silent": [...], "correct": [...]}} over the chosen catalogue, or
    over one module of cases (``module``: "asked_sixth"), listed in ``MODULES`` or not: a batch of
    new questions is measured this way at first sight, before any rule is written for it."""
    chosen = lambda cases: [c for c in cases if catalogue is None or catalogue_of(c) == catalogue]  # noqa: E731
    if module is not None:
        import importlib
        found = importlib.import_module(f"doctor_cases.{module}")
        every = {Raises: found.CASES, Silent: found.SILENT, Correct: found.CORRECT}.get
    else:
        every = doctor_cases.every
    results = {}
    for name in tool_names:
        tool = TOOLS[name]()
        results[tool.name] = {
            "raising": [score_raising(c, tool) for c in chosen(every(Raises))],
            "silent": [score_silent(c, tool) for c in chosen(every(Silent))],
            "correct": [score_correct(c, tool) for c in chosen(every(Correct))],
            "names_causes": tool.names_causes,
        }
    return results


def _share(rows, key):
    counted = [r[key] for r in rows if r[key] is not None]
    return f"{sum(counted)}/{len(counted)}" if counted else "-"


def table(results):
    """The side-by-side table, as Markdown."""
    tools = list(results)
    lines = ["| | " + " | ".join(tools) + " |", "|---|" + "---|" * len(tools)]

    def row(label, cell):
        lines.append(f"| {label} | " + " | ".join(cell(results[t]) for t in tools) + " |")

    row("mistakes that raise: hit", lambda r: _share(r["raising"], "hit"))
    row("... located (module or function named)", lambda r: _share(r["raising"], "located"))
    row("... both sizes named", lambda r: _share(r["raising"], "sized"))
    row("... cause named right", lambda r: _share(r["raising"], "right") if r["names_causes"] else "-")
    row("silent mistakes found", lambda r: _share(r["silent"], "found"))
    row("false alarms on correct models", lambda r: f"{sum(c['alarm'] for c in r['correct'])}/{len(r['correct'])}")
    row("wrong causes stated as certain", lambda r: str(sum(x["wrong_certain"] for x in r["raising"] + r["silent"])
                                                     + sum(c["certain"] for c in r["correct"]))
        if r["names_causes"] else "-")
    return "\n".join(lines)


CATALOGUES = ("questions", "course")
README_BLOCK = re.compile(r"(<!-- doctor-benchmark[^>]*-->\n)(.*?)(\n<!-- end doctor-benchmark -->)", re.S)


def readme_block(results_by_catalogue):
    """The README's benchmark block: each catalogue's counts and table."""
    parts = []
    for catalogue, results in results_by_catalogue.items():
        first = next(iter(results.values()))
        parts.append(f"The {catalogue} catalogue: {len(first['raising'])} mistakes that raise, "
                     f"{len(first['silent'])} silent, {len(first['correct'])} correct models.\n\n{table(results)}")
    return "\n\n".join(parts)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m doctor_cases.benchmark", description=__doc__.split("\n\n")[0])
    parser.add_argument("--tool", nargs="+", choices=sorted(TOOLS), default=["plain", "tensorsensor", "doctor"])
    parser.add_argument("--catalogue", choices=["course", "questions"], default=None,
                        help="one catalogue (default: each in turn)")
    parser.add_argument("--module", metavar="asked_sixth", help="only the cases of this module of doctor_cases, "
                        "listed in MODULES or not (a new batch of questions, measured at first sight)")
    parser.add_argument("--list", action="store_true", help="list each case's score")
    parser.add_argument("--readme", metavar="README.md", help="write every tool's tables for both catalogues "
                        "into the README's <!-- doctor-benchmark --> block")
    args = parser.parse_args(argv)
    if args.readme:
        from pathlib import Path
        path = Path(args.readme)
        block = readme_block({c: run(sorted(TOOLS, key=list(TOOLS).index), c) for c in CATALOGUES})
        text = path.read_text()
        if not README_BLOCK.search(text):
            print(f"{path} has no <!-- doctor-benchmark --> ... <!-- end doctor-benchmark --> block", file=sys.stderr)
            return 2
        path.write_text(README_BLOCK.sub(lambda m: m.group(1) + block + m.group(3), text))
        print(f"wrote the benchmark's tables into {path}")
        return 0
    if args.module:
        catalogues = [None]
    else:
        catalogues = [args.catalogue] if args.catalogue else ["questions", "course"]
    for catalogue in catalogues:
        results = run(args.tool, catalogue, args.module)
        first = next(iter(results.values()))
        print(f"\n## {'The ' + catalogue + ' catalogue' if catalogue else args.module}: {len(first['raising'])} "
              f"mistakes that raise, "
              f"{len(first['silent'])} silent, {len(first['correct'])} correct models\n")
        print(table(results))
        if args.list:
            for name, r in results.items():
                for row in r["raising"] + r["silent"]:
                    print(f"{name}\t{row}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
