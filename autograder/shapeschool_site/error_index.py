"""The error index: every error the chapters demonstrate, by the stable part of its message, with
its cause and fix as the shape doctor gives them for that very demonstration, and the section
that teaches it; then the silent bugs, by the symptom a learner notices.

Made from three things the course already knows, so the index, the doctor and the chapters
cannot disagree:
- which errors each chapter demonstrates, and in which section (the cheat sheet's reading of the
  chapters, ``shapeschool_nbgrader.cheatsheet.chapter_facts``);
- what the doctor said about each demonstration while the chapter ran (``shapeschool.demo_log``);
- each silent bug's symptom, written beside it in the chapter (the fix-me cell's metadata
  ``shapeschool.symptom``).
An error the chapters demonstrate that the doctor cannot explain, or a silent bug without a
symptom, stops the build with its name (``Incomplete``).
"""
import html
import json
import re
from dataclasses import dataclass

import nbformat
import torch
from docutils.nodes import make_id

from shapeschool_nbgrader.cheatsheet import chapter_facts

PATH = "errors.md"

# the doctor's rule families (shapeschool/doctor/rules), as the index groups them
GROUPS = (
    ("embedding", "Embeddings and vocabularies"),
    ("recurrent", "LSTM, GRU and RNN layers"),
    ("packing", "Padding and packing"),
    ("linear", "Linear layers"),
    ("conv", "Convolution and pooling"),
    ("norm", "Normalisation"),
    ("attention", "Attention"),
    ("losses", "Losses"),
    ("tensors", "Tensors: view, reshape, joining and indexing"),
    ("einops_", "einops"),
)


# What the index says where the doctor says nothing: errors it cannot see (a dict lookup, einops'
# own parser, a layer's constructor refusing its settings) and errors the chapters show only on a
# CUDA GPU. stable part -> (family, cause, fix, why the doctor has no word on it). The doctor's
# diagnosis wins wherever it has one; tests/shapeschool_site/test_error_index.py fails when an
# entry here is no longer demonstrated, or when the doctor explains one that ran (remove it then).
WITHOUT_THE_DOCTOR = {
    "Shape mismatch": (
        "einops_", "a size given by name in the pattern (b=3) disagrees with the tensor's axis it names",
        "check which axis the pattern puts each letter on; give sizes only for the axes it splits or "
        "joins, or the sizes the tensor really has", "raised by einops' own checks, not by a torch layer"),
    "hx is not contiguous": (
        "recurrent", "the state passed to the LSTM was permuted (or transposed) into the (layers * directions, "
        "batch, hidden) order without being copied, and cuDNN on a CUDA GPU reads only contiguous states",
        "pass h0.contiguous() (and c0.contiguous()); on the CPU the permuted state is accepted as it is",
        "the chapter shows it only on a CUDA GPU"),
    "zebra": (
        "embedding", "a word that is not in the vocabulary was looked up with vocab[word], and a dict raises "
        "KeyError for a key it does not hold (the message is the word itself)",
        "map unknown words to <unk>: vocab.get(word, vocab['<unk>'])", "a plain dict lookup, outside torch"),
    "1D CPU int64 tensor": (
        "packing", "the lengths given to pack_padded_sequence are on the GPU; they must be a 1-D int64 tensor "
        "on the CPU, wherever the batch is", "pass lengths.cpu() (or a list of ints)",
        "the chapter shows it only on a CUDA GPU"),
    "padding='same' is not supported for strided convolutions": (
        "conv", "padding='same' keeps the output as long as the input, which no stride above 1 can do, so "
        "the layer refuses to be built", "use stride=1 with padding='same', or give the padding as a number "
        "and work out the output size", "raised by the layer's constructor, before anything flows"),
}


class Incomplete(ValueError):
    pass


@dataclass
class Entry:
    kind: str            # the error's type, as raised
    contains: str        # the stable part, as the chapter checks it
    message: str         # the first line this torch printed
    cause: str
    fix: str
    family: str
    chapter: str         # the chapter's title
    section: str         # the section's heading
    page: str            # the chapter's page, relative to the site's root


def anchor(heading):
    """The id the site gives a section: docutils' id of its title's text (markup left out; a
    title that repeats one earlier on its page would get a number, which the site test catches)."""
    return make_id(re.sub(r"[`*]{1,2}(?=\S)|(?<=\S)[`*]{1,2}", "", heading))


def section_link(title, section, page):
    """An HTML link to a chapter's section (MyST checks links to headings by its own slugs, which
    notebooks' sections do not get; tests/shapeschool_site checks every link of the built site)."""
    chapter = title.split("·")[0].strip()
    words = html.escape(re.sub(r"`([^`]*)`", r"\1", section))
    return f'<a href="{page.removesuffix(".ipynb")}.html#{anchor(section)}">{html.escape(chapter)}, §{words}</a>'



def read_log(path):
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def entries(repo, logs):
    """An Entry per error the chapters demonstrate, the first demonstration of each message."""
    found, seen, unexplained = [], set(), []
    for source in sorted((repo / "course").glob("ch*.ipynb")):
        title, errors, _ = chapter_facts(source)
        logged = {(e["type"], e["contains"]): e for e in reversed(read_log(logs / f"{source.stem}.jsonl"))}
        for kind, contains, section in errors:
            if contains in seen:
                continue
            seen.add(contains)
            record = logged.get((kind, contains))
            page = f"exercises/{source.stem}.ipynb"
            if record is not None and record["diagnosis"] is not None:
                diagnosis = record["diagnosis"]
                found.append(Entry(kind, contains, record["message"], diagnosis["cause"], diagnosis["fix"],
                                   diagnosis["rule"].split(".")[0], title, section, page))
            elif contains in WITHOUT_THE_DOCTOR:
                family, cause, fix, _ = WITHOUT_THE_DOCTOR[contains]
                found.append(Entry(kind, contains, record["message"] if record else None, cause, fix,
                                   family, title, section, page))
            else:
                unexplained.append(f"{source.stem}: {kind} {contains!r} "
                                   f"({'not run here' if record is None else 'the doctor has no diagnosis'})")
    if unexplained:
        raise Incomplete("the error index needs the shape doctor's diagnosis of every error the chapters "
                         "demonstrate; these have none (teach the doctor, shapeschool/doctor/rules/, or "
                         "explain it in WITHOUT_THE_DOCTOR, autograder/shapeschool_site/error_index.py):\n  " + "\n  ".join(unexplained))
    return found


@dataclass
class Silent:
    symptom: str
    name: str            # the exercise
    chapter: str
    section: str
    page: str


def silent_bugs(repo):
    """A Silent per silent fix-me cell of every chapter."""
    found, missing = [], []
    for source in sorted((repo / "course").glob("ch*.ipynb")):
        nb = nbformat.read(source, as_version=4)
        title, section = chapter_facts(source)[0], None
        for cell in nb.cells:
            heading = re.search(r"(?m)^## (.+)$", cell.source) if cell.cell_type == "markdown" else None
            section = heading.group(1).strip() if heading else section
            how = cell.metadata.get("shapeschool", {})
            if cell.cell_type != "code" or not how.get("silent"):
                continue
            name = cell.metadata.get("nbgrader", {}).get("grade_id", "?")
            if not how.get("symptom"):
                missing.append(f"{source.stem}/{name}")
                continue
            found.append(Silent(how["symptom"], name, title, section, f"exercises/{source.stem}.ipynb"))
    if missing:
        raise Incomplete("every silent bug needs the symptom a learner would notice, in its fix-me cell's metadata "
                         "(shapeschool.symptom); these have none:\n  " + "\n  ".join(missing))
    return found


def _code(text):
    ticks = "``" if "`" in text else "`"
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{ticks}{pad}{text}{pad}{ticks}"


def render(errors, silent):
    lines = ["# The error index", "",
             "Every error message the course teaches, by the part of it that stays the same across torch "
             "versions, grouped by the layer or operation that raises it. Each says what the error means, "
             "how to fix it, and which section of the course teaches it. Search for the words of your own "
             "message, or use your browser's find.", "",
             "Each cause and fix is what the course's [shape doctor](docs/doctor.md) says about the "
             "chapter's own demonstration of that error, with the chapter's sizes; the doctor says the "
             "same about your model, with your sizes, inside `with ss.doctor():`. The messages are as "
             f"torch {torch.__version__.split('+')[0]} printed them when this page was made.", "",
             "Some bugs raise nothing: they are at the end, <a href=\"#silent-bugs-by-symptom\">by symptom</a>.", ""]
    by_family = {}
    for entry in errors:
        by_family.setdefault(entry.family, []).append(entry)
    unknown = sorted(set(by_family) - {family for family, _ in GROUPS})
    if unknown:
        raise Incomplete(f"the doctor's rule families {unknown} have no heading in the error index: add them to "
                         "GROUPS in autograder/shapeschool_site/error_index.py")
    for family, heading in GROUPS:
        if family not in by_family:
            continue
        lines += [f"## {heading}", ""]
        for entry in by_family[family]:
            said = (f"In the chapter it reads: {_code(entry.message)}" if entry.message else
                    "The chapter shows it only where it arises, on a CUDA GPU.")
            lines += [f"### {_code(entry.contains)}", "", f"`{entry.kind}`. {said}", "",
                      f"- **What it means:** {entry.cause}.",
                      f"- **The fix:** {entry.fix}.",
                      f"- **Taught in:** {section_link(entry.chapter, entry.section, entry.page)}.", ""]
    lines += ["## Silent bugs, by symptom", "",
              "These raise no error: the code runs and gives the wrong numbers. Each is a fix-me in the "
              "section linked, whose check says what is wrong when you try it.", "",
              "| what you notice | where the course has it |", "|---|---|"]
    for bug in silent:
        lines.append(f"| {bug.symptom} | {section_link(bug.chapter, bug.section, bug.page)} (exercise `{bug.name}`) |")
    return "\n".join(lines).rstrip() + "\n"


def write(repo, out, logs):
    (out / PATH).write_text(render(entries(repo, logs), silent_bugs(repo)), encoding="utf-8")
