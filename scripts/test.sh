#!/usr/bin/env bash
# The test command (CI runs exactly this): formatting, lints, unit and
# integration tests (all of them, not stopping at the first failing crate),
# every notebook in quick mode through the hw6 kernel with its PDF checked
# (a lost chart or raw TeX fails) and the combined solutions PDF, the student
# release (written, checked for leaks), a graded test class per notebook (whose
# untouched and solution submissions are the release's notebooks run as
# handed out and filled in),
# and the student q_ae notebook in Jupyter Lab in Chromium (scripts/browser-test.py).
# Prints each phase's duration. Installs what it needs on a fresh machine
# (scripts/setup.sh).
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

check_pdfs() {
  # `notebooks.py solutions` has checked every PDF against its HTML (each
  # chart's title in the PDF's text, no raw TeX, charts not rasterised) and
  # exits 1 if a notebook or a PDF failed; here: the set-up notebook's text,
  # its charts as vector graphics, and a complete combined PDF.
  local pdf="out/00_check_setup.pdf" all="out/hw6-solutions.pdf"
  [ -s "$pdf" ] || { echo "error: $pdf was not written" >&2; return 1; }
  local text; text=$(pdftotext "$pdf" -)
  for needle in "Set-up check" "candle-core" "karate" "Digits per class"; do
    grep -q "$needle" <<<"$text" || { echo "error: '$needle' not found in $pdf" >&2; return 1; }
  done
  local images; images=$(pdfimages -list "$pdf" | tail -n +3 | wc -l)
  [ "$images" -eq 0 ] || { echo "error: $pdf holds $images raster image(s): charts must stay SVG" >&2; return 1; }
  echo "$pdf: $(pdfinfo "$pdf" | awk '/^Pages/ {print $2}') page(s), text checked, charts are vector graphics"
  [ -s "$all" ] || { echo "error: $all was not written" >&2; return 1; }
  local title; title=$(pdftotext -l 1 "$all" -)
  if grep -q "INCOMPLETE" <<<"$title"; then
    echo "error: $all is incomplete: see its title page" >&2; return 1
  fi
  echo "$all: $(pdfinfo "$all" | awk '/^Pages/ {print $2}') page(s), complete"
}

notebooks_and_pdfs() {
  local status=0
  .venv/bin/python scripts/notebooks.py solutions --quick || status=$?
  check_pdfs || status=1
  return "$status"
}

# The student release (scripts/notebooks.py release): written from the
# tracked files with the crates' solution regions replaced by todo!(), the
# checks' expected values recorded by the full crates (`hw6 fixtures`), and
# checked: no solution line and no declared answer fact anywhere in it.
student_release() {
  rm -rf out/release
  .venv/bin/python scripts/notebooks.py release out/release
}

# The release's notebooks without graded cells (the set-up notebook), as
# handed out (every cell runs). The graded notebooks run as handed out and
# filled in inside the grading phase: there the untouched and solution
# submissions are exactly those runs, and their executed notebooks get the
# same checks (scripts/grade-class/run.py).
release_runs() {
  .venv/bin/python scripts/notebooks.py release-run out/release --ungraded --quick
}

# The solution notebooks (with their PDFs) and the release's set-up notebook
# run side by side: a kernel spends most of a cell compiling on one core.
# They share nothing: out/ and out/release-run/, and each kernel its own
# build folder (the kernel claims a free one; a new one starts as a copy of a
# built one).
notebooks_side_by_side() {
  local status=0 log
  log=$(mktemp)
  release_runs > "$log" 2>&1 &
  local release_pid=$!
  notebooks_and_pdfs || status=1
  wait "$release_pid" || { echo "error: the student release's notebooks failed (below)" >&2; status=1; }
  printf '\n----- the student release'"'"'s set-up notebook (quick mode, as handed out)\n'
  cat "$log"
  rm -f "$log"
  return "$status"
}

# The kernel's own tests, in release mode: they reuse the dependencies
# scripts/setup.sh built for the kernel (crates/kernel is its own workspace).
kernel_checks() {
  cargo fmt --manifest-path crates/kernel/Cargo.toml --all -- --check \
    && cargo test --release --locked --quiet --manifest-path crates/kernel/Cargo.toml --workspace
}

# The notebook platform (apt, venv, the hw6 kernel, its pre-warm) builds in the
# background while the Rust checks run: builds have long stretches where one
# core idles, and a cold machine spends most of its time here.
# No warm spare kernels (HW6_KERNEL_SPARES=0): they would build beside the
# tests and leave before the browser test, whose Lab starts its own.
mkdir -p out
HW6_KERNEL_SPARES=0 scripts/setup.sh > out/setup.log 2>&1 &
SETUP_PID=$!
wait_for_setup() {
  local status=0
  wait "$SETUP_PID" || status=$?
  cat out/setup.log
  return "$status"
}

phase "cargo fmt --check" cargo fmt --all -- --check
phase "cargo clippy" cargo clippy --workspace --all-targets --quiet -- -D warnings
phase "cargo test" cargo test --workspace --no-fail-fast --quiet
phase "set-up (waiting for it to finish)" wait_for_setup
phase "kernel (fmt, tests)" kernel_checks
phase "notebook tools (Python tests)" .venv/bin/python -m unittest discover -s scripts -p 'test_*.py'
phase "student notebooks up to date" .venv/bin/python scripts/notebooks.py student --check
phase "student release (write, leak check)" student_release
phase "notebooks, PDFs, the release's set-up notebook" notebooks_side_by_side
phase "browser: Jupyter Lab in Chromium" .venv/bin/python scripts/browser-test.py
# Grading (scripts/notebooks.py grade) of a test class for each notebook
# against the release: the solution, the untouched release, a wrong, a not
# compiling, a looping, a tampered and an unreadable submission (and on
# q_beam_search a hostile and a memory-hungry one, on q_ae a hard-coded
# one), every cell run, each score, status and flag asserted, and the
# untouched and solution runs checked as the release's notebooks as handed
# out and filled in (docs/grading.md).
phase "grading: a test class per notebook" .venv/bin/python scripts/grade-class/run.py out/release

printf '\n===== timings\n'
printf '%s\n' "${PHASES[@]}"
printf '%-34s %5d s\n' "total" "$(( $(date +%s) - START ))"
if [ ${#FAILED[@]} -gt 0 ]; then
  printf 'FAILED: %s\n' "${FAILED[@]}" >&2
  exit 1
fi
