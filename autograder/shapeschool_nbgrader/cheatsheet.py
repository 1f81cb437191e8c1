"""The course's cheat sheet, made from the chapters: every error message the course shows, with
the section that shows it, and every chapter's "What to remember" table. ``make generate`` writes
it to docs/cheatsheet.md and ``make test`` fails when the committed copy drifts, so it is never
edited by hand.

An error counts as taught where a cell demonstrates it: an ``ss.raises(action, Error, "stable
part")`` call, or a prediction in the chapter's module (``shapeschool/chapters/chNN.py``) whose
reveal raises. The message is quoted by the stable part the course checks.
"""
import ast
import importlib
import re

import nbformat

from . import markers

PATH = "docs/cheatsheet.md"
SUMMARY = "## What to remember"


def _heading(cell, level):
    found = re.search(rf"(?m)^{'#' * level} (.+)$", cell.source) if cell.cell_type == "markdown" else None
    return found.group(1).strip() if found else None


def _demonstrated(source, predictions):
    """(error type, stable part) of each demonstration in a code cell, in order."""
    try:
        tree = ast.parse(markers.answer_source(source))
    except SyntaxError:
        return []
    found = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        target = node.func
        if target.attr == "raises" and isinstance(target.value, ast.Name) and target.value.id == "ss" \
                and len(node.args) >= 3 and isinstance(node.args[1], ast.Name) \
                and isinstance(node.args[2], ast.Constant):
            found.append((node.args[1].id, node.args[2].value))
        elif isinstance(target.value, ast.Name) and target.value.id == "checks" and target.attr in predictions:
            raises = predictions[target.attr].raises
            if raises is not None:
                found.append((raises[0].__name__, raises[1]))
    return found


def _chapter_predictions(stem):
    try:
        module = importlib.import_module(f"shapeschool.chapters.{stem[:4]}")
    except ModuleNotFoundError:
        return {}
    from shapeschool.predictions import Prediction
    return {name: value for name, value in vars(module).items() if isinstance(value, Prediction)}


def chapter_facts(path):
    """(title, [(error, stable part, section)], the "What to remember" markdown) of one chapter."""
    nb = nbformat.read(path, as_version=4)
    title = _heading(nb.cells[0], 1) or path.stem
    predictions = _chapter_predictions(path.stem)
    errors, summary, section = [], "", None
    for cell in nb.cells:
        section = _heading(cell, 2) or section
        if cell.cell_type == "markdown" and cell.source.lstrip().startswith(SUMMARY):
            kept = [line for line in cell.source.strip()[len(SUMMARY):].strip().split("\n")
                    if not line.startswith("Next:")]          # the pointer to the next chapter
            summary = "\n".join(kept).strip()
        elif cell.cell_type == "code":
            errors.extend((kind, stable, section) for kind, stable in _demonstrated(cell.source, predictions))
    return title, errors, summary


def _link(path, title, section):
    chapter = title.split("·")[0].strip()
    return f"[{chapter}, §{section}](../exercises/{path.name})" if section else f"[{chapter}](../exercises/{path.name})"


def render(repo):
    paths = sorted((repo / "course").glob("*.ipynb"))
    facts = [(path, *chapter_facts(path)) for path in paths]
    lines = ["# Shape School: the cheat sheet", "",
             "Every error message the course shows, where it is taught, and every chapter's rules. Made from",
             "the chapters by `make generate`: edit the chapters, not this page.", "",
             "## Error messages", "",
             "Quoted by the part that stays the same across torch versions.", "",
             "| the message contains | type | taught in |", "|---|---|---|"]
    seen = set()
    for path, title, errors, _ in facts:
        for kind, stable, section in errors:
            if stable in seen:
                continue
            seen.add(stable)
            shown = stable.replace("|", "\\|")
            lines.append(f"| `{shown}` | `{kind}` | {_link(path, title, section)} |")
    lines += ["", "## Rules, chapter by chapter", ""]
    for path, title, _, summary in facts:
        lines += [f"### [{title}](../exercises/{path.name})", "", summary or "(this chapter has no summary yet)", ""]
    return "\n".join(lines).rstrip() + "\n"
