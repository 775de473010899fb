#!/usr/bin/env bash
# The test command (CI runs exactly this): formatting, lints, unit and
# integration tests, every notebook in quick mode through the evcxr kernel,
# and one notebook rendered to PDF whose text is checked. Prints each phase's
# duration. Installs what it needs on a fresh machine (scripts/setup.sh).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

START=$(date +%s)
PHASES=()
FAILED=()
# Runs one phase, timing it; a failing phase is recorded and the next phases
# still run, so one run shows every problem. The exit status is non-zero if
# any phase failed.
phase() {
  local name="$1"; shift
  local t0; t0=$(date +%s)
  printf '\n===== %s\n' "$name"
  local status=ok
  "$@" || { status=FAILED; FAILED+=("$name"); }
  local dt=$(( $(date +%s) - t0 ))
  PHASES+=("$(printf '%-34s %5d s  %s' "$name" "$dt" "$status")")
  printf '===== %s: %d s, %s\n' "$name" "$dt" "$status"
}

check_pdf() {
  # `notebooks.py pdf` has already checked the PDF against its HTML (every
  # chart's title in the PDF's text, no raw TeX); here: the text, and the
  # charts printed as vector graphics (no raster image in the PDF).
  local pdf="out/00_check_setup.pdf"
  [ -s "$pdf" ] || { echo "error: $pdf was not written" >&2; return 1; }
  local text; text=$(pdftotext "$pdf" -)
  for needle in "Set-up check" "candle-core" "karate" "Digits per class"; do
    grep -q "$needle" <<<"$text" || { echo "error: '$needle' not found in $pdf" >&2; return 1; }
  done
  local images; images=$(pdfimages -list "$pdf" | tail -n +3 | wc -l)
  [ "$images" -eq 0 ] || { echo "error: $pdf holds $images raster image(s): charts must stay SVG" >&2; return 1; }
  echo "$pdf: $(pdfinfo "$pdf" | awk '/^Pages/ {print $2}') page(s), text checked, charts are vector graphics"
}

# The notebook platform (apt, venv, evcxr kernel, cache pre-warm) builds in the
# background while the Rust checks run: builds have long stretches where one
# core idles, and a cold machine spends most of its time here.
mkdir -p out
scripts/setup.sh > out/setup.log 2>&1 &
SETUP_PID=$!
wait_for_setup() {
  local status=0
  wait "$SETUP_PID" || status=$?
  cat out/setup.log
  return "$status"
}

phase "cargo fmt --check" cargo fmt --all -- --check
phase "cargo clippy" cargo clippy --workspace --all-targets --quiet -- -D warnings
phase "cargo test" cargo test --workspace --quiet
phase "set-up (waiting for it to finish)" wait_for_setup
phase "notebook tools (Python tests)" .venv/bin/python -m unittest discover -s scripts -p 'test_*.py'
phase "student notebooks up to date" .venv/bin/python scripts/notebooks.py student --check
phase "notebooks (quick mode)" scripts/execute-notebooks.sh --quick --html
phase "PDF of one notebook" bash -c "$(declare -f check_pdf); .venv/bin/python scripts/notebooks.py pdf out/00_check_setup.html && check_pdf"

printf '\n===== timings\n'
printf '%s\n' "${PHASES[@]}"
printf '%-34s %5d s\n' "total" "$(( $(date +%s) - START ))"
if [ ${#FAILED[@]} -gt 0 ]; then
  printf 'FAILED: %s\n' "${FAILED[@]}" >&2
  exit 1
fi
