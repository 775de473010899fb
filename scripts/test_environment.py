"""Tests of the pinned Python environment: scripts/requirements.lock pins
every package with hashes, agrees with scripts/requirements.txt, and the
project venv holds exactly what it pins.

Run: .venv/bin/python -m unittest discover -s scripts -p 'test_*.py'
"""

import re
import sys
import unittest
from importlib import metadata
from pathlib import Path

SCRIPTS = Path(__file__).resolve().parent
ROOT = SCRIPTS.parent
LOCK = SCRIPTS / "requirements.lock"
# Installed by `python -m venv` itself, not by the lock.
VENV_OWN = {"pip", "setuptools", "wheel"}


def normalise(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def pins(text):
    """{package: version} of the `name==version` lines of a requirements file."""
    found = {}
    for line in text.splitlines():
        m = re.match(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^]]*\])?==([^\s;\\]+)", line)
        if m:
            found[normalise(m.group(1))] = m.group(2)
    return found


def lock_entries(text):
    """Each requirement of the lock with its continuation lines, joined."""
    entries, current = [], None
    for line in text.splitlines():
        if re.match(r"^[A-Za-z0-9]", line):
            current = [line]
            entries.append(current)
        elif current is not None and line.strip().startswith("--hash="):
            current.append(line.strip())
    return [" ".join(e) for e in entries]


class Lock(unittest.TestCase):
    def test_every_package_is_pinned_with_a_hash(self):
        entries = lock_entries(LOCK.read_text(encoding="utf-8"))
        self.assertGreater(len(entries), 50, "the lock holds the transitive dependencies too")
        for entry in entries:
            self.assertRegex(entry, r"^[A-Za-z0-9._-]+==\S+ \\ --hash=sha256:[0-9a-f]{64}", entry[:80])

    def test_the_direct_dependencies_are_locked_at_their_pins(self):
        wanted = pins((SCRIPTS / "requirements.txt").read_text(encoding="utf-8"))
        locked = pins(LOCK.read_text(encoding="utf-8"))
        self.assertTrue(wanted)
        for name, version in wanted.items():
            self.assertEqual(locked.get(name), version, f"{name}: run scripts/lock-requirements.sh")

    @unittest.skipUnless(Path(sys.prefix).resolve() == (ROOT / ".venv").resolve(), "not the project venv")
    def test_the_project_venv_holds_exactly_the_lock(self):
        locked = pins(LOCK.read_text(encoding="utf-8"))
        installed = {normalise(d.metadata["Name"]): d.version for d in metadata.distributions()}
        for name in VENV_OWN:
            installed.pop(name, None)
            locked.pop(name, None)
        self.assertEqual({n: v for n, v in installed.items() if locked.get(n) != v},
                         {}, "installed, but not at the lock's version: run scripts/setup.sh")
        self.assertEqual({n: v for n, v in locked.items() if installed.get(n) != v},
                         {}, "locked, but not installed: run scripts/setup.sh")


if __name__ == "__main__":
    unittest.main()
