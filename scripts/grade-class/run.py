#!/usr/bin/env python3
"""CI's grading test: make the test class (make.py), grade it with
`notebooks.py grade` through the kernel, and fail if any score, status or
flag differs from what make.py expects.

    run.py RELEASE [--out DIR] [--full NAME,...] [--notebooks NAME,...] [--jobs N] [--solutions DIR] [--checks-only]

Checked for every submission: each autograded cell's status (and so its
points: full when passed, zero otherwise) and the total row; that a
tampered, looping or unreadable submission is flagged and no other is;
that its feedback page exists and names each failing check; that the
release's crates are unchanged (the `hostile` student tries to delete
them) and its `.grading` folder gone afterwards (hidden tests removed).

Two grade commands: `untouched` and `solution` run every cell, so they are
also the release's notebooks run as handed out and filled in, and their
executed notebooks must pass `release-run`'s checks (each unwritten TODO's
check fails with a message and every other cell runs or says "finish ...
first"; filled in, every cell runs and every check passes); the other
students stop at their notebook's last check (`--checks-only`), where
nothing graded is left. `--checks-only` here stops every student there.
"""

import argparse
import csv
import hashlib
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

import make  # noqa: E402

from nbtools import OUT  # noqa: E402
from nbtools.grade_report import executed_path, feedback_path  # noqa: E402
from nbtools.grade_score import COMPILE, FAILED, PANICKED, PASSED, TOTAL, Graded  # noqa: E402
from nbtools.release_run import check_as_handed_out, check_filled  # noqa: E402


def status_ok(expected, got):
    return got in (FAILED, PANICKED, COMPILE) if expected == make.NOT_PASSED else got == expected


def read_csv(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def compare(expected, grades, flags, folder_of):
    """Problems: every difference between what was expected and what the
    grade command wrote."""
    problems = []
    rows = {}
    for row in grades:
        rows.setdefault((row["student"], row["notebook"]), []).append(row)
    flagged = {}
    for row in flags:
        flagged.setdefault((row["student"], row["notebook"]), []).append(row["flag"])
    for student, notebooks in sorted(expected.items()):
        for notebook, want in sorted(notebooks.items()):
            where = f"{student}/{notebook}"
            got = {r["grade_id"]: r for r in rows.pop((student, notebook), [])}
            if not got:
                problems.append(f"{where}: no rows in grades.csv")
                continue
            points = 0.0
            for grade_id, status in sorted(want["statuses"].items()):
                row = got.get(grade_id)
                if row is None or not status_ok(status, row["status"]):
                    problems.append(f"{where}: {grade_id} expected {status}, got "
                                    f"{row['status'] + ': ' + row['message'] if row else 'no row'}")
                    continue
                full = float(row["max_points"])
                if float(row["points"]) != (full if status == PASSED else 0.0):
                    problems.append(f"{where}: {grade_id} has {row['points']} of {full} points for {row['status']}")
                points += float(row["points"])
            total = got.get(TOTAL)
            if total is None or float(total["points"]) != points:
                problems.append(f"{where}: total {total['points'] if total else 'missing'}, expected {points:g}")
            reasons = flagged.pop((student, notebook), [])
            for word in want["flags"]:
                if not any(word in r for r in reasons):
                    problems.append(f"{where}: not flagged '{word}' (flags: {reasons or 'none'})")
            if not want["flags"] and reasons:
                problems.append(f"{where}: flagged although nothing is wrong with it: {reasons}")
            problems += feedback_problems(folder_of[student], student, notebook, want, got)
    problems += [f"{s}/{n}: unexpected rows in grades.csv" for s, n in rows]
    return problems


def feedback_problems(out, student, notebook, want, got):
    page = feedback_path(out, Graded(student, notebook, ""))
    if not page.is_file():
        return [f"{student}/{notebook}: no feedback page at {page}"]
    text = page.read_text(encoding="utf-8")
    missing = [g for g, s in want["statuses"].items() if s != PASSED and g in got
               and not (g in text and got[g]["status"] in text)]
    return [f"{student}/{notebook}: the feedback does not name the failing check {g}" for g in missing]


def release_run_problems(folder_of, expected):
    """`release-run`'s checks on the executed notebooks of `untouched` (the
    release as handed out) and `solution` (filled in)."""
    import nbformat

    problems = []
    for student, check in (("untouched", check_as_handed_out), ("solution", check_filled)):
        for notebook in sorted(expected.get(student, {}) if student in folder_of else {}):
            path = executed_path(folder_of[student], Graded(student, notebook, ""))
            if not path.is_file():
                problems.append(f"{student}/{notebook}: no executed notebook at {path}")
                continue
            problems += [f"{student}: {p}" for p in check(nbformat.read(path, as_version=4), notebook)]
    return problems


def fingerprint(release):
    """A hash of the release's workspace (manifests and crates): a submission
    must change nothing in it."""
    digest = hashlib.sha256()
    root = Path(release)
    for path in sorted([root / "Cargo.toml", root / "Cargo.lock", *root.joinpath("crates").rglob("*")]):
        if path.is_file():
            digest.update(str(path.relative_to(root)).encode() + path.read_bytes())
    return digest.hexdigest()


# Students whose notebooks run to the end: the release as handed out and
# filled in. The others stop after their notebook's last check.
WHOLE = ("untouched", "solution")


def batches(out, checks_only):
    """[(output folder, student folders, checks only)]: one grade command each."""
    students = sorted(p for p in (out / "class").iterdir() if p.is_dir())
    if checks_only:
        return [(out / "graded", students, True)]
    return [(out / "graded" / "whole", [p for p in students if p.name in WHOLE], False),
            (out / "graded" / "checks", [p for p in students if p.name not in WHOLE], True)]


def grade(args, folder, students, checks_only, extra):
    """Runs `notebooks.py grade` on `students`; True when it exited 0."""
    command = [sys.executable, str(HERE.parent / "notebooks.py"), "grade", "--release", args.release,
               *map(str, students), "--out", str(folder), "--quick", "--jobs", str(args.jobs),
               "--timeout-check", "30", "--timeout-cell", "600", "--timeout-notebook", "1200", *extra]
    if checks_only:
        command.append("--checks-only")
    print("$ " + " ".join(command), flush=True)
    proc = subprocess.Popen(command)
    try:
        status = proc.wait()
    except KeyboardInterrupt:
        # The grade command stops its runs and removes the hidden tests on
        # Ctrl-C itself; killing it first (subprocess.run does) would not.
        status = proc.wait()
        raise
    if status != 0:
        print(f"error: notebooks.py grade exited with status {status}", file=sys.stderr)
    return status == 0


def main(argv=None):
    parser = argparse.ArgumentParser(description="Grade the test class and check every expected score.")
    parser.add_argument("release", help="the student release folder (CI: out/release)")
    parser.add_argument("--out", default=str(OUT / "grade-class"), help="work folder (default: out/grade-class)")
    parser.add_argument("--full", default=None, help="notebooks with the whole class (default: every graded one)")
    parser.add_argument("--solutions", default=None, help="solution notebooks (default: notebooks/)")
    parser.add_argument("--notebooks", default="", help="comma-separated notebooks of the class (default: every graded one)")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--checks-only", action="store_true",
                        help="every submission stops at its last check (faster; no release-run checks then)")
    args = parser.parse_args(argv)

    out = Path(args.out)
    for stale in (out / "class", out / "graded"):
        shutil.rmtree(stale, ignore_errors=True)
    extra = ["--solutions", args.solutions] if args.solutions else []
    chosen = ["--notebooks", args.notebooks] if args.notebooks else []
    full = ["--full", args.full] if args.full is not None else []
    make.main([args.release, str(out), *full, *chosen, *extra])
    before = fingerprint(args.release)
    t0 = time.monotonic()
    parts = [b for b in batches(out, args.checks_only) if b[1]]
    if not all([grade(args, folder, students, only, extra) for folder, students, only in parts]):
        return 1
    print(f"grading took {time.monotonic() - t0:.0f} s", flush=True)
    expected = json.loads((out / "expected.json").read_text(encoding="utf-8"))
    folder_of = {p.name: folder for folder, students, _ in parts for p in students}
    grades = [row for folder, _, _ in parts for row in read_csv(folder / "grades.csv")]
    flags = [row for folder, _, _ in parts for row in read_csv(folder / "flags.csv")]
    problems = compare(expected, grades, flags, folder_of)
    if not args.checks_only:
        problems += release_run_problems(folder_of, expected)
    if fingerprint(args.release) != before:
        problems.append(f"the release's crates or manifests in {args.release} changed while grading")
    if (Path(args.release) / ".grading").exists():
        problems.append(f"{args.release}/.grading is still there after grading (hidden tests must not stay)")
    for p in problems:
        print(f"error: {p}", file=sys.stderr)
    count = sum(len(v) for v in expected.values())
    print(f"grade class: {count} submission(s), {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
