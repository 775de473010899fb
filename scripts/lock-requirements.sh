#!/usr/bin/env bash
# Pin the Python environment: scripts/requirements.lock from
# scripts/requirements.txt (the direct dependencies), every package with the
# hashes of its files on PyPI. pip-tools runs from a throwaway venv. Run after
# editing requirements.txt, then scripts/setup.sh to install the lock.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS="$(mktemp -d)"
trap 'rm -rf "$TOOLS"' EXIT
python3 -m venv "$TOOLS"
"$TOOLS/bin/pip" install -q --disable-pip-version-check pip-tools
cd "$ROOT/scripts"
# No --find-links or index URL of this machine in the lock; the hashes are PyPI's.
env -u PIP_FIND_LINKS "$TOOLS/bin/pip-compile" --quiet --generate-hashes --allow-unsafe --strip-extras \
  --no-emit-index-url --no-emit-find-links --output-file=requirements.lock requirements.txt
echo "scripts/requirements.lock: $(grep -c '^[a-z0-9]' requirements.lock) packages pinned with hashes"
