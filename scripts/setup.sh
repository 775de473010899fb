#!/usr/bin/env bash
# Set up everything the notebooks need, once; a second run skips what is done.
#
#   1. Debian packages: chromium (HTML -> PDF), poppler-utils (pdftotext,
#      pdfunite) and fonts-texgyre-math (a math font for the PDFs' formulas).
#   2. A Python venv in .venv with Jupyter (scripts/requirements.lock: every
#      package pinned, with hashes).
#   3. The evcxr Rust kernel (cargo install evcxr_jupyter, pinned) and its
#      kernelspec `rust` inside the venv.
#   4. evcxr's build cache (`:cache` in init.evcxr) and a pre-warm: one kernel
#      builds the hw6 crate and its dependencies, so later notebooks start in
#      seconds instead of minutes.
#
# Environment: HW6_SKIP_APT=1 skips step 1; HW6_SKIP_PREWARM=1 skips the pre-warm.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
EVCXR_VERSION="0.22.0"
VENV="$ROOT/.venv"
CACHE_MB=8192

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

# --- 3. evcxr kernel ---------------------------------------------------------
step "evcxr_jupyter $EVCXR_VERSION"
t=$(date +%s)
CARGO_BIN="${CARGO_HOME:-$HOME/.cargo}/bin"
export PATH="$CARGO_BIN:$PATH"
installed_evcxr() { cargo install --list 2>/dev/null | grep -o '^evcxr_jupyter v[0-9.]*' | cut -c16-; }
if [ "$(installed_evcxr)" = "$EVCXR_VERSION" ] && command -v evcxr_jupyter >/dev/null; then
  echo "   already installed"
else
  echo "   building (about 6 to 9 minutes on 2 cores)..."
  cargo install evcxr_jupyter --version "$EVCXR_VERSION" --locked --quiet
fi
# Register the kernel inside the venv so the venv's Jupyter always finds it.
export JUPYTER_PATH="$VENV/share/jupyter"
if "$VENV/bin/jupyter" kernelspec list 2>/dev/null | grep -qE '^\s*rust\s'; then
  echo "   kernel 'rust' registered"
else
  mkdir -p "$JUPYTER_PATH"
  evcxr_jupyter --install >/dev/null
  "$VENV/bin/jupyter" kernelspec list | grep -qE '^\s*rust\s' \
    || { echo "error: the rust kernel did not register; see 'evcxr_jupyter --install'" >&2; exit 1; }
  echo "   kernel 'rust' registered"
fi
elapsed "$t"

# --- 4. evcxr build cache and pre-warm -----------------------------------
step "evcxr build cache"
t=$(date +%s)
EVCXR_CONFIG="${XDG_CONFIG_HOME:-$HOME/.config}/evcxr"
mkdir -p "$EVCXR_CONFIG"
INIT="$EVCXR_CONFIG/init.evcxr"
if grep -qs '^:cache' "$INIT"; then
  echo "   $INIT already enables the cache"
else
  echo ":cache $CACHE_MB" >> "$INIT"
  echo "   enabled in $INIT (${CACHE_MB} MB)"
fi

if [ "${HW6_SKIP_PREWARM:-0}" = 1 ]; then
  echo "   pre-warm skipped (HW6_SKIP_PREWARM=1)"
else
  # The cache key is the exact compiler invocation: re-warm when the lock
  # file, the toolchain or the kernel changes, and only then.
  KEY=$( { cat "$ROOT/Cargo.lock"; rustc -V; installed_evcxr; } | sha256sum | cut -c1-16)
  WARM="${XDG_CACHE_HOME:-$HOME/.cache}/hw6/prewarm-$KEY"
  if [ -f "$WARM" ]; then
    echo "   cache already warm for this Cargo.lock and toolchain"
  else
    echo "   pre-warming: building hw6 and its dependencies inside evcxr (minutes the first time)..."
    "$VENV/bin/python" "$ROOT/scripts/notebooks.py" prewarm
    mkdir -p "$(dirname "$WARM")" && touch "$WARM"
  fi
fi
elapsed "$t"
echo
echo "Set-up done. Open the notebooks with:  scripts/lab.sh"
