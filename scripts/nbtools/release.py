"""The student release: the folder a course hands out, made from the solution
source, with no solution and no answer in it.

What goes in, taken from the files git tracks (so a clean checkout and a
working tree with stray files give the same release):

- the Cargo workspace (`Cargo.toml`, `Cargo.lock`, `crates/`), each
  `// BEGIN SOLUTION` ... `// END SOLUTION` region of a Rust file replaced by
  `todo!()` as in the notebooks, hidden tests and unit-test modules removed;
- `kernel.toml`, `data/`, and the scripts a student runs (`setup.sh`,
  `lab.sh`, the pinned Python requirements);
- `notebooks/`: the student versions of the solution notebooks;
- `README.md` for students (`scripts/release/README.md`);
- `crates/exercise/fixtures.json`: every value the checks compare with,
  computed by the full crates (`hw6 fixtures`), since the release's
  reference implementations are `todo!()`s.

The finished folder is then checked: no line of a solution region (Rust or
notebook) and no declared answer fact appears anywhere in it.
"""

import re
import shutil
import subprocess
from pathlib import Path

from . import NOTEBOOKS, ROOT, UsageError
from .answers import declared_facts, fact_pattern, squash
from .student import (CODE_BEGIN, CODE_END, DEP_PATH, HIDDEN_BEGIN, HIDDEN_END, STUDENT_DEP_PATH,
                      strip_regions, code_todo, student_version)

# Tracked paths copied into the release (folders end in "/").
INCLUDE = ("Cargo.toml", "Cargo.lock", "kernel.toml", ".gitignore", "crates/", "data/",
           "scripts/setup.sh", "scripts/lab.sh", "scripts/requirements.txt", "scripts/requirements.lock")
# Parts of the crates a student does not need, which run or restate the
# references: tests, benchmarks, examples, and the `hw6` command line.
EXCLUDE = re.compile(r"^crates/[^/]+/(tests|benches|examples)/|^crates/hw6/src/(cli/|main\.rs$)")
# Their targets in the manifests go too.
TARGET_SECTION = re.compile(r"^\[\[(bench|bin|example|test)\]\]\s*$")
# Text that states an answer (a doc comment, an error message's hint): the
# lines between these markers are removed without a `todo!()`.
TEXT_BEGIN = re.compile(r"^\s*//\s*BEGIN SOLUTION TEXT\b")
TEXT_END = re.compile(r"^\s*//\s*END SOLUTION TEXT\b")
FIXTURES = Path("crates/exercise/fixtures.json")
README = ROOT / "scripts" / "release" / "README.md"
# A unit-test module at the end of a file: `#[cfg(test)]` then `mod tests {`.
TEST_MODULE = re.compile(r"^#\[cfg\(test\)\]\s*\n(?:#\[[^\n]*\]\s*\n)*mod \w+ \{", re.M)


def tracked_files():
    """Paths (relative to the project) of the files git tracks that go in."""
    listed = subprocess.run(["git", "-C", str(ROOT), "ls-files", "-z"], capture_output=True, check=True)
    names = [n for n in listed.stdout.decode().split("\0") if n]
    keep = [n for n in names
            if any(n == i or (i.endswith("/") and n.startswith(i)) for i in INCLUDE) and not EXCLUDE.match(n)]
    return [Path(n) for n in keep if (ROOT / n).is_file()]


def drop_test_module(source, where):
    """`source` without its unit-test module, which must be the file's last
    item: after its `mod tests {` line, only indented lines and one closing
    `}` at the end."""
    m = TEST_MODULE.search(source)
    if not m:
        return source
    body = [l for l in source[m.end():].splitlines() if l.strip()]
    top_level = [l for l in body if not l[0].isspace()]
    if top_level != ["}"] or body[-1] != "}":
        raise UsageError(f"{where}: the test module is not the file's last item; move it to the end")
    return source[:m.start()].rstrip() + "\n"


def release_rust(source, where):
    """A Rust file for the release, and the solution lines taken out of it."""
    source, _ = strip_regions(source, HIDDEN_BEGIN, HIDDEN_END, lambda m: [], where)
    source, text = strip_regions(source, TEXT_BEGIN, TEXT_END, lambda m: [], where)
    stripped, code = strip_regions(source, CODE_BEGIN, CODE_END, code_todo, where)
    return drop_test_module(stripped, where).rstrip("\n") + "\n", text + code


def release_manifest(source):
    """A crate's Cargo.toml without its bench, bin, example and test targets."""
    out, skipping = [], False
    for line in source.splitlines():
        if line.startswith("["):
            skipping = bool(TARGET_SECTION.match(line))
        if not skipping:
            out.append(line)
    return "\n".join(out).rstrip("\n") + "\n"


def student_notebooks():
    """[(name, solution notebook, student notebook, solution lines)], the
    student notebooks with their `:dep` path as seen from `notebooks/`."""
    import nbformat

    out = []
    for path in sorted(NOTEBOOKS.glob("*.ipynb")):
        solution = nbformat.read(path, as_version=4)
        student, lines = student_version(solution, path.name)
        for cell in student.cells:
            if cell.cell_type == "code":
                cell.source = cell.source.replace(STUDENT_DEP_PATH, DEP_PATH)
        out.append((path.name, solution, student, lines))
    return out


def write_release(out, fixtures, say=print):
    """Writes the release into `out` (which must not exist or be empty)
    from the tracked files and `fixtures` (the JSON text `hw6 fixtures`
    printed). Returns the solution lines taken out, for `release_problems`."""
    import nbformat

    out = Path(out)
    if out.exists() and any(out.iterdir()):
        raise UsageError(f"{out} is not empty; give a new folder")
    solution_lines = []
    files = tracked_files()
    for rel in files:
        target = out / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if rel.suffix == ".rs":
            text, removed = release_rust((ROOT / rel).read_text(encoding="utf-8"), str(rel))
            solution_lines += [(line, str(rel)) for line in removed]
            target.write_text(text, encoding="utf-8")
        elif rel.name == "Cargo.toml" and rel.parts[0] == "crates":
            target.write_text(release_manifest((ROOT / rel).read_text(encoding="utf-8")), encoding="utf-8")
        else:
            shutil.copy2(ROOT / rel, target)
    (out / FIXTURES).write_text(fixtures, encoding="utf-8")
    (out / "notebooks").mkdir(exist_ok=True)
    for name, _, student, lines in student_notebooks():
        nbformat.write(student, out / "notebooks" / name)
        solution_lines += [(line, f"notebooks/{name}") for line in lines]
    shutil.copy2(README, out / "README.md")
    say(f"release -> {out}: {len(files)} files from git, {len(solution_lines)} solution lines taken out")
    return solution_lines


def outside_lines():
    """Normalised lines of the solution source outside every solution region:
    a solution line that also appears there is no leak (a brace, a common
    statement)."""
    import nbformat

    seen = set()
    for rel in tracked_files():
        if rel.suffix == ".rs":
            text, _ = release_rust((ROOT / rel).read_text(encoding="utf-8"), str(rel))
            seen.update(norm(l) for l in text.splitlines())
    for name, _, student, _ in student_notebooks():
        for cell in student.cells:
            seen.update(norm(l) for l in cell.source.splitlines())
    return seen


def norm(line):
    return " ".join(line.split())


def release_problems(out, solution_lines):
    """Problems of the release folder `out`: a solution line or a declared
    answer fact found in any of its files. Returns (facts declared, problems)."""
    import nbformat

    out = Path(out)
    outside = outside_lines()
    needles = {}
    for line, where in solution_lines:
        n = norm(line)
        if len(n) >= 10 and not n.startswith("//") and n not in outside:
            needles.setdefault(n, where)
    facts = []
    for path in sorted(NOTEBOOKS.glob("*.ipynb")):
        facts += declared_facts(nbformat.read(path, as_version=4), path.name)
    problems = []
    for path in sorted(p for p in out.rglob("*") if p.is_file()):
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue  # compressed data
        rel = path.relative_to(out)
        lines = {norm(l) for l in text.splitlines()}
        if path.suffix == ".ipynb":
            lines |= {norm(l) for c in nbformat.reads(text, as_version=4).cells for l in c.source.splitlines()}
        for n in sorted(lines & needles.keys()):
            problems.append(f"{rel}: solution line from {needles[n]}: {n!r}")
        squashed = squash(text)
        for fact, declared in facts:
            if fact_pattern(fact).search(squashed):
                problems.append(f"{rel}: the answer fact {fact!r} declared in {declared}")
    return len(facts), problems


def record_fixtures(say=print):
    """The JSON text of every expected value, from the full crates."""
    say("recording the checks' expected values: cargo run -p hw6 -- fixtures")
    run = subprocess.run(["cargo", "run", "--quiet", "-p", "hw6", "--", "fixtures"],
                         cwd=ROOT, capture_output=True, text=True)
    if run.returncode != 0:
        raise UsageError(f"hw6 fixtures failed: {run.stderr.strip()[-2000:]}")
    return run.stdout
