#!/usr/bin/env python3
"""Run hw6's Rust notebooks headless through the hw6 Jupyter kernel (crates/kernel).

    notebooks.py execute [--quick] [--param NAME=VALUE ...] [--html] [--pdf] [NOTEBOOK ...]
    notebooks.py pdf HTML [HTML ...]
    notebooks.py student [--check] [NOTEBOOK ...]
    notebooks.py solutions [--quick] [--param NAME=VALUE ...] [--render-only]
    notebooks.py student-run [--quick] [NOTEBOOK ...]

`execute` runs every cell of each notebook (all of notebooks/*.ipynb when none
is named) in a fresh `rust` kernel (the hw6 kernel) and writes the executed notebook, and on
request its HTML and PDF, into out/. Any cell error fails the run. Parameters
follow papermill's convention: the cell tagged `parameters` holds defaults as
`let name: type = value;` lines, and each `--param name=value` becomes a line
of a cell injected right after it. `--quick` is `--param quick=true`.

Every output is written to a temporary file and renamed into place. Before a
notebook runs, its outputs from an earlier run are removed; a PDF that fails
its checks is kept only as NAME.failed.pdf. A missing or failing tool (the
`rust` kernel, Chromium, poppler) is one `error: ...` line and exit status 2;
failed notebooks exit 1.
"""


import sys

from nbtools.cli import main

if __name__ == "__main__":
    sys.exit(main())
