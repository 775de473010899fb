"""Executing notebooks headless in the hw6 kernel (`rust`, crates/kernel),
and explaining what went wrong when a cell fails.

The kernel reports a compile error, a panic and an error returned with `?`
as an `error` output with a `status: error` reply, so nbclient stops at (or,
with allow_errors, records) the failing cell; it publishes everything a
cell printed before the cell's reply."""

import contextlib
import datetime as dt
import re
import time

from . import KERNEL, ToolError
from .params import inject_parameters


def first_output_seconds(nb, started):
    """Seconds from kernel start to the end of the first code cell with output."""
    for cell in nb.cells:
        if cell.cell_type == "code" and cell.get("outputs"):
            reply = cell.metadata.get("execution", {}).get("shell.execute_reply")
            if reply:
                when = dt.datetime.fromisoformat(reply.replace("Z", "+00:00"))
                return (when - started).total_seconds()
    return None


def execute(path, overrides, timeout):
    """Execute one notebook; returns (executed notebook, seconds, first output, error or None)."""
    import nbformat
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

    nb = nbformat.read(path, as_version=4)
    nb = inject_parameters(nb, overrides, path)
    client = new_client(nb, path.parent, timeout, record_timing=True)
    started = dt.datetime.now(dt.timezone.utc)
    t0 = time.monotonic()
    error = None
    start_kernel(client)
    try:
        client.execute()
    except (CellExecutionError, CellTimeoutError, DeadKernelError) as exc:
        error = exc
    seconds = time.monotonic() - t0
    first = first_output_seconds(nb, started)
    return nb, seconds, first, error


# Seconds a kernel has to start and answer its first request.
STARTUP_TIMEOUT = 120


def new_client(nb, cwd, timeout, **options):
    """An nbclient for the `rust` kernel, running in `cwd`."""
    from nbclient import NotebookClient

    return NotebookClient(nb, kernel_name=KERNEL, timeout=timeout, startup_timeout=STARTUP_TIMEOUT,
                          resources={"metadata": {"path": str(cwd)}}, **options)


def start_kernel(client):
    """Start the client's kernel (client.execute() then uses it); a kernel
    that is not installed or does not start is a ToolError."""
    from jupyter_client.kernelspec import NoSuchKernel
    from jupyter_core.utils import run_sync

    setup = "run scripts/setup.sh, which builds the hw6 kernel and registers it as the 'rust' kernel"
    client.km = client.create_kernel_manager()
    try:
        client.start_new_kernel()
        client.start_new_kernel_client()
    except NoSuchKernel:
        raise ToolError(f"no Jupyter kernel named '{client.kernel_name}'; {setup}") from None
    except (OSError, RuntimeError, TimeoutError) as exc:
        with contextlib.suppress(Exception):
            if client.km is not None:
                run_sync(client.km.shutdown_kernel)(now=True)
        with contextlib.suppress(Exception):
            if client.km is not None:
                run_sync(client.km.cleanup_resources)()
        reason = " ".join(str(exc).split())[:200] or type(exc).__name__
        raise ToolError(f"the '{client.kernel_name}' kernel did not start ({reason}); check that "
                        f"`.venv/bin/hw6-kernel --help` runs, else {setup}") from None


ANSI = re.compile(r"\x1b\[[0-9;]*m")


def describe_failure(nb, error):
    """The failing cell's number, first source line and error text, ANSI stripped."""
    for index, cell in enumerate(nb.cells, 1):
        for out in cell.get("outputs", []) if cell.cell_type == "code" else []:
            if out.get("output_type") == "error":
                lines = [ANSI.sub("", line) for line in out.get("traceback", [])]
                first = cell.source.strip().splitlines()[0] if cell.source.strip() else ""
                text = "\n".join(lines[:40]) or f"{out.get('ename')}: {out.get('evalue')}"
                return f"cell {index} ({first[:60]}):\n{text}"
    return str(error)[-3000:]


# Debug output of a type that has rich display: evcxr fell back to Debug,
# usually because the cell's last expression moves a variable the cell also
# defines (evcxr then cannot keep that variable). Clone it, or end the cell
# with an expression that only borrows.
LOST_DISPLAY = re.compile(r"^(Svg\(\"|Table \{|Animation \{|Gallery \{|Panel \{)")


def lost_displays(nb):
    """Cells whose rich value was shown as Debug text instead of a chart/table."""
    found = []
    for index, cell in enumerate(nb.cells, 1):
        if cell.cell_type != "code":
            continue
        for out in cell.get("outputs", []):
            text = out.get("data", {}).get("text/plain", "") if out.get("output_type") == "execute_result" else ""
            if LOST_DISPLAY.match(text):
                first = cell.source.strip().splitlines()[0] if cell.source.strip() else ""
                found.append(f"cell {index} ({first[:60]}) shows {text[:20]}... as text, not as a chart or table: "
                             "its last expression probably moves a variable the cell defines; clone it or borrow")
    return found


