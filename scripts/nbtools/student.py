"""Student versions of the solution notebooks, and checks on them.

nbgrader's convention, in Rust comments: the lines between `// BEGIN SOLUTION`
and `// END SOLUTION` become `todo!()` with a hint (text after the BEGIN
marker, e.g. `// BEGIN SOLUTION: add the self loops`), keeping indentation,
so a region inside an expression still compiles. In markdown,
`<!-- BEGIN SOLUTION -->` ... `<!-- END SOLUTION -->` becomes a placeholder.
`// BEGIN HIDDEN TESTS` ... `// END HIDDEN TESTS` disappears.
"""

import copy
import re

from . import NOTEBOOKS, UsageError

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


def check_student_run(nb, name):
    """Check an executed student notebook: every cell before its first TODO
    ran without error. Returns (problems, cells after the first TODO that
    failed without being a TODO or the check right after one: they use a
    TODO's result)."""
    code = [i for i, c in enumerate(nb.cells) if c.cell_type == "code"]
    todo_cells = {i for i in code if "todo!()" in nb.cells[i].source}
    allowed = set(todo_cells)
    for i in todo_cells:
        later = [j for j in code if j > i]
        if later:
            allowed.add(later[0])  # the check cell that follows a TODO
    first_todo = min(todo_cells) if todo_cells else len(nb.cells)

    def failed(i):
        return any(o.get("output_type") == "error" for o in nb.cells[i].get("outputs", []))

    def label(i):
        source = nb.cells[i].source.strip()
        return f"cell {i + 1} ({source.splitlines()[0][:50] if source else ''})"

    problems = []
    for i in code:
        if i < first_todo and (failed(i) or nb.cells[i].get("execution_count") is None):
            problems.append(f"{name}: {label(i)} comes before the first TODO but did not run cleanly")
    for i in todo_cells:
        if not failed(i):
            problems.append(f"{name}: {label(i)} holds a TODO but did not fail")
    downstream = [label(i) for i in code if i > first_todo and i not in allowed and failed(i)]
    return problems, downstream


