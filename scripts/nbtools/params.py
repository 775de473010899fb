"""Papermill's convention for Rust notebooks.

The cell tagged `parameters` holds defaults as `let name: type = value;`
lines; each `--param name=value` becomes a line of a cell injected right
after it, checked against the declared type before anything runs.
"""

import copy
import re

from . import UsageError

# `let name: type = value;` (the type annotation is required so overrides can
# be checked before anything runs).
PARAM_LINE = re.compile(r"^\s*let\s+(?:mut\s+)?([A-Za-z_]\w*)\s*:\s*([^=]+?)\s*=\s*(.+?)\s*;\s*(//.*)?$")
INT_TYPES = {"usize", "isize", "u8", "u16", "u32", "u64", "i8", "i16", "i32", "i64"}
FLOAT_TYPES = {"f32", "f64"}
STRING_TYPES = {"&str", "&'static str", "String"}


def parameters_cell(nb):
    """Index of the cell tagged `parameters`, or None."""
    for i, cell in enumerate(nb.cells):
        if "parameters" in cell.get("metadata", {}).get("tags", []):
            return i
    return None


def declared_parameters(source):
    """{name: type} from a parameters cell's `let` lines."""
    params = {}
    for line in source.splitlines():
        m = PARAM_LINE.match(line)
        if m:
            params[m.group(1)] = m.group(2).strip()
    return params


def rust_literal(name, rust_type, value):
    """`value` as a Rust literal of `rust_type`, or UsageError saying why not."""
    if rust_type == "bool":
        if value not in ("true", "false"):
            raise UsageError(f"parameter {name} is a bool: give true or false, not {value!r}")
        return value
    if rust_type in INT_TYPES:
        unsigned = rust_type.startswith("u")
        if not re.fullmatch(r"[0-9_]+" if unsigned else r"-?[0-9_]+", value):
            raise UsageError(f"parameter {name} is a {rust_type}: {value!r} is not one")
        return value
    if rust_type in FLOAT_TYPES:
        try:
            float(value)
        except ValueError:
            raise UsageError(f"parameter {name} is a {rust_type}: {value!r} is not a number") from None
        return value if re.search(r"[.eE]", value) else value + ".0"
    if rust_type in STRING_TYPES:
        literal = '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
        return literal if rust_type != "String" else f"String::from({literal})"
    if rust_type.startswith("Vec<") or rust_type.startswith("["):
        inner = rust_type[4:-1] if rust_type.startswith("Vec<") else rust_type[1:].split(";")[0].strip()
        items = [rust_literal(name, inner.strip(), v.strip()) for v in value.split(",") if v.strip()]
        body = ", ".join(items)
        return f"vec![{body}]" if rust_type.startswith("Vec<") else f"[{body}]"
    raise UsageError(f"parameter {name} has type {rust_type}, which --param cannot set")


def inject_parameters(nb, overrides, path):
    """Insert a cell with the overrides after the `parameters` cell."""
    if not overrides:
        return nb
    index = parameters_cell(nb)
    if index is None:
        raise UsageError(f"{path} has no cell tagged 'parameters', so --param cannot apply")
    declared = declared_parameters(nb.cells[index].source)
    lines = ["// Parameters injected by scripts/notebooks.py"]
    for name, value in overrides:
        if name not in declared:
            known = ", ".join(sorted(declared)) or "none"
            raise UsageError(f"{path} has no parameter {name!r} (it has: {known})")
        rust_type = declared[name]
        lines.append(f"let {name}: {rust_type} = {rust_literal(name, rust_type, value)};")
    import nbformat

    cell = nbformat.v4.new_code_cell("\n".join(lines))
    cell.metadata["tags"] = ["injected-parameters"]
    nb = copy.deepcopy(nb)
    nb.cells.insert(index + 1, cell)
    return nb


def parse_overrides(args):
    overrides = []
    for item in args.param:
        if "=" not in item:
            raise UsageError(f"--param takes NAME=VALUE, got {item!r}")
        name, value = item.split("=", 1)
        overrides.append((name.strip(), value.strip()))
    if args.quick and not any(n == "quick" for n, _ in overrides):
        overrides.append(("quick", "true"))
    return overrides

