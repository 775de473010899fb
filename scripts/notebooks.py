#!/usr/bin/env python3
"""Run hw6's Rust notebooks headless through the evcxr Jupyter kernel.

    notebooks.py execute [--quick] [--param NAME=VALUE ...] [--html] [--pdf] [NOTEBOOK ...]
    notebooks.py pdf HTML [HTML ...]
    notebooks.py prewarm
    notebooks.py student [--check] [NOTEBOOK ...]
    notebooks.py solutions [--quick] [--param NAME=VALUE ...]

`execute` runs every cell of each notebook (all of notebooks/*.ipynb when none
is named) in a fresh `rust` kernel and writes the executed notebook, and on
request its HTML and PDF, into out/. Any cell error fails the run. Parameters
follow papermill's convention: the cell tagged `parameters` holds defaults as
`let name: type = value;` lines, and each `--param name=value` becomes a line
of a cell injected right after it. `--quick` is `--param quick=true`.
"""


import sys

from nbtools.cli import main

if __name__ == "__main__":
    sys.exit(main())
