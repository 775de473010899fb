"""Tests of the grading tools (scripts/nbtools/grade*.py) that need no kernel:
finding and reading submissions, comparing them with the release, the
notebook that runs, scoring, grades.csv and feedback, the sandbox script.
The kernel run itself is tested by scripts/grade-class/run.py.

Run: .venv/bin/python -m unittest discover -s scripts -p 'test_grade.py'
"""

import csv
import tempfile
import unittest
from pathlib import Path

import nbformat

from nbtools import UsageError
from nbtools import grade_report as report
from nbtools import grade_sandbox as sandbox
from nbtools import grade_score as scores
from nbtools import grade_submissions as subs
from nbtools.grade import plan


def meta(**kw):
    return {"nbgrader": {"schema_version": 3, "grade": False, "solution": False, "locked": False, **kw}}


def cell(kind, cell_id, source, **nbgrader):
    make = nbformat.v4.new_code_cell if kind == "code" else nbformat.v4.new_markdown_cell
    c = make(source)
    c.id = cell_id
    if nbgrader:
        c.metadata.update(meta(**nbgrader))
    return c


def solution_notebook():
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        cell("code", "setup", ':dep hw6 = { path = "../crates/hw6" }', locked=True, grade_id="setup"),
        cell("code", "params", "let quick: bool = false;"),
        cell("code", "todo", "fn f(x: i32) -> i32 {\n    // BEGIN SOLUTION\n    x + 1\n    // END SOLUTION\n}",
             solution=True, grade_id="solution_f"),
        cell("code", "check", "check_f(f)?\n// BEGIN HIDDEN TESTS\ncheck_f_more(f)?\n// END HIDDEN TESTS",
             grade=True, locked=True, grade_id="check_f", points=2),
        cell("markdown", "answer", "**(a)** Why?\n\n<!-- BEGIN SOLUTION -->\nBecause.\n<!-- END SOLUTION -->",
             grade=True, solution=True, grade_id="answer_a", points=3),
        cell("code", "later", "println!(\"{}\", f(1));"),
    ]
    nb.cells[1].metadata["tags"] = ["parameters"]
    return nb


def release_notebook():
    from nbtools.student import student_version

    student, _ = student_version(solution_notebook(), "q.ipynb")
    return student


def submission(**sources):
    """The release notebook with some cells' sources replaced (by id)."""
    nb = release_notebook()
    for c in nb.cells:
        if c.id in sources:
            c.source = sources[c.id]
    return nb


def result(*replies):
    """A run result: (index, reply, ename, evalue) per code cell."""
    return {"cells": [{"index": i, "id": "", "reply": r, "ename": e, "evalue": v, "seconds": 1.0}
                      for i, r, e, v in replies], "kernel": "ok", "seconds": 10.0}


class FindAndRead(unittest.TestCase):
    def setUp(self):
        tmp = tempfile.TemporaryDirectory()
        self.addCleanup(tmp.cleanup)
        self.tmp = Path(tmp.name)
        self.releases = {"q.ipynb": release_notebook()}

    def write(self, rel, nb=None, text=None):
        path = self.tmp / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if text is not None:
            path.write_text(text)
        else:
            nbformat.write(nb or submission(todo="fn f(x: i32) -> i32 { x + 1 }"), path)
        return path

    def test_students_are_named_by_their_folder_or_the_file_stem(self):
        self.write("class/alice/q.ipynb")
        self.write("class/bob/hw6/q.ipynb")
        self.write("class/carol.ipynb")
        self.write("class/alice/.ipynb_checkpoints/q-checkpoint.ipynb")
        found = subs.find_submissions([self.tmp / "class"], self.releases)
        self.assertEqual(sorted(s for s, _ in found), ["alice", "bob", "carol"])
        direct = subs.find_submissions([self.tmp / "class/alice/q.ipynb"], self.releases)
        self.assertEqual(direct[0][0], "alice")
        with self.assertRaises(UsageError):
            subs.find_submissions([self.tmp / "nothing-here"], self.releases)

    def test_not_json_and_not_a_notebook_are_unreadable(self):
        bad = subs.read_submission("x", self.write("x/q.ipynb", text="{ not json"), self.releases)
        self.assertIn("not a readable notebook", bad.problem)
        self.assertEqual(bad.notebook, "q.ipynb")
        odd = subs.read_submission("y", self.write("y/q.ipynb", text='{"cells": 3}'), self.releases)
        self.assertIsNotNone(odd.problem)

    def test_a_renamed_notebook_is_matched_by_its_cell_ids(self):
        sub = subs.read_submission("z", self.write("z.ipynb"), self.releases)
        self.assertEqual((sub.notebook, sub.matched_by, sub.problem), ("q.ipynb", "cell ids", None))
        other = nbformat.v4.new_notebook()
        other.cells = [nbformat.v4.new_code_cell("1")]
        lost = subs.read_submission("w", self.write("w.ipynb", nb=other), self.releases)
        self.assertIn("matches no release notebook", lost.problem)


class CompareAndRun(unittest.TestCase):
    def test_the_run_takes_the_students_solution_and_the_solution_notebooks_checks(self):
        student = submission(todo="fn f(x: i32) -> i32 { x + 1 }", check="println!(\"passed\");",
                             params="let quick: bool = true; // edited")
        run, comparison = subs.notebook_to_run(release_notebook(), solution_notebook(), student)
        by_id = {c.id: c for c in run.cells}
        self.assertEqual(by_id["todo"].source, "fn f(x: i32) -> i32 { x + 1 }")
        self.assertEqual(by_id["check"].source, "check_f(f)?\ncheck_f_more(f)?")  # hidden tests back
        self.assertEqual(by_id["params"].source, "let quick: bool = false;")  # the release's
        self.assertEqual(comparison.changed_tests, ["check"])
        self.assertEqual(comparison.edited_other, ["params"])
        self.assertTrue(comparison.tampered())

    def test_whitespace_is_no_edit_and_deleted_cells_come_back(self):
        student = submission(check="check_f( f )?\n\n")
        student.cells = [c for c in student.cells if c.id != "setup"]
        student.cells.append(cell("code", "mine", "fn helper() {}"))
        run, comparison = subs.notebook_to_run(release_notebook(), solution_notebook(), student)
        self.assertEqual(comparison.changed_tests, [])
        self.assertEqual(comparison.deleted, ["setup"])
        self.assertEqual(comparison.extra, ["mine"])
        self.assertIn(":dep hw6", run.cells[0].source)
        self.assertNotIn("mine", [c.id for c in run.cells])

    def test_cells_without_ids_are_found_by_grade_id(self):
        student = submission(todo="fn f(x: i32) -> i32 { 2 }")
        for c in student.cells:
            c.id = "new-" + c.id
        run, comparison = subs.notebook_to_run(release_notebook(), solution_notebook(), student)
        self.assertEqual({c.id: c for c in run.cells}["todo"].source, "fn f(x: i32) -> i32 { 2 }")
        self.assertNotIn("todo", comparison.deleted)

    def test_a_solution_cell_that_replaces_a_check_is_flagged(self):
        sneaky = "fn f(x: i32) -> i32 { x }\nfn check_f_more<F>(_: F) -> Result<(), String> { Ok(()) }"
        _, comparison = subs.notebook_to_run(release_notebook(), solution_notebook(), submission(todo=sneaky))
        self.assertEqual(comparison.shadowed, ["check_f_more"])
        local = "fn f(x: i32) -> i32 { let n = x; let check = 1; n + check }"
        _, comparison = subs.notebook_to_run(release_notebook(), solution_notebook(), submission(todo=local))
        self.assertEqual(comparison.shadowed, [])
        closure = "fn f(x: i32) -> i32 { x }\nlet check_f = |_f: fn(i32) -> i32| Ok::<(), String>(());"
        _, comparison = subs.notebook_to_run(release_notebook(), solution_notebook(), submission(todo=closure))
        self.assertEqual(comparison.shadowed, ["check_f"])

    def test_a_release_that_does_not_match_its_solution_notebook_is_an_error(self):
        release = release_notebook()
        release.cells[3].source = "check_f(g)?"
        with self.assertRaises(UsageError):
            subs.check_release_against_solution("q.ipynb", release, solution_notebook())
        subs.check_release_against_solution("q.ipynb", release_notebook(), solution_notebook())


class Scoring(unittest.TestCase):
    def graded(self, replies, student=None, kernel="ok"):
        run, comparison = subs.notebook_to_run(release_notebook(), solution_notebook(), student or submission())
        res = result(*replies)
        res["kernel"] = kernel
        return scores.score("ann", "q.ipynb", "ann/q.ipynb", run, res, comparison)

    def test_statuses_come_from_the_execute_reply(self):
        cases = [(("ok", "", ""), scores.PASSED), (("error", "Error", "check of f failed: off by one"), scores.FAILED),
                 (("error", "Panic", "boom"), scores.PANICKED), (("error", "CompileError", "no f"), scores.COMPILE),
                 (("timeout", "Timeout", "late"), scores.TIMED_OUT), (("not-run", "", ""), scores.NOT_REACHED),
                 (("error", "WorkerStopped", "gone"), scores.CRASHED), (("dead", "", "the kernel stopped"), scores.CRASHED)]
        for (reply, ename, evalue), status in cases:
            graded = self.graded([(0, "ok", "", ""), (2, "ok", "", ""), (3, reply, ename, evalue)])
            check = graded.rows[0]
            self.assertEqual((check.grade_id, check.status), ("check_f", status), reply)
            self.assertEqual(check.points, 2 if status == scores.PASSED else 0)
        self.assertEqual(self.graded([(3, "error", "Error", "check of f failed: off by one")]).rows[0].message,
                         "check of f failed: off by one")

    def test_a_crash_at_the_memory_limit_says_so(self):
        run, comparison = subs.notebook_to_run(release_notebook(), solution_notebook(), submission())
        run.cells[3].outputs = [nbformat.v4.new_output("stream", name="stderr",
                                                       text="memory allocation of 1073741824 bytes failed\n")]
        graded = scores.score("ann", "q.ipynb", "p", run, result((3, "error", "WorkerStopped", "signal: 6")), comparison)
        self.assertEqual(graded.rows[0].status, scores.CRASHED)
        self.assertIn("memory allocation of 1073741824 bytes failed", graded.rows[0].message)
        self.assertTrue(any(f.startswith("crashed") for f in graded.flags))

    def test_manual_cells_and_the_total(self):
        graded = self.graded([(3, "ok", "", "")])
        self.assertEqual([(r.grade_id, r.status, r.points, r.max_points) for r in graded.rows],
                         [("check_f", "passed", 2.0, 2.0), ("answer_a", "manual", "", 3.0), ("total", "total", 2.0, 2.0)])
        self.assertIn("3 points graded by hand", graded.total.message)
        self.assertEqual(graded.flags, [])

    def test_tampering_time_outs_and_dead_kernels_are_flagged(self):
        tampered = self.graded([(3, "error", "Error", "check of f failed")], submission(check="println!(\"ok\");"))
        self.assertTrue(tampered.rows[0].message.startswith("your copy of this check was edited"))
        self.assertTrue(any(f.startswith("tampered") for f in tampered.flags))
        slow = self.graded([(2, "timeout", "Timeout", "late"), (3, "error", "CompileError", "no f")])
        self.assertTrue(any(f.startswith("timed out") for f in slow.flags))
        self.assertIn("interrupted", slow.rows[0].message)
        dead = self.graded([(0, "dead", "", "the kernel stopped"), (3, "not-run", "", "")], kernel="the kernel stopped")
        self.assertEqual(dead.rows[0].status, scores.NOT_REACHED)
        self.assertTrue(any(f.startswith("kernel:") for f in dead.flags))

    def test_an_unreadable_submission_scores_zero_everywhere(self):
        graded = scores.unreadable("bob", "q.ipynb", "bob/q.ipynb", "not JSON", release_notebook())
        self.assertEqual([(r.grade_id, r.points) for r in graded.rows], [("check_f", 0), ("answer_a", 0), ("total", 0)])
        self.assertEqual(graded.total.max_points, 2.0)
        self.assertTrue(graded.flags[0].startswith("unreadable"))

    def test_plan_grades_unreadable_without_running_and_one_copy_per_notebook(self):
        releases, solutions = {"q.ipynb": release_notebook()}, {"q.ipynb": solution_notebook()}
        ok = subs.Submission("ann", Path("ann/q.ipynb"), "q.ipynb", submission())
        bad = subs.Submission("bob", Path("bob/q.ipynb"), "q.ipynb", problem="not JSON")
        again = subs.Submission("ann", Path("ann/old/q.ipynb"), "q.ipynb", submission())
        broken = subs.Submission("cy", Path("cy/old/q.ipynb"), "q.ipynb", problem="not JSON")
        fixed = subs.Submission("cy", Path("cy/q.ipynb"), "q.ipynb", submission())
        jobs, graded, extra = plan([ok, bad, again, broken, fixed], releases, solutions, [("quick", "true")])
        self.assertEqual([j.sub.student for j in jobs], ["ann", "cy"])
        self.assertIn("quick", jobs[0].run_nb.cells[2].source)  # the injected parameters
        self.assertEqual([g.student for g in graded], ["bob"])
        self.assertEqual(extra, {("ann", "q.ipynb"): [Path("ann/old/q.ipynb")], ("cy", "q.ipynb"): [Path("cy/old/q.ipynb")]})


class Reports(unittest.TestCase):
    def test_csv_and_feedback(self):
        run, comparison = subs.notebook_to_run(release_notebook(), solution_notebook(),
                                               submission(todo="fn f(x: i32) -> i32 { x } // <b>"))
        run.cells[2].outputs = [nbformat.v4.new_output("stream", name="stdout", text="x" * 10000)]
        graded = scores.score("ann <script>", "q.ipynb", "p", run, result((3, "error", "Error", "check failed")),
                              comparison)
        tmp = tempfile.TemporaryDirectory()
        self.addCleanup(tmp.cleanup)
        out = Path(tmp.name)
        report.write_csv(out / "grades.csv", [graded])
        with open(out / "grades.csv", encoding="utf-8") as f:
            rows = list(csv.reader(f))
        self.assertEqual(rows[0], report.HEADER)
        self.assertEqual(rows[1][2:6], ["check_f", "0", "2", "failed"])
        self.assertEqual(rows[-1][2], "total")
        page = report.write_feedback(out, graded, run).read_text()
        self.assertNotIn("<script>", page)
        self.assertIn("&lt;b&gt;", page)
        self.assertNotIn("check_f_more", page)  # hidden tests stay hidden
        self.assertIn("more characters", page)  # long output cut
        self.assertEqual(report.feedback_path(out, graded).parent.name, "ann_script")


class Sandbox(unittest.TestCase):
    def test_the_wrapper_limits_and_hides(self):
        limits = sandbox.Limits()
        argv = ["/venv/bin/hw6-kernel", "--connection-file", "{connection_file}"]
        hide = ([Path("/h")], [Path("/f.ipynb")])
        script = sandbox.wrapper_script(Path("/r"), "0001-ann-q", argv, limits, Path("/c/r-1"), hide, True)
        for needle in ("prlimit --as=", "--pdeathsig KILL", "unshare --mount --pid", "mount -o remount,bind,ro /",
                       "mount --bind /c/r-1 /c/r-1", "mount -t tmpfs -o size=64k,mode=0555 hw6-hidden /h",
                       "mount --bind /dev/null /f.ipynb",
                       "setpriv --no-new-privs --bounding-set=-all", "/r/.grading/0001-ann-q/.connection.json",
                       "export HW6_KERNEL_SPARES=0"):
            self.assertIn(needle, script)
        plain = sandbox.wrapper_script(Path("/r"), "x", argv, limits, Path("/c"), ([], []), False)
        self.assertNotIn("unshare", plain)
        self.assertIn("prlimit", plain)
        self.assertIn("export HW6_KERNEL_SPARES=0", plain)  # never a warm spare outside the limits

    def test_what_a_run_needs_is_never_hidden(self):
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp).resolve() / "out"
            for rel in ("release/crates", "grades/feedback", "q_ae.ipynb", "other/x.txt"):
                (out / rel).parent.mkdir(parents=True, exist_ok=True)
                (out / rel).mkdir() if "." not in rel else (out / rel).write_text("solution")
            folders, files = sandbox.covers([out, out / "grades"], [out / "release"])
            self.assertEqual(folders, [out / "grades", out / "other"])
            self.assertEqual(files, [out / "q_ae.ipynb"])
            self.assertEqual(sandbox.covers([out / "grades"], [out / "release"]), ([out / "grades"], []))

    def test_the_cache_folder_is_named_as_the_kernel_names_it(self):
        name = sandbox.cache_set("/tmp").name
        self.assertRegex(name, r"^tmp-[0-9a-f]{12}$")


class GradeClass(unittest.TestCase):
    """scripts/grade-class/run.py without a kernel."""

    @staticmethod
    def run_module():
        import importlib.util
        import sys

        path = Path(__file__).resolve().parent / "grade-class" / "run.py"
        sys.path.insert(0, str(path.parent))
        spec = importlib.util.spec_from_file_location("grade_class_run", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module

    def test_untouched_and_solution_run_whole_the_others_stop_at_the_checks(self):
        run = self.run_module()
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp)
            for student in ("solution", "untouched", "wrong", "not_json"):
                (out / "class" / student).mkdir(parents=True)
            (whole, first, only_1), (checks, rest, only_2) = run.batches(out, checks_only=False)
            self.assertEqual(([p.name for p in first], only_1), (["solution", "untouched"], False))
            self.assertEqual(([p.name for p in rest], only_2), (["not_json", "wrong"], True))
            self.assertNotEqual(whole, checks)
            [(_, everyone, only)] = run.batches(out, checks_only=True)
            self.assertEqual((len(everyone), only), (4, True))

    def test_a_missing_or_failing_release_run_is_a_problem(self):
        run = self.run_module()
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp)
            expected = {"solution": {"q.ipynb": {}}, "untouched": {"q.ipynb": {}}}
            problems = run.release_run_problems({"solution": out, "untouched": out}, expected)
            self.assertEqual(len(problems), 2)
            self.assertIn("no executed notebook", problems[0])
            nb = nbformat.v4.new_notebook()
            cell = nbformat.v4.new_code_cell("let x = 1;")  # never ran
            nb.cells = [cell]
            for student in ("solution", "untouched"):
                path = report.executed_path(out, scores.Graded(student, "q.ipynb", ""))
                path.parent.mkdir(parents=True, exist_ok=True)
                nbformat.write(nb, path)
            problems = run.release_run_problems({"solution": out, "untouched": out}, expected)
            self.assertEqual(len(problems), 2)
            self.assertTrue(all("did not run" in p for p in problems), problems)
            cell.execution_count = 1
            for student in ("solution", "untouched"):
                nbformat.write(nb, report.executed_path(out, scores.Graded(student, "q.ipynb", "")))
            self.assertEqual(run.release_run_problems({"solution": out, "untouched": out}, expected), [])


if __name__ == "__main__":
    unittest.main()
