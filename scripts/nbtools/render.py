"""HTML and PDF output of executed notebooks, the checks that a PDF kept its
charts and math, and the combined solutions PDF.

The HTML is made for printing and loads nothing from the network: markdown
math is converted to MathML here (latex2mathml; Chromium renders MathML
Core), nbconvert's MathJax, require.js and mermaid scripts (CDN links) are left
out, and charts stay SVG, which Chromium prints as vector graphics.
"""

import base64
import html as htmllib
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

from . import OUT, ROOT, UsageError


class RenderError(Exception):
    """An HTML or PDF that lost content (a chart, math); the message says which."""


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
    html_path.write_text(body, encoding="utf-8")
    return check_html(body, nb, html_path.name)


def render(nb, html_path, pdf_path=None, say=print):
    """HTML and, with pdf_path, PDF of an executed notebook, both checked.
    Returns the problems found (the files are written all the same)."""
    try:
        problems = write_html(nb, html_path)
    except RenderError as exc:  # math that cannot be converted
        return [f"{html_path.name}: {exc}"]
    say(f"          html -> {html_path}")
    if pdf_path is not None:
        try:
            summary = html_to_pdf(html_path, pdf_path)
            say(f"          pdf  -> {pdf_path}: {summary}")
        except RenderError as exc:
            problems += str(exc).splitlines()
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


def pdf_text(pdf_path):
    if not shutil.which("pdftotext"):
        raise UsageError("pdftotext not found: install Debian's poppler-utils (scripts/setup.sh does)")
    result = subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", str(pdf_path), "-"],
                            capture_output=True, text=True, check=True)
    return result.stdout


def raster_images(pdf_path):
    """Raster images in a PDF (pdfimages -list; soft masks not counted)."""
    listing = subprocess.run(["pdfimages", "-list", str(pdf_path)],
                             capture_output=True, text=True, check=True).stdout.splitlines()[2:]
    return sum(1 for line in listing if line.split()[2:3] == ["image"])


def check_pdf(html_path, pdf_path):
    """Fail unless the PDF shows every chart of its HTML, its math as
    typeset formulas, and not a page less than its text needs.

    A chart counts as shown when its title is in the PDF's text as often as
    in the HTML (charts and the rest together); a chart that is not drawn
    (broken SVG, printed before it loaded) takes its labels with it. Math
    counts as typeset when the PDF has no more `$` than the HTML's text
    outside formulas. Charts stay vector graphics: the PDF holds no more
    raster images than the HTML has. Returns a one-line summary."""
    page = parse_html(html_path.read_text(encoding="utf-8"))
    text = pdf_text(pdf_path)
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
    images = raster_images(pdf_path)
    if images > page.raster:
        problems.append(f"the PDF holds {images} raster image(s), the HTML {page.raster}: "
                        "a chart was rasterised instead of staying vector graphics")
    if text.count("$") > "".join(page.text).count("$"):
        problems.append("the PDF has `$` the HTML does not: math printed as raw TeX")
    if problems:
        raise RenderError(f"{pdf_path.name}: " + f"\n{pdf_path.name}: ".join(problems))
    pages = text.count("\f")
    return f"{pages} page(s), {len(page.charts)} chart(s) and {page.math} formula(s) checked"


def chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    raise UsageError("no chromium found: install Debian's chromium (scripts/setup.sh does)")


def html_to_pdf(html_path, pdf_path, check=True):
    """Print an HTML file to PDF with headless Chromium, then check the PDF
    (check_pdf; raises RenderError). Returns the check's summary."""
    profile = OUT / ".chromium-profile"
    profile.mkdir(parents=True, exist_ok=True)
    pdf_path.unlink(missing_ok=True)
    # Chromium prints an animated chart at whatever moment its (virtual)
    # clock has reached; print a copy whose charts stand still instead.
    printed = html_path.with_name(html_path.stem + ".print.html")
    printed.write_text(still_charts(html_path.read_text(encoding="utf-8")), encoding="utf-8")
    try:
        result = print_with_chromium(printed, pdf_path, profile)
    finally:
        printed.unlink(missing_ok=True)
    if result.returncode != 0 or not pdf_path.exists() or pdf_path.stat().st_size == 0:
        raise RuntimeError(f"chromium could not print {html_path}: {result.stderr.strip()[-500:]}")
    return check_pdf(html_path, pdf_path) if check else ""


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


def print_with_chromium(html_path, pdf_path, profile):
    cmd = [
        chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--no-first-run", f"--user-data-dir={profile}", "--no-pdf-header-footer",
        "--run-all-compositor-stages-before-draw", "--virtual-time-budget=10000",
        f"--print-to-pdf={pdf_path}", html_path.resolve().as_uri(),
    ]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=300)


TITLE_PAGE = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><style>
  body {{ font-family: sans-serif; margin: 0; }}
  .page {{ height: 250mm; display: flex; flex-direction: column; justify-content: center; padding: 0 8mm; }}
  h1 {{ font-size: 30px; margin: 0 0 6px 0; }} h2 {{ font-size: 20px; font-weight: normal; margin: 0 0 30px 0; }}
  h3 {{ font-size: 16px; margin: 34px 0 8px 0; }}
  td, th {{ padding: 3px 16px 3px 0; vertical-align: top; text-align: left; }} .n {{ text-align: right; }}
  table.toc {{ width: 100%; border-collapse: collapse; }} .toc td:first-child, .toc .n {{ white-space: nowrap; }}
  th {{ font-weight: normal; color: #666; border-bottom: 1px solid #aaa; }}
  @page {{ size: A4; margin: 14mm; }}
</style></head><body><div class="page">
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


def page_count(pdf):
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))


def notebook_title(html_path):
    """The first heading of a notebook's HTML, or "" """
    try:
        found = re.search(r"<h1[^>]*>(.*?)</h1>", html_path.read_text(encoding="utf-8"), re.S)
    except OSError:
        return ""
    return htmllib.unescape(re.sub(r"<[^>]+>", "", found.group(1))).strip() if found else ""


def combine_pdfs(pdfs, combined, mode):
    """A title page (course, homework, date, commit, contents) and the PDFs
    that exist, in one file; a missing one is listed as not printed."""
    import datetime as dt

    for tool in ("pdfunite", "pdfinfo"):
        if not shutil.which(tool):
            raise UsageError(f"{tool} not found: install Debian's poppler-utils (scripts/setup.sh does)")
    rows, first, present = [], 2, []
    for pdf in pdfs:
        name = htmllib.escape(pdf.with_suffix(".ipynb").name)
        title = htmllib.escape(notebook_title(pdf.with_suffix(".html")))
        if pdf.exists():
            pages = page_count(pdf)
            rows.append(f'<tr><td>{name}</td><td>{title}</td><td class="n">{first}</td>'
                        f'<td class="n">{pages}</td></tr>')
            first += pages
            present.append(pdf)
        else:
            rows.append(f'<tr><td>{name}</td><td>{title}</td><td class="n" colspan="2">failed, not included</td></tr>')
    title_html = combined.parent / "title.html"
    title_html.write_text(TITLE_PAGE.format(
        date=dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"), commit=htmllib.escape(project_commit()),
        mode=mode, contents="\n".join(rows)), encoding="utf-8")
    title_pdf = combined.parent / "title.pdf"
    html_to_pdf(title_html, title_pdf, check=False)
    combined.unlink(missing_ok=True)
    subprocess.run(["pdfunite", str(title_pdf), *map(str, present), str(combined)], check=True)
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
