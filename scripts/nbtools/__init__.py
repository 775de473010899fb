"""Tools for hw6's Rust notebooks: parameters, student versions, headless
execution through the hw6 kernel (crates/kernel), and HTML/PDF rendering.

Modules, in the order a notebook goes through them:

- `params`: the `parameters` cell and `--param NAME=VALUE` overrides;
- `student`: student versions made from solution notebooks, leak checks,
  and checks of an executed student notebook;
- `kernel`: running a notebook headless and explaining its failures;
- `render`: HTML and PDF output, the combined solutions PDF;
- `cli`: the `scripts/notebooks.py` command line.
"""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
NOTEBOOKS = ROOT / "notebooks"
OUT = ROOT / "out"
# The kernelspec scripts/setup.sh installs into the venv: the hw6 kernel.
KERNEL = "rust"


class UsageError(Exception):
    """Bad command-line input: reported in one line, before anything runs."""


class ToolError(Exception):
    """A tool the notebooks need (the kernel, Chromium, poppler) is missing or
    failed; the message, one line, says what failed and what to do."""
