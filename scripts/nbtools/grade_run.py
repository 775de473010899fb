"""One submission's run: its notebook executed cell by cell in a fresh
kernel, with a time limit per cell and per notebook and capped outputs.

Runs as its own process (`python -m nbtools.grade_run JOB_DIR`), so that
whatever a submission does to its grader (a flood of output, a kernel that
will not stop) ends with that process. JOB_DIR holds `job.json` (the
release, the run's id, the limits, the paths to hide, whether to stop after
the last check) and `run.ipynb` (the
notebook to run, hidden tests included); the run writes `executed.ipynb`
and `result.json` there:

    {"cells": [{"index": 3, "id": "...", "reply": "ok" | "error" | "timeout"
                | "notebook-timeout" | "dead" | "not-run" | "skipped",
                "ename": "...", "evalue": "...", "seconds": 1.2}, ...],
     "kernel": "ok" | "<why it did not start or died>", "seconds": 61.0}

`reply` is what the kernel's execute reply said (its status, and for an
error its ename and evalue), not what the outputs look like.
"""

import asyncio
import json
import os
import sys
import time
from pathlib import Path

from .grade_sandbox import KERNEL_NAME, Limits, prepare_workdir, write_kernelspec
from .grade_submissions import is_solution, is_test

TIMEOUT_ENAME = "Timeout"


def make_client(nb, workdir, limits):
    """An nbclient that records each cell's execute reply and caps what a
    cell may print."""
    from nbclient import NotebookClient
    from nbformat.v4 import new_output

    class GradingClient(NotebookClient):
        def output(self, outs, msg, display_id, cell_index):
            if msg.get("msg_type") == "error":  # the failure itself is always kept
                return super().output(outs, msg, display_id, cell_index)
            size = len(json.dumps(msg.get("content", {})))
            used = self.sizes.get(cell_index, 0)
            if used + size > limits.output_chars:
                self.dropped[cell_index] = self.dropped.get(cell_index, 0) + size
                return None
            self.sizes[cell_index] = used + size
            return super().output(outs, msg, display_id, cell_index)

    async def record(cell, cell_index, execute_reply):
        client.replies[cell_index] = (execute_reply or {}).get("content", {})

    client = GradingClient(
        nb, kernel_name=KERNEL_NAME, timeout=limits.cell_seconds, startup_timeout=300, allow_errors=True,
        interrupt_on_timeout=True, on_cell_executed=record, resources={"metadata": {"path": str(workdir)}},
        error_on_timeout={"ename": TIMEOUT_ENAME, "evalue": "the cell ran past its time limit and was interrupted"})
    client.sizes, client.dropped, client.replies = {}, {}, {}
    client.new_output = new_output
    return client


def cell_limit(cell, limits):
    """Seconds a cell may take: a check or a student's cell gets the tighter
    limit; set-up and experiment cells the longer one."""
    return limits.check_seconds if (is_test(cell) or is_solution(cell)) else limits.cell_seconds


async def run_cells(client, limits, stop_after=None):
    """Execute every code cell in order (with `stop_after`, none after that
    index: "skipped"); returns the per-cell records and the kernel's fate
    ("ok" or why it stopped)."""
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    records, kernel = [], "ok"
    deadline = time.monotonic() + limits.notebook_seconds
    for index, cell in enumerate(client.nb.cells):
        if cell.cell_type != "code":
            continue
        record = {"index": index, "id": cell.get("id"), "reply": "not-run", "ename": "", "evalue": "", "seconds": 0.0}
        records.append(record)
        if stop_after is not None and index > stop_after:
            record["reply"] = "skipped"
            continue
        left = deadline - time.monotonic()
        if kernel != "ok" or left <= 1:
            continue
        own = cell_limit(cell, limits)
        client.timeout = int(max(1, min(own, left)))
        t0 = time.monotonic()
        try:
            await client.async_execute_cell(cell, index)
        except DeadKernelError:
            kernel = "the kernel stopped (it crashed or was killed)"
            record.update(reply="dead", evalue=kernel)
        except CellTimeoutError as exc:
            record.update(reply="timeout", evalue=str(exc).strip().splitlines()[0][:300])
        except Exception as exc:  # the connection to the kernel broke: the rest cannot run
            kernel = f"the grader lost the kernel ({' '.join(str(exc).split())[:200] or type(exc).__name__})"
            record.update(reply="dead", evalue=kernel)
        record["seconds"] = round(time.monotonic() - t0, 2)
        reply = client.replies.get(index)
        if reply is not None and record["reply"] == "not-run":
            status = reply.get("status", "error")
            record.update(reply="ok" if status == "ok" else "error",
                          ename=str(reply.get("ename", "")), evalue=str(reply.get("evalue", ""))[:4000])
            if record["ename"] == TIMEOUT_ENAME:
                record["reply"] = "timeout" if client.timeout >= own else "notebook-timeout"
        note_dropped(client, cell, index)
        if record["reply"] in ("timeout", "notebook-timeout"):
            cell.outputs.append(client.new_output("error", ename=TIMEOUT_ENAME, evalue=record["evalue"], traceback=[]))
            if record["reply"] == "notebook-timeout":
                kernel = f"the notebook ran past its limit of {limits.notebook_seconds} s; the kernel was stopped"
    return records, kernel


def note_dropped(client, cell, index):
    dropped = client.dropped.get(index)
    if dropped:
        cell.outputs.append(client.new_output(
            "stream", name="stderr", text=f"\n[grader: {dropped} more characters of output were dropped]\n"))


async def run_notebook(nb, workdir, limits, stop_after=None):
    """Start the kernel, run the cells, stop the kernel."""
    client = make_client(nb, workdir, limits)
    client.km = client.create_kernel_manager()
    try:
        await client.async_start_new_kernel()
        await client.async_start_new_kernel_client()
    except Exception as exc:  # a kernel that does not start is this run's problem, not the batch's
        reason = " ".join(str(exc).split())[:300] or type(exc).__name__
        records = [{"index": i, "id": c.get("id"), "reply": "not-run", "ename": "", "evalue": "", "seconds": 0.0}
                   for i, c in enumerate(nb.cells) if c.cell_type == "code"]
        await stop(client)
        return records, f"the kernel did not start ({reason})"
    try:
        return await run_cells(client, limits, stop_after)
    finally:
        await stop(client)


async def stop(client):
    """Stop the kernel (and so, in the sandbox, everything it started)."""
    from jupyter_core.utils import ensure_async

    for step in ("shutdown_kernel", "cleanup_resources"):
        try:
            if client.km is not None:
                call = client.km.shutdown_kernel(now=True) if step == "shutdown_kernel" else client.km.cleanup_resources()
                await asyncio.wait_for(ensure_async(call), 30)
        except Exception:
            pass


def run_job(job_dir):
    """Run the job in `job_dir` (see the module doc) and write its results."""
    import nbformat

    job = json.loads((job_dir / "job.json").read_text(encoding="utf-8"))
    limits = Limits(**job["limits"])
    workdir = prepare_workdir(job["release"], job["run_id"])
    spec_dir = write_kernelspec(job_dir, job["release"], job["run_id"], limits, job["hide"], job["sandbox"])
    os.environ["JUPYTER_PATH"] = os.pathsep.join(filter(None, [str(spec_dir), os.environ.get("JUPYTER_PATH")]))
    nb = nbformat.read(job_dir / "run.ipynb", as_version=4)
    t0 = time.monotonic()
    stop_after = max(i for i, c in enumerate(nb.cells) if is_test(c)) if job.get("checks_only") else None
    records, kernel = asyncio.run(run_notebook(nb, workdir, limits, stop_after))
    nbformat.write(nb, job_dir / "executed.ipynb")
    result = {"cells": records, "kernel": kernel, "seconds": round(time.monotonic() - t0, 1)}
    (job_dir / "result.json").write_text(json.dumps(result, indent=1), encoding="utf-8")


if __name__ == "__main__":
    run_job(Path(sys.argv[1]))
