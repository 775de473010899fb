"""`grade`: a class's submitted notebooks graded against the student
release they were made from.

    notebooks.py grade --release OUT SUBMISSIONS... [--jobs N] [--out DIR] [--quick]

For each submission (see grade_submissions for how files are found and
named): read and matched to a release notebook, compared with it, turned
into the notebook to run (release skeleton, the student's solution cells,
the solution notebook's checks with hidden tests), run in a fresh kernel
with limits (grade_run, grade_sandbox), scored (grade_score) and written up
(grade_report). Every submission of a batch runs against the one release
folder given, so its kernels share the release's build folders: the first
is built (or found built) before the batch starts, and each kernel then
starts from a ready copy.
"""

import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from . import NOTEBOOKS, OUT, ROOT, ToolError, UsageError
from .grade_report import executed_path, safe_name, write_csv, write_feedback, write_flags, write_timings
from .grade_sandbox import GRADING, Limits, MiB, cache_set, kernel_argv, sandbox_available
from .grade_score import NOT_REACHED, TOTAL, score, unreadable
from .grade_submissions import (check_release_against_solution, find_submissions, is_graded_notebook,
                                notebook_to_run, read_submission)
from .params import inject_parameters, parse_overrides

JOBS = ".jobs"
# Seconds a run's process may live beyond the notebook's limit (kernel start
# and stop) before the batch kills it.
GRACE = 420


def load_notebooks(release, solutions_dir):
    """{name: release notebook} and {name: solution notebook} for every
    release notebook with graded cells; each checked against its solution."""
    import nbformat

    folder = release / "notebooks"
    if not folder.is_dir() or not (release / "kernel.toml").is_file():
        raise UsageError(f"{release} is not a student release (no notebooks/ or kernel.toml): "
                         "write one with scripts/notebooks.py release")
    releases, solutions, ungraded = {}, {}, set()
    for path in sorted(folder.glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        if not is_graded_notebook(nb):
            ungraded.add(path.name)
            continue
        source = solutions_dir / path.name
        if not source.is_file():
            raise UsageError(f"no solution notebook {source} for the release's {path.name}: give --solutions DIR")
        releases[path.name] = nb
        solutions[path.name] = nbformat.read(source, as_version=4)
        check_release_against_solution(path.name, nb, solutions[path.name])
    if not releases:
        raise UsageError(f"no notebook in {folder} has graded cells (nbgrader metadata)")
    return releases, solutions, ungraded


def check_jobs(release, jobs):
    """--jobs must fit the release's build folders (kernel.toml [build] slots, 8 if unset)."""
    import tomllib

    slots = tomllib.loads((release / "kernel.toml").read_text(encoding="utf-8")).get("build", {}).get("slots", 8)
    if not 1 <= jobs <= slots:
        raise UsageError(f"--jobs {jobs}: give 1 to {slots} (the build folders in {release / 'kernel.toml'})")


def prewarm(release, say):
    """Build the release's prelude once, before any kernel of the batch
    starts, unless a build folder of it is ready: each kernel then starts
    from a ready copy instead of building cold side by side. Returns the
    seconds it took."""
    ready = sorted(cache_set(release).glob("slot-*/hw6-ready"))
    if ready:
        say(f"build folders of {release}: ready ({ready[0].parent})")
        return 0.0
    t0 = time.monotonic()
    run = subprocess.run([kernel_argv()[0], "prewarm"], cwd=release, capture_output=True, text=True)
    if run.returncode != 0:
        tail = (run.stderr + run.stdout).strip()[-1500:]
        raise ToolError(f"the release's crates did not build in the kernel (hw6-kernel prewarm): {tail}")
    seconds = time.monotonic() - t0
    say(f"build folders of {release}: built in {seconds:.0f} s")
    return seconds


@dataclass
class Job:
    """One submission's run, as the batch tracks it."""
    sub: object
    run_id: str
    job_dir: Path
    run_nb: object
    comparison: object
    proc: object = None
    started: float = 0.0


def plan(subs, releases, solutions, overrides):
    """(jobs, graded, extra): a Job per gradable submission, the Graded of
    those that cannot run (unreadable), and {(student, notebook): paths} of
    further copies of a notebook a student handed in twice (the first
    readable copy is graded, the others only named in its flags)."""
    jobs, graded, extra, chosen = [], [], {}, {}
    for sub in subs:
        key = (sub.student, sub.notebook) if sub.notebook else (sub.student, str(sub.path))
        if key not in chosen or (chosen[key].problem and not sub.problem):
            if key in chosen:
                extra.setdefault(key, []).append(chosen[key].path)
            chosen[key] = sub
        else:
            extra.setdefault(key, []).append(sub.path)
    for n, sub in enumerate(chosen.values()):
        release = releases.get(sub.notebook)
        if sub.problem:
            graded.append(unreadable(sub.student, sub.notebook, sub.path, sub.problem, release))
            continue
        run_nb, comparison = notebook_to_run(release, solutions[sub.notebook], sub.nb)
        run_nb = inject_parameters(run_nb, overrides, Path(sub.notebook))
        run_id = f"{n:04d}-{safe_name(sub.student)[:40]}-{Path(sub.notebook).stem}"
        jobs.append(Job(sub, run_id, Path(), run_nb, comparison))
    return jobs, graded, extra


def start(job, release, limits, hide, sandbox, checks_only=False):
    """Write the job's folder (its notebook holds the hidden tests: it lives
    under RELEASE/.grading, hidden from every kernel, and goes when the run
    ends) and start its process."""
    import json

    import nbformat

    job.job_dir = release / GRADING / JOBS / job.run_id
    job.job_dir.mkdir(parents=True, exist_ok=True)
    nbformat.write(job.run_nb, job.job_dir / "run.ipynb")
    (job.job_dir / "job.json").write_text(json.dumps({
        "release": str(release), "run_id": job.run_id, "limits": asdict(limits),
        "hide": [str(h) for h in hide], "sandbox": sandbox, "checks_only": checks_only}), encoding="utf-8")
    log = open(job.job_dir / "log.txt", "wb")
    job.proc = subprocess.Popen([sys.executable, "-m", "nbtools.grade_run", str(job.job_dir)],
                                cwd=Path(__file__).resolve().parent.parent, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)
    log.close()
    job.started = time.monotonic()


def stop(job):
    """Kill a run's process group (its kernel dies with it)."""
    try:
        os.killpg(job.proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    job.proc.wait()


def finish(job, release, out):
    """Score a finished run, write its feedback, remove its folders."""
    import json

    import nbformat

    result_file, executed = job.job_dir / "result.json", job.job_dir / "executed.ipynb"
    if result_file.is_file():
        result = json.loads(result_file.read_text(encoding="utf-8"))
        run_nb = nbformat.read(executed, as_version=4) if executed.is_file() else job.run_nb
    else:
        log = (job.job_dir / "log.txt").read_text(encoding="utf-8", errors="replace").strip()[-300:]
        result = {"cells": [{"index": i, "id": c.get("id"), "reply": "not-run", "ename": "", "evalue": "",
                             "seconds": 0.0} for i, c in enumerate(job.run_nb.cells) if c.cell_type == "code"],
                  "kernel": f"the grading run stopped before writing its results ({log or 'no log'})",
                  "seconds": round(time.monotonic() - job.started, 1)}
        run_nb = job.run_nb
    graded = score(job.sub.student, job.sub.notebook, job.sub.path, run_nb, result, job.comparison)
    graded.seconds = round(time.monotonic() - job.started, 1)
    write_feedback(out, graded, run_nb)
    if executed.is_file():
        kept = executed_path(out, graded)
        kept.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(executed, kept)
    shutil.rmtree(job.job_dir, ignore_errors=True)
    shutil.rmtree(release / GRADING / job.run_id, ignore_errors=True)
    return graded


def run_batch(jobs, count, release, limits, hide, sandbox, out, say, checks_only=False):
    """Run the jobs `count` at a time; returns their Graded, in the order
    they finished. Whatever one run does, the batch goes on."""
    queue, running, done = list(jobs), [], []
    try:
        while queue or running:
            while queue and len(running) < count:
                job = queue.pop(0)
                start(job, release, limits, hide, sandbox, checks_only)
                running.append(job)
            time.sleep(0.5)
            for job in list(running):
                overdue = time.monotonic() - job.started > limits.notebook_seconds + GRACE
                if job.proc.poll() is None and not overdue:
                    continue
                if overdue:
                    stop(job)
                running.remove(job)
                graded = finish(job, release, out)
                done.append(graded)
                say(progress_line(graded, len(done), len(jobs)))
    finally:
        for job in running:  # interrupted: leave no kernel and no hidden tests behind
            stop(job)
            shutil.rmtree(job.job_dir, ignore_errors=True)
            shutil.rmtree(release / GRADING / job.run_id, ignore_errors=True)
        tidy(release)
    return done


def tidy(release):
    """Remove RELEASE/.grading once no run of any batch uses it."""
    grading = release / GRADING
    jobs = grading / JOBS
    if jobs.is_dir() and not any(jobs.iterdir()):
        jobs.rmdir()
    if grading.is_dir() and all(p.is_symlink() for p in grading.iterdir()):
        shutil.rmtree(grading, ignore_errors=True)


def progress_line(graded, n, of):
    total = graded.total
    failing = [f"{r.grade_id} {r.status}" for r in graded.rows if r.grade_id != TOTAL and r.status not in
               ("passed", "manual")]
    line = (f"[{n}/{of}] {graded.student} {graded.notebook}: {total.points:g}/{total.max_points:g} points "
            f"in {graded.seconds:.0f} s")
    if failing:
        line += "; " + ", ".join(failing[:4]) + (" ..." if len(failing) > 4 else "")
    if graded.flags:
        line += " [needs a look]"
    return line


def summary(graded_list, seconds, jobs, say):
    """The batch's closing lines: counts, speed, and who needs a human look."""
    ran = [g for g in graded_list if g.seconds]
    students = {g.student for g in graded_list}
    say(f"graded {len(graded_list)} submission(s) of {len(students)} student(s) in {seconds:.0f} s with --jobs {jobs}")
    if ran:
        mean = sum(g.seconds for g in ran) / len(ran)
        say(f"  {mean:.0f} s per run on average; {3600 * len(ran) / max(seconds, 1):.0f} notebooks per hour at this rate")
    look = [g for g in sorted(graded_list, key=lambda g: (g.student, g.notebook)) if g.flags]
    say(f"needs a human look: {len(look)}" + ("" if look else " (none)"))
    for g in look:
        say(f"  {g.student} / {g.notebook} ({g.path}):")
        for flag in g.flags:
            say(f"    - {flag}")


def limits_from(args):
    return Limits(memory=args.memory * MiB, cell_seconds=args.timeout_cell, check_seconds=args.timeout_check,
                  notebook_seconds=args.timeout_notebook, output_chars=args.max_output)


def cmd_grade(args):
    """Grade the submissions; exit 0 once every submission has a row."""
    say = lambda line: print(line, flush=True)  # noqa: E731
    release = Path(args.release).resolve()
    solutions_dir = Path(args.solutions).resolve() if args.solutions else NOTEBOOKS
    releases, solutions, ungraded = load_notebooks(release, solutions_dir)
    check_jobs(release, args.jobs)
    overrides = parse_overrides(args)
    found = find_submissions(args.submissions, releases)
    skipped = [p for _, p in found if p.name in ungraded]
    if skipped:
        say(f"skipped {len(skipped)} notebook(s) with nothing to grade ({', '.join(sorted(ungraded))})")
    subs = [read_submission(student, path, releases) for student, path in found if path.name not in ungraded]
    out = Path(args.out).resolve()
    sandbox, why = (False, "--no-sandbox given") if args.no_sandbox else sandbox_available()
    say(f"{len(subs)} submission(s); sandbox: {'on' if sandbox else 'OFF (' + why + ')'}; "
        f"limits: {args.timeout_check} s per check or solution cell, {args.timeout_cell} s per other cell, "
        f"{args.timeout_notebook} s per notebook, {args.memory} MiB of address space")
    hide = [out, solutions_dir, ROOT / "out"] + [Path(p).resolve() if Path(p).is_dir() else Path(p).resolve().parent
                                                 for p in args.submissions]
    limits = limits_from(args)
    t0 = time.monotonic()
    jobs, graded, extra = plan(subs, releases, solutions, overrides)
    if jobs:
        prewarm(release, say)
        graded += run_batch(jobs, args.jobs, release, limits, hide, sandbox, out, say, args.checks_only)
    for g in graded:
        key = (g.student, g.notebook) if g.notebook != "?" else (g.student, g.path)
        for path in extra.get(key, []):
            g.flags.append(f"another copy of this notebook was handed in and not graded: {path}")
        if not g.seconds:
            write_feedback(out, g)
    write_csv(out / "grades.csv", graded)
    write_flags(out / "flags.csv", graded)
    write_timings(out / "timings.csv", graded)
    summary(graded, time.monotonic() - t0, args.jobs, say)
    say(f"grades -> {out / 'grades.csv'}; needs a look -> {out / 'flags.csv'}; "
        f"feedback -> {out / 'feedback'}/<student>/<notebook>.html; "
        f"the notebooks as they ran (hidden tests in them: not for students) -> {out / 'executed'}")
    return 0


def add_grade_parsers(sub):
    """The `grade` subcommand."""
    g = sub.add_parser("grade", help="grade submitted notebooks against a student release")
    g.add_argument("submissions", nargs="+", help=".ipynb files or folders of them (a subfolder per student)")
    g.add_argument("--release", required=True, help="the student release folder the class was given")
    g.add_argument("--solutions", default=None, help="solution notebooks (default: notebooks/)")
    g.add_argument("--out", default=str(OUT / "grades"), help="where grades.csv and feedback/ go (default: out/grades)")
    g.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="kernels at a time (default: the cores)")
    g.add_argument("--quick", action="store_true", help="quick mode: --param quick=true")
    g.add_argument("--param", action="append", default=[], metavar="NAME=VALUE")
    g.add_argument("--timeout-check", type=int, default=120, help="seconds per check or solution cell (120)")
    g.add_argument("--timeout-cell", type=int, default=600, help="seconds per other cell (600)")
    g.add_argument("--timeout-notebook", type=int, default=3600, help="seconds per notebook (3600)")
    g.add_argument("--memory", type=int, default=8192, help="MiB of address space for a kernel and its processes")
    g.add_argument("--max-output", type=int, default=100_000, help="characters of output kept per cell")
    g.add_argument("--no-sandbox", action="store_true", help="limits only, no namespaces")
    g.add_argument("--checks-only", action="store_true",
                   help="run no cell after the last autograded check (faster; no outputs for hand grading after it)")
    g.set_defaults(run=cmd_grade)
