#!/usr/bin/env bash
# The main job: set up (once), then execute every notebook in full mode on the
# bundled data, writing executed notebooks, HTML and PDF into out/, and one
# combined solutions PDF with a title page (out/hw6-solutions.pdf).
# Each PDF is checked against its HTML (every chart drawn as vector graphics,
# math typeset); a notebook that fails or a PDF that lost a chart fails the
# job, after the combined PDF has been written from the PDFs that passed, its
# title page marking the others FAILED. A failed notebook leaves no HTML or
# PDF that looks current, and an interrupted run no combined PDF.
# Arguments are passed to the executor (e.g. --quick, --param NAME=VALUE).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
"$ROOT/scripts/setup.sh"
echo
echo "== executing notebooks"
"$ROOT/.venv/bin/python" "$ROOT/scripts/notebooks.py" solutions "$@"
echo
echo "Done: see $ROOT/out/ (*.ipynb, *.html, *.pdf) and $ROOT/out/hw6-solutions.pdf."
