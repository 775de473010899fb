#!/usr/bin/env bash
# The main job: set up (once), then execute every notebook in full mode on the
# bundled data, writing executed notebooks, HTML and PDF into out/.
# Arguments are passed to the executor (e.g. --quick, --param NAME=VALUE).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$ROOT/scripts/setup.sh"
echo
echo "== executing notebooks"
"$ROOT/scripts/execute-notebooks.sh" --pdf "$@"
echo
echo "Done: see $ROOT/out/ (*.ipynb, *.html, *.pdf)."
