"""The class report: one self-contained HTML page an instructor reads in two minutes.

From top to bottom: the mistakes most worth a lecture (ranked by students affected); then per
assignment, who submitted and what became of it, the score distribution, the scores the latest
run changed, every check's pass share, each check's failures grouped by what went wrong (the
misconception its hint names, or the error the student's code raised), with the cases that
failed and the students in each group; and one sortable row per student.

Nothing on it is fetched: styles, pictures (SVG) and the table sorting are inline, so the file
reads offline, prints, and can be mailed. Every text on it that a student could have written
(ids, names, error messages, their kernel's output) goes through ``html.escape``; no student
HTML is rendered, so none of it can run.
"""
import html
import time

from .outcomes import NOT_JOURNALLED

TOP = 3                        # mistakes worth a lecture
STUDENTS_SHOWN = 40            # students named in one group before "and N more"
PASS, FAIL = "#2e7d32", "#c62828"

_STYLE = """
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0 auto;max-width:70rem;padding:1rem;color:#1a1a1a;overflow-wrap:anywhere}
svg{max-width:100%;height:auto}
h1{font-size:1.6rem;margin:.2rem 0}h2{font-size:1.3rem;margin-top:2.2rem;border-bottom:2px solid #ddd}
h3{font-size:1.05rem;margin:1.4rem 0 .3rem}code{font-size:.92em;background:#f3f3f3;padding:0 .2em;border-radius:3px}
.muted{color:#555}.lecture li{margin:.5rem 0}.count{font-weight:600}
table{border-collapse:collapse;margin:.4rem 0;font-size:.92rem}th,td{border:1px solid #ccc;padding:.25rem .45rem;text-align:left;vertical-align:top}
th{background:#f5f5f5}th.sortable{cursor:pointer}th.sortable::after{content:" \\2195";color:#999}
td.num,th.num{text-align:right}.ok{color:#2e7d32;font-weight:600}.bad{color:#c62828;font-weight:600}
.scroll{overflow-x:auto}.who{font-size:.85rem;color:#333}svg text{font:12px system-ui,sans-serif}
details{margin:.3rem 0}summary{cursor:pointer}
@media print{details{display:block}details>summary{list-style:none}.noprint{display:none}h2{page-break-before:auto}}
"""

_SCRIPT = """
document.querySelectorAll('table.sortable').forEach(function(table){
  table.querySelectorAll('th').forEach(function(th, col){
    th.classList.add('sortable'); th.tabIndex = 0; th.title = 'Sort by this column';
    var sort = function(){
      var body = table.tBodies[0], rows = Array.prototype.slice.call(body.rows);
      var up = th.dataset.dir !== 'up'; th.dataset.dir = up ? 'up' : 'down';
      rows.sort(function(a, b){
        var x = a.cells[col].dataset.key || a.cells[col].textContent, y = b.cells[col].dataset.key || b.cells[col].textContent;
        var nx = parseFloat(x), ny = parseFloat(y);
        var c = (!isNaN(nx) && !isNaN(ny)) ? nx - ny : x.localeCompare(y);
        return up ? c : -c;
      });
      rows.forEach(function(r){ body.appendChild(r); });
    };
    th.addEventListener('click', sort);
    th.addEventListener('keydown', function(e){ if (e.key === 'Enter') sort(); });
  });
});
"""


def e(text):
    return html.escape(str(text), quote=True)


def _n(value):
    return f"{value:g}"


def page(assignments, course_name="", now=None):
    """The whole report for ``assignments`` (``outcomes.Assignment``), as one HTML string."""
    now = now or time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    title = f"What the class got wrong{': ' + course_name if course_name else ''}"
    parts = [f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
             f'<meta name="viewport" content="width=device-width, initial-scale=1">'
             f"<title>{e(title)}</title><style>{_STYLE}</style></head><body>",
             f"<h1>{e(title)}</h1>",
             f'<p class="muted">Made {e(now)} from the gradebook, the autograded notebooks and the grader\'s journal; '
             f"nothing was run again. Assignments: {', '.join(f'<a href=#{_anchor(a.name)}>{e(a.name)}</a>' for a in assignments)}.</p>",
             _lecture(assignments)]
    parts += [_assignment(a) for a in assignments]
    parts.append(f"<script>{_SCRIPT}</script></body></html>\n")
    return "\n".join(parts)


def _anchor(name):
    return "a-" + "".join(c if c.isalnum() else "-" for c in name)


def worth_a_lecture(assignments, top=TOP):
    """[(students affected, assignment, check, attempts)] of the biggest failure groups (errors
    and notebooks that never reached the check left out: they are not a misconception)."""
    ranked = []
    for a in assignments:
        for check in a.checks:
            for group, attempts in check.failed.items():
                if attempts[0].failure.kind in ("check", "raised"):
                    ranked.append((len({t.student for t in attempts}), a, check, attempts))
    ranked.sort(key=lambda r: (-r[0], r[1].name, r[2].grade_id))
    return ranked[:top]


def _lecture(assignments):
    ranked = worth_a_lecture(assignments)
    if not ranked:
        return "<h2>Mistakes worth a lecture</h2><p>No check failed: nothing to reteach.</p>"
    items = []
    for affected, a, check, attempts in ranked:
        f = attempts[0].failure
        tried = len(check.attempts)
        where = f'<br><span class="muted">Where the hint sends them: {e(f.where)}</span>' if f.where else ""
        items.append(f'<li><span class="count">{affected} of {tried} students</span> on '
                     f"<code>{e(check.grade_id)}</code> ({e(a.name)}): {e(f.label.rstrip('.'))}"
                     f"{_cases(attempts)}{where}</li>")
    return "<h2>Mistakes worth a lecture</h2><p class=muted>The biggest groups of students who failed a check " \
           "the same way, across every assignment.</p><ol class=lecture>" + "".join(items) + "</ol>"


def _cases(attempts):
    """Which cases failed, counted: '; failed on edge case B=1 (3), random sizes (1)'."""
    counts = {}
    for t in attempts:
        case = t.failure.case + (" in the hidden tests only" if t.failure.hidden else "")
        if case:
            counts[case] = counts.get(case, 0) + 1
    if not counts:
        return ""
    return "; failed on " + ", ".join(f"{e(c)} ({n})" for c, n in sorted(counts.items(), key=lambda kv: -kv[1]))


def _assignment(a):
    subs = a.submissions.values()
    handed = [s for s in subs if s.status != "missing"]
    statuses = [("submitted", len(handed)), ("graded", sum(s.status in ("graded", NOT_JOURNALLED) for s in subs)),
                ("rejected", a.counted("rejected")), ("repaired, then graded", sum(bool(s.repairs) for s in handed)),
                ("errored (not graded)", a.counted("error")),
                ("did not finish (a limit stopped the notebook)", sum(bool(s.unfinished) for s in handed)),
                ("not submitted", a.counted("missing"))]
    out = [f'<h2 id="{_anchor(a.name)}">{e(a.name)}</h2>',
           "<table><tbody>" + "".join(f"<tr><th>{e(k)}</th><td class=num>{v}</td></tr>" for k, v in statuses)
           + "</tbody></table>",
           _trouble(a),
           "<h3>Scores</h3>", _histogram(a), _changed(a),
           "<h3>Checks passed</h3>", _pass_bars(a)]
    out += [_check(a, check) for check in a.checks]
    out.append(_students(a))
    return "\n".join(out)


def _trouble(a):
    """Rejected, errored and unfinished submissions, each with why: the instructor acts on these."""
    rows = []
    for s in sorted(a.submissions.values(), key=lambda s: s.student):
        if s.status in ("rejected", "error"):
            rows.append((s.student, s.status, s.problem))
        for notebook, why in sorted(s.unfinished.items()):
            rows.append((s.student, "did not finish", f"{notebook}: {why}"))
        for note in s.repairs:
            rows.append((s.student, "repaired", note))
    if not rows:
        return ""
    body = "".join(f"<tr><td>{e(w)}</td><td>{e(k)}</td><td>{e(why)}</td></tr>" for w, k, why in rows)
    return (f"<details><summary>{len(rows)} submission notes (rejected, errors, limits, repairs)</summary>"
            f"<table><thead><tr><th>student</th><th>what</th><th>why</th></tr></thead><tbody>{body}</tbody></table></details>")


def _histogram(a):
    scores = [s.score for s in a.submissions.values() if s.status in ("graded", NOT_JOURNALLED)]
    if not scores:
        return "<p>No graded submissions.</p>"
    top = max(a.max_score, max(scores))
    bins = list(range(int(top) + 1)) if top <= 40 else [round(top * i / 20, 2) for i in range(21)]
    counts = [0] * len(bins)
    for score in scores:
        i = max(j for j, b in enumerate(bins) if score >= b - 1e-9)
        counts[i] += 1
    width, height, pad = 28 * len(bins) + 50, 170, 30
    tallest = max(counts)
    bars = []
    for i, (b, n) in enumerate(zip(bins, counts)):
        h = 0 if not n else max(2, (height - 2 * pad) * n / tallest)
        x, y = 40 + 28 * i, height - pad - h
        bars.append(f'<rect x="{x}" y="{y:.1f}" width="22" height="{h:.1f}" fill="#3f6fb5"><title>{n} scored '
                    f'{_n(b)}</title></rect><text x="{x + 11}" y="{height - pad + 14}" text-anchor="middle">{_n(b)}</text>'
                    + (f'<text x="{x + 11}" y="{y - 3:.1f}" text-anchor="middle">{n}</text>' if n else ""))
    mean = sum(scores) / len(scores)
    label = (f"Score distribution of {len(scores)} graded submissions out of {_n(a.max_score)} points; "
             f"mean {mean:.1f}")
    return (f'<svg role="img" aria-label="{e(label)}" width="{width}" height="{height}" viewBox="0 0 {width} {height}">'
            f"<title>{e(label)}</title>{''.join(bars)}"
            f'<text x="40" y="14">students per score (mean {mean:.1f} of {_n(a.max_score)})</text></svg>')


def _changed(a):
    changed = a.changed()
    if not a.latest_run:
        return ""
    if not changed:
        return f"<p class=muted>The latest run ({e(a.latest_run)}) changed no score.</p>"
    rows = "".join(f"<tr><td>{e(s)}</td><td class=num>{'' if b is None else _n(b)}</td><td class=num>{_n(n)}</td></tr>"
                   for s, b, n in changed)
    return (f"<details open><summary>{len(changed)} scores changed in the latest run ({e(a.latest_run)})</summary>"
            f"<table><thead><tr><th>student</th><th>before</th><th>now</th></tr></thead><tbody>{rows}</tbody></table></details>")


def _pass_bars(a):
    if not a.checks:
        return "<p>This assignment has no graded cells.</p>"
    width, row = 620, 22
    height = row * len(a.checks) + 10
    bars = []
    for i, check in enumerate(a.checks):
        tried = len(check.attempts)
        passed = len(check.passed)
        share = passed / tried if tried else 0
        y = 5 + row * i
        bars.append(f'<text x="0" y="{y + 14}">{e(check.grade_id)}</text>'
                    f'<rect x="260" y="{y + 3}" width="{300 * share:.1f}" height="14" fill="{PASS}"/>'
                    f'<rect x="{260 + 300 * share:.1f}" y="{y + 3}" width="{300 * (1 - share):.1f}" height="14" fill="{FAIL}"/>'
                    f'<text x="566" y="{y + 14}">{passed}/{tried}</text>')
    label = "Students who passed each check: " + "; ".join(
        f"{c.grade_id} {len(c.passed)} of {len(c.attempts)}" for c in a.checks)
    return (f'<svg role="img" aria-label="{e(label)}" width="{width}" height="{height}" viewBox="0 0 {width} {height}">'
            f"<title>{e(label)}</title>{''.join(bars)}</svg>")


def _who(students):
    shown = ", ".join(e(s) for s in students[:STUDENTS_SHOWN])
    more = len(students) - STUDENTS_SHOWN
    return shown + (f" and {more} more" if more > 0 else "")


def _check(a, check):
    tried, passed = len(check.attempts), len(check.passed)
    head = f'<h3 id="{_anchor(a.name + "-" + check.grade_id)}"><code>{e(check.grade_id)}</code>: {passed} of {tried} passed</h3>'
    groups = check.failed
    if not groups:
        return head
    rows = []
    for attempts in groups.values():
        f = attempts[0].failure
        students = sorted({t.student for t in attempts})
        rows.append(f"<tr><td>{e(f.label)}" + (f'<div class="muted">{e(f.where)}</div>' if f.where else "")
                    + f"</td><td class=num>{len(students)}</td><td>{_cases(attempts).removeprefix('; failed on ')}</td>"
                    f'<td class="who">{_who(students)}</td></tr>')
    return (head + "<div class=scroll><table><thead><tr><th>what went wrong</th><th class=num>students</th>"
            "<th>cases that failed</th><th>who</th></tr></thead><tbody>" + "".join(rows) + "</tbody></table></div>")


def _students(a):
    by_check = {c.grade_id: {t.student: t for t in c.attempts} for c in a.checks}
    head = "".join(f"<th>{e(c.grade_id)}</th>" for c in a.checks)
    rows = []
    for sid, s in sorted(a.submissions.items()):
        name = a.students.get(sid)
        cells = []
        for c in a.checks:
            t = by_check[c.grade_id].get(sid)
            if t is None:
                cells.append('<td data-key="-1">–</td>')
            elif t.passed:
                cells.append(f'<td class=ok data-key="1">✓ {_n(t.score)}</td>')
            else:
                cells.append(f'<td class=bad data-key="0" title="{e(t.failure.label)}">✗ {e(_short(t.failure))}</td>')
        score = "" if s.status == "missing" else _n(s.score)
        rows.append(f"<tr><td>{e(sid)}</td><td>{e(name.name if name and name.name != sid else '')}</td>"
                    f"<td>{e(s.status)}</td><td class=num data-key=\"{score or -1}\">{score}</td>{''.join(cells)}</tr>")
    return (f"<h3>Every student</h3><p class='muted noprint'>Click a column's title to sort by it.</p>"
            f"<div class=scroll><table class=sortable><thead><tr><th>student</th><th>name</th><th>status</th>"
            f"<th class=num>score</th>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table></div>")


def _short(failure):
    text = failure.label
    return text if len(text) <= 48 else text[:47] + "…"
