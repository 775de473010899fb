"""Student versions of the solution notebooks, and checks on them.

nbgrader's convention, in Rust comments: the lines between `// BEGIN SOLUTION`
and `// END SOLUTION` become `todo!()` with a hint (text after the BEGIN
marker, e.g. `// BEGIN SOLUTION: add the self loops`), keeping indentation,
so a region inside an expression still compiles. In markdown,
`<!-- BEGIN SOLUTION -->` ... `<!-- END SOLUTION -->` becomes a placeholder.
`// BEGIN HIDDEN TESTS` ... `// END HIDDEN TESTS` disappears. A cell's
declared answer facts (metadata `hw6.answer_facts`, see `answers`) are
dropped.
"""

import copy
import re

from . import NOTEBOOKS, UsageError
from .answers import drop_declarations

STUDENT_DIR = NOTEBOOKS / "student"
DEP_PATH = 'path = "../crates/hw6"'
STUDENT_DEP_PATH = 'path = "../../crates/hw6"'
CODE_BEGIN = re.compile(r"^(\s*)//\s*BEGIN SOLUTION\b[:\s]*(.*)$")
CODE_END = re.compile(r"^\s*//\s*END SOLUTION\b")
HIDDEN_BEGIN = re.compile(r"^\s*//\s*BEGIN HIDDEN TESTS\b")
HIDDEN_END = re.compile(r"^\s*//\s*END HIDDEN TESTS\b")
MD_BEGIN = re.compile(r"^\s*<!--\s*BEGIN SOLUTION\s*-->")
MD_END = re.compile(r"^\s*<!--\s*END SOLUTION\s*-->")
MD_PLACEHOLDER = "*Your answer here.*"


def strip_regions(source, begin, end, replace, where):
    """Replace each begin..end region of `source` with replace(match) lines.

    Returns (new source, removed lines). Unbalanced markers are an error
    naming `where`.
    """
    out, removed = [], []
    inside = None
    for number, line in enumerate(source.splitlines(), 1):
        if inside is None:
            m = begin.match(line)
            if m:
                inside = (number, m)
                continue
            if end.match(line):
                raise UsageError(f"{where}: line {number} ends a region that never began")
            out.append(line)
        else:
            if begin.match(line):
                raise UsageError(f"{where}: line {number} begins a region inside the one from line {inside[0]}")
            if end.match(line):
                out.extend(replace(inside[1]))
                inside = None
                continue
            removed.append(line)
    if inside is not None:
        raise UsageError(f"{where}: the region begun on line {inside[0]} never ends")
    return "\n".join(out), removed


def code_todo(match):
    indent, hint = match.group(1), match.group(2).strip() or "your code here"
    return [f"{indent}// TODO: {hint}", f"{indent}todo!()"]


def student_version(nb, name):
    """The student notebook made from a solution notebook; also the solution lines."""
    nb = copy.deepcopy(nb)
    solution_lines = []
    for index, cell in enumerate(nb.cells, 1):
        where = f"{name}, cell {index}"
        drop_declarations(cell)  # the answer facts stay in the solution notebook
        if cell.cell_type == "code":
            # Student notebooks sit one folder deeper.
            source = cell.source.replace(DEP_PATH, STUDENT_DEP_PATH)
            source, _ = strip_regions(source, HIDDEN_BEGIN, HIDDEN_END, lambda m: [], where)
            source, removed = strip_regions(source, CODE_BEGIN, CODE_END, code_todo, where)
            cell.source = source
            cell.outputs = []
            cell.execution_count = None
            cell.metadata.pop("execution", None)
            solution_lines += removed
        elif cell.cell_type == "markdown":
            cell.source, removed = strip_regions(
                cell.source, MD_BEGIN, MD_END, lambda m: [MD_PLACEHOLDER], where)
            solution_lines += removed
    return nb, solution_lines


def leaked_lines(student_nb, solution_lines, solution_nb):
    """Solution lines that appear in the student notebook.

    Trivial lines (braces, blank, short) and lines that the solution notebook
    also has outside its solution regions are not counted.
    """
    def norm(line):
        return " ".join(line.split())

    outside = set()
    stripped, _ = student_version(solution_nb, "solution")
    for cell in stripped.cells:
        outside.update(norm(l) for l in cell.source.splitlines())
    student = set()
    for cell in student_nb.cells:
        student.update(norm(l) for l in cell.source.splitlines())
    leaks = []
    for line in solution_lines:
        n = norm(line)
        if len(n) < 8 or n.startswith("//") or n in outside:
            continue
        if n in student:
            leaks.append(line.strip())
    return leaks


def cell_failed(cell):
    """Whether an executed cell failed: the kernel gave it an error output (a
    compile error, a panic or an error returned with `?`)."""
    return any(o.get("output_type") == "error" for o in cell.get("outputs", []))


def check_student_run(nb, name):
    """Check an executed student notebook; returns (problems, notes).

    Only the TODO cells (those with a `todo!()`) and the check cell right
    after each (the first code cell after a TODO that is not a TODO itself;
    consecutive TODOs share it) may fail. Every other cell must have run
    without an error output: each is a problem.

    A TODO that failed neither in its cell nor in its check is a note.
    """
    code = [i for i, c in enumerate(nb.cells) if c.cell_type == "code"]
    todo = [i for i in code if "todo!()" in nb.cells[i].source]
    check_of = {}
    for i in todo:
        later = [j for j in code if j > i and j not in todo]
        if later:
            check_of[i] = later[0]
    allowed = set(todo) | set(check_of.values())

    def failed(i):
        return cell_failed(nb.cells[i])

    def label(i):
        source = nb.cells[i].source.strip()
        return f"cell {i + 1} ({source.splitlines()[0][:50] if source else ''})"

    problems, notes = [], []
    for i in code:
        if i in allowed:
            continue
        if nb.cells[i].get("execution_count") is None:
            problems.append(f"{name}: {label(i)} did not run")
        elif failed(i):
            problems.append(f"{name}: {label(i)} failed, but it is neither a TODO nor the check right after one")
    for i in todo:
        if not failed(i) and not (i in check_of and failed(check_of[i])):
            notes.append(f"{name}: {label(i)} holds a TODO, but neither it nor its check showed a failure")
    return problems, notes
