"""What the doctor says about one error: plain text for a terminal or a traceback note, and a
compact HTML table for Jupyter."""
import html
import re

from .lessons import where
from .summaries import describe, describe_call, describe_inputs, modules_that_ran, settings, settings_by_value

TRACE_LINES = 8
PLAIN_LINES = 3         # of those, at most this many torch calls made outside any module


class Report:
    """The doctor's account of one exception: where, what flowed in, the cause and the fix."""

    def __init__(self, exc, failure, diagnosis):
        self.error = f"{type(exc).__name__}: {(str(exc).splitlines() or [''])[0]}"
        self.diagnosis = diagnosis
        self.where = ""
        self.path = _path(failure)
        if failure is not None and failure.call is not None:
            self.where = f"{failure.call.path}, {settings(failure.call.module)}"
        elif failure is not None and failure.op is not None:
            self.where = f"{failure.op.name}({describe_call(failure.op.args, failure.op.kwargs)}), outside any module"
        elif failure is not None and failure.before:
            self.where = f"your own code, after {failure.before[-1].path} returned"
        self.trace = _trace(failure)
        self.numbers = _numbers_named(str(exc.args[0]) if exc.args else str(exc), failure)
        self.line = _your_line(failure.op.line) if failure is not None and failure.call is None \
            and failure.op is not None and failure.op.line else None
        if diagnosis is not None and diagnosis.alone:         # nothing recorded raised it
            named = re.match(r"(\w+)\(\)(?::| received)", str(exc.args[0]) if exc.args else "")
            self.path = named.group(1) if named else ""
            self.where = f"{self.path}(), called in your own code" if named else "your own code"
            self.trace = self.trace[:-1] if failure is not None and failure.op is not None else self.trace

    @property
    def cause_id(self):
        return self.diagnosis.cause_id if self.diagnosis else None

    def rows(self):
        """(label, text) pairs, in reading order."""
        rows = [("where", self.where)] if self.where else []
        if self.line:
            rows.append(("your line", self.line))
        d = self.diagnosis
        if d is None:
            rows.append(("cause", "not an error the doctor recognises; above and below is what flowed in"))
        else:
            rows.append(("cause" if d.certain else "likely cause (not certain)", d.cause))
            rows.append(("fix", d.fix))
            if d.lesson:
                rows.append(("taught in", where(d.lesson)))
        if (d is None or not d.certain) and self.numbers:
            rows.append(("sizes it names", self.numbers))
        return rows

    def text(self):
        lines = ["shapeschool.doctor:"]
        rows = self.rows()
        lines += [f"  {label}: {text}" for label, text in rows[:1]]
        if self.trace:
            lines.append("  what flowed in:")
            width = max(len(path) for path, _ in self.trace)
            lines += [f"    {path.ljust(width)}  {flow}" for path, flow in self.trace]
        lines += [f"  {label}: {text}" for label, text in rows[1:]]
        return "\n".join(lines)

    __str__ = __repr__ = text

    def _repr_html_(self):
        cells = "".join(f"<tr><th style='text-align:left'>{html.escape(label)}</th>"
                        f"<td style='text-align:left'>{html.escape(text)}</td></tr>" for label, text in self.rows())
        flow = "".join(f"<tr><td style='text-align:left'><code>{html.escape(path)}</code></td>"
                       f"<td style='text-align:left'><code>{html.escape(text)}</code></td></tr>"
                       for path, text in self.trace)
        return (f"<div><b>shapeschool.doctor</b> on <code>{html.escape(self.error)}</code>"
                f"<table>{cells}</table>"
                + (f"<details open><summary>what flowed in</summary><table>{flow}</table></details>" if flow else "")
                + "</div>")


def _path(failure):
    """The module (or torch function) the report is about: the one that raised, or, for an error
    raised by plain code, the module that returned just before it."""
    if failure is None:
        return None
    if failure.call is not None:
        return failure.call.path
    if failure.op is not None:
        return failure.op.name
    return failure.before[-1].path if failure.before else None


def _trace(failure):
    """(path, "inputs -> outputs") for the leaf modules that ran before the failure and the last
    torch calls made outside any module (a squeeze, a loop over a tensor), in the order they ran,
    then for the failing module or call itself."""
    if failure is None:
        return []
    ran = [(c.seq, c.path, f"{describe_inputs(c.inputs)} -> {describe(c.output)}")
           for c in failure.before if c.leaf and c.output is not None]
    ran += [(op.seq, _shown(op.name), f"{describe_call(op.args, op.kwargs)} -> {describe(op.result)}")
            for op in [op for op in failure.ops if not op.where][-PLAIN_LINES:]]
    lines = [(path, text) for _, path, text in sorted(ran, key=lambda r: r[0])][-TRACE_LINES:]
    if failure.call is not None:
        lines.append((failure.call.path, f"{describe_inputs(failure.call.inputs)} -> raised"))
    if failure.op is not None and (failure.call is None or any(True for _ in failure.call.module.children())):
        lines.append((failure.op.where + ": " + failure.op.name if failure.op.where else failure.op.name,
                      f"{describe_call(failure.op.args, failure.op.kwargs)} -> raised"))
    return lines


def _shown(name):
    """A torch function's name as the learner wrote the call: ``x[...]`` for ``__getitem__``."""
    return "x[...]" if name == "__getitem__" else name


def _your_line(place):
    """``file.py:12: y = x @ w``: the line of the learner's own code that called the torch function
    that raised outside any module (the line is what names its operands)."""
    import linecache
    import os
    text = linecache.getline(*place).strip()
    return f"{os.path.basename(place[0])}:{place[1]}: {text}" if text else None


def _numbers_named(message, failure, most=4):
    """``20 is generator.out_features; 6 is model.hidden_size``: the sizes in the error message that
    equal a setting of a module that ran (where the number most likely came from), or ""."""
    if failure is None:
        return ""
    named = settings_by_value(modules_that_ran(failure))
    numbers = []
    for text in re.findall(r"(?<![\w.])\d+(?![\w.])", message):
        value = int(text)
        if value >= 2 and value not in numbers:
            numbers.append(value)
    parts = [f"{value} is {' and '.join(named[value][:2])}" for value in numbers if value in named]
    return "; ".join(parts[:most])

