"""Tests of scripts/nbtools/release.py and release_run.py: what a student
release keeps of a Rust file and a manifest, and how its executed notebooks
are judged, as handed out and filled in. No kernel and no cargo run here; CI
runs the real release (scripts/test.sh).

Run: .venv/bin/python -m unittest discover -s scripts -p 'test_*.py'
"""

import tempfile
import unittest
from pathlib import Path

import nbformat

from nbtools import UsageError
from nbtools import release, release_run

RUST = """//! A crate.

/// A~ = A + I.
// BEGIN SOLUTION TEXT
/// Adds the identity: a_hat + eye.
// END SOLUTION TEXT
pub fn add_self_loops(a: &M) -> M {
    let n = a.nrows();
    // BEGIN SOLUTION: add the identity
    a + M::identity(n, n)
    // END SOLUTION
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adds() {
        assert_eq!(add_self_loops(&z), M::identity(2, 2) + z);
    }
}
"""


class RustFiles(unittest.TestCase):
    def test_regions_become_todos_text_goes_and_tests_go(self):
        text, removed = release.release_rust(RUST, "lib.rs")
        self.assertIn("    // TODO: add the identity\n    todo!()\n}", text)
        self.assertNotIn("M::identity", text)
        self.assertNotIn("Adds the identity", text)
        self.assertNotIn("cfg(test)", text)
        self.assertIn("let n = a.nrows();", text)
        self.assertEqual(removed, ["/// Adds the identity: a_hat + eye.", "    a + M::identity(n, n)"])

    def test_a_test_module_that_is_not_last_is_an_error(self):
        source = "#[cfg(test)]\nmod tests {\n    fn t() {}\n}\n\npub fn after() {}\n"
        with self.assertRaises(UsageError):
            release.drop_test_module(source, "x.rs")

    def test_unbalanced_markers_are_an_error(self):
        with self.assertRaises(UsageError):
            release.release_rust("fn f() {\n    // BEGIN SOLUTION\n    1\n}\n", "x.rs")

    def test_manifests_lose_bench_and_bin_targets_only(self):
        manifest = ('[package]\nname = "m"\n\n[dependencies]\na = "1"\n\n[[bench]]\nname = "b"\nharness = false\n\n'
                    '[[bin]]\nname = "hw6"\n\n[features]\ncli = []\n')
        out = release.release_manifest(manifest)
        self.assertNotIn("[[bench]]", out)
        self.assertNotIn("[[bin]]", out)
        self.assertIn('[features]\ncli = []', out)
        self.assertIn('a = "1"', out)


def executed(*cells):
    """A notebook of executed code cells: (source, nbgrader metadata or None, error or None, text output)."""
    nb = nbformat.v4.new_notebook()
    for n, (source, grader, error, text) in enumerate(cells, 1):
        cell = nbformat.v4.new_code_cell(source)
        cell.execution_count = n
        if grader:
            cell.metadata["nbgrader"] = grader
        if error:
            cell.outputs.append(nbformat.v4.new_output("error", ename=error[0], evalue=error[1], traceback=[]))
        if text:
            cell.outputs.append(nbformat.v4.new_output("stream", name="stdout", text=text))
        nb.cells.append(cell)
    return nb


TEST = {"grade": True, "solution": False, "locked": True, "points": 1, "grade_id": "check_x"}
TODO = {"grade": False, "solution": True, "grade_id": "solution_x"}


class AsHandedOut(unittest.TestCase):
    def test_a_todo_check_failing_with_a_message_and_a_finish_stop_pass(self):
        nb = executed(("fn f() { todo!() }", TODO, None, None),
                      ("check_x(f)?", TEST, ("Error", "check of Q1 failed: your code still has a todo!()"), None),
                      ("let y = f_or_stop()?;", None, ("Error", "finish Q1 first: the cells from here on need it"), None),
                      ("let z = 1;", None, None, None))
        self.assertEqual(release_run.check_as_handed_out(nb, "n"), [])

    def test_a_panicking_check_a_passing_check_and_another_failure_are_problems(self):
        nb = executed(("fn f() { todo!() }", TODO, None, None),
                      ("check_x(f)?", TEST, ("Panic", "not yet implemented"), None))
        self.assertIn("did not fail with a check's message", release_run.check_as_handed_out(nb, "n")[0])
        nb = executed(("fn f() { todo!() }", TODO, None, None), ("check_x(f)?", TEST, None, "passed"))
        self.assertIn("passed", release_run.check_as_handed_out(nb, "n")[0])
        nb = executed(("let a = 1;", None, ("CompileError", "cannot find value `b`"), None))
        self.assertIn("neither a TODO's check", release_run.check_as_handed_out(nb, "n")[0])


class FilledIn(unittest.TestCase):
    def test_todos_take_the_solution_cells_and_every_check_must_pass(self):
        student = executed(("fn f() -> i32 { todo!() }", TODO, None, None), ("check_x(f)?", TEST, None, None))
        solution = executed(("fn f() -> i32 {\n    // BEGIN SOLUTION\n    1\n    // END SOLUTION\n}", TODO, None, None),
                            ("check_x(f)?", TEST, None, None))
        for s, t in zip(student.cells, solution.cells):
            s.id = t.id
        self.assertEqual(release_run.fill(student, solution), 1)
        self.assertNotIn("todo!()", student.cells[0].source)
        self.assertNotIn("BEGIN SOLUTION", student.cells[0].source)
        self.assertIn("did not report 'passed'", release_run.check_filled(student, "n")[0])
        student.cells[1].outputs.append(nbformat.v4.new_output("stream", name="stdout", text="Q1: passed\n"))
        self.assertEqual(release_run.check_filled(student, "n"), [])


class LeakCheck(unittest.TestCase):
    def test_a_numeric_fact_is_not_found_inside_a_longer_number(self):
        from nbtools.answers import fact_pattern, squash
        self.assertTrue(fact_pattern("-1.46").search(squash("scores -1.46, best")))
        self.assertFalse(fact_pattern("-1.46").search(squash("[-1.4612, 3]")))
        self.assertFalse(fact_pattern("0.5").search("10.5"))
        self.assertTrue(fact_pattern("M^{T-1}").search("k=M^{T-1}"))

    def test_a_solution_line_or_an_answer_fact_in_any_file_is_found(self):
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            (folder / "notes.md").write_text("the weights:\n    let distinctive_weight_name = w.transpose();\n")
            (folder / "beam.txt").write_text("the best sequence scores -1.46\n")  # declared in q_beam_search
            count, problems = release.release_problems(
                folder, [("let distinctive_weight_name = w.transpose();", "crates/x/src/y.rs")])
            self.assertEqual(len(problems), 2, problems)
            self.assertIn("notes.md: solution line from crates/x/src/y.rs", problems[1])
            self.assertIn("beam.txt: the answer fact '-1.46'", problems[0])
            self.assertGreater(count, 0)
            (folder / "beam.txt").unlink()
            (folder / "notes.md").write_text("nothing here\n")
            self.assertEqual(release.release_problems(folder, [("let distinctive_weight_name = 1;", "x")])[1], [])


if __name__ == "__main__":
    unittest.main()
