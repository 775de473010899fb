"""Declared answer facts, and the check that none reaches the student release.

An answer cell (a markdown cell whose solution sits between
`<!-- BEGIN SOLUTION -->` and `<!-- END SOLUTION -->`) declares the short,
distinctive strings that give its answer away, in its metadata:

    "metadata": {"hw6": {"answer_facts": ["M^{T-1}", "-1.46"]}}

A fact is a number or a formula as it would be written (LaTeX or code), not
prose. The student versions drop the declaration, and the release check
fails if any fact declared in any solution notebook appears in any student
notebook: in a cell's source (markdown or code), in its outputs, or in any
metadata. This goes beyond `student.leaked_lines`, which only finds solution
lines copied verbatim: it also catches an answer restated in a hint, a
caption, a label or a printed result.

Matching ignores whitespace (`d \\sigma^4` matches `d\\sigma^4`) and is
otherwise exact, except that a number is not found inside a longer one.
"""

import re

from . import UsageError

KEY = "hw6"
FACTS = "answer_facts"


def squash(text):
    """`text` without any whitespace: the form facts are compared in."""
    return "".join(text.split())


def fact_pattern(fact):
    """A regex for `fact` in squashed text: a number does not match inside a
    longer one (`-1.46` is not found in `-1.4612`, nor `0.5` in `10.5`)."""
    needle = squash(fact)
    pattern = re.escape(needle)
    if needle[0].isdigit():
        pattern = r"(?<![0-9.])" + pattern
    if needle[-1].isdigit():
        pattern += r"(?![0-9])"
    return re.compile(pattern)


def declared_facts(nb, name="notebook"):
    """[(fact, where)] for every fact declared in `nb`'s cells' metadata.

    A declaration that is not a list of non-empty strings is a UsageError
    naming the cell."""
    found = []
    for index, cell in enumerate(nb.cells, 1):
        facts = cell.get("metadata", {}).get(KEY, {}).get(FACTS)
        if facts is None:
            continue
        if not isinstance(facts, list) or not all(isinstance(f, str) and squash(f) for f in facts):
            raise UsageError(f"{name}, cell {index}: metadata {KEY}.{FACTS} must be a list of non-empty strings")
        found += [(f, f"{name}, cell {index}") for f in facts]
    return found


def drop_declarations(cell):
    """Remove the answer facts from a cell's metadata (for the student version)."""
    hw6 = cell.get("metadata", {}).get(KEY)
    if isinstance(hw6, dict) and FACTS in hw6:
        del hw6[FACTS]
        if not hw6:
            del cell.metadata[KEY]


def _strings(value):
    """Every string inside a JSON-like value (dicts, lists, strings)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, (list, tuple)):
        for v in value:
            yield from _strings(v)


def texts_of(nb):
    """[(label, text)] for everything a reader of `nb` can see: each cell's
    source, its outputs (stream text, every MIME bundle, error tracebacks)
    and its metadata, and the notebook's metadata."""
    texts = []
    for index, cell in enumerate(nb.cells, 1):
        texts.append((f"cell {index} ({cell.cell_type})", cell.source))
        for output in cell.get("outputs", []):
            texts += [(f"cell {index}, output", s) for s in _strings(dict(output))]
        texts += [(f"cell {index}, metadata", s) for s in _strings(dict(cell.get("metadata", {})))]
        texts += [(f"cell {index}, attachment", s) for s in _strings(dict(cell.get("attachments", {})))]
    texts += [("notebook metadata", s) for s in _strings(dict(nb.metadata))]
    return texts


def leaked_facts(student_nb, facts):
    """[(fact, declared where, found where)] for each declared fact found in
    `student_nb` (first place only)."""
    texts = [(label, squash(text)) for label, text in texts_of(student_nb)]
    leaks = []
    for fact, declared in facts:
        needle = fact_pattern(fact)
        for label, text in texts:
            if needle.search(text):
                leaks.append((fact, declared, label))
                break
    return leaks


def release_problems(solutions, students):
    """Problems of a student release: `solutions` and `students` are
    [(name, notebook)]; every fact declared in any solution notebook is
    looked for in every student notebook. Returns (number of facts
    declared, one line per leak)."""
    facts = []
    for name, nb in solutions:
        facts += declared_facts(nb, name)
    problems = []
    for name, nb in students:
        for fact, declared, found in leaked_facts(nb, facts):
            problems.append(f"{name}: {found} contains the answer fact {fact!r} declared in {declared}")
    return len(facts), problems
