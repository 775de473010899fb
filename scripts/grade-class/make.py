#!/usr/bin/env python3
"""A small test class for `notebooks.py grade`, made from a student release
and the solution notebooks, with the scores each submission must get.

    make.py RELEASE OUTDIR [--solutions DIR] [--full NAME,...] [--notebooks NAME,...]

writes OUTDIR/class/<student>/<notebook>.ipynb and OUTDIR/expected.json.
Students, per notebook:

- `solution`: every solution cell filled from the solution notebook: full
  marks on every autograded cell;
- `untouched`: the release notebook as handed out: zero on every check, no
  crash, nothing flagged;
- `wrong`: the solution with one deliberate mistake (below): that check
  fails and is named, the others pass;
- `no_compile`: a syntax error in one TODO cell: its check did not compile;
- `infinite_loop`: a TODO that never returns: its check timed out, the
  others still graded;
- `tampered`: one TODO left undone and its check cell edited to print
  "passed": flagged, and scored with the release's check (zero);
- `not_json`: a file that is not JSON: zero on everything, flagged;
- on q_beam_search also `hostile` (deletes files, reads what it must not,
  prints megabytes: full marks, nothing changed) and `memory_hog`
  (allocates without bound: that check crashed, flagged);
- on q_ae, always, `hardcoded`: the masking step with the default rate
  written in, which the release's check passes and the hidden test fails.

`--full` names the notebooks that get every student (default: all);
the others get `solution` and `untouched` only (a shorter CI run), and
q_ae `hardcoded`.
"""

import argparse
import copy
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from nbtools import NOTEBOOKS  # noqa: E402
from nbtools.grade_score import COMPILE, CRASHED, FAILED, TIMED_OUT  # noqa: E402
from nbtools.grade_submissions import is_graded_notebook, is_solution, is_test, nbgrader  # noqa: E402
from nbtools.student import CODE_BEGIN, CODE_END, MD_BEGIN, MD_END  # noqa: E402

# "not passed": failed, panicked or did not compile (no crash, no time-out).
NOT_PASSED = "not passed"

# Per notebook: (cell id, text in the solution cell, replacement, checks
# that must then fail with their status). Everything else must pass.
WRONG = {
    "q_ae.ipynb": ("q-ae-17", "let mask_prob = self.mask_prob as f32;",
                   "let mask_prob = 0.5f32; // wrong: a fixed rate of 0.5 instead of mask_prob",
                   {"check_masking_step": FAILED}),
    "q_zkc.ipynb": ("zkc-30", "let dw = dz.transpose() * ax / batch",
                    "let dw = ax.transpose() * &dz / batch  /* wrong: dW not transposed back */",
                    {"check_gcn_layer": NOT_PASSED, "test_q4_q5": NOT_PASSED, "check_network": NOT_PASSED}),
    "q_attention.ipynb": ("cell-14", "Ok(phi_q.matmul(&s)?.broadcast_div(&phi_q.matmul(&z)?)?)",
                          "let _ = z; Ok(phi_q.matmul(&s)?) // wrong: no normaliser",
                          {"check_linear_attention": FAILED}),
    "q_beam_search.ipynb": ("cell-09", "candidates.truncate(config.width);",
                            "candidates.truncate(config.width.saturating_sub(1).max(1)); // wrong: width-1 prefixes",
                            {"check_beam_search": FAILED}),
}
# A TODO cell broken (syntax error) or made to loop, and the check that
# then fails: the last TODO of each notebook, so no later check needs it.
BROKEN = {
    "q_ae.ipynb": ("q-ae-arch-1-4", "(vec![256, k], Activation::ReLU)", "check_architecture_1_4"),
    "q_zkc.ipynb": ("zkc-48", "let mut best = f64::INFINITY;", "check_training"),
    "q_attention.ipynb": ("cell-11", "let d = x.len();", "check_quadratic_feature_map"),
    "q_beam_search.ipynb": ("cell-09", "let mut beam = vec![Hypothesis::empty()];", "check_beam_search"),
}
# The TODO a tampering student leaves undone, and its check cell.
TAMPERED = {
    "q_ae.ipynb": ("q-ae-11", "q-ae-12"),
    "q_zkc.ipynb": ("zkc-21", "zkc-22"),
    "q_attention.ipynb": ("cell-11", "cell-12"),
    "q_beam_search.ipynb": ("cell-09", "cell-10"),
}
# Two more students on one notebook, for what the sandbox and the limits
# must survive: `hostile` tries to delete the release's crates, to read the
# instructors' solution notebooks and the other runs' folders (its check
# fails if it can), and prints 12 MB; `memory_hog` allocates without bound
# (its worker process crashes at the memory limit).
HOSTILE_NOTEBOOK = ("q_beam_search.ipynb", "cell-09", "let mut beam = vec![Hypothesis::empty()];", "check_beam_search")
HOSTILE = """static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let _ = std::fs::remove_dir_all("../../crates");
        let _ = std::fs::write("../../Cargo.toml", "");
        for i in 0..100_000 {
            println!("{i:>120}");
        }
    });
    if std::fs::read_to_string(SOLUTION).is_ok() || std::fs::read_dir("../.jobs").is_ok() {
        panic!("this run could read the instructors' solution notebook or the other runs' folders");
    }
    """
MEMORY_HOG = """let mut hog: Vec<Vec<u8>> = Vec::new();
    while hog.len() < 1_000_000 {
        hog.push(vec![0u8; 1 << 30]);
        std::hint::black_box(&hog);
    }
    """
# One student for the hidden tests: q_ae's masking step with the default
# rate written in instead of `mask_prob`. The release's check (the default
# rate) passes it; the hidden test (another rate) must not.
HIDDEN = ("q_ae.ipynb", "q-ae-17", "let mask_prob = self.mask_prob as f32;",
          "let mask_prob = 0.25f32; // the default rate, whatever mask_prob is", "check_masking_step")
STUDENTS = ("solution", "untouched", "wrong", "no_compile", "infinite_loop", "tampered", "not_json", "hostile",
            "memory_hog", "hardcoded")


def without_markers(source):
    """A solution cell's source as a student who wrote the reference would
    hand it in: the solution markers gone, the code kept."""
    markers = (CODE_BEGIN, CODE_END, MD_BEGIN, MD_END)
    return "\n".join(l for l in source.splitlines() if not any(m.match(l) for m in markers))


def filled(release, solution):
    """The release notebook with every solution cell filled in."""
    nb = copy.deepcopy(release)
    theirs = {c.get("id"): c for c in solution.cells}
    for cell in nb.cells:
        if is_solution(cell):
            cell.source = without_markers(theirs[cell.get("id")].source)
    return nb


def cell(nb, cell_id):
    found = [c for c in nb.cells if c.get("id") == cell_id]
    if not found:
        raise SystemExit(f"error: no cell {cell_id}: update scripts/grade-class/make.py for the notebook")
    return found[0]


def replace(nb, cell_id, old, new):
    target = cell(nb, cell_id)
    if old not in target.source:
        raise SystemExit(f"error: cell {cell_id} no longer holds {old!r}: update scripts/grade-class/make.py")
    target.source = target.source.replace(old, new, 1)


def submissions(name, release, solution, solution_dir):
    """{student: (notebook, {grade_id: expected status}, [expected flags])}."""
    checks = [nbgrader(c)["grade_id"] for c in release.cells if is_test(c)]
    ids = {nbgrader(c)["grade_id"]: c.get("id") for c in release.cells if is_test(c)}
    every = dict.fromkeys(checks, "passed")
    out = {"solution": (filled(release, solution), every, []),
           "untouched": (copy.deepcopy(release), dict.fromkeys(checks, NOT_PASSED), [])}

    wrong = filled(release, solution)
    cell_id, old, new, failing = WRONG[name]
    replace(wrong, cell_id, old, new)
    out["wrong"] = (wrong, {**every, **failing}, [])

    cell_id, anchor, check = BROKEN[name]
    broken = filled(release, solution)
    replace(broken, cell_id, anchor, anchor + " let oops = ;")
    out["no_compile"] = (broken, {**every, check: COMPILE}, [])
    looping = filled(release, solution)
    replace(looping, cell_id, anchor, "loop {} // never returns\n" + anchor)
    out["infinite_loop"] = (looping, {**every, check: TIMED_OUT}, ["timed out"])

    todo, check_cell = TAMPERED[name]
    tampered = filled(release, solution)
    cell(tampered, todo).source = cell(release, todo).source
    tampered_check = nbgrader(cell(release, check_cell))["grade_id"]
    cell(tampered, check_cell).source = f'println!("{tampered_check}: passed"); // always passes'
    out["tampered"] = (tampered, {**every, tampered_check: FAILED}, ["tampered"])
    assert ids[tampered_check] == check_cell
    if name == HOSTILE_NOTEBOOK[0]:
        _, cell_id, anchor, check = HOSTILE_NOTEBOOK
        hostile = filled(release, solution)
        solution_path = json.dumps(str((Path(solution_dir) / name).resolve()))
        replace(hostile, cell_id, anchor, HOSTILE.replace("SOLUTION", solution_path) + anchor)
        out["hostile"] = (hostile, every, [])
        hog = filled(release, solution)
        replace(hog, cell_id, anchor, MEMORY_HOG + anchor)
        out["memory_hog"] = (hog, {**every, check: CRASHED}, ["crashed"])
    if name == HIDDEN[0]:
        _, cell_id, old_text, new_text, check = HIDDEN
        hardcoded = filled(release, solution)
        replace(hardcoded, cell_id, old_text, new_text)
        out["hardcoded"] = (hardcoded, {**every, check: FAILED}, [])
    return out


def main(argv=None):
    import nbformat

    parser = argparse.ArgumentParser(description="Make the test class for notebooks.py grade.")
    parser.add_argument("release", help="the student release folder")
    parser.add_argument("outdir", help="where class/ and expected.json go")
    parser.add_argument("--solutions", default=str(NOTEBOOKS), help="solution notebooks (default: notebooks/)")
    parser.add_argument("--notebooks", default="", help="comma-separated notebook names (default: every graded one)")
    parser.add_argument("--full", default=None, help="notebooks that get every student (default: all)")
    args = parser.parse_args(argv)

    release_dir, out = Path(args.release) / "notebooks", Path(args.outdir)
    names = [n for n in args.notebooks.split(",") if n] or sorted(
        p.name for p in release_dir.glob("*.ipynb") if is_graded_notebook(nbformat.read(p, as_version=4)))
    full = set(names) if args.full is None else {n for n in args.full.split(",") if n}
    expected = {}
    for name in names:
        release = nbformat.read(release_dir / name, as_version=4)
        solution = nbformat.read(Path(args.solutions) / name, as_version=4)
        for student, (nb, statuses, flags) in submissions(name, release, solution, args.solutions).items():
            if student not in ("solution", "untouched", "hardcoded") and name not in full:
                continue
            path = out / "class" / student / name
            path.parent.mkdir(parents=True, exist_ok=True)
            nbformat.write(nb, path)
            expected.setdefault(student, {})[name] = {"statuses": statuses, "flags": flags}
    junk = sorted(full & set(names) or names)[0]
    (out / "class" / "not_json").mkdir(parents=True, exist_ok=True)
    (out / "class" / "not_json" / junk).write_text("{ this is not a notebook, nor JSON\n", encoding="utf-8")
    release = nbformat.read(release_dir / junk, as_version=4)
    expected["not_json"] = {junk: {"statuses": {nbgrader(c)["grade_id"]: "unreadable" for c in release.cells
                                                if is_test(c)}, "flags": ["unreadable"]}}
    (out / "expected.json").write_text(json.dumps(expected, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    count = sum(len(v) for v in expected.values())
    print(f"class -> {out / 'class'}: {count} submission(s) of {len(expected)} student(s); "
          f"full class for {', '.join(sorted(full)) or 'none'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
