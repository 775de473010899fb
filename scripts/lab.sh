#!/usr/bin/env bash
# Open the notebooks in Jupyter Lab with the Rust kernel (after scripts/setup.sh).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
[ -x "$ROOT/.venv/bin/jupyter" ] || { echo "error: no .venv: run scripts/setup.sh first" >&2; exit 2; }
# Warm spare kernels (crates/kernel/src/spare): the first notebook opened
# starts in seconds instead of building the prelude first.
(cd "$ROOT/notebooks" && "$ROOT/.venv/bin/hw6-kernel" spare) || echo "note: no warm spare kernels; the first notebook takes longer to start" >&2
exec "$ROOT/.venv/bin/jupyter" lab --notebook-dir="$ROOT/notebooks" "$@"
