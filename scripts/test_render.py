"""Tests of scripts/nbtools/render.py: math as MathML, HTML that loads
nothing from the network, and the checks that a PDF kept its charts and math.

Run: .venv/bin/python -m unittest discover -s scripts -p 'test_*.py'
The PDF tests need Debian's chromium and poppler-utils (scripts/setup.sh
installs them) and are skipped without them.
"""

import shutil
import tempfile
import unittest
from pathlib import Path

import nbformat

from nbtools import render

CHART = ('<svg xmlns="http://www.w3.org/2000/svg" width="300" height="120" viewBox="0 0 300 120">'
         '<rect width="300" height="120" fill="#fff"/><polyline points="10,110 150,20 290,60" '
         'fill="none" stroke="#1f77b4" stroke-width="2"/>'
         '<text x="150" y="14" text-anchor="middle" font-size="12">Loss against epochs</text>'
         '<text x="150" y="118" text-anchor="middle" font-size="9">epoch</text></svg>')
TABLE = "<table><tr><th>k</th><th>accuracy</th></tr><tr><td>5</td><td>0.9</td></tr></table>"


def notebook(outputs=(), markdown="The loss is $L = \\frac1n \\lVert X - W X \\rVert_F^2$, with\n\n"
             "$$\\nabla_W L = 0 .$$"):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# A notebook\n\n" + markdown),
                nbformat.v4.new_code_cell("show()")]
    nb.cells[1].outputs = [nbformat.v4.new_output("execute_result", data=d, execution_count=1)
                           for d in outputs]
    nb.cells[1].execution_count = 1
    return nb


class Math(unittest.TestCase):
    def test_formulas_become_mathml(self):
        self.assertIn("<mfrac>", render.tex_to_mathml("\\frac1n", display=False))
        self.assertIn('display="block"', render.tex_to_mathml("x^2", display=True))

    def test_an_unknown_command_is_an_error(self):
        with self.assertRaises(render.RenderError) as ctx:
            render.tex_to_mathml("\\nosuchcommand x", display=False)
        self.assertIn("\\nosuchcommand", str(ctx.exception))

    def test_punctuation_stays_with_its_formula(self):
        html = render.keep_punctuation('in <math display="inline"><mi>x</mi></math>. Then')
        self.assertIn('<span class="math-nowrap"><math display="inline"><mi>x</mi></math>.</span>', html)


class Html(unittest.TestCase):
    def setUp(self):
        self.dir = Path(tempfile.mkdtemp())
        self.addCleanup(shutil.rmtree, self.dir)

    def test_math_charts_and_no_network(self):
        path = self.dir / "nb.html"
        problems = render.write_html(notebook([{"image/svg+xml": CHART}]), path)
        self.assertEqual(problems, [])
        body = path.read_text(encoding="utf-8")
        self.assertEqual(body.count("<math"), 2)
        self.assertNotIn("\\frac", body)
        self.assertNotIn("cdnjs", body)
        page = render.parse_html(body)
        self.assertEqual(page.charts, [["Loss against epochs", "epoch"]])
        self.assertEqual(page.remote, [])

    def test_a_chart_hidden_behind_a_table_is_reported(self):
        problems = render.write_html(notebook([{"text/html": TABLE, "image/svg+xml": CHART}]),
                                     self.dir / "nb.html")
        self.assertEqual(len(problems), 1)
        self.assertIn("only the table shows", problems[0])

    def test_short_markdown_keeps_with_the_next_cell(self):
        nb = notebook(markdown="Short.")
        nb.cells.insert(0, nbformat.v4.new_markdown_cell("A long paragraph. " * 40))
        nb.cells.insert(0, nbformat.v4.new_markdown_cell("A long paragraph. " * 40 + "\n\n## A heading"))
        tagged = render.keep_with_next(nb)
        tags = [c.metadata.get("tags", []) for c in tagged.cells]
        self.assertEqual(tags, [["hw6-keep-with-next"], [], ["hw6-keep-with-next"], []])
        self.assertEqual([c.metadata.get("tags") for c in nb.cells], [None] * 4, "the input must not change")

    def test_raw_tex_is_reported(self):
        body = ('<div class="jp-RenderedMarkdown"><p>the loss \\frac{1}{n}</p></div>')
        problems = render.check_html(body, notebook(markdown=""), "nb.html")
        self.assertTrue(any("raw TeX" in p for p in problems), problems)


class StillCharts(unittest.TestCase):
    def test_animations_are_removed_from_embedded_svgs_only(self):
        import base64

        def uri(svg):
            return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()

        moving = ('<svg><circle cx="9" cy="1"><animate attributeName="cx" values="1;9;1" dur="2s"/>'
                  '<animate attributeName="cy" values="0;1;0" dur="2s"></animate></circle>'
                  '<text opacity="1">last<set attributeName="opacity" to="0"/></text></svg>')
        still = '<svg><circle cx="9" cy="1"></circle><text opacity="1">last</text></svg>'
        plain = '<svg><text>Loss against epochs</text></svg>'
        page = f'<img src="{uri(moving)}"><p>animate</p><img src="{uri(plain)}">'
        self.assertEqual(render.still_charts(page), f'<img src="{uri(still)}"><p>animate</p><img src="{uri(plain)}">')


@unittest.skipUnless(shutil.which("pdftotext") and (shutil.which("chromium") or shutil.which("google-chrome")),
                     "needs chromium and poppler-utils")
class Pdf(unittest.TestCase):
    def setUp(self):
        self.dir = Path(tempfile.mkdtemp())
        self.addCleanup(shutil.rmtree, self.dir)

    def test_a_printed_chart_passes_and_a_lost_one_fails(self):
        with_chart, without = self.dir / "a.html", self.dir / "b.html"
        self.assertEqual(render.write_html(notebook([{"image/svg+xml": CHART}]), with_chart), [])
        render.write_html(notebook([{"text/plain": "no chart"}]), without)
        summary = render.html_to_pdf(with_chart, self.dir / "a.pdf")
        self.assertIn("1 chart(s) and 2 formula(s) checked", summary)
        render.html_to_pdf(without, self.dir / "b.pdf")
        with self.assertRaises(render.RenderError) as ctx:
            render.check_pdf(with_chart, self.dir / "b.pdf")
        self.assertIn("'Lossagainstepochs') is missing", str(ctx.exception))

    def test_a_rasterised_chart_fails(self):
        vector, raster = self.dir / "a.html", self.dir / "b.html"
        render.write_html(notebook([{"image/svg+xml": CHART}]), vector)
        render.write_html(notebook([{"image/svg+xml": CHART}, {"image/png": png_base64()}]), raster)
        render.html_to_pdf(raster, self.dir / "b.pdf")
        with self.assertRaises(render.RenderError) as ctx:
            render.check_pdf(vector, self.dir / "b.pdf")
        self.assertIn("rasterised", str(ctx.exception))


class Skips(unittest.TestCase):
    def test_only_the_pdf_tests_are_skipped_without_chromium(self):
        import os
        import subprocess
        import sys

        empty = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, empty)
        result = subprocess.run([sys.executable, "-m", "unittest", "test_render.Pdf", "test_render.StillCharts"],
                                cwd=Path(__file__).resolve().parent, capture_output=True, text=True,
                                env={**os.environ, "PATH": empty})
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("Ran 3 tests", result.stderr)
        self.assertIn("OK (skipped=2)", result.stderr)


def png_base64(size=8):
    """A small grey PNG, base64 as in a notebook output."""
    import base64
    import struct
    import zlib

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    rows = b"".join(b"\x00" + bytes([128]) * size for _ in range(size))
    png = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", size, size, 8, 0, 0, 0, 0))
           + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))
    return base64.b64encode(png).decode()


if __name__ == "__main__":
    unittest.main()
