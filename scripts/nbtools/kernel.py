"""Executing notebooks headless in the evcxr (`rust`) kernel, and explaining
what went wrong when a cell fails."""

import contextlib
import datetime as dt
import os
import re
import shutil
import tempfile
import time

from . import KERNEL, ToolError
from .params import inject_parameters


# evcxr passes a cell's stderr (a panic, an error returned with `?`) through
# a thread of its own, so a line can reach the client after the cell's reply:
# the runners wait this long after each cell for such lines and keeps them
# with their cell, before the next cell starts (which would otherwise receive
# them).
LATE_OUTPUT_SECONDS = 0.5


def keep_late_output(client):
    """An nbclient `on_cell_executed` hook: stream output of the cell that
    arrives within LATE_OUTPUT_SECONDS after its reply goes to the cell."""
    import queue

    import nbformat
    from nbclient.util import ensure_async

    async def hook(cell, cell_index, execute_reply):
        parent = execute_reply.get("parent_header", {}).get("msg_id")
        deadline = time.monotonic() + LATE_OUTPUT_SECONDS
        while (left := deadline - time.monotonic()) > 0:
            try:
                msg = await ensure_async(client.kc.get_iopub_msg(timeout=left))
            except queue.Empty:
                break
            if msg.get("parent_header", {}).get("msg_id") == parent and msg.get("msg_type") == "stream":
                content = msg["content"]
                cell.outputs.append(nbformat.v4.new_output("stream", name=content["name"], text=content["text"]))
    return hook


def first_output_seconds(nb, started):
    """Seconds from kernel start to the end of the first code cell with output."""
    for cell in nb.cells:
        if cell.cell_type == "code" and cell.get("outputs"):
            reply = cell.metadata.get("execution", {}).get("shell.execute_reply")
            if reply:
                when = dt.datetime.fromisoformat(reply.replace("Z", "+00:00"))
                return (when - started).total_seconds()
    return None


# evcxr 0.22's build cache keeps a hit counter that two kernels building at
# the same time can leave empty; the build then fails with this message. It
# is not the notebook's fault, and a second attempt rebuilds cleanly.
CACHE_RACE = "Failed to wrap rustc: cannot parse integer from empty string"


@contextlib.contextmanager
def own_build_dir():
    """Kernels started inside get their own EVCXR_TMPDIR, removed afterwards:
    evcxr builds each kernel's code in a folder there (about 1 GB) and leaves
    it behind."""
    build_dir = tempfile.mkdtemp(prefix="hw6-evcxr-")
    saved = os.environ.get("EVCXR_TMPDIR")
    os.environ["EVCXR_TMPDIR"] = build_dir
    try:
        yield build_dir
    finally:
        if saved is None:
            os.environ.pop("EVCXR_TMPDIR", None)
        else:
            os.environ["EVCXR_TMPDIR"] = saved
        shutil.rmtree(build_dir, ignore_errors=True)


def execute(path, overrides, timeout):
    """Execute one notebook (twice if the first attempt hit evcxr's cache
    race); returns (executed notebook, seconds, first output, error or None)."""
    nb, seconds, first, error = execute_once(path, overrides, timeout)
    if error is not None and CACHE_RACE in describe_failure(nb, error):
        print(f"   {path.name}: evcxr's build cache was busy ({CACHE_RACE!r}); running it again", flush=True)
        nb, again, first, error = execute_once(path, overrides, timeout)
        seconds += again
    return nb, seconds, first, error


def execute_once(path, overrides, timeout):
    """Execute one notebook; returns (executed notebook, seconds, first output, error or None)."""
    import nbformat
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

    nb = nbformat.read(path, as_version=4)
    nb = inject_parameters(nb, overrides, path)
    client = new_client(nb, path.parent, timeout, record_timing=True)
    started = dt.datetime.now(dt.timezone.utc)
    t0 = time.monotonic()
    error = None
    with own_build_dir():
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
    """An nbclient for the `rust` kernel, running in `cwd`, that keeps late
    stderr lines with their cell."""
    from nbclient import NotebookClient

    client = NotebookClient(nb, kernel_name=KERNEL, timeout=timeout, startup_timeout=STARTUP_TIMEOUT,
                            resources={"metadata": {"path": str(cwd)}}, **options)
    client.on_cell_executed = keep_late_output(client)
    return client


def start_kernel(client):
    """Start the client's kernel (client.execute() then uses it); a kernel
    that is not installed or does not start is a ToolError."""
    from jupyter_client.kernelspec import NoSuchKernel
    from jupyter_core.utils import run_sync

    setup = "run scripts/setup.sh, which installs evcxr_jupyter and registers it as the 'rust' kernel"
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
                        f"`evcxr_jupyter --help` runs, else {setup}") from None


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


def stderr_failures(nb):
    """Cells that wrote to stderr, described. evcxr reports a panic or an
    error returned with `?` only as stderr text, not as an error output, and
    goes on with the next cell; the notebooks write nothing else there."""
    found = []
    for index, cell in enumerate(nb.cells, 1):
        if cell.cell_type != "code":
            continue
        text = "".join(o.get("text", "") for o in cell.get("outputs", [])
                       if o.get("output_type") == "stream" and o.get("name") == "stderr")
        if text.strip():
            first = cell.source.strip().splitlines()[0] if cell.source.strip() else ""
            found.append(f"cell {index} ({first[:60]}) failed:\n{ANSI.sub('', text).strip()[:2000]}")
    return found


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


