#!/usr/bin/env bash
# Set up everything the notebooks need, once; a second run skips what is done.
#
#   1. Debian packages: chromium (HTML -> PDF), poppler-utils (pdftotext,
#      pdfunite) and fonts-texgyre-math (a math font for the PDFs' formulas).
#   2. A Python venv in .venv with Jupyter (scripts/requirements.lock: every
#      package pinned, with hashes).
#   3. The hw6 kernel (crates/kernel, "Rust (hw6)") installed into the venv,
#      and its kernelspec `rust` there.
#   4. A pre-warm: the kernel's build folder gets the hw6 crate and its
#      dependencies, so notebooks start in seconds instead of minutes; then
#      the project's warm spare kernels start (crates/kernel/src/spare), so
#      the first notebook opened in Lab starts in seconds too (they leave
#      after 10 idle minutes; scripts/lab.sh starts them again).
#
# Environment: HW6_SKIP_APT=1 skips step 1; HW6_SKIP_PREWARM=1 skips the
# pre-warm and the spares; HW6_KERNEL_SPARES=0 skips the spares.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"

step() { printf '\n== %s\n' "$*"; }
elapsed() { printf '   (%s s)\n' "$(( $(date +%s) - $1 ))"; }

# --- 1. Debian packages ---------------------------------------------------
step "system packages (chromium, poppler-utils, a math font)"
t=$(date +%s)
if [ "${HW6_SKIP_APT:-0}" = 1 ]; then
  echo "   skipped (HW6_SKIP_APT=1)"
elif command -v chromium >/dev/null && command -v pdftotext >/dev/null \
     && [ -f /usr/share/texmf/fonts/opentype/public/tex-gyre-math/texgyredejavu-math.otf ]; then
  echo "   already installed"
else
  SUDO=""
  [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium poppler-utils fonts-texgyre-math >/dev/null
  echo "   installed"
fi
elapsed "$t"

# --- 2. Python venv with Jupyter -------------------------------------------
# Installed from scripts/requirements.lock: every package, direct or not,
# pinned with its hashes (scripts/lock-requirements.sh makes it from
# scripts/requirements.txt). The stamp is the lock file the venv was made from.
step "Python venv with Jupyter ($VENV)"
t=$(date +%s)
LOCK="$ROOT/scripts/requirements.lock"
STAMP="$VENV/.hw6-requirements-lock"
if [ -x "$VENV/bin/python" ] && [ -f "$STAMP" ] && cmp -s "$LOCK" "$STAMP"; then
  echo "   up to date with $(basename "$LOCK")"
else
  [ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q --disable-pip-version-check --require-hashes -r "$LOCK"
  cp "$LOCK" "$STAMP"
  echo "   installed from $(basename "$LOCK")"
fi
elapsed "$t"

# --- 3. The hw6 kernel --------------------------------------------------
# crates/kernel: the "Rust (hw6)" Jupyter kernel (evcxr as a library),
# installed into the venv and registered there as the kernel `rust`. Its build
# folder stays in crates/kernel/target, so a changed kernel rebuilds quickly.
step "the hw6 kernel (crates/kernel)"
t=$(date +%s)
CARGO_BIN="${CARGO_HOME:-$HOME/.cargo}/bin"
export PATH="$CARGO_BIN:$PATH"
echo "   building (about 8 to 11 minutes on 2 cores the first time)..."
cargo install --path "$ROOT/crates/kernel" --locked --quiet --force \
  --root "$VENV" --target-dir "$ROOT/crates/kernel/target"
"$VENV/bin/hw6-kernel" install --jupyter-path "$VENV/share/jupyter" >/dev/null
JUPYTER_PATH="$VENV/share/jupyter" "$VENV/bin/jupyter" kernelspec list | grep -qE '^\s*rust\s' \
  || { echo "error: the kernel did not register; see '$VENV/bin/hw6-kernel install --help'" >&2; exit 1; }
echo "   kernel 'rust' (Rust (hw6)) registered in $VENV/share/jupyter"
elapsed "$t"

# --- 4. Pre-warm -----------------------------------------------------------
# The kernel builds the prelude of kernel.toml (the hw6 crate and its
# dependencies) in a build folder that outlives it; doing it once here means
# the first notebook starts in seconds. A second run finds it built.
step "pre-warm: the hw6 crate in the kernel's build folder"
t=$(date +%s)
if [ "${HW6_SKIP_PREWARM:-0}" = 1 ]; then
  echo "   skipped (HW6_SKIP_PREWARM=1)"
else
  (cd "$ROOT" && "$VENV/bin/hw6-kernel" prewarm 2>&1 | grep -v '^hw6-kernel: building in' | sed 's/^/   /')
fi
elapsed "$t"
if [ "${HW6_SKIP_PREWARM:-0}" != 1 ]; then
  (cd "$ROOT/notebooks" && "$VENV/bin/hw6-kernel" spare 2>&1 | sed 's/^/   /') \
    || echo "   note: no warm spare kernels started; the first notebook waits for its prelude"
fi
echo
echo "Set-up done. Open the notebooks with:  scripts/lab.sh"
