#!/usr/bin/env bash
# Open the notebooks in Jupyter Lab with the Rust kernel (after scripts/setup.sh).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
[ -x "$ROOT/.venv/bin/jupyter" ] || { echo "error: no .venv: run scripts/setup.sh first" >&2; exit 2; }
exec "$ROOT/.venv/bin/jupyter" lab --notebook-dir="$ROOT/notebooks" "$@"
