"""Tests of scripts/nbtools/answers.py: declared answer facts never reach the
student release.

Run: .venv/bin/python -m unittest discover -s scripts -p 'test_*.py'
(or `pytest scripts/test_answers.py`).
"""

import unittest

import nbformat

from nbtools import NOTEBOOKS, UsageError, answers
from nbtools import student as students

ANSWER = "**(d)** Best sequence?\n\n<!-- BEGIN SOLUTION -->\nNo: it scores $-1.46$, with $k = M^{T-1}$ it is found.\n<!-- END SOLUTION -->"


def notebook(*cells):
    """A notebook of (kind, source[, answer facts]) cells."""
    nb = nbformat.v4.new_notebook()
    for kind, source, *facts in cells:
        cell = (nbformat.v4.new_code_cell if kind == "code" else nbformat.v4.new_markdown_cell)(source)
        if facts:
            cell.metadata["hw6"] = {"answer_facts": facts[0]}
        nb.cells.append(cell)
    return nb


def release(solution):
    student, _ = students.student_version(solution, "solution.ipynb")
    return answers.release_problems([("solution.ipynb", solution)], [("student.ipynb", student)])


class AnswerFacts(unittest.TestCase):
    def test_a_clean_release_passes_and_drops_the_declarations(self):
        solution = notebook(("markdown", "Part (d)."), ("markdown", ANSWER, ["-1.46", "M^{T-1}"]))
        count, problems = release(solution)
        self.assertEqual((count, problems), (2, []))
        student, _ = students.student_version(solution, "solution.ipynb")
        self.assertNotIn("hw6", student.cells[1].metadata)
        self.assertIn("answer_facts", solution.cells[1].metadata["hw6"])  # the solution keeps them

    def test_a_fact_stated_in_a_hint_fails(self):
        solution = notebook(("markdown", "Hint: the answer is $-1.46$."), ("markdown", ANSWER, ["-1.46"]))
        count, problems = release(solution)
        self.assertEqual(len(problems), 1)
        self.assertIn("'-1.46'", problems[0])
        self.assertIn("cell 1 (markdown)", problems[0])

    def test_a_fact_in_code_ignores_whitespace(self):
        solution = notebook(("code", 'let label = "k = M^{T - 1}";'), ("markdown", ANSWER, ["M^{T-1}"]))
        _, problems = release(solution)
        self.assertEqual(len(problems), 1)
        self.assertIn("cell 1 (code)", problems[0])

    def test_a_fact_in_an_output_fails(self):
        solution = notebook(("markdown", ANSWER, ["-1.85"]))
        student, _ = students.student_version(solution, "s")
        student.cells.append(nbformat.v4.new_code_cell("run()", outputs=[
            nbformat.v4.new_output("stream", name="stdout", text="beam returns -1.85\n")]))
        _, problems = answers.release_problems([("s", solution)], [("student", student)])
        self.assertEqual(len(problems), 1)
        self.assertIn("output", problems[0])

    def test_a_fact_of_one_notebook_is_looked_for_in_every_other(self):
        declaring = notebook(("markdown", ANSWER, ["-1.46"]))
        other = notebook(("markdown", "As in the beam notebook, -1.46."))
        released, _ = students.student_version(declaring, "a")
        _, problems = answers.release_problems([("a", declaring)], [("a", released), ("b", other)])
        self.assertEqual([p.split(":")[0] for p in problems], ["b"])

    def test_a_malformed_declaration_is_an_error(self):
        with self.assertRaises(UsageError):
            answers.declared_facts(notebook(("markdown", ANSWER, "-1.46")))
        with self.assertRaises(UsageError):
            answers.declared_facts(notebook(("markdown", ANSWER, ["  "])))


class ProjectNotebooks(unittest.TestCase):
    """The committed release: every question notebook declares facts, and
    none of them is in notebooks/student/."""

    def test_the_committed_student_notebooks_hold_no_declared_fact(self):
        names = ["q_ae.ipynb", "q_attention.ipynb", "q_beam_search.ipynb", "q_zkc.ipynb"]
        solutions = [(n, nbformat.read(NOTEBOOKS / n, as_version=4)) for n in names]
        for name, nb in solutions:
            self.assertTrue(answers.declared_facts(nb, name), f"{name} declares no answer facts")
        released = [(n, nbformat.read(students.STUDENT_DIR / n, as_version=4)) for n in names]
        _, problems = answers.release_problems(solutions, released)
        self.assertEqual(problems, [])


if __name__ == "__main__":
    unittest.main()
