"""Scores: each graded cell of a run, its status, points and message, and
the reasons a submission needs a human look.

A check cell is *passed* only when the kernel's execute reply for it says
`ok`; otherwise the reply's error names what happened (the hw6 kernel
reports a compile error, a panic, an `Err` returned with `?` and a stopped
worker as distinct enames). Outputs are shown in the feedback but never
decide a score.
"""

import re
from dataclasses import dataclass, field

from .grade_submissions import is_manual, is_solution, is_test, nbgrader

PASSED = "passed"
FAILED = "failed"
PANICKED = "panicked"
COMPILE = "did not compile"
TIMED_OUT = "timed out"
NOT_REACHED = "never reached"
CRASHED = "crashed"
MANUAL = "manual"
UNREADABLE = "unreadable"
TOTAL = "total"

# The hw6 kernel's enames (crates/kernel/src/cell_error.rs, session/).
BY_ENAME = {"CompileError": COMPILE, "Panic": PANICKED, "WorkerStopped": CRASHED, "Interrupted": TIMED_OUT}
ANSI = re.compile(r"\x1b\[[0-9;]*m")
MESSAGE_CHARS = 400


@dataclass
class Row:
    """One line of grades.csv."""
    student: str
    notebook: str
    grade_id: str
    points: object
    max_points: float
    status: str
    message: str = ""
    cell_id: str = ""
    manual: bool = False

    def csv(self):
        return [self.student, self.notebook, self.grade_id, fmt(self.points), fmt(self.max_points),
                self.status, self.message]


@dataclass
class Graded:
    """A graded submission: its rows (graded cells, then the total), the
    reasons it needs a human look, and notes for the student."""
    student: str
    notebook: str
    path: str
    rows: list = field(default_factory=list)
    flags: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    seconds: float = 0.0
    cells: list = field(default_factory=list)  # the run's records (grade_run), for timings.csv

    @property
    def total(self):
        return self.rows[-1] if self.rows and self.rows[-1].grade_id == TOTAL else None


def fmt(value):
    if value is None or value == "":
        return ""
    return f"{value:g}" if isinstance(value, (int, float)) else str(value)


def one_line(text, limit=MESSAGE_CHARS):
    text = " ".join(ANSI.sub("", str(text)).split())
    return text if len(text) <= limit else text[:limit - 3] + "..."


def status_of(record):
    """(status, message) of a cell's run record (see grade_run)."""
    reply, ename, evalue = record["reply"], record.get("ename", ""), record.get("evalue", "")
    if reply == "ok":
        return PASSED, ""
    if reply in ("timeout", "notebook-timeout"):
        return TIMED_OUT, one_line(evalue or "the cell ran past its time limit")
    if reply == "dead":
        return CRASHED, one_line(evalue)
    if reply == "not-run":
        return NOT_REACHED, ""
    status = BY_ENAME.get(ename, FAILED)
    return status, one_line(f"{ename}: {evalue}" if ename and status != FAILED else evalue or ename)


def total_row(student, notebook, rows):
    auto = [r for r in rows if not r.manual]
    manual = sum(r.max_points for r in rows if r.manual)
    earned = sum(r.points for r in auto if isinstance(r.points, (int, float)))
    note = f"plus up to {manual:g} points graded by hand" if manual else ""
    return Row(student, notebook, TOTAL, earned, sum(r.max_points for r in auto), TOTAL, note)


def graded_cells(nb):
    return [c for c in nb.cells if is_test(c) or is_manual(c)]


def unreadable(student, notebook, path, problem, release):
    """Zero on every graded cell of `release` (None: notebook unknown)."""
    graded = Graded(student, notebook or "?", str(path), flags=[f"unreadable: {problem}"])
    cells = graded_cells(release) if release is not None else []
    graded.rows = [Row(student, graded.notebook, nbgrader(c).get("grade_id", ""), 0,
                       float(nbgrader(c).get("points", 0)), UNREADABLE, problem, c.get("id", ""), is_manual(c))
                   for c in cells]
    graded.rows.append(total_row(student, graded.notebook, graded.rows))
    graded.rows[-1].message = problem
    return graded


def score(student, notebook, path, run_nb, result, comparison):
    """A Graded from an executed run notebook, its run result and the
    comparison with the release."""
    records = {r["index"]: r for r in result["cells"]}
    graded = Graded(student, notebook, str(path), seconds=result.get("seconds", 0.0), cells=result["cells"])
    interrupted_at = None
    for index, cell in enumerate(run_nb.cells):
        record = records.get(index)
        if record and record["reply"] in ("timeout", "notebook-timeout") and interrupted_at is None:
            interrupted_at = index + 1
        if not (is_test(cell) or is_manual(cell)):
            continue
        meta = nbgrader(cell)
        points = float(meta.get("points", 0))
        if is_manual(cell):
            graded.rows.append(Row(student, notebook, meta.get("grade_id", ""), "", points, MANUAL,
                                   "graded by hand", cell.get("id", ""), True))
            continue
        status, message = status_of(record) if record else (NOT_REACHED, "")
        if status == NOT_REACHED and result.get("kernel", "ok") != "ok":
            message = one_line(result["kernel"])
        elif status not in (PASSED, TIMED_OUT) and interrupted_at and interrupted_at < index + 1:
            message = one_line(f"{message} (after cell {interrupted_at} was interrupted, "
                               "the variables of earlier cells were gone)")
        if status == CRASHED:
            message = one_line(f"{message}{crash_hint(cell)}")
        if cell.get("id") in comparison.changed_tests:
            message = one_line("your copy of this check was edited; the release's check ran. " + message)
        graded.rows.append(Row(student, notebook, meta.get("grade_id", ""), points if status == PASSED else 0,
                               points, status, message, cell.get("id", "")))
    graded.rows.append(total_row(student, notebook, graded.rows))
    graded.flags, graded.notes = review(run_nb, result, comparison, graded.rows)
    return graded


def crash_hint(cell):
    """What a crashed cell printed about why: the allocator's last words
    when the memory limit was reached."""
    for out in cell.get("outputs", []):
        for line in str(out.get("text", "")).splitlines():
            if "memory allocation of" in line or "stack overflow" in line:
                return f" ({line.strip()[:120]})"
    return ""


def review(run_nb, result, comparison, rows):
    """(flags, notes): why a human should look, and what the student should
    know about how the notebook was run."""
    flags, notes = [], []
    if comparison.changed_tests:
        flags.append(f"tampered: check cell(s) edited: {', '.join(comparison.changed_tests)} (the release's ran)")
    if comparison.changed_locked:
        flags.append(f"tampered: locked cell(s) edited: {', '.join(comparison.changed_locked)} (the release's ran)")
    kinds = {c.get("id"): c for c in run_nb.cells}
    important = [i for i in comparison.deleted if i in kinds and (is_solution(kinds[i]) or nbgrader(kinds[i]).get("locked")
                                                                   or is_test(kinds[i]))]
    if important:
        flags.append(f"deleted cell(s) put back: {', '.join(important)}")
    if comparison.shadowed:
        flags.append(f"solution cells define names the checks use: {', '.join(comparison.shadowed)}")
    if comparison.commands:
        flags.append(f"evcxr commands (:dep, :opt...) in solution cell(s): {', '.join(comparison.commands)}")
    statuses = {r.status for r in rows}
    if TIMED_OUT in statuses or any(r["reply"] in ("timeout", "notebook-timeout") for r in result["cells"]):
        flags.append("timed out: " + timeouts(result))
    if result.get("kernel", "ok") != "ok":
        flags.append(f"kernel: {result['kernel']}")
    elif CRASHED in statuses:
        flags.append("crashed: the worker process running the code stopped (memory limit, abort or stack overflow)")
    if comparison.extra:
        text = f"{len(comparison.extra)} cell(s) added to the notebook were not run (only the release's cells run)"
        notes.append(text)
        if statuses & {COMPILE, FAILED}:
            flags.append(f"{text}; a check failed, so the added cells may hold code it needed")
    if comparison.edited_other:
        notes.append(f"{len(comparison.edited_other)} cell(s) outside the solution cells were edited; "
                     "the release's version of them ran")
    return flags, notes


def timeouts(result):
    cells = [r for r in result["cells"] if r["reply"] in ("timeout", "notebook-timeout")]
    parts = [f"cell {r['index'] + 1} ({r['seconds']:.0f} s)" for r in cells]
    if any(r["reply"] == "notebook-timeout" for r in cells):
        parts.append("the notebook's time limit was reached")
    return ", ".join(parts)
