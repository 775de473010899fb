"""What grading writes: `grades.csv` (one row per student, notebook and
graded cell, plus a total row per student and notebook), `flags.csv` (why
a submission needs a human look, one row per reason), `timings.csv` (each
cell's time) and one
self-contained HTML feedback page per student and notebook.

The feedback shows the student's own cells (solution cells with what they
printed, written answers), each check's status, message and points, and
the total. It never shows a check cell's source: the hidden tests stay
with the instructors.
"""

import csv
import html
import os
import re
from pathlib import Path

from .grade_score import MANUAL, PASSED, TOTAL, fmt, one_line
from .grade_submissions import is_manual, is_solution, is_test, nbgrader

HEADER = ["student", "notebook", "grade_id", "points", "max_points", "status", "message"]
# Characters of a cell's outputs shown in the feedback.
SHOWN_CHARS = 6000
ANSI = re.compile(r"\x1b\[[0-9;]*m")
SAFE = re.compile(r"[^A-Za-z0-9_.-]+")

STYLE = """
body { font: 15px/1.45 system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; color: #222; }
h1 { font-size: 1.4rem; } h2 { font-size: 1.15rem; margin-top: 2rem; }
table { border-collapse: collapse; width: 100%; } td, th { border-bottom: 1px solid #ddd; padding: .3rem .5rem;
text-align: left; vertical-align: top; } th { background: #f4f4f4; }
pre { background: #f7f7f7; padding: .6rem; overflow-x: auto; white-space: pre-wrap; font-size: 13px; margin: .3rem 0; }
pre.out { background: #fff; border-left: 3px solid #ccc; } pre.err { background: #fff3f3; border-left: 3px solid #c33; }
.status { font-weight: 600; } .passed { color: #176f2c; } .manual { color: #555; } .bad { color: #b3261e; }
.check { border: 1px solid #ddd; border-radius: 4px; padding: .4rem .7rem; margin: .6rem 0; }
.flags { background: #fff8e1; border: 1px solid #e0c060; padding: .5rem 1rem; }
"""


def write_csv(path, graded_list):
    """grades.csv for every graded submission, sorted by student and notebook."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(HEADER)
        for graded in sorted(graded_list, key=lambda g: (g.student, g.notebook)):
            for row in graded.rows:
                out.writerow(row.csv())
    os.replace(tmp, path)


def write_flags(path, graded_list):
    """flags.csv: one row per reason a submission needs a human look."""
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(["student", "notebook", "path", "flag"])
        for graded in sorted(graded_list, key=lambda g: (g.student, g.notebook)):
            for flag in graded.flags:
                out.writerow([graded.student, graded.notebook, graded.path, flag])
    os.replace(tmp, path)


def write_timings(path, graded_list):
    """timings.csv: each cell of each run, what its reply was and how long it
    took (to set the time limits from)."""
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(["student", "notebook", "cell", "cell_id", "reply", "seconds"])
        for graded in sorted(graded_list, key=lambda g: (g.student, g.notebook)):
            for c in graded.cells:
                out.writerow([graded.student, graded.notebook, c["index"] + 1, c.get("id") or "", c["reply"],
                              c["seconds"]])
    os.replace(tmp, path)


def safe_name(text):
    return SAFE.sub("_", text).strip("._") or "_"


def feedback_path(out, graded):
    return out / "feedback" / safe_name(graded.student) / (Path(graded.notebook).stem + ".html")


def executed_path(out, graded):
    """Where the notebook as it ran (hidden tests included) is kept: for
    instructors, never for students."""
    return out / "executed" / safe_name(graded.student) / (Path(graded.notebook).stem + ".ipynb")


def esc(text):
    return html.escape(str(text))


def status_class(status):
    return "passed" if status == PASSED else "manual" if status == MANUAL else "bad"


def output_text(cell):
    """What a code cell printed, as text (rich outputs named, not shown)."""
    parts = []
    for out in cell.get("outputs", []):
        kind = out.get("output_type")
        if kind == "stream":
            parts.append(("out", out.get("text", "")))
        elif kind == "error":
            parts.append(("err", f"{out.get('ename', '')}: {out.get('evalue', '')}"))
        elif kind in ("execute_result", "display_data"):
            data = out.get("data", {})
            text = data.get("text/plain")
            shown = text if text and not any(k.startswith("image/") for k in data) else None
            parts.append(("out", shown or f"[{', '.join(sorted(data))} output]"))
    html_parts = []
    for kind, text in parts:
        text = ANSI.sub("", str(text))
        if len(text) > SHOWN_CHARS:
            text = text[:SHOWN_CHARS] + f"\n[... {len(text) - SHOWN_CHARS} more characters]"
        html_parts.append(f'<pre class="{kind}">{esc(text)}</pre>')
    return "".join(html_parts)


def check_box(row):
    return (f'<div class="check"><span class="status {status_class(row.status)}">{esc(row.status)}</span> '
            f'&middot; <code>{esc(row.grade_id)}</code> &middot; {fmt(row.points) or "-"} / {fmt(row.max_points)} '
            f'points{"<br>" + esc(row.message) if row.message else ""}</div>')


def cells_html(run_nb, rows):
    """The student's cells in the release's order (the run notebook holds
    the student's source in each solution cell): solution cells with their
    outputs from this run, and at each check its result."""
    by_cell = {r.cell_id: r for r in rows}
    parts = []
    for cell in run_nb.cells:
        heading = next((l for l in cell.source.splitlines() if l.startswith("#")), None)
        if cell.cell_type == "markdown" and heading and not is_solution(cell):
            parts.append(f"<h3>{esc(heading.lstrip('# '))}</h3>")
        if is_test(cell):
            if cell.get("id") in by_cell:
                parts.append(check_box(by_cell[cell.get("id")]))
            continue
        if not is_solution(cell):
            continue
        label = "your answer" if cell.cell_type == "markdown" else "your code"
        if is_manual(cell):
            points = float(nbgrader(cell).get("points", 0))
            label += f" (graded by hand, {fmt(points)} point{'' if points == 1 else 's'})"
        parts.append(f"<p><b>{esc(label)}</b> <small>({esc(cell.get('id', ''))})</small></p><pre>{esc(cell.source)}</pre>")
        if cell.cell_type == "code":
            parts.append(output_text(cell))
    return "\n".join(parts)


def failures_html(run_nb):
    """Cells outside the graded ones that stopped with an error."""
    items = []
    for index, cell in enumerate(run_nb.cells, 1):
        if cell.cell_type != "code" or is_test(cell) or is_solution(cell):
            continue
        errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
        if errors:
            first = cell.source.strip().splitlines()[0] if cell.source.strip() else ""
            items.append(f"<li>cell {index} (<code>{esc(first[:70])}</code>): "
                         f"{esc(one_line(errors[0].get('ename', '') + ': ' + errors[0].get('evalue', ''), 300))}</li>")
    return f"<h2>Other cells that stopped</h2><ul>{''.join(items)}</ul>" if items else ""


def feedback_html(graded, run_nb=None):
    """The feedback page of one graded submission."""
    total = graded.total
    title = f"{graded.student}: {graded.notebook}"
    score = f"{fmt(total.points)} / {fmt(total.max_points)} points" if total else ""
    rows = "".join(f"<tr><td><code>{esc(r.grade_id)}</code></td><td class='status {status_class(r.status)}'>"
                   f"{esc(r.status)}</td><td>{fmt(r.points) or '-'} / {fmt(r.max_points)}</td><td>{esc(r.message)}</td></tr>"
                   for r in graded.rows if r.grade_id != TOTAL)
    notes = graded.notes + graded.flags
    body = [f"<h1>{esc(title)}</h1>",
            f"<p><b>Autograded total: {esc(score)}</b>{(' &middot; ' + esc(total.message)) if total and total.message else ''}</p>",
            f'<div class="flags"><b>Notes from the grader</b><ul>{"".join(f"<li>{esc(n)}</li>" for n in notes)}</ul></div>'
            if notes else "",
            "<h2>Graded cells</h2><table><tr><th>cell</th><th>status</th><th>points</th><th>message</th></tr>"
            f"{rows}</table>"]
    if run_nb is not None:
        body += ["<h2>Your cells, as they ran</h2>", cells_html(run_nb, graded.rows), failures_html(run_nb)]
    return (f"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{esc(title)}</title>"
            f"<style>{STYLE}</style></head><body>\n" + "\n".join(body) + "\n</body></html>\n")


def write_feedback(out, graded, run_nb=None):
    path = feedback_path(out, graded)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(feedback_html(graded, run_nb), encoding="utf-8")
    os.replace(tmp, path)
    return path
