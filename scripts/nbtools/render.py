"""HTML and PDF output of executed notebooks, the checks that a PDF kept its
charts and math, and the combined solutions PDF.

The HTML is made for printing and loads nothing from the network: markdown
math is converted to MathML here (latex2mathml; Chromium renders MathML
Core), nbconvert's MathJax, require.js and mermaid scripts (CDN links) are left
out, and charts stay SVG, which Chromium prints as vector graphics.
"""

import base64
import contextlib
import html as htmllib
import os
import re
import shutil
import signal
import subprocess
import tempfile
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

from . import OUT, ROOT, ToolError


class RenderError(Exception):
    """An HTML or PDF that lost content (a chart, math); the message says which."""


UMASK = os.umask(0o022)
os.umask(UMASK)


@contextlib.contextmanager
def scratch(path):
    """A hidden temporary file next to `path`, removed when the block ends;
    its permissions those of a new file (mkstemp's are owner-only)."""
    path = Path(path)
    fd, name = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=f".tmp{path.suffix}", dir=path.parent)
    os.close(fd)
    os.chmod(name, 0o666 & ~UMASK)
    try:
        yield Path(name)
    finally:
        Path(name).unlink(missing_ok=True)


@contextlib.contextmanager
def replacing(path):
    """A temporary file next to `path`, renamed to `path` when the block ends
    normally (and removed when it raises): a reader never finds half a file."""
    with scratch(path) as tmp:
        yield tmp
        os.replace(tmp, path)


def write_atomically(path, text):
    with replacing(path) as tmp:
        tmp.write_text(text, encoding="utf-8")


def failed_pdf(pdf_path):
    """Where a PDF that failed its checks is kept for a look: NAME.failed.pdf."""
    return pdf_path.with_name(pdf_path.stem + ".failed.pdf")


POPPLER = ("pdftotext", "pdfimages", "pdfinfo", "pdfunite")


def check_tools():
    """ToolError unless Chromium and poppler's tools are installed."""
    chromium()
    for tool in POPPLER:
        if not shutil.which(tool):
            raise ToolError(f"{tool} not found; install Debian's poppler-utils (scripts/setup.sh does)")


def run_tool(cmd, about, timeout=120):
    """Run a poppler tool on a file; its output, or a ToolError in one line."""
    if not shutil.which(cmd[0]):
        raise ToolError(f"{cmd[0]} not found; install Debian's poppler-utils (scripts/setup.sh does)")
    try:
        result = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise ToolError(f"{cmd[0]} did not finish within {timeout} s on {about}; "
                        "see whether the file is damaged, and run again") from None
    if result.returncode != 0:
        raise ToolError(f"{cmd[0]} failed on {about} (exit status {result.returncode}"
                        f"{': ' + last_line(result.stderr) if last_line(result.stderr) else ''}); "
                        "see whether the file is damaged, reinstall poppler-utils if it is not, and run again")
    return result.stdout


def last_line(text):
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    return lines[-1][:200] if lines else ""


# Print layout. Chromium prints CSS pixels at 96 per inch: A4 with 12 mm
# margins leaves about 700 px of width, so the prompt column goes and code is
# set at 11 px (about 100 characters a line; longer lines wrap).
PRINT_CSS = """
<style>
  @page { size: A4; margin: 12mm 12mm 14mm 12mm; }
  :root { --jp-code-font-size: 11px; --jp-content-font-size1: 13px; --jp-cell-padding: 2px; }
  body.jp-Notebook, main { padding: 0 !important; margin: 0 !important; }
  .jp-InputPrompt, .jp-OutputPrompt { display: none !important; }
  .jp-Cell { padding: 0 !important; margin: 0 0 7px 0; }
  /* A code cell (source and outputs) is never split when it fits on a page;
     a markdown cell may break between paragraphs; a short one, or one that
     ends with a heading, stays with what follows (tagged in write_html). */
  .jp-CodeCell { break-inside: avoid; page-break-inside: avoid; }
  .jp-MarkdownCell:has(.celltag_hw6-keep-with-next) { break-after: avoid; page-break-after: avoid; }
  .jp-MarkdownCell p, .jp-MarkdownCell li, .jp-MarkdownCell table, math[display="block"],
  .jp-OutputArea-output, .jp-InputArea, tr, img, svg { break-inside: avoid; page-break-inside: avoid; }
  h1, h2, h3, h4 { break-after: avoid; page-break-after: avoid; }
  .jp-RenderedSVG img, .jp-RenderedSVG svg, .jp-RenderedImage img, .jp-RenderedHTMLCommon img {
    max-width: 100%; max-height: 125mm; height: auto; width: auto; }
  .jp-InputArea-editor pre, .jp-OutputArea-output pre, .jp-RenderedText pre { white-space: pre-wrap; overflow-wrap: anywhere; }
  .jp-OutputArea-output pre { font-size: 10.5px; line-height: 1.3; }
  .jp-OutputArea { margin-top: 2px; }
  .jp-RenderedHTMLCommon table { font-size: 11px; max-width: 100%; }
  .jp-RenderedHTMLCommon table { table-layout: auto !important; }
  .jp-RenderedHTMLCommon td, .jp-RenderedHTMLCommon th { overflow-wrap: break-word; }
  .jp-RenderedHTMLCommon { padding-right: 0 !important; }
  math { font-family: "TeX Gyre DejaVu Math", "DejaVu Math TeX Gyre", math; font-size: 1.05em; }
  math[display="block"] { margin: 0.6em 0; }
  .math-nowrap { white-space: nowrap; }
</style>
"""

# The lab template without its network scripts; the print CSS comes last.
TEMPLATE = """{%- extends 'index.html.j2' -%}
{%- block html_head_js_requirejs -%}{%- endblock html_head_js_requirejs -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{%- block html_head_css -%}""" + PRINT_CSS + """
<style>@page { @bottom-right { content: "{{ resources.hw6_footer }}, page " counter(page) " of " counter(pages);
  font: 9px sans-serif; color: #888; } }</style>
{%- endblock html_head_css -%}
"""

# A TeX command that latex2mathml did not know shows up as text in MathML.
UNKNOWN_TEX = re.compile(r">\s*\\[A-Za-z]+")


def tex_to_mathml(tex, display):
    """One formula as MathML; an unsupported TeX command is an error."""
    from latex2mathml.converter import convert

    try:
        mathml = convert(tex.strip(), display="block" if display else "inline")
    except Exception as exc:  # latex2mathml raises its own exception types
        raise RenderError(f"cannot convert the formula ${tex}$ to MathML: {exc}") from exc
    unknown = UNKNOWN_TEX.search(mathml)
    if unknown:
        raise RenderError(f"the formula ${tex}$ uses {unknown.group(0)[1:].strip()}, which latex2mathml "
                          "does not know: write it with supported commands")
    # \operatorname{sim} comes out as an operator with wide spaces around it.
    return re.sub(r"<mo>([A-Za-z]{2,})</mo>", r"<mi>\1</mi>", mathml)


# Inline math and the punctuation right after (or the bracket right before)
# it: one unbreakable piece, so no line starts with "." or ",".
MATH_WITH_PUNCTUATION = re.compile(
    r'(\(?)(<math [^>]*display="inline"[^>]*>.*?</math>)([.,;:!?)\]]*)', re.S)


def keep_punctuation(html):
    return MATH_WITH_PUNCTUATION.sub(
        lambda m: f'<span class="math-nowrap">{m.group(0)}</span>' if m.group(1) or m.group(3) else m.group(0),
        html)


def html_exporter():
    """nbconvert's lab HTML exporter, with MathML for math and no network scripts."""
    from jinja2 import DictLoader, pass_context
    from nbconvert import HTMLExporter
    from nbconvert.filters.markdown_mistune import IPythonRenderer, MarkdownWithMath

    class MathMLRenderer(IPythonRenderer):
        def block_math(self, body):
            return tex_to_mathml(body, display=True)

        def inline_math(self, body):
            return tex_to_mathml(body, display=False)

        def latex_environment(self, name, body):
            return tex_to_mathml(f"\\begin{{{name}}}{body}\\end{{{name}}}", display=True)

    class PrintExporter(HTMLExporter):
        @pass_context
        def markdown2html(self, context, source):
            cell = context.get("cell", {})
            renderer = MathMLRenderer(
                escape=False,
                attachments=cell.get("attachments", {}),
                embed_images=self.embed_images,
                path=context.get("resources", {}).get("metadata", {}).get("path", ""),
                anchor_link_text=self.anchor_link_text,
                exclude_anchor_links=True,
                **self.lexer_options,
            )
            return keep_punctuation(MarkdownWithMath(renderer=renderer).render(source))

    return PrintExporter(template_name="lab", template_file="hw6-print.html.j2",
                         extra_loaders=[DictLoader({"hw6-print.html.j2": TEMPLATE})])


def lost_charts(nb):
    """Charts in a notebook's outputs that the HTML will not show.

    evcxr puts everything a cell displays into one output, one entry per MIME
    type; when a cell shows an HTML table and a chart, Jupyter (and nbconvert)
    show only the table."""
    found = []
    for index, cell in enumerate(nb.cells, 1):
        if cell.cell_type != "code":
            continue
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            if "image/svg+xml" in data and "text/html" in data and "<svg" not in data["text/html"]:
                first = cell.source.strip().splitlines()[0] if cell.source.strip() else ""
                found.append(f"cell {index} ({first[:60]}) displays an HTML table and a chart, but evcxr keeps "
                             "one display per MIME type and cell, so only the table shows (and of several "
                             "charts only the last would): show each chart or table from its own cell")
    return found


def svg_outputs(nb):
    """The SVG outputs the HTML will show, in order."""
    shown = []
    for cell in nb.cells:
        for out in cell.get("outputs", []) if cell.cell_type == "code" else []:
            data = out.get("data", {})
            if "image/svg+xml" in data and "text/html" not in data:
                shown.append(data["image/svg+xml"])
    return shown


# A markdown cell this short (a heading and a sentence or two) introduces the
# cell after it and is printed on the same page.
SHORT_MARKDOWN = 500


def keep_with_next(nb):
    """A copy of the notebook whose short markdown cells, and those ending
    with a heading, carry the tag hw6-keep-with-next (see PRINT_CSS)."""
    import copy

    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        lines = [line for line in cell.source.strip().splitlines() if line.strip()]
        if cell.cell_type == "markdown" and lines and (
                len(cell.source) < SHORT_MARKDOWN or lines[-1].lstrip().startswith("#")):
            cell.metadata["tags"] = [*cell.metadata.get("tags", []), "hw6-keep-with-next"]
    return nb


def write_html(nb, html_path):
    """Write the print HTML of an executed notebook; returns its problems
    (check_html), empty when it shows every chart and formula."""
    nb = keep_with_next(nb)
    footer = re.sub(r'["\\<>]', "", html_path.with_suffix(".ipynb").name)
    body, _ = html_exporter().from_notebook_node(
        nb, resources={"metadata": {"name": html_path.stem}, "hw6_footer": footer})
    write_atomically(html_path, body)
    return check_html(body, nb, html_path.name)


def render(nb, html_path, pdf_path=None, say=print):
    """HTML and, with pdf_path, PDF of an executed notebook, both checked.
    Returns the problems found. The HTML is written unless it cannot be made
    (then an older one is removed); the PDF stays at pdf_path only when there
    is no problem, else it is kept as NAME.failed.pdf."""
    if pdf_path is not None:
        pdf_path.unlink(missing_ok=True)
        failed_pdf(pdf_path).unlink(missing_ok=True)
    try:
        problems = write_html(nb, html_path)
    except RenderError as exc:  # math that cannot be converted
        html_path.unlink(missing_ok=True)
        return [f"{html_path.name}: {exc}"]
    say(f"          html -> {html_path}")
    if pdf_path is not None:
        try:
            summary = html_to_pdf(html_path, pdf_path)
        except RenderError as exc:
            problems += str(exc).splitlines()
        else:
            if problems:
                os.replace(pdf_path, failed_pdf(pdf_path))
                problems.append(f"{pdf_path.name}: not kept, as its HTML has the problems above "
                                f"(printed to {failed_pdf(pdf_path).name} for a look)")
            else:
                say(f"          pdf  -> {pdf_path}: {summary}")
    return problems


# --- What the HTML holds, and what its PDF must show -------------------------

class _Parser(HTMLParser):
    """Visible text of the page outside charts, the charts' texts, the
    markdown text outside code, the number of MathML formulas and any
    network resource."""

    SKIP = {"script", "style", "title", "head"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.text, self.markdown, self.charts, self.remote = [], [], [], []
        self.math = self.raster = 0
        self.stack = []  # (tag, is_markdown, is_code)
        self.svg_depth = 0
        self.inline_svg = []

    def _flags(self):
        return (any(m for _, m, _ in self.stack), any(c for _, _, c in self.stack),
                any(t in self.SKIP for t, _, _ in self.stack))

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name in ("src", "href"):
            value = attrs.get(name) or ""
            if re.match(r"(https?:)?//", value) and tag in ("script", "link", "img", "iframe"):
                self.remote.append(value)
        if tag == "math":
            self.math += 1
        if tag == "svg":
            if self.svg_depth == 0:
                self.inline_svg = []
            self.svg_depth += 1
        if tag == "img" and (attrs.get("src") or "").startswith("data:image/svg+xml;base64,"):
            svg = base64.b64decode(attrs["src"].split(",", 1)[1]).decode("utf-8", "replace")
            self.charts.append(svg_texts(svg))
        elif tag == "img":
            self.raster += 1
        if tag in ("img", "br", "hr", "meta", "link", "input", "col", "area", "base", "wbr"):
            return
        classes = attrs.get("class") or ""
        self.stack.append((tag, "jp-RenderedMarkdown" in classes, tag in ("code", "pre")))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in ("img", "br", "hr", "meta", "link", "input", "col", "area", "base", "wbr"):
            self.handle_endtag(tag)

    def handle_endtag(self, tag):
        if tag == "svg" and self.svg_depth:
            self.svg_depth -= 1
            if self.svg_depth == 0:
                self.charts.append([t for t in self.inline_svg if t])
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                break

    def handle_data(self, data):
        in_markdown, in_code, skipped = self._flags()
        if skipped:
            return
        if self.svg_depth:
            if any(t == "text" for t, _, _ in self.stack):
                self.inline_svg.append(data.strip())
            return
        self.text.append(data)
        if in_markdown and not in_code:
            self.markdown.append(data)


def svg_texts(svg):
    """The text elements of an SVG document, stripped, empty ones left out."""
    try:
        root = ET.fromstring(svg)
    except ET.ParseError as exc:
        raise RenderError(f"a chart is not valid SVG: {exc}") from exc
    return [t for t in ("".join(e.itertext()).strip() for e in root.iter() if e.tag.split("}")[-1] == "text") if t]


def squash(text):
    return re.sub(r"\s+", "", text)


# Raw TeX left in rendered markdown: $...$ spans or a TeX command.
RAW_TEX = re.compile(r"\$[^$\s][^$]*\$|\\(?:frac|sqrt|sum|operatorname|math[a-z]+|left|right|begin|end|[a-zA-Z]+\{)")


def parse_html(body):
    parser = _Parser()
    parser.feed(body)
    parser.close()
    return parser


def check_html(body, nb, name):
    """Problems of an HTML page: a chart the notebook shows that the HTML
    does not, raw TeX instead of MathML, a resource loaded from the network."""
    page = parse_html(body)
    problems = [f"{name}: {p}" for p in lost_charts(nb)]
    expected = len(svg_outputs(nb))
    if len(page.charts) < expected:
        problems.append(f"{name}: the notebook shows {expected} chart(s), the HTML {len(page.charts)}")
    raw = RAW_TEX.search(htmllib.unescape(" ".join(page.markdown)))
    if raw:
        problems.append(f"{name}: raw TeX in a markdown cell: {raw.group(0)[:60]!r}")
    if page.remote:
        problems.append(f"{name}: the HTML loads {page.remote[0]} from the network")
    return problems


# A chart is found in the PDF's text by its longest label (title); labels
# shorter than this could come from anywhere.
MIN_LABEL = 8


def chart_labels(page):
    """For each chart its longest text (whitespace removed), or None."""
    labels = []
    for texts in page.charts:
        keys = sorted((squash(t) for t in texts if len(squash(t)) >= MIN_LABEL
                       and re.search(r"[A-Za-z]", t)), key=len, reverse=True)
        labels.append(keys[0] if keys else None)
    return labels


def pdf_text(pdf_path, name=None):
    return run_tool(["pdftotext", "-raw", "-enc", "UTF-8", str(pdf_path), "-"], name or pdf_path.name)


def raster_images(pdf_path, name=None):
    """Raster images in a PDF (pdfimages -list; soft masks not counted)."""
    listing = run_tool(["pdfimages", "-list", str(pdf_path)], name or pdf_path.name).splitlines()[2:]
    return sum(1 for line in listing if line.split()[2:3] == ["image"])


def check_pdf(html_path, pdf_path, name=None):
    """Fail unless the PDF shows every chart of its HTML, its math as
    typeset formulas, and not a page less than its text needs.

    A chart counts as shown when its title is in the PDF's text as often as
    in the HTML (charts and the rest together); a chart that is not drawn
    (broken SVG, printed before it loaded) takes its labels with it. Math
    counts as typeset when the PDF has no more `$` than the HTML's text
    outside formulas. Charts stay vector graphics: the PDF holds no more
    raster images than the HTML has. Returns a one-line summary; `name` is
    the PDF's name in messages (default: its file name)."""
    name = name or pdf_path.name
    page = parse_html(html_path.read_text(encoding="utf-8"))
    text = pdf_text(pdf_path, name)
    flat_pdf, flat_html = squash(text), squash("".join(page.text))
    chart_flat = ["\n".join(squash(t) for t in texts) for texts in page.charts]
    problems = []
    for number, label in enumerate(chart_labels(page), 1):
        if label is None:
            continue
        need = flat_html.count(label) + sum(c.count(label) for c in chart_flat)
        have = flat_pdf.count(label)
        if have < need:
            problems.append(f"chart {number} of {len(page.charts)} ({label[:50]!r}) is missing: "
                            f"its title is {have} time(s) in the PDF's text, {need} in the HTML")
    images = raster_images(pdf_path, name)
    if images > page.raster:
        problems.append(f"the PDF holds {images} raster image(s), the HTML {page.raster}: "
                        "a chart was rasterised instead of staying vector graphics")
    if text.count("$") > "".join(page.text).count("$"):
        problems.append("the PDF has `$` the HTML does not: math printed as raw TeX")
    if problems:
        raise RenderError(f"{name}: " + f"\n{name}: ".join(problems))
    pages = text.count("\f")
    return f"{pages} page(s), {len(page.charts)} chart(s) and {page.math} formula(s) checked"


def chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    raise ToolError("no chromium found; install Debian's chromium (scripts/setup.sh does)")


def html_to_pdf(html_path, pdf_path, check=True):
    """Print an HTML file to PDF with headless Chromium, then check the PDF
    (check_pdf). Returns the check's summary. An older PDF at pdf_path is
    removed first; a PDF that fails its check is kept as NAME.failed.pdf and
    RenderError raised; Chromium failing is a ToolError."""
    profile = OUT / ".chromium-profile"
    profile.mkdir(parents=True, exist_ok=True)
    pdf_path.unlink(missing_ok=True)
    failed_pdf(pdf_path).unlink(missing_ok=True)
    with replacing(pdf_path) as tmp:
        # Chromium prints an animated chart at whatever moment its (virtual)
        # clock has reached; print a copy whose charts stand still instead.
        with scratch(html_path.with_name(html_path.stem + ".print.html")) as printed:
            printed.write_text(still_charts(html_path.read_text(encoding="utf-8")), encoding="utf-8")
            print_with_chromium(printed, tmp, profile, html_path)
        if not check:
            return ""
        try:
            return check_pdf(html_path, tmp, name=pdf_path.name)
        except RenderError as exc:
            os.replace(tmp, failed_pdf(pdf_path))
            raise RenderError(f"{exc}\n{pdf_path.name}: not kept (printed to {failed_pdf(pdf_path).name} "
                              "for a look)") from None


SVG_DATA_URI = re.compile(r"data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)")
SMIL_ELEMENT = re.compile(rb"<(animate|animateTransform|animateMotion|set)\b[^>]*?(/>|>.*?</\1>)", re.S)


def still_charts(html):
    """The page with the SMIL animation elements removed from its SVG charts
    (nbconvert embeds them as base64 data URIs), so each shows its
    attributes' own values: for hw6's network animations, the last frame."""
    def still(match):
        svg = base64.b64decode(match.group(1))
        if b"<animate" not in svg and b"<set" not in svg:
            return match.group(0)
        svg = SMIL_ELEMENT.sub(b"", svg)
        return "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")
    return SVG_DATA_URI.sub(still, html)


# Seconds Chromium has to print one page.
CHROMIUM_TIMEOUT = 300


def print_with_chromium(html_path, pdf_path, profile, source=None):
    """Print html_path to pdf_path; ToolError in one line if Chromium fails,
    hangs or writes nothing. `source` is the HTML named in messages."""
    source = source or html_path
    cmd = [
        chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--no-first-run", f"--user-data-dir={profile}", "--no-pdf-header-footer",
        "--run-all-compositor-stages-before-draw", "--virtual-time-budget=10000",
        f"--print-to-pdf={pdf_path}", html_path.resolve().as_uri(),
    ]
    fix = ("run `chromium --headless --no-sandbox --print-to-pdf=/tmp/t.pdf about:blank` to see why, "
           "or reinstall it with scripts/setup.sh")
    try:
        # A session of its own, so that a timeout ends Chromium's helper processes too.
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                                start_new_session=True)
    except OSError as exc:
        raise ToolError(f"chromium could not be started ({exc.strerror}); {fix}") from None
    try:
        _, stderr = proc.communicate(timeout=CHROMIUM_TIMEOUT)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        raise ToolError(f"chromium did not print {source.name} within {CHROMIUM_TIMEOUT} s; {fix}") from None
    if proc.returncode != 0 or not pdf_path.exists() or pdf_path.stat().st_size == 0:
        why = f"exit status {proc.returncode}" if proc.returncode else "it wrote no PDF"
        detail = last_line(stderr)
        raise ToolError(f"chromium could not print {source.name} ({why}{': ' + detail if detail else ''}); {fix}")


TITLE_PAGE = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><style>
  body {{ font-family: sans-serif; margin: 0; }}
  .page {{ height: 250mm; display: flex; flex-direction: column; justify-content: center; padding: 0 8mm; }}
  h1 {{ font-size: 30px; margin: 0 0 6px 0; }} h2 {{ font-size: 20px; font-weight: normal; margin: 0 0 30px 0; }}
  h3 {{ font-size: 16px; margin: 34px 0 8px 0; }}
  td, th {{ padding: 3px 16px 3px 0; vertical-align: top; text-align: left; }} .n {{ text-align: right; }}
  table.toc {{ width: 100%; border-collapse: collapse; }} .toc td:first-child, .toc .n {{ white-space: nowrap; }}
  th {{ font-weight: normal; color: #666; border-bottom: 1px solid #aaa; }}
  .failed td {{ color: #b00; font-weight: bold; }}
  .banner {{ border: 3px solid #b00; color: #b00; font-size: 18px; font-weight: bold; padding: 10px 14px;
             margin: 0 0 24px 0; }}
  @page {{ size: A4; margin: 14mm; }}
</style></head><body><div class="page">
{banner}
<h1>EECS 182 Deep Neural Networks</h1>
<h2>Homework 6: solution notebooks (Rust)</h2>
<table>
<tr><td>Generated</td><td>{date}</td></tr>
<tr><td>Project commit</td><td><code>{commit}</code></td></tr>
<tr><td>Mode</td><td>{mode}</td></tr>
</table>
<h3>Contents</h3>
<table class="toc">
<tr><th>notebook</th><th></th><th class="n">page</th><th class="n">pages</th></tr>
{contents}
</table>
</div></body></html>
"""


def page_count(pdf, name=None):
    info = run_tool(["pdfinfo", str(pdf)], name or pdf.name)
    found = re.search(r"^Pages:\s+(\d+)", info, re.M)
    if not found:
        raise ToolError(f"pdfinfo gave no page count for {name or pdf.name}; "
                        "see whether the file is damaged, and run again")
    return int(found.group(1))


def notebook_title(html_path):
    """The first heading of a notebook's HTML, else of the executed notebook
    beside it (a notebook that failed has no HTML), or "" """
    try:
        found = re.search(r"<h1[^>]*>(.*?)</h1>", html_path.read_text(encoding="utf-8"), re.S)
        return htmllib.unescape(re.sub(r"<[^>]+>", "", found.group(1))).strip() if found else ""
    except OSError:
        pass
    try:
        import nbformat

        nb = nbformat.read(html_path.with_suffix(".ipynb"), as_version=4)
    except Exception:  # no notebook, or not one: the row goes without a title
        return ""
    for cell in nb.cells:
        found = re.search(r"^#\s+(.+)$", cell.source, re.M) if cell.cell_type == "markdown" else None
        if found:
            return found.group(1).strip()
    return ""


def combine_pdfs(pdfs, combined, mode, failed=()):
    """A title page (course, homework, date, commit, contents) and the PDFs,
    in one file written atomically. A notebook in `failed` ({name: why}) or
    without its PDF is left out, with a FAILED row in the contents and a
    banner above the title saying the file is incomplete."""
    import datetime as dt

    for tool in ("pdfunite", "pdfinfo"):
        if not shutil.which(tool):
            raise ToolError(f"{tool} not found; install Debian's poppler-utils (scripts/setup.sh does)")
    failed = dict(failed)
    rows, first, present, missing = [], 2, [], []
    for pdf in pdfs:
        notebook = pdf.with_suffix(".ipynb").name
        name = htmllib.escape(notebook)
        title = htmllib.escape(notebook_title(pdf.with_suffix(".html")))
        if notebook not in failed and pdf.exists():
            pages = page_count(pdf)
            rows.append(f'<tr><td>{name}</td><td>{title}</td><td class="n">{first}</td>'
                        f'<td class="n">{pages}</td></tr>')
            first += pages
            present.append(pdf)
        else:
            why = htmllib.escape(failed.get(notebook) or "no PDF")
            rows.append(f'<tr class="failed"><td>{name}</td><td>{title}</td>'
                        f'<td class="n" colspan="2">FAILED ({why}), not included</td></tr>')
            missing.append(name)
    banner = ""
    if missing:
        banner = (f'<div class="banner">INCOMPLETE: {len(missing)} of {len(pdfs)} notebook(s) FAILED '
                  f'and are not included: {", ".join(missing)}</div>')
    page = TITLE_PAGE.format(
        date=dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"), commit=htmllib.escape(project_commit()),
        mode=mode, contents="\n".join(rows), banner=banner)
    with tempfile.TemporaryDirectory(prefix=".title-", dir=combined.parent) as scratch_dir:
        title_html, title_pdf = Path(scratch_dir) / "title.html", Path(scratch_dir) / "title.pdf"
        title_html.write_text(page, encoding="utf-8")
        html_to_pdf(title_html, title_pdf, check=False)
        with replacing(combined) as tmp:
            run_tool(["pdfunite", str(title_pdf), *map(str, present), str(tmp)], combined.name)
    return combined


def project_commit():
    try:
        commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short=12", "HEAD"],
                                capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True).stdout.strip()
        return commit + (" (with uncommitted changes)" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown (not a git checkout)"
