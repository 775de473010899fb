"""The command line of scripts/notebooks.py."""

import argparse
import html as htmllib
import sys
import time
from pathlib import Path

from . import NOTEBOOKS, OUT, ToolError, UsageError
from .kernel import describe_failure, execute, lost_displays, new_client, start_kernel
from .params import inject_parameters, parse_overrides
from .render import (RenderError, check_tools, combine_pdfs, failed_pdf, html_to_pdf, render, replacing,
                     write_atomically)
from .answers import release_problems
from .release_run import add_parsers as add_release_parsers
from .grade import add_grade_parsers
from .student import STUDENT_DIR, check_student_run, leaked_lines, student_version


def fail(message, status=2):
    print(f"error: {message}", file=sys.stderr)
    sys.exit(status)


def read_notebook(path):
    """A notebook file, or UsageError saying it is not one."""
    import nbformat

    try:
        return nbformat.read(path, as_version=4)
    except (OSError, ValueError, KeyError, AttributeError) as exc:  # NotJSONError is a ValueError
        reason = " ".join(str(exc).split())[:150] or type(exc).__name__
        raise UsageError(f"{path} is not a readable notebook ({reason}); give a .ipynb file") from None


def write_notebook(nb, path):
    import nbformat

    with replacing(path) as tmp:
        nbformat.write(nb, tmp)


def outputs_of(executed):
    """The files a run leaves for one notebook: executed .ipynb, HTML, PDF
    and a PDF that failed its check."""
    pdf = executed.with_suffix(".pdf")
    return [executed, executed.with_suffix(".html"), pdf, failed_pdf(pdf)]



def cmd_student_run(args):
    """Execute student notebooks (errors allowed) and check that only the
    TODO cells and their checks failed; exit 1 otherwise."""
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    overrides = parse_overrides(args)
    paths = solution_notebooks(args)
    targets = []
    for path in paths:  # every student notebook and its parameters checked before anything runs
        target = STUDENT_DIR / path.name
        if not target.is_file():
            raise UsageError(f"no student version of {path.name} at {target}; run scripts/notebooks.py student")
        targets.append((target, inject_parameters(read_notebook(target), overrides, target)))
    problems = []
    for target, nb in targets:
        executed = OUT / "student" / target.name
        executed.parent.mkdir(parents=True, exist_ok=True)
        executed.unlink(missing_ok=True)
        client = new_client(nb, STUDENT_DIR, args.timeout, allow_errors=True)
        t0 = time.monotonic()
        try:
            start_kernel(client)
            client.execute()
            found, notes = check_student_run(nb, target.name)
        except (CellTimeoutError, DeadKernelError) as exc:
            found, notes = [f"{target.name}: the kernel stopped: {str(exc).strip()[:300]}"], []
        todos = sum("todo!()" in c.source for c in nb.cells if c.cell_type == "code")
        write_notebook(nb, executed)
        if found:
            print(f"{target.name}: FAILED after {time.monotonic() - t0:.0f} s -> {executed}", flush=True)
        else:
            print(f"{target.name}: ok in {time.monotonic() - t0:.0f} s; {todos} TODO cell(s); only TODO "
                  f"and check cells failed, every other cell ran cleanly -> {executed}", flush=True)
        for note in notes:
            print(f"note: {note}", flush=True)
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
    if not paths:
        raise UsageError(f"no notebooks in {NOTEBOOKS}")
    return paths


def cmd_student(args):
    """Write (or with --check, verify) notebooks/student/*.ipynb."""
    import nbformat

    problems = []
    released = []  # (name, committed student notebook), for the answer-fact check
    for path in solution_notebooks(args):
        solution = read_notebook(path)
        student, solution_lines = student_version(solution, path.name)
        target = STUDENT_DIR / path.name
        text = nbformat.writes(student) + "\n"
        if args.check:
            if not target.exists():
                problems.append(f"{target} is missing: run scripts/notebooks.py student")
                continue
            committed = read_notebook(target)
            released.append((target.name, committed))
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
            write_atomically(target, text)
            regions = sum(c.source.count("todo!()") for c in student.cells if c.cell_type == "code")
            print(f"{target}: {regions} TODO(s)")
    if args.check:  # no answer fact declared in any solution notebook may appear in a student notebook
        every = solution_notebooks(argparse.Namespace(notebooks=[]))
        count, leaks = release_problems([(p.name, read_notebook(p)) for p in every], released)
        problems += leaks
        if not leaks:
            print(f"answer facts: none of the {count} declared appears in the student notebooks")
    if problems:
        for p in problems:
            print(f"error: {p}", file=sys.stderr)
        return 1
    return 0



def cmd_execute(args):
    failures = execute_all(args)
    if failures:
        print(f"error: {len(failures)} notebook(s) failed: {', '.join(failures)}", file=sys.stderr)
        return 1
    return 0


def execute_all(args):
    """Execute the notebooks (and with --html/--pdf render them) into the
    output folder; returns {notebook name: why it failed} for those that
    failed. A notebook's outputs from an earlier run are removed before it
    runs, so whatever is there afterwards comes from this run."""
    overrides = parse_overrides(args)
    paths = solution_notebooks(args)
    # Check every notebook's parameters, and the tools, before running anything.
    for p in paths:
        inject_parameters(read_notebook(p), overrides, p)
    if args.pdf:
        check_tools()

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    mode = "quick" if args.quick else "full"
    failures = {}
    for p in paths:
        executed = out / p.name
        for old in outputs_of(executed):
            old.unlink(missing_ok=True)
        print(f"[{mode}] {p.name}: running...", flush=True)
        nb, seconds, first, error = execute(p.resolve(), overrides, args.timeout)
        first_text = f", first output after {first:.1f} s" if first is not None else ""
        if error is None and lost_displays(nb):
            error = "\n".join(lost_displays(nb))
        # The executed notebook says whether its run failed, for --render-only.
        nb.metadata[RUN_KEY] = {"failed": error is not None}
        write_notebook(nb, executed)
        if error is not None:
            print(f"[{mode}] {p.name}: FAILED after {seconds:.1f} s{first_text}", flush=True)
            print(describe_failure(nb, error), file=sys.stderr)
            failures[p.name] = "execution failed"
            continue
        print(f"[{mode}] {p.name}: ok in {seconds:.1f} s{first_text} -> {executed}", flush=True)
        if args.html or args.pdf:
            # A PDF that lost a chart or its math fails; with --html alone, a warning.
            problems = render(nb, executed.with_suffix(".html"),
                              executed.with_suffix(".pdf") if args.pdf else None,
                              say=lambda line: print(line, flush=True))
            for problem in problems:
                print(f"{'error' if args.pdf else 'warning'}: {problem}", file=sys.stderr, flush=True)
            if problems and args.pdf:
                failures[p.name] = "PDF check failed"
    return failures


COMBINED = "hw6-solutions.pdf"
RUN_KEY = "hw6_run"


def run_failed(nb):
    """Whether an executed notebook's run failed: so marked, or a cell with
    an error output or a chart shown as text."""
    marked = nb.metadata.get(RUN_KEY, {}).get("failed")
    errors = any(o.get("output_type") == "error" for c in nb.cells if c.cell_type == "code"
                 for o in c.get("outputs", []))
    return bool(marked or errors or lost_displays(nb))


def cmd_solutions(args):
    """Execute every notebook with checked PDFs, then one combined PDF with a
    title page. Fails when a notebook fails or a PDF lost a chart or its math;
    the combined PDF is written all the same, its title page naming the
    notebooks that failed. The previous combined PDF is removed first, so an
    interrupted run leaves none."""
    args.pdf, args.html = True, True
    out = Path(args.out)
    paths = solution_notebooks(args)
    check_tools()
    (out / COMBINED).unlink(missing_ok=True)
    t0 = time.monotonic()
    mode = ("quick (reduced sizes)" if args.quick else "full") + (
        f"; parameters {', '.join(args.param)}" if args.param else "")
    if args.render_only:
        failures, mode = rerender(paths, out)
    else:
        failures = execute_all(args)
    pdfs = [out / p.with_suffix(".pdf").name for p in paths]
    combined = combine_pdfs(pdfs, out / COMBINED, mode=htmllib.escape(mode), failed=failures)
    if failures:
        print(f"combined PDF -> {combined}, INCOMPLETE: without {', '.join(failures)} "
              f"({time.monotonic() - t0:.0f} s in all)")
        print(f"error: {len(failures)} notebook(s) failed: {', '.join(failures)}", file=sys.stderr)
        return 1
    print(f"combined PDF -> {combined} ({time.monotonic() - t0:.0f} s in all)")
    return 0


def rerender(paths, out):
    """HTML and PDF again from the executed notebooks an earlier run left in
    out/; returns {notebook name: why it failed} and the run's parameters
    for the title page."""
    failures, settings = {}, set()
    for p in paths:
        executed = out / p.name
        if not executed.is_file():
            for old in outputs_of(executed)[1:]:
                old.unlink(missing_ok=True)
            print(f"error: {executed} is missing: run without --render-only first", file=sys.stderr)
            failures[p.name] = "not executed"
            continue
        nb = read_notebook(executed)
        if run_failed(nb):
            for old in outputs_of(executed)[1:]:
                old.unlink(missing_ok=True)
            print(f"error: {executed} is from a run that failed: run it again without --render-only",
                  file=sys.stderr)
            failures[p.name] = "execution failed"
            continue
        for cell in nb.cells:
            if "injected-parameters" in cell.metadata.get("tags", []):
                settings.update(line.strip() for line in cell.source.splitlines()[1:] if line.strip())
        print(f"[render] {p.name}", flush=True)
        problems = render(nb, executed.with_suffix(".html"), executed.with_suffix(".pdf"),
                          say=lambda line: print(line, flush=True))
        for problem in problems:
            print(f"error: {problem}", file=sys.stderr, flush=True)
        if problems:
            failures[p.name] = "PDF check failed"
    mode = "re-rendered; parameters: " + (" ".join(sorted(settings)) if settings else "none (full)")
    return failures, mode


def cmd_pdf(args):
    """Print HTML files to PDF and check each PDF against its HTML."""
    for h in args.html:
        if not Path(h).is_file():
            raise UsageError(f"no HTML file at {h}")
    check_tools()
    failed = 0
    for h in args.html:
        h = Path(h)
        pdf = h.with_suffix(".pdf")
        try:
            print(f"pdf -> {pdf}: {html_to_pdf(h, pdf)}")
        except RenderError as exc:
            print(f"error: {exc}", file=sys.stderr)
            failed += 1
    return 1 if failed else 0


def main(argv=None):
    parser = argparse.ArgumentParser(description="Run hw6's Rust notebooks headless through the hw6 Jupyter kernel.")
    sub = parser.add_subparsers(dest="command", required=True)

    ex = sub.add_parser("execute", help="run notebooks headless through the hw6 kernel")
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
    so.add_argument("--render-only", action="store_true",
                    help="no execution: HTML and PDFs again from the executed notebooks in the output folder")
    so.set_defaults(run=cmd_solutions)

    sr = sub.add_parser("student-run", help="run student notebooks; they may fail only at their TODOs")
    sr.add_argument("notebooks", nargs="*", help="solution notebooks whose student versions to run")
    sr.add_argument("--quick", action="store_true")
    sr.add_argument("--param", action="append", default=[], metavar="NAME=VALUE")
    sr.add_argument("--timeout", type=int, default=1800)
    sr.set_defaults(run=cmd_student_run)

    add_release_parsers(sub)
    add_grade_parsers(sub)

    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except (UsageError, ToolError) as exc:
        fail(str(exc))
    except KeyboardInterrupt:
        fail("interrupted; the notebook that was running has no outputs in out/, run the command again", 130)

