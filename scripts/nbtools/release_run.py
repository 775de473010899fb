"""`release` and `release-run`: write the student release, and run its
notebooks the way CI checks them.

A release's notebooks run in two ways:

- **as handed out** (`release-run OUT`): every TODO's check must fail with a
  message (an error output of the check, not a panic); a cell that needs an
  unfinished exercise may stop with the one line `finish ... first`; every
  other cell must run cleanly;
- **filled in** (`release-run OUT --filled`): each TODO cell gets the solution
  notebook's code (the student who writes the reference answer), and then
  every check must pass and every cell run, on the release's crates, whose
  references are `todo!()`s: so nothing a notebook runs depends on them.
"""

import re
import sys
import time
from pathlib import Path

from . import NOTEBOOKS, OUT, UsageError
from .kernel import new_client, start_kernel
from .params import inject_parameters, parse_overrides
from .release import record_fixtures, release_problems, write_release
from .student import cell_failed

FINISH_FIRST = re.compile(r"finish .+ first")


def cmd_release(args):
    """Write the student release into args.out and check it."""
    fixtures = Path(args.fixtures).read_text(encoding="utf-8") if args.fixtures else record_fixtures()
    lines = write_release(args.out, fixtures)
    count, problems = release_problems(args.out, lines)
    for p in problems:
        print(f"error: {p}", file=sys.stderr)
    if problems:
        print(f"error: the release in {args.out} gives away solutions ({len(problems)} problem(s))", file=sys.stderr)
        return 1
    print(f"release checked: no solution line and none of the {count} declared answer facts in {args.out}")
    return 0


def error_text(cell):
    """The error outputs of an executed cell, as one string."""
    return "\n".join(f"{o.get('ename', '')}: {o.get('evalue', '')}"
                     for o in cell.get("outputs", []) if o.get("output_type") == "error")


def is_todo(cell):
    return cell.cell_type == "code" and "todo!()" in cell.source


def fill(nb, solution):
    """`nb` with each TODO cell's source replaced by the solution notebook's
    cell of the same id. Returns the number of cells filled."""
    by_id = {c.get("id"): c for c in solution.cells}
    filled = 0
    for cell in nb.cells:
        if is_todo(cell):
            source = by_id.get(cell.get("id"))
            if source is None:
                raise UsageError(f"TODO cell {cell.get('id')} has no cell with that id in the solution notebook")
            cell.source = (source.source.replace("// BEGIN SOLUTION", "//").replace("// END SOLUTION", "//"))
            filled += 1
    return filled


def is_test(cell):
    """A graded test cell (nbgrader: grade, not solution): a check."""
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return cell.cell_type == "code" and meta.get("grade") and not meta.get("solution")


def check_as_handed_out(nb, name):
    """Problems of an executed release notebook, as handed out: the first
    test cell after each TODO must fail with a check's message (not a
    panic); TODO cells may fail; every other cell must run cleanly or stop
    with `finish ... first`."""
    code = [i for i, c in enumerate(nb.cells) if c.cell_type == "code"]
    checks = set()
    for i in code:
        if is_todo(nb.cells[i]):
            later = [j for j in code if j > i and is_test(nb.cells[j])]
            if later:
                checks.add(later[0])
    problems = []
    for i in code:
        cell, label = nb.cells[i], f"{name}, cell {i + 1}"
        text = error_text(cell)
        if is_todo(cell):
            continue
        if cell.get("execution_count") is None:
            problems.append(f"{label} did not run")
        elif i in checks:
            if not cell_failed(cell):
                problems.append(f"{label}: the check of an unwritten TODO passed")
            elif text.startswith("Panic") or "failed" not in text:
                problems.append(f"{label}: the check of an unwritten TODO did not fail with a check's message: {text[:200]}")
        elif cell_failed(cell) and not FINISH_FIRST.search(text):
            problems.append(f"{label} failed, but it is neither a TODO's check nor a 'finish ... first' stop: {text[:300]}")
    return problems


def check_filled(nb, name):
    """Problems of an executed release notebook with its TODOs filled in."""
    problems = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        label = f"{name}, cell {i + 1}"
        if cell.get("execution_count") is None:
            problems.append(f"{label} did not run")
        elif cell_failed(cell):
            problems.append(f"{label} failed: {error_text(cell)[:300]}")
        elif cell.source.lstrip().startswith("check_"):
            shown = "".join(str(o.get("text", "")) + str(o.get("data", {}).get("text/plain", ""))
                            for o in cell.get("outputs", []))
            if "passed" not in shown:
                problems.append(f"{label}: the check did not report 'passed'")
    return problems


def cmd_release_run(args):
    """Run a release's notebooks as handed out or filled in; exit 1 on a problem."""
    import nbformat
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    folder = Path(args.release) / "notebooks"
    if not folder.is_dir():
        raise UsageError(f"{args.release} has no notebooks/ folder: write it with scripts/notebooks.py release")
    overrides = parse_overrides(args)
    names = args.notebooks or sorted(p.name for p in folder.glob("*.ipynb"))
    if args.ungraded:
        from .grade_submissions import is_graded_notebook

        names = [n for n in names if not is_graded_notebook(nbformat.read(folder / n, as_version=4))]
    out = Path(args.out) if args.out else OUT / ("release-filled" if args.filled else "release-run")
    out.mkdir(parents=True, exist_ok=True)
    mode = "filled in" if args.filled else "as handed out"
    problems = []
    for name in names:
        path = folder / name
        if not path.is_file():
            raise UsageError(f"no notebook {name} in {folder}")
        nb = inject_parameters(nbformat.read(path, as_version=4), overrides, path)
        if args.filled:
            fill(nb, nbformat.read(NOTEBOOKS / name, as_version=4))
        client = new_client(nb, folder.resolve(), args.timeout, allow_errors=True)
        t0 = time.monotonic()
        try:
            start_kernel(client)
            client.execute()
            found = check_filled(nb, name) if args.filled else check_as_handed_out(nb, name)
        except (CellTimeoutError, DeadKernelError) as exc:
            found = [f"{name}: the kernel stopped: {str(exc).strip()[:300]}"]
        executed = out / name
        nbformat.write(nb, executed)
        verdict = "FAILED" if found else "ok"
        print(f"[release, {mode}] {name}: {verdict} in {time.monotonic() - t0:.0f} s -> {executed}", flush=True)
        problems += found
    for p in problems:
        print(f"error: {p}", file=sys.stderr)
    return 1 if problems else 0


def add_parsers(sub):
    """The `release` and `release-run` subcommands."""
    rel = sub.add_parser("release", help="write the student release (no solutions, fixtures for the checks)")
    rel.add_argument("out", help="a new folder for the release")
    rel.add_argument("--fixtures", help="use this fixtures JSON instead of running `hw6 fixtures`")
    rel.set_defaults(run=cmd_release)

    run = sub.add_parser("release-run", help="run a release's notebooks as handed out, or --filled in")
    run.add_argument("release", help="the release folder")
    run.add_argument("notebooks", nargs="*", help="notebook names (default: all)")
    run.add_argument("--filled", action="store_true", help="fill each TODO with the solution notebook's code")
    run.add_argument("--quick", action="store_true")
    run.add_argument("--param", action="append", default=[], metavar="NAME=VALUE")
    run.add_argument("--timeout", type=int, default=1800)
    run.add_argument("--ungraded", action="store_true",
                     help="only notebooks without graded cells (CI runs the graded ones through its test class)")
    run.add_argument("--out", default=None, help="where executed notebooks go (default: out/release-run/)")
    run.set_defaults(run=cmd_release_run)
