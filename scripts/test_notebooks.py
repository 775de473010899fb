"""Tests of scripts/nbtools: parameters, student versions, leak checks.

Run: .venv/bin/python -m unittest discover -s scripts -p 'test_*.py'
"""

import unittest

import nbformat

from nbtools import UsageError, kernel, params
from nbtools import student as students


def notebook(*cells):
    nb = nbformat.v4.new_notebook()
    for kind, source, *tags in cells:
        cell = (nbformat.v4.new_code_cell if kind == "code" else nbformat.v4.new_markdown_cell)(source)
        if tags:
            cell.metadata["tags"] = list(tags)
        nb.cells.append(cell)
    return nb


PARAMS = "let quick: bool = false;\nlet epochs: usize = 10;\nlet lr: f64 = 5e-4;\nlet name: &str = \"mnist\";\nlet ks: Vec<usize> = vec![5, 10];"


class Parameters(unittest.TestCase):
    def setUp(self):
        self.nb = notebook(("code", ":dep x"), ("code", PARAMS, "parameters"), ("code", "run()"))

    def test_declared_parameters_are_read_with_their_types(self):
        self.assertEqual(
            params.declared_parameters(PARAMS),
            {"quick": "bool", "epochs": "usize", "lr": "f64", "name": "&str", "ks": "Vec<usize>"},
        )

    def test_overrides_are_injected_after_the_parameters_cell(self):
        nb = params.inject_parameters(
            self.nb, [("quick", "true"), ("lr", "1"), ("name", 'fa"sh'), ("ks", "1,2,3")], "t.ipynb")
        self.assertEqual(len(nb.cells), 4)
        injected = nb.cells[2]
        self.assertIn("injected-parameters", injected.metadata["tags"])
        self.assertIn("let quick: bool = true;", injected.source)
        self.assertIn("let lr: f64 = 1.0;", injected.source)
        self.assertIn('let name: &str = "fa\\"sh";', injected.source)
        self.assertIn("let ks: Vec<usize> = vec![1, 2, 3];", injected.source)
        self.assertEqual(len(self.nb.cells), 3, "the input notebook must not change")

    def test_unknown_names_and_bad_values_are_errors(self):
        for override, message in [
            (("qiuck", "true"), "no parameter 'qiuck'"),
            (("quick", "yes"), "give true or false"),
            (("epochs", "-3"), "is not one"),
            (("lr", "fast"), "not a number"),
        ]:
            with self.assertRaises(UsageError) as ctx:
                params.inject_parameters(self.nb, [override], "t.ipynb")
            self.assertIn(message, str(ctx.exception))

    def test_a_notebook_without_parameters_cell_rejects_overrides(self):
        with self.assertRaises(UsageError):
            params.inject_parameters(notebook(("code", "x")), [("quick", "true")], "t.ipynb")


SOLUTION = notebook(
    ("code", "fn a_tilde(a: &M) -> M {\n    // BEGIN SOLUTION: add the self loops\n    a + M::identity(34, 34)\n    // END SOLUTION\n}"),
    ("code", "check_a_tilde(a_tilde)?;\n// BEGIN HIDDEN TESTS\nassert_eq!(secret_value(), 42);\n// END HIDDEN TESTS"),
    ("markdown", "**Q9.**\n<!-- BEGIN SOLUTION -->\nThe classes come from modularity clustering.\n<!-- END SOLUTION -->"),
)
SOLUTION.cells[0].outputs = [nbformat.v4.new_output("stream", text="hello")]
SOLUTION.cells[0].execution_count = 3


class StudentVersion(unittest.TestCase):
    def test_regions_become_todo_with_hint_and_indentation(self):
        student, removed = students.student_version(SOLUTION, "s")
        self.assertEqual(
            student.cells[0].source,
            "fn a_tilde(a: &M) -> M {\n    // TODO: add the self loops\n    todo!()\n}",
        )
        self.assertEqual(student.cells[0].outputs, [])
        self.assertIsNone(student.cells[0].execution_count)
        self.assertNotIn("secret_value", student.cells[1].source)
        self.assertIn(students.MD_PLACEHOLDER, student.cells[2].source)
        self.assertNotIn("modularity", student.cells[2].source)
        self.assertIn("    a + M::identity(34, 34)", removed)

    def test_leak_check_finds_a_copied_solution_line(self):
        student, removed = students.student_version(SOLUTION, "s")
        self.assertEqual(students.leaked_lines(student, removed, SOLUTION), [])
        student.cells[0].source += "\nlet b = a + M::identity(34, 34)"
        self.assertEqual(students.leaked_lines(student, removed, SOLUTION), [])  # different line
        student.cells[0].source += "\n  a + M::identity(34, 34)"
        self.assertEqual(students.leaked_lines(student, removed, SOLUTION), ["a + M::identity(34, 34)"])

    def test_unbalanced_markers_are_errors(self):
        for source in ["// BEGIN SOLUTION\nx", "x\n// END SOLUTION", "// BEGIN SOLUTION\n// BEGIN SOLUTION\n// END SOLUTION"]:
            with self.assertRaises(UsageError):
                students.student_version(notebook(("code", source)), "bad")


def executed(*cells):
    """A notebook as the kernel leaves it: (source, output) per code cell, the
    output "ok", "stdout", "stderr" (text only), "error" (a compile error,
    a panic or a `?` error) or None (the cell did not run)."""
    nb = notebook(*[("code", source) for source, _ in cells])
    for count, (cell, (_, output)) in enumerate(zip(nb.cells, cells), 1):
        if output is None:
            continue
        cell.execution_count = count
        if output in ("stdout", "stderr"):
            cell.outputs = [nbformat.v4.new_output("stream", name=output, text="text\n")]
        elif output == "error":
            cell.outputs = [nbformat.v4.new_output("error", ename="Error", evalue="cannot find value", traceback=[])]
    return nb


TODO_FN = "fn my_a_tilde(a: &M) -> M {\n    // TODO: A~ = A + I\n    todo!()\n}"


class StudentRun(unittest.TestCase):
    def test_only_todo_cells_and_their_checks_may_fail(self):
        nb = executed(
            ("use hw6::prelude::*;", "ok"),
            (TODO_FN, "ok"),
            ("check_a_tilde(&a, my_a_tilde)?", "error"),
            ("let a_tilde = match implementation_to_use(...) { ... };", "stderr"),
            ("let mut model = {\n    todo!()\n};", "error"),
            ("check_network(&task, &[16, 2], homework_network)?", "error"),
            ("draw(&history)?", "ok"),
        )
        self.assertEqual(students.check_student_run(nb, "s.ipynb"), ([], []))

    def test_a_failing_cell_downstream_of_a_todo_is_a_problem(self):
        for output in ("error", None):
            nb = executed(
                (TODO_FN, "ok"),
                ("check_a_tilde(&a, my_a_tilde)?", "error"),
                ("let a_tilde = my_a_tilde(&a);", output),
            )
            problems, _ = students.check_student_run(nb, "s.ipynb")
            self.assertEqual(len(problems), 1, output)
            self.assertIn("cell 3 (let a_tilde = my_a_tilde(&a);)", problems[0])

    def test_a_failure_before_the_first_todo_is_a_problem(self):
        nb = executed(("let club = load_karate(None)?;", "error"), (TODO_FN, "ok"), ("check(my_a_tilde)?", "error"))
        problems, _ = students.check_student_run(nb, "s.ipynb")
        self.assertEqual(len(problems), 1)
        self.assertIn("cell 1", problems[0])

    def test_a_todo_whose_check_shows_no_failure_is_noted(self):
        nb = executed((TODO_FN, "ok"), ("check_a_tilde(&a, my_a_tilde)?", "stderr"))
        problems, notes = students.check_student_run(nb, "s.ipynb")
        self.assertEqual(problems, [])
        self.assertEqual(len(notes), 1)
        self.assertIn("neither it nor its check showed a failure", notes[0])

    def test_consecutive_todos_share_the_check_after_them(self):
        nb = executed(
            ("impl NodeClassifier for MyGcnNetwork {\n    todo!()\n}", "ok"),
            ("fn homework_network() {\n    todo!()\n}", "ok"),
            ("check_network(&task, &[16, 2], homework_network)?", "error"),
            ("let model = ...;", "error"),
        )
        problems, notes = students.check_student_run(nb, "s.ipynb")
        self.assertEqual(notes, [])
        self.assertEqual(len(problems), 1)
        self.assertIn("cell 4", problems[0])


class LostDisplay(unittest.TestCase):
    def test_debug_text_of_a_chart_is_reported(self):
        nb = notebook(("code", "let xs = vec![1.0];\nchart(xs)"), ("code", "table()"))
        nb.cells[0].outputs = [nbformat.v4.new_output(
            "execute_result", data={"text/plain": 'Svg("<svg width=...")'}, execution_count=1)]
        nb.cells[1].outputs = [nbformat.v4.new_output(
            "execute_result", data={"text/html": "<table></table>"}, execution_count=2)]
        found = kernel.lost_displays(nb)
        self.assertEqual(len(found), 1)
        self.assertIn("cell 1", found[0])


class ArchitectureAnswer(unittest.TestCase):
    """The browser test and the latency benchmark write a student's answer
    into q_ae's section 1.3 architecture TODO: it must still be there."""

    def test_the_student_q_ae_notebook_has_the_todo_the_answer_replaces(self):
        from nbtools import NOTEBOOKS
        from nbtools.q_ae_answer import ARCHITECTURE_NEEDLE, ARCHITECTURE_TODO, with_architecture_written

        nb = nbformat.read(NOTEBOOKS / "student" / "q_ae.ipynb", as_version=4)
        [cell] = [c for c in nb.cells if ARCHITECTURE_NEEDLE in c.source]
        written = with_architecture_written(cell.source)
        self.assertNotIn("todo!()", written)
        self.assertIn("Activation::Identity", written)
        with self.assertRaises(ValueError):
            with_architecture_written(cell.source.replace(ARCHITECTURE_TODO, "    unimplemented!()"))


if __name__ == "__main__":
    unittest.main()
