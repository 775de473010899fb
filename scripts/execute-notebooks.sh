#!/usr/bin/env bash
# Execute notebooks headless through the evcxr kernel into out/.
#   scripts/execute-notebooks.sh [--quick] [--param NAME=VALUE] [--html] [--pdf] [NOTEBOOK ...]
# (all of notebooks/*.ipynb when none is named). Needs scripts/setup.sh first.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
[ -x "$ROOT/.venv/bin/python" ] || { echo "error: no .venv: run scripts/setup.sh first" >&2; exit 2; }
exec "$ROOT/.venv/bin/python" "$ROOT/scripts/notebooks.py" execute "$@"
