#!/usr/bin/env python3
"""Run hw6's Rust notebooks headless through the evcxr Jupyter kernel.

    notebooks.py execute [--quick] [--param NAME=VALUE ...] [--html] [--pdf] [NOTEBOOK ...]
    notebooks.py pdf HTML [HTML ...]
    notebooks.py prewarm
    notebooks.py student [--check] [NOTEBOOK ...]
    notebooks.py solutions [--quick] [--param NAME=VALUE ...]

`execute` runs every cell of each notebook (all of notebooks/*.ipynb when none
is named) in a fresh `rust` kernel and writes the executed notebook, and on
request its HTML and PDF, into out/. Any cell error fails the run. Parameters
follow papermill's convention: the cell tagged `parameters` holds defaults as
`let name: type = value;` lines, and each `--param name=value` becomes a line
of a cell injected right after it. `--quick` is `--param quick=true`.
"""

import argparse
import copy
import datetime as dt
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
OUT = ROOT / "out"
KERNEL = "rust"
# Every notebook's first code cell. The pre-warm runs exactly this, so the
# registry crates it builds are the ones the notebooks find in evcxr's cache.
DEP_CELL = ':dep hw6 = { path = "../crates/hw6", default-features = false }'

# `let name: type = value;` (the type annotation is required so overrides can
# be checked before anything runs).
PARAM_LINE = re.compile(r"^\s*let\s+(?:mut\s+)?([A-Za-z_]\w*)\s*:\s*([^=]+?)\s*=\s*(.+?)\s*;\s*(//.*)?$")
INT_TYPES = {"usize", "isize", "u8", "u16", "u32", "u64", "i8", "i16", "i32", "i64"}
FLOAT_TYPES = {"f32", "f64"}
STRING_TYPES = {"&str", "&'static str", "String"}

# Shown in every HTML page: charts scale to the page, cells avoid page breaks.
PRINT_CSS = """
<style>
  .jp-OutputArea-output img, .jp-RenderedSVG svg, .jp-RenderedImage img { max-width: 100%; height: auto; }
  .jp-Cell { break-inside: avoid; page-break-inside: avoid; }
  .jp-InputArea-editor pre, .jp-OutputArea-output pre { white-space: pre-wrap; overflow-wrap: anywhere; }
  .jp-RenderedHTMLCommon table { font-size: 12px; }
  @page { size: A4; margin: 14mm; }
</style>
"""


class UsageError(Exception):
    """Bad command-line input: reported in one line, before anything runs."""


def fail(message):
    print(f"error: {message}", file=sys.stderr)
    sys.exit(2)


# ----------------------------------------------------------------- parameters

def parameters_cell(nb):
    """Index of the cell tagged `parameters`, or None."""
    for i, cell in enumerate(nb.cells):
        if "parameters" in cell.get("metadata", {}).get("tags", []):
            return i
    return None


def declared_parameters(source):
    """{name: type} from a parameters cell's `let` lines."""
    params = {}
    for line in source.splitlines():
        m = PARAM_LINE.match(line)
        if m:
            params[m.group(1)] = m.group(2).strip()
    return params


def rust_literal(name, rust_type, value):
    """`value` as a Rust literal of `rust_type`, or UsageError saying why not."""
    if rust_type == "bool":
        if value not in ("true", "false"):
            raise UsageError(f"parameter {name} is a bool: give true or false, not {value!r}")
        return value
    if rust_type in INT_TYPES:
        unsigned = rust_type.startswith("u")
        if not re.fullmatch(r"[0-9_]+" if unsigned else r"-?[0-9_]+", value):
            raise UsageError(f"parameter {name} is a {rust_type}: {value!r} is not one")
        return value
    if rust_type in FLOAT_TYPES:
        try:
            float(value)
        except ValueError:
            raise UsageError(f"parameter {name} is a {rust_type}: {value!r} is not a number") from None
        return value if re.search(r"[.eE]", value) else value + ".0"
    if rust_type in STRING_TYPES:
        literal = '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
        return literal if rust_type != "String" else f"String::from({literal})"
    if rust_type.startswith("Vec<") or rust_type.startswith("["):
        inner = rust_type[4:-1] if rust_type.startswith("Vec<") else rust_type[1:].split(";")[0].strip()
        items = [rust_literal(name, inner.strip(), v.strip()) for v in value.split(",") if v.strip()]
        body = ", ".join(items)
        return f"vec![{body}]" if rust_type.startswith("Vec<") else f"[{body}]"
    raise UsageError(f"parameter {name} has type {rust_type}, which --param cannot set")


def inject_parameters(nb, overrides, path):
    """Insert a cell with the overrides after the `parameters` cell."""
    if not overrides:
        return nb
    index = parameters_cell(nb)
    if index is None:
        raise UsageError(f"{path} has no cell tagged 'parameters', so --param cannot apply")
    declared = declared_parameters(nb.cells[index].source)
    lines = ["// Parameters injected by scripts/notebooks.py"]
    for name, value in overrides:
        if name not in declared:
            known = ", ".join(sorted(declared)) or "none"
            raise UsageError(f"{path} has no parameter {name!r} (it has: {known})")
        rust_type = declared[name]
        lines.append(f"let {name}: {rust_type} = {rust_literal(name, rust_type, value)};")
    import nbformat

    cell = nbformat.v4.new_code_cell("\n".join(lines))
    cell.metadata["tags"] = ["injected-parameters"]
    nb = copy.deepcopy(nb)
    nb.cells.insert(index + 1, cell)
    return nb


def parse_overrides(args):
    overrides = []
    for item in args.param:
        if "=" not in item:
            raise UsageError(f"--param takes NAME=VALUE, got {item!r}")
        name, value = item.split("=", 1)
        overrides.append((name.strip(), value.strip()))
    if args.quick and not any(n == "quick" for n, _ in overrides):
        overrides.append(("quick", "true"))
    return overrides


# ------------------------------------------------------------ student versions
#
# nbgrader's convention, in Rust comments: the lines between `// BEGIN SOLUTION`
# and `// END SOLUTION` become `todo!()` with a hint (text after the BEGIN
# marker, e.g. `// BEGIN SOLUTION: add the self loops`), keeping indentation,
# so a region inside an expression still compiles. In markdown,
# `<!-- BEGIN SOLUTION -->` ... `<!-- END SOLUTION -->` becomes a placeholder.
# `// BEGIN HIDDEN TESTS` ... `// END HIDDEN TESTS` disappears.

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


def cmd_student_run(args):
    """Execute student notebooks (errors allowed) and check where they fail."""
    import nbformat
    from nbclient import NotebookClient

    overrides = parse_overrides(args)
    problems = []
    for path in solution_notebooks(args):
        target = STUDENT_DIR / path.name
        nb = inject_parameters(nbformat.read(target, as_version=4), overrides, target)
        client = NotebookClient(nb, kernel_name=KERNEL, timeout=args.timeout, startup_timeout=120,
                                allow_errors=True, resources={"metadata": {"path": str(STUDENT_DIR)}})
        t0 = time.monotonic()
        client.execute()
        found, downstream = check_student_run(nb, target.name)
        status = "ok" if not found else "FAILED"
        print(f"{target.name}: {status} in {time.monotonic() - t0:.0f} s; every cell before the first "
              f"TODO ran, every TODO failed; {len(downstream)} later cell(s) failed because they use a "
              "TODO's result", flush=True)
        problems += found
    for p in problems:
        print(f"error: {p}", file=sys.stderr)
    return 1 if problems else 0


def solution_notebooks(args):
    """The notebooks named on the command line, or every notebook in notebooks/."""
    paths = [Path(p) for p in args.notebooks] or sorted(
        p for p in NOTEBOOKS.glob("*.ipynb") if not p.name.startswith("."))
    for p in paths:
        if not p.is_file():
            raise UsageError(f"no notebook at {p}")
    return paths


def cmd_student(args):
    """Write (or with --check, verify) notebooks/student/*.ipynb."""
    import nbformat

    problems = []
    for path in solution_notebooks(args):
        solution = nbformat.read(path, as_version=4)
        student, solution_lines = student_version(solution, path.name)
        target = STUDENT_DIR / path.name
        text = nbformat.writes(student) + "\n"
        if args.check:
            if not target.exists():
                problems.append(f"{target} is missing: run scripts/notebooks.py student")
                continue
            committed = nbformat.read(target, as_version=4)
            if target.read_text(encoding="utf-8") != text:
                problems.append(f"{target} is stale: run scripts/notebooks.py student")
            leaks = leaked_lines(committed, solution_lines, solution)
            if leaks:
                problems.append(f"{target} contains solution text: {leaks[0]!r}"
                                + (f" and {len(leaks) - 1} more line(s)" if len(leaks) > 1 else ""))
            if not problems:
                print(f"{target}: up to date, no solution text")
        else:
            STUDENT_DIR.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
            regions = sum(c.source.count("todo!()") for c in student.cells if c.cell_type == "code")
            print(f"{target}: {regions} TODO(s)")
    if problems:
        for p in problems:
            print(f"error: {p}", file=sys.stderr)
        return 1
    return 0


# ------------------------------------------------------------------ execution

def first_output_seconds(nb, started):
    """Seconds from kernel start to the end of the first code cell with output."""
    for cell in nb.cells:
        if cell.cell_type == "code" and cell.get("outputs"):
            reply = cell.metadata.get("execution", {}).get("shell.execute_reply")
            if reply:
                when = dt.datetime.fromisoformat(reply.replace("Z", "+00:00"))
                return (when - started).total_seconds()
    return None


def execute(path, overrides, timeout):
    """Execute one notebook; returns (executed notebook, seconds, error or None)."""
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

    nb = nbformat.read(path, as_version=4)
    nb = inject_parameters(nb, overrides, path)
    client = NotebookClient(
        nb,
        kernel_name=KERNEL,
        timeout=timeout,
        startup_timeout=120,
        record_timing=True,
        resources={"metadata": {"path": str(path.parent)}},
    )
    started = dt.datetime.now(dt.timezone.utc)
    t0 = time.monotonic()
    error = None
    try:
        client.execute()
    except (CellExecutionError, CellTimeoutError, DeadKernelError) as exc:
        error = exc
    seconds = time.monotonic() - t0
    first = first_output_seconds(nb, started)
    return nb, seconds, first, error


ANSI = re.compile(r"\x1b\[[0-9;]*m")


def describe_failure(nb, error):
    """The failing cell's number, first source line and error text, ANSI stripped."""
    for index, cell in enumerate(nb.cells, 1):
        for out in cell.get("outputs", []) if cell.cell_type == "code" else []:
            if out.get("output_type") == "error":
                lines = [ANSI.sub("", line) for line in out.get("traceback", [])]
                first = cell.source.strip().splitlines()[0] if cell.source.strip() else ""
                text = "\n".join(lines[:40]) or f"{out.get('ename')}: {out.get('evalue')}"
                return f"cell {index} ({first[:60]}):\n{text}"
    return str(error)[-3000:]


# Debug output of a type that has rich display: evcxr fell back to Debug,
# usually because the cell's last expression moves a variable the cell also
# defines (evcxr then cannot keep that variable). Clone it, or end the cell
# with an expression that only borrows.
LOST_DISPLAY = re.compile(r"^(Svg\(\"|Table \{|Animation \{|Gallery \{)")


def lost_displays(nb):
    """Cells whose rich value was shown as Debug text instead of a chart/table."""
    found = []
    for index, cell in enumerate(nb.cells, 1):
        if cell.cell_type != "code":
            continue
        for out in cell.get("outputs", []):
            text = out.get("data", {}).get("text/plain", "") if out.get("output_type") == "execute_result" else ""
            if LOST_DISPLAY.match(text):
                first = cell.source.strip().splitlines()[0] if cell.source.strip() else ""
                found.append(f"cell {index} ({first[:60]}) shows {text[:20]}... as text, not as a chart or table: "
                             "its last expression probably moves a variable the cell defines; clone it or borrow")
    return found


def write_html(nb, html_path):
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(template_name="lab")
    body, _ = exporter.from_notebook_node(nb)
    body = body.replace("</head>", PRINT_CSS + "</head>", 1)
    html_path.write_text(body, encoding="utf-8")


def chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    raise UsageError("no chromium found: install Debian's chromium (scripts/setup.sh does)")


def html_to_pdf(html_path, pdf_path):
    """Print an HTML file to PDF with headless Chromium."""
    profile = OUT / ".chromium-profile"
    profile.mkdir(parents=True, exist_ok=True)
    cmd = [
        chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--no-first-run", f"--user-data-dir={profile}", "--no-pdf-header-footer",
        "--run-all-compositor-stages-before-draw", "--virtual-time-budget=10000",
        f"--print-to-pdf={pdf_path}", html_path.resolve().as_uri(),
    ]
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    if result.returncode != 0 or not pdf_path.exists() or pdf_path.stat().st_size == 0:
        raise RuntimeError(f"chromium could not print {html_path}: {result.stderr.strip()[-500:]}")


def cmd_execute(args):
    import nbformat

    overrides = parse_overrides(args)
    paths = solution_notebooks(args)
    # Check every notebook's parameters before running anything.
    for p in paths:
        inject_parameters(nbformat.read(p, as_version=4), overrides, p)

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    mode = "quick" if args.quick else "full"
    failures = []
    for p in paths:
        print(f"[{mode}] {p.name}: running...", flush=True)
        nb, seconds, first, error = execute(p.resolve(), overrides, args.timeout)
        executed = out / p.name
        nbformat.write(nb, executed)
        first_text = f", first output after {first:.1f} s" if first is not None else ""
        if error is None and lost_displays(nb):
            error = "\n".join(lost_displays(nb))
        if error is not None:
            print(f"[{mode}] {p.name}: FAILED after {seconds:.1f} s{first_text}", flush=True)
            print(describe_failure(nb, error), file=sys.stderr)
            failures.append(p.name)
            continue
        print(f"[{mode}] {p.name}: ok in {seconds:.1f} s{first_text} -> {executed}", flush=True)
        if args.html or args.pdf:
            html = executed.with_suffix(".html")
            write_html(nb, html)
            print(f"          html -> {html}", flush=True)
            if args.pdf:
                pdf = executed.with_suffix(".pdf")
                html_to_pdf(html, pdf)
                print(f"          pdf  -> {pdf}", flush=True)
    if failures:
        print(f"error: {len(failures)} notebook(s) failed: {', '.join(failures)}", file=sys.stderr)
        return 1
    return 0


TITLE_PAGE = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><style>
  body {{ font-family: sans-serif; margin: 0; }}
  .page {{ height: 250mm; display: flex; flex-direction: column; justify-content: center; padding: 0 20mm; }}
  h1 {{ font-size: 30px; margin: 0 0 6px 0; }} h2 {{ font-size: 20px; font-weight: normal; margin: 0 0 30px 0; }}
  td {{ padding: 3px 16px 3px 0; vertical-align: top; }}
  @page {{ size: A4; margin: 14mm; }}
</style></head><body><div class="page">
<h1>EECS 182 Deep Neural Networks</h1>
<h2>Homework 6: solution notebooks (Rust)</h2>
<table>
<tr><td>Generated</td><td>{date}</td></tr>
<tr><td>Project commit</td><td><code>{commit}</code></td></tr>
<tr><td>Mode</td><td>{mode}</td></tr>
<tr><td>Notebooks</td><td>{notebooks}</td></tr>
</table>
</div></body></html>
"""


def project_commit():
    try:
        commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short=12", "HEAD"],
                                capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True).stdout.strip()
        return commit + (" (with uncommitted changes)" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown (not a git checkout)"


def cmd_solutions(args):
    """Execute every notebook with PDFs, then one combined PDF with a title page."""
    args.pdf, args.html = True, True
    status = cmd_execute(args)
    if status != 0:
        return status
    out = Path(args.out)
    paths = solution_notebooks(args)
    pdfs = [out / p.with_suffix(".pdf").name for p in paths]
    title_html = out / "title.html"
    title_html.write_text(TITLE_PAGE.format(
        date=dt.date.today().isoformat(),
        commit=project_commit(),
        mode="quick (reduced sizes)" if args.quick or args.param else "full",
        notebooks=", ".join(p.name for p in paths),
    ), encoding="utf-8")
    title_pdf = out / "title.pdf"
    html_to_pdf(title_html, title_pdf)
    combined = out / "hw6-solutions.pdf"
    if not shutil.which("pdfunite"):
        raise UsageError("pdfunite not found: install Debian's poppler-utils (scripts/setup.sh does)")
    subprocess.run(["pdfunite", str(title_pdf), *map(str, pdfs), str(combined)], check=True)
    print(f"combined PDF -> {combined}")
    return 0


def cmd_pdf(args):
    for h in args.html:
        h = Path(h)
        pdf = h.with_suffix(".pdf")
        html_to_pdf(h, pdf)
        print(f"pdf -> {pdf}")
    return 0


def cmd_prewarm(args):
    """Build hw6 and its dependencies in a kernel once, filling evcxr's cache."""
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell(DEP_CELL),
        nbformat.v4.new_code_cell("use hw6::prelude::*;\nprintln!(\"hw6 {}\", hw6::versions::HW6);"),
    ]
    path = NOTEBOOKS / ".prewarm.ipynb"
    nbformat.write(nb, path)
    try:
        nb, seconds, _, error = execute(path, [], args.timeout)
    finally:
        path.unlink(missing_ok=True)
    if error is not None:
        print(describe_failure(nb, error), file=sys.stderr)
        print(f"error: the pre-warm kernel failed after {seconds:.0f} s", file=sys.stderr)
        return 1
    print(f"   pre-warm done in {seconds:.0f} s")
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)

    ex = sub.add_parser("execute", help="run notebooks headless through the evcxr kernel")
    ex.add_argument("notebooks", nargs="*", help="notebooks to run (default: notebooks/*.ipynb)")
    ex.add_argument("--quick", action="store_true", help="quick mode: --param quick=true")
    ex.add_argument("--param", action="append", default=[], metavar="NAME=VALUE",
                    help="override a parameter of the 'parameters' cell (repeatable)")
    ex.add_argument("--html", action="store_true", help="also write HTML")
    ex.add_argument("--pdf", action="store_true", help="also write HTML and PDF")
    ex.add_argument("--out", default=str(OUT), help="output folder (default: out/)")
    ex.add_argument("--timeout", type=int, default=1800, help="seconds per cell (default 1800)")
    ex.set_defaults(run=cmd_execute)

    pdf = sub.add_parser("pdf", help="print HTML files to PDF with headless Chromium")
    pdf.add_argument("html", nargs="+")
    pdf.set_defaults(run=cmd_pdf)

    st = sub.add_parser("student", help="make notebooks/student/ from the solution notebooks")
    st.add_argument("notebooks", nargs="*", help="solution notebooks (default: notebooks/*.ipynb)")
    st.add_argument("--check", action="store_true",
                    help="fail if a student notebook is stale or contains solution text")
    st.set_defaults(run=cmd_student)

    so = sub.add_parser("solutions", help="execute every notebook, one PDF each and one combined PDF")
    so.add_argument("notebooks", nargs="*", help="notebooks (default: notebooks/*.ipynb)")
    so.add_argument("--quick", action="store_true", help="quick mode: --param quick=true")
    so.add_argument("--param", action="append", default=[], metavar="NAME=VALUE")
    so.add_argument("--out", default=str(OUT), help="output folder (default: out/)")
    so.add_argument("--timeout", type=int, default=3600, help="seconds per cell (default 3600)")
    so.set_defaults(run=cmd_solutions)

    sr = sub.add_parser("student-run", help="run student notebooks; they may fail only at their TODOs")
    sr.add_argument("notebooks", nargs="*", help="solution notebooks whose student versions to run")
    sr.add_argument("--quick", action="store_true")
    sr.add_argument("--param", action="append", default=[], metavar="NAME=VALUE")
    sr.add_argument("--timeout", type=int, default=1800)
    sr.set_defaults(run=cmd_student_run)

    warm = sub.add_parser("prewarm", help="fill evcxr's build cache with hw6's dependencies")
    warm.add_argument("--timeout", type=int, default=3600)
    warm.set_defaults(run=cmd_prewarm)

    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except UsageError as exc:
        fail(str(exc))


if __name__ == "__main__":
    sys.exit(main())
