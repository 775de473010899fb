"""Tests of what scripts/notebooks.py leaves behind when something fails:
outputs renamed into place whole, no stale or failed PDF that looks current,
a combined PDF that names the notebooks that failed (and none after an
interrupted run), and one-line errors when the kernel, Chromium or a poppler
tool is missing or fails.

Run: .venv/bin/python -m unittest discover -s scripts -p 'test_*.py'
None of them needs the Rust kernel (the executor is replaced, or the kernel
is one that cannot start); those that print real PDFs need Debian's chromium
and poppler-utils and are skipped without them.
"""

import contextlib
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest
from pathlib import Path
from unittest import mock

import nbformat

from nbtools import cli, render

SCRIPTS = Path(__file__).resolve().parent
HAVE_PDF_TOOLS = bool(shutil.which("pdftotext") and shutil.which("pdfunite")
                      and (shutil.which("chromium") or shutil.which("google-chrome")))
CHART = ('<svg xmlns="http://www.w3.org/2000/svg" width="300" height="120">'
         '<text x="150" y="14" font-size="12">Loss against epochs</text></svg>')


def write_notebook(path, title="A notebook"):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell(f"# {title}\n\nSome text."), nbformat.v4.new_code_cell("run()")]
    nbformat.write(nb, path)
    return path


def executed(path, outputs=({"text/plain": "done"},)):
    """The notebook at `path` as if the kernel had run it."""
    nb = nbformat.read(path, as_version=4)
    nb.cells[1].execution_count = 1
    nb.cells[1].outputs = [nbformat.v4.new_output("execute_result", data=dict(d), execution_count=1)
                           for d in outputs]
    return nb


def run_cli(*argv):
    """cli.main in this process: (exit status, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            status = cli.main([str(a) for a in argv])
        except SystemExit as exc:
            status = exc.code
    return status, out.getvalue(), err.getvalue()


def run_driver(setup, argv, env=None, timeout=120):
    """scripts/notebooks.py in a subprocess, after `setup` (Python code run
    with nbtools' cli, kernel and render modules imported)."""
    code = (f"import sys\nsys.path.insert(0, {str(SCRIPTS)!r})\nfrom nbtools import cli, kernel, render\n"
            f"{setup}\nsys.exit(cli.main({[str(a) for a in argv]!r}))\n")
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, **(env or {})})


def minimal_pdf(text="Hello"):
    """A one-page PDF showing `text`."""
    stream = f"BT /F1 24 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
               b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
               b"/Resources << /Font << /F1 5 0 R >> >> >>",
               b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    pdf, offsets = b"%PDF-1.4\n", []
    for number, body in enumerate(objects, 1):
        offsets.append(len(pdf))
        pdf += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(pdf)
    pdf += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    pdf += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    pdf += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return pdf


class Case(unittest.TestCase):
    def setUp(self):
        self.dir = Path(tempfile.mkdtemp())
        self.addCleanup(shutil.rmtree, self.dir, ignore_errors=True)
        self.out = self.dir / "out"
        self.out.mkdir()
        self.bin = self.dir / "bin"
        self.bin.mkdir()

    def tool(self, name, script):
        """A fake command in self.bin."""
        path = self.bin / name
        path.write_text("#!/bin/sh\n" + script + "\n")
        path.chmod(0o755)
        return path

    def link_tools(self, *names):
        for name in names:
            (self.bin / name).symlink_to(shutil.which(name))

    def fake_chromium(self):
        """A chromium that 'prints' a fixed one-page PDF."""
        fixture = self.dir / "fixture.pdf"
        fixture.write_bytes(minimal_pdf())
        self.tool("chromium", 'for a in "$@"; do case "$a" in --print-to-pdf=*) '
                  f'/bin/cp {fixture} "${{a#--print-to-pdf=}}";; esac; done')

    def assertOneLineError(self, status, stderr, *words):
        self.assertNotEqual(status, 0)
        self.assertNotIn("Traceback", stderr)
        lines = stderr.strip().splitlines()
        self.assertEqual(len(lines), 1, stderr)
        self.assertRegex(lines[0], r"^error: [^;]+; .+", "error: <what failed>; <what to do>")
        for word in words:
            self.assertIn(word, lines[0])


class StaleOutputs(Case):
    def test_a_failing_notebook_leaves_no_older_html_or_pdf(self):
        nb = write_notebook(self.dir / "a.ipynb")
        for name in ("a.html", "a.pdf", "a.failed.pdf"):
            (self.out / name).write_text("from the previous run")

        def failing(path, overrides, timeout):
            return executed(path), 0.1, None, "cell 2 failed"
        with mock.patch.object(cli, "execute", failing), mock.patch.object(cli, "check_tools", create=True):
            status, _, _ = run_cli("execute", "--pdf", nb, "--out", self.out)
        self.assertEqual(status, 1)
        self.assertEqual(sorted(p.name for p in self.out.iterdir()), ["a.ipynb"])

    def test_outputs_are_renamed_into_place(self):
        renamed = []
        real_replace = os.replace

        def replace(src, dst):
            renamed.append((Path(src), Path(dst)))
            return real_replace(src, dst)
        nb = write_notebook(self.dir / "a.ipynb")
        with mock.patch("os.replace", replace):
            render.write_html(executed(nb), self.out / "b.html")
            with mock.patch.object(cli, "execute", lambda p, o, t: (executed(p), 0.1, None, None)):
                self.assertEqual(run_cli("execute", nb, "--out", self.out)[0], 0)
        self.assertEqual([dst for _, dst in renamed], [self.out / "b.html", self.out / "a.ipynb"])
        for src, dst in renamed:
            self.assertEqual(src.parent, dst.parent)
            self.assertNotEqual(src, dst)
        self.assertEqual(sorted(p.name for p in self.out.iterdir()), ["a.ipynb", "b.html"], "no temporary left")
        umask = os.umask(0o022)
        os.umask(umask)
        for name in ("a.ipynb", "b.html"):
            self.assertEqual((self.out / name).stat().st_mode & 0o777, 0o666 & ~umask, f"{name}'s permissions")

    def test_a_pdf_half_written_by_a_failing_chromium_is_not_left(self):
        self.tool("chromium", 'for a in "$@"; do case "$a" in --print-to-pdf=*) '
                  'echo "%PDF-1.4 half" > "${a#--print-to-pdf=}";; esac; done; exit 1')
        self.link_tools(*render.POPPLER)
        html = self.out / "a.html"
        html.write_text("<html><body><p>text</p></body></html>")
        (self.out / "a.pdf").write_text("from the previous run")
        with mock.patch.dict(os.environ, {"PATH": str(self.bin)}):
            with self.assertRaises(Exception):
                render.html_to_pdf(html, self.out / "a.pdf")
        self.assertEqual(sorted(p.name for p in self.out.iterdir()), ["a.html"])


@unittest.skipUnless(HAVE_PDF_TOOLS, "needs chromium and poppler-utils")
class FailedPdfs(Case):
    def test_a_pdf_whose_html_lost_a_chart_is_not_kept(self):
        nb = executed(write_notebook(self.dir / "a.ipynb"), [{"text/html": "<table></table>", "image/svg+xml": CHART}])
        (self.out / "a.pdf").write_text("from the previous run")
        problems = render.render(nb, self.out / "a.html", self.out / "a.pdf", say=lambda line: None)
        self.assertTrue(problems)
        self.assertFalse((self.out / "a.pdf").exists())
        self.assertTrue((self.out / "a.failed.pdf").exists())

    def test_the_title_page_names_the_notebooks_that_failed(self):
        pdfs = []
        for name in ("a", "b", "c"):
            html = self.out / f"{name}.html"
            html.write_text(f"<html><body><h1>Notebook {name}</h1><p>text</p></body></html>")
            if name != "c":  # c has no PDF at all
                render.html_to_pdf(html, self.out / f"{name}.pdf")
            pdfs.append(self.out / f"{name}.pdf")
        combined = render.combine_pdfs(pdfs, self.out / "all.pdf", mode="quick",
                                       failed={"b.ipynb": "PDF check failed"})
        self.assertEqual(render.page_count(combined), 2, "the title page and a.pdf only")
        title = subprocess.run(["pdftotext", "-l", "1", str(combined), "-"], capture_output=True,
                               text=True, check=True).stdout
        self.assertIn("INCOMPLETE: 2 of 3 notebook(s) FAILED", title)
        self.assertIn("FAILED (PDF check failed)", title)
        self.assertIn("FAILED (no PDF)", title)
        self.assertIn("Notebook b", title, "the title of a notebook that failed, from its HTML")
        self.assertEqual([p.name for p in self.out.iterdir() if p.name.startswith(".")], [".chromium-profile"]
                         if (self.out / ".chromium-profile").exists() else [], "no temporary left")

    def test_render_only_does_not_print_a_notebook_whose_run_failed(self):
        for name in "ab":
            nb = executed(write_notebook(self.dir / f"{name}.ipynb", f"Notebook {name}"))
            if name == "b":
                nb.cells[1].outputs = [nbformat.v4.new_output("error", ename="E", evalue="cell failed", traceback=[])]
            nbformat.write(nb, self.out / f"{name}.ipynb")
        (self.out / "b.pdf").write_text("from the previous run")
        status, _, err = run_cli("solutions", "--render-only", "--out", self.out,
                                 self.dir / "a.ipynb", self.dir / "b.ipynb")
        self.assertEqual(status, 1, err)
        self.assertTrue((self.out / "a.pdf").exists())
        self.assertFalse((self.out / "b.pdf").exists())
        title = subprocess.run(["pdftotext", "-l", "1", str(self.out / "hw6-solutions.pdf"), "-"],
                               capture_output=True, text=True, check=True).stdout
        self.assertIn("FAILED (execution failed)", title)
        self.assertIn("Notebook b", title, "the title of a notebook whose run failed, from the notebook")

    def test_an_interrupted_solutions_run_leaves_no_combined_pdf(self):
        notebooks = [write_notebook(self.dir / f"{name}.ipynb", f"Notebook {name}") for name in "abcd"]
        (self.out / "hw6-solutions.pdf").write_bytes(minimal_pdf("previous run"))
        for name in ("c.ipynb", "c.html", "c.pdf"):
            (self.out / name).write_text("from the previous run")
        started = self.dir / "started"
        started.mkdir()
        setup = f"""
import pathlib, time, nbformat
def execute(path, overrides, timeout):
    (pathlib.Path({str(started)!r}) / path.name).touch()
    if path.name == "c.ipynb":
        time.sleep(600)
    nb = nbformat.read(path, as_version=4)
    nb.cells[1].outputs = [nbformat.v4.new_output("stream", text="done")]
    return nb, 0.1, None, None
cli.execute = execute
"""
        code = (f"import sys\nsys.path.insert(0, {str(SCRIPTS)!r})\nfrom nbtools import cli\n{setup}\n"
                f"sys.exit(cli.main({['solutions', '--out', str(self.out), *map(str, notebooks)]!r}))\n")
        proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            deadline = time.monotonic() + 240
            while not (started / "c.ipynb").exists() and proc.poll() is None and time.monotonic() < deadline:
                time.sleep(0.2)
            self.assertTrue((started / "c.ipynb").exists(), proc.stderr.read().decode() if proc.poll() else "")
        finally:
            proc.kill()
            proc.communicate()
        self.assertTrue((self.out / "a.pdf").exists() and (self.out / "b.pdf").exists())
        left = sorted(p.name for p in self.out.iterdir() if not p.name.startswith("."))
        self.assertEqual(left, ["a.html", "a.ipynb", "a.pdf", "b.html", "b.ipynb", "b.pdf"])


class ToolErrors(Case):
    """A missing or failing tool: one line saying what failed and what to do."""

    def html(self):
        html = self.out / "a.html"
        html.write_text("<html><body><p>text</p></body></html>")
        return html

    def pdf_command(self, setup=""):
        result = run_driver(setup, ["pdf", self.html()], env={"PATH": str(self.bin)})
        return result.returncode, result.stderr

    def test_no_chromium(self):
        self.link_tools(*render.POPPLER)
        self.assertOneLineError(*self.pdf_command(), "chromium", "setup.sh")

    def test_chromium_fails(self):
        self.link_tools(*render.POPPLER)
        self.tool("chromium", "echo '[0101/ERROR:gpu] something broke' >&2; exit 1")
        self.assertOneLineError(*self.pdf_command(), "chromium could not print a.html (exit status 1")
        self.assertFalse((self.out / "a.pdf").exists())

    def test_chromium_hangs(self):
        self.link_tools(*render.POPPLER)
        self.tool("chromium", "exec /bin/sleep 60")
        t0 = time.monotonic()
        self.assertOneLineError(*self.pdf_command("render.CHROMIUM_TIMEOUT = 1"), "within 1 s")
        self.assertLess(time.monotonic() - t0, 30)

    def test_no_poppler(self):
        self.fake_chromium()
        self.assertOneLineError(*self.pdf_command(), "not found", "poppler-utils")

    def test_a_poppler_tool_fails(self):
        self.fake_chromium()
        self.link_tools("pdfimages", "pdfinfo", "pdfunite")
        self.tool("pdftotext", "echo 'Syntax Error: broken' >&2; exit 3")
        self.assertOneLineError(*self.pdf_command(), "pdftotext failed on a.pdf (exit status 3")
        self.assertFalse((self.out / "a.pdf").exists())

    def test_pdfunite_fails(self):
        self.fake_chromium()
        self.link_tools("pdftotext", "pdfimages", "pdfinfo")
        self.tool("pdfunite", "exit 1")
        with mock.patch.dict(os.environ, {"PATH": str(self.bin)}):
            with self.assertRaises(cli.ToolError) as ctx:
                render.combine_pdfs([], self.out / "all.pdf", mode="quick")
        self.assertIn("pdfunite failed", str(ctx.exception))
        self.assertEqual(list(self.out.glob("*all*")), [])


class KernelErrors(Case):
    """A kernel that is not installed or does not start: one line, no
    traceback (not even one at exit), and nothing written for the notebook."""

    def execute(self, kernel, spec=None, setup=""):
        env = {}
        if spec is not None:
            folder = self.dir / "jupyter" / "kernels" / kernel
            folder.mkdir(parents=True)
            (folder / "kernel.json").write_text(json.dumps(
                {"argv": spec + ["{connection_file}"], "display_name": "test", "language": "rust"}))
            env["JUPYTER_PATH"] = str(self.dir / "jupyter")
        nb = write_notebook(self.dir / "a.ipynb")
        result = run_driver(f"kernel.KERNEL = {kernel!r}\n{setup}", ["execute", nb, "--out", self.out], env=env)
        self.assertFalse((self.out / "a.ipynb").exists())
        return result.returncode, result.stderr

    def test_no_kernel_of_that_name(self):
        self.assertOneLineError(*self.execute("hw6-no-such-kernel"), "no Jupyter kernel named 'hw6-no-such-kernel'",
                                "scripts/setup.sh")

    def test_a_kernel_that_exits_at_once(self):
        self.assertOneLineError(*self.execute("hw6-dead", ["/bin/false"]), "kernel did not start")

    def test_a_kernel_whose_program_is_missing(self):
        self.assertOneLineError(*self.execute("hw6-missing", [str(self.dir / "no-evcxr")]), "kernel did not start")

    def test_a_kernel_that_never_answers(self):
        self.assertOneLineError(*self.execute("hw6-mute", ["/bin/sh", "-c", "exec /bin/sleep 60"],
                                                             "kernel.STARTUP_TIMEOUT = 2"),
                                "kernel did not start")


if __name__ == "__main__":
    unittest.main()
