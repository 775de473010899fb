"""HTML and PDF output of executed notebooks, and the combined solutions PDF."""

import shutil
import subprocess

from . import OUT, ROOT, UsageError

# Shown in every HTML page: charts scale to the page, cells avoid page breaks.
PRINT_CSS = """
<style>
  .jp-OutputArea-output img, .jp-RenderedSVG svg, .jp-RenderedImage img { max-width: 100%; height: auto; }
  .jp-Cell { break-inside: avoid; page-break-inside: avoid; }
  .jp-InputArea-editor pre, .jp-OutputArea-output pre { white-space: pre-wrap; overflow-wrap: anywhere; }
  .jp-RenderedHTMLCommon table { font-size: 12px; }
  @page { size: A4; margin: 14mm; }
</style>
"""



def write_html(nb, html_path):
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(template_name="lab")
    body, _ = exporter.from_notebook_node(nb)
    body = body.replace("</head>", PRINT_CSS + "</head>", 1)
    html_path.write_text(body, encoding="utf-8")


def chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    raise UsageError("no chromium found: install Debian's chromium (scripts/setup.sh does)")


def html_to_pdf(html_path, pdf_path):
    """Print an HTML file to PDF with headless Chromium."""
    profile = OUT / ".chromium-profile"
    profile.mkdir(parents=True, exist_ok=True)
    cmd = [
        chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--no-first-run", f"--user-data-dir={profile}", "--no-pdf-header-footer",
        "--run-all-compositor-stages-before-draw", "--virtual-time-budget=10000",
        f"--print-to-pdf={pdf_path}", html_path.resolve().as_uri(),
    ]
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    if result.returncode != 0 or not pdf_path.exists() or pdf_path.stat().st_size == 0:
        raise RuntimeError(f"chromium could not print {html_path}: {result.stderr.strip()[-500:]}")



TITLE_PAGE = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><style>
  body {{ font-family: sans-serif; margin: 0; }}
  .page {{ height: 250mm; display: flex; flex-direction: column; justify-content: center; padding: 0 20mm; }}
  h1 {{ font-size: 30px; margin: 0 0 6px 0; }} h2 {{ font-size: 20px; font-weight: normal; margin: 0 0 30px 0; }}
  td {{ padding: 3px 16px 3px 0; vertical-align: top; }}
  @page {{ size: A4; margin: 14mm; }}
</style></head><body><div class="page">
<h1>EECS 182 Deep Neural Networks</h1>
<h2>Homework 6: solution notebooks (Rust)</h2>
<table>
<tr><td>Generated</td><td>{date}</td></tr>
<tr><td>Project commit</td><td><code>{commit}</code></td></tr>
<tr><td>Mode</td><td>{mode}</td></tr>
<tr><td>Notebooks</td><td>{notebooks}</td></tr>
</table>
</div></body></html>
"""


def project_commit():
    try:
        commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short=12", "HEAD"],
                                capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True).stdout.strip()
        return commit + (" (with uncommitted changes)" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown (not a git checkout)"


