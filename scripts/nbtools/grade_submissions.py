"""Submitted notebooks: finding them, reading them, comparing them with the
release, and the notebook that is run to grade one.

The kinds of cells follow nbgrader's cell metadata (`metadata.nbgrader`):

- a *solution* cell (`solution: true`) holds the student's work: a TODO's
  code, or a written answer (markdown); with `grade: true` as well it is
  graded by hand;
- a *test* cell (`grade: true`, `solution: false`) is a graded check; it is
  locked, and the version that runs is the solution notebook's, with its
  hidden tests (`// BEGIN HIDDEN TESTS` ... `// END HIDDEN TESTS`) put back;
- a *locked* cell (`locked: true`) must not be edited (the set-up cells);
- every other cell is the release's: what runs is the release's version,
  whatever the student changed in it.

Cells are matched by their id, and failing that by their nbgrader
`grade_id` (a notebook saved by an old Jupyter may have lost the ids).
"""

import copy
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from . import UsageError
from .student import HIDDEN_BEGIN, HIDDEN_END

# A submission larger than this is not read (a notebook holding megabytes of
# printed output is still far below it).
MAX_BYTES = 64 * 1024 * 1024


def nbgrader(cell):
    return cell.get("metadata", {}).get("nbgrader", {}) or {}


def is_solution(cell):
    return bool(nbgrader(cell).get("solution"))


def is_test(cell):
    """A graded check: graded, not a solution, code."""
    meta = nbgrader(cell)
    return cell.get("cell_type") == "code" and bool(meta.get("grade")) and not meta.get("solution")


def is_manual(cell):
    """Graded by hand: a solution cell that is also graded."""
    meta = nbgrader(cell)
    return bool(meta.get("grade")) and bool(meta.get("solution"))


def is_locked(cell):
    return bool(nbgrader(cell).get("locked")) or is_test(cell)


def is_graded_notebook(nb):
    return any(is_test(c) or is_manual(c) for c in nb.cells)


def squash(text):
    """`text` without whitespace: edits that only move spaces are no edits."""
    return "".join(str(text).split())


@dataclass
class Submission:
    """One submitted file. `notebook` is the release notebook's file name it
    was matched to (None if none); `problem` says why it cannot be graded."""
    student: str
    path: Path
    notebook: str | None = None
    nb: object = None
    problem: str | None = None
    matched_by: str = ""


def find_submissions(paths, release_names):
    """[(student, path)] for the .ipynb files named or found in `paths`.

    A file in a subfolder of a folder given on the command line belongs to
    the student named by that subfolder (`class/alice/q_ae.ipynb` and
    `submitted/alice/hw6/q_ae.ipynb`: alice). A file given directly or lying
    directly in a given folder is the student's named by its stem
    (`class/alice.ipynb`: alice), unless it bears a release notebook's name,
    in which case its folder names the student (`alice/q_ae.ipynb`: alice)."""
    found = []
    for arg in paths:
        path = Path(arg)
        if path.is_dir():
            for file in sorted(path.rglob("*.ipynb")):
                rel = file.relative_to(path)
                if any(part.startswith(".") for part in rel.parts):
                    continue  # .ipynb_checkpoints and hidden folders
                found.append((rel.parts[0] if len(rel.parts) > 1 else own_name(file, release_names), file))
        elif path.is_file():
            found.append((own_name(path, release_names), path))
        else:
            raise UsageError(f"no submission at {path}: give .ipynb files or folders of them")
    if not found:
        raise UsageError(f"no .ipynb file in {', '.join(map(str, paths))}")
    return found


def own_name(file, release_names):
    return file.resolve().parent.name if file.name in release_names else file.stem


def read_submission(student, path, releases):
    """A Submission: read, checked to be a notebook, matched to a release
    notebook (by file name, else by cell ids). `releases` maps release
    notebook names to notebooks."""
    import nbformat

    sub = Submission(student=student, path=path)
    if path.name in releases:
        sub.notebook, sub.matched_by = path.name, "file name"
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise ValueError(f"{size} bytes, more than the {MAX_BYTES} a notebook may have")
        with warnings.catch_warnings():  # a missing id or an old minor version is no problem here
            warnings.simplefilter("ignore")
            nb = nbformat.reads(path.read_text(encoding="utf-8", errors="replace"), as_version=4)
        cells = nb.get("cells")
        if not isinstance(cells, list) or not all(isinstance(c, dict) and "cell_type" in c for c in cells):
            raise ValueError("it has no list of cells")
        for cell in cells:
            cell.setdefault("metadata", {})
            if not isinstance(cell.get("source", ""), str):
                cell["source"] = "".join(map(str, cell.get("source") or []))
    except Exception as exc:  # any way a file can fail to be a notebook
        reason = " ".join(str(exc).split())[:200] or type(exc).__name__
        sub.problem = f"not a readable notebook ({reason})"
        return sub
    sub.nb = nb
    if sub.notebook is None:
        sub.notebook = match_by_ids(nb, releases)
        sub.matched_by = "cell ids" if sub.notebook else ""
        if sub.notebook is None:
            sub.problem = "matches no release notebook, by file name or by cell ids"
    return sub


def match_by_ids(nb, releases):
    """The release notebook sharing most cell ids with `nb`, if it shares at
    least half of its own."""
    ids = {c.get("id") for c in nb.cells if c.get("id")}
    best, best_share = None, 0.5
    for name, release in releases.items():
        own = [c.get("id") for c in release.cells if c.get("id")]
        share = sum(i in ids for i in own) / max(1, len(own))
        if share >= best_share:
            best, best_share = name, share
    return best


def key_index(nb):
    """Cells of `nb` by id and by nbgrader grade_id."""
    index = {}
    for cell in nb.cells:
        if cell.get("id"):
            index.setdefault(("id", cell["id"]), cell)
        grade_id = nbgrader(cell).get("grade_id")
        if grade_id:
            index.setdefault(("grade_id", grade_id), cell)
    return index


def counterpart(cell, index):
    """The cell matching the release cell `cell` in another notebook's index."""
    found = index.get(("id", cell.get("id")))
    if found is None and nbgrader(cell).get("grade_id"):
        found = index.get(("grade_id", nbgrader(cell)["grade_id"]))
    return found


@dataclass
class Comparison:
    """How a submission differs from its release notebook (cell ids)."""
    deleted: list = field(default_factory=list)
    changed_tests: list = field(default_factory=list)
    changed_locked: list = field(default_factory=list)
    edited_other: list = field(default_factory=list)
    extra: list = field(default_factory=list)
    shadowed: list = field(default_factory=list)
    commands: list = field(default_factory=list)

    def tampered(self):
        return bool(self.changed_tests or self.changed_locked)


def compare(release, student):
    """Compare a submission with its release notebook."""
    index = key_index(student)
    result = Comparison()
    matched = set()
    for cell in release.cells:
        mine = counterpart(cell, index)
        if mine is None:
            result.deleted.append(cell.get("id"))
            continue
        matched.add(id(mine))
        same = mine.get("cell_type") == cell.cell_type and squash(mine.get("source", "")) == squash(cell.source)
        if same or is_solution(cell):
            continue
        if is_test(cell):
            result.changed_tests.append(cell.get("id"))
        elif is_locked(cell):
            result.changed_locked.append(cell.get("id"))
        else:
            result.edited_other.append(cell.get("id"))
    result.extra = [c.get("id") or "(no id)" for c in student.cells if id(c) not in matched]
    return result


def reveal_hidden_tests(source):
    """A solution test cell's source with its hidden-test markers removed and
    the hidden tests kept."""
    return "\n".join(l for l in source.splitlines() if not (HIDDEN_BEGIN.match(l) or HIDDEN_END.match(l)))


def without_hidden_tests(source):
    """What the release shows of a solution test cell: no hidden tests."""
    out, hidden = [], False
    for line in source.splitlines():
        if HIDDEN_BEGIN.match(line):
            hidden = True
        elif HIDDEN_END.match(line):
            hidden = False
        elif not hidden:
            out.append(line)
    return "\n".join(out)


def check_release_against_solution(name, release, solution):
    """The release notebook must come from this solution notebook: every test
    cell the same once the hidden tests are taken out, the same points."""
    index = key_index(solution)
    for cell in release.cells:
        if not (is_test(cell) or is_manual(cell)):
            continue
        theirs = counterpart(cell, index)
        where = f"{name}: cell {cell.get('id')}"
        if theirs is None:
            raise UsageError(f"{where} is not in the solution notebook: make the release again")
        if is_test(cell) and squash(without_hidden_tests(theirs.source)) != squash(cell.source):
            raise UsageError(f"{where}: the release's check differs from the solution notebook's: make the release again")
        if nbgrader(theirs).get("points") != nbgrader(cell).get("points"):
            raise UsageError(f"{where}: points differ between the release and the solution notebook")


ITEM = re.compile(r"\b(?:fn|struct|enum|trait|type|const|static|mod|union)\s+([A-Za-z_]\w*)|"
                  r"\bmacro_rules!\s*([A-Za-z_]\w*)")
LET = re.compile(r"\blet\s+(?:mut\s+)?([A-Za-z_]\w*)")
IDENTIFIER = re.compile(r"[A-Za-z_]\w*")
USE = re.compile(r"\buse\s+([^;]*);")


def defined_names(source):
    """(items, lets): names `source` defines as items (fn, struct, use...)
    and as `let` bindings."""
    items = {next(g for g in m.groups() if g) for m in ITEM.finditer(source)}
    for m in USE.finditer(source):  # `use a::{b, c as d}` brings in b and d
        for part in re.split(r"[{},]", m.group(1).split("::", 1)[-1]):
            words = IDENTIFIER.findall(part)
            if words:
                items.add(words[-1])
    return items - {"self", "super", "crate"}, set(LET.findall(source))


def shadowed_names(release, student, tests_source):
    """Names a student's solution cells define that the release's do not and
    that the checks use: a check the student's code could replace (a
    `fn check_x` or `let check_x = |..| Ok(())` of its own). A `let` counts
    only for a name the checks call (a local `let n` in a function is not
    the `n` a check reads)."""
    index = key_index(student)
    theirs, ours = (set(), set()), (set(), set())
    for cell in release.cells:
        if is_solution(cell) and cell.cell_type == "code":
            ours = tuple(a | b for a, b in zip(ours, defined_names(cell.source)))
            mine = counterpart(cell, index)
            if mine is not None:
                theirs = tuple(a | b for a, b in zip(theirs, defined_names(mine.get("source", ""))))
    used = set(IDENTIFIER.findall(tests_source))
    called = set(re.findall(r"([A-Za-z_]\w*)\s*\(", tests_source))
    return sorted(((theirs[0] - ours[0]) & used) | ((theirs[1] - ours[1]) & called))


def evcxr_commands(release, student):
    """Solution cells of the submission with evcxr commands (`:dep`, `:opt`...)."""
    index = key_index(student)
    found = []
    for cell in release.cells:
        mine = counterpart(cell, index) if is_solution(cell) and cell.cell_type == "code" else None
        if mine is not None and any(l.lstrip().startswith(":") for l in mine.get("source", "").splitlines()):
            found.append(cell.get("id"))
    return found


def notebook_to_run(release, solution, student):
    """The notebook run to grade a submission: the release notebook, with the
    student's source in each solution cell (by id) and each test cell taken
    from the solution notebook with its hidden tests. Also the Comparison."""
    comparison = compare(release, student)
    run = copy.deepcopy(release)
    mine, theirs = key_index(student), key_index(solution)
    tests = []
    for cell in run.cells:
        if is_solution(cell):
            own = counterpart(cell, mine)
            if own is not None and own.get("cell_type") == cell.cell_type:
                cell.source = own.get("source", "")
        elif is_test(cell):
            cell.source = reveal_hidden_tests(counterpart(cell, theirs).source)
            tests.append(cell.source)
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    comparison.shadowed = shadowed_names(release, student, "\n".join(tests))
    comparison.commands = evcxr_commands(release, student)
    return run, comparison
