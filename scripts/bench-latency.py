#!/usr/bin/env python3
"""Notebook latency as a student meets it, measured through Jupyter's own
client (jupyter_client starts the kernel from notebooks/student/, as Jupyter
Lab does).

    .venv/bin/python scripts/bench-latency.py [--kernel rust] [--no-section] [--no-spares] [--json FILE]

Three kernel starts: a first one, a second one while the first is still
running (two notebooks open), and a restart of the second, each with the
environment Jupyter Lab gives a notebook's kernel (JPY_SESSION_NAME). The hw6
kernel keeps warm spare kernels for such kernels (crates/kernel/src/spare):
first the benchmark waits until the project's spares are ready, as they are
some time after scripts/setup.sh (which starts them) or after an earlier
kernel; with --no-spares every start builds its own prelude
(HW6_KERNEL_SPARES=0). For each start:

- ready: kernel start to its answer to kernel_info (Jupyter's "idle");
- first output: kernel start to the end of the first cell of the student
  q_ae notebook that prints something, running its cells in order;
- ordinary cell: `let a = 1 + 1; a` (the slowest of three);
- chart cell: a loss chart (two curves of ten epochs);
- new k: the notebook's "your bottleneck" cell with a k not run before
  (linear, bundled MNIST, 10 epochs), the whole cell.

With the first start it also times one q_ae section (nonlinear autoencoders
on synthetic data, 3 models x 4 k, 10 epochs) inside the kernel and the same
run through the CLI (`target/release/hw6 ae`, built if missing; run before
and after the notebook, averaged), and prints the ratio; and the student's
own code against the CLI: the solution notebook's forward pass, train steps
and model factory (a finished homework, compiled at the cells' optimisation
level) train three masked linear autoencoders on MNIST, and `hw6 ae` the same
three with the library's reference code. Exit status 1 if a cell fails.
"""

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from nbtools.q_ae_answer import ARCHITECTURE_NEEDLE, with_architecture_written

ROOT = Path(__file__).resolve().parent.parent
STUDENT = ROOT / "notebooks" / "student"
NOTEBOOK = STUDENT / "q_ae.ipynb"

ORDINARY = "let a = 1 + 1; a"
SECTION_ARGS = ["--dataset", "synthetic", "--arch", "nonlinear", "--hidden", "256", "--k", "5,10,100,1000",
                "--repeats", "1", "--epochs", "10", "--batch-size", "100", "--samples", "20000"]
SECTION_CELL = """let mut bench_sweep = Sweep::new(Arch::Nonlinear { hidden: 256 });
bench_sweep.ks = vec![5, 10, 100, 1000];
bench_sweep.repeats = 1;
bench_sweep.epochs = 10;
bench_sweep.batch_size = 100;
bench_sweep.verbose = false;
let bench_data = Arc::new(SyntheticConfig { samples: 20_000, ..SyntheticConfig::default() }.build()?);
let bench_started = std::time::Instant::now();
let bench_runs = bench_sweep.run(&bench_data)?;
println!("SECTION_SECONDS {:.3} runs {}", bench_started.elapsed().as_secs_f64(), bench_runs.runs.len());"""

SOLUTION = ROOT / "notebooks" / "q_ae.ipynb"
# The cells of a finished homework that the sweeps run: the forward pass, the
# two train steps and `my_model`.
YOUR_CODE = ["struct MyForward;", "struct MyDenoisingStep {", "struct MyMaskingStep {", "let denoising_written"]
YOUR_KS = [40, 44, 48]
YOUR_ARGS = ["--dataset", "mnist", "--arch", "linear", "--k", ",".join(map(str, YOUR_KS)), "--models", "masked",
             "--epochs", "10", "--batch-size", "200", "--repeats", "1", "--json", "-"]
YOUR_CELL = """let mut your_seconds = 0.0;
for k in [%s] {
    let spec = RunSpec { arch: Arch::Linear, k, model: ModelKind::Masked { mask_prob: DEFAULT_MASK_PROB }, repeat: 0, epochs: 10, batch_size: 200, seed: 0, architecture: None };
    your_seconds += run_once_with(&mnist, &spec, &my_model, &mut |_| {})?.seconds;
}
println!("YOUR_SECONDS {:.3}", your_seconds);""" % ", ".join(map(str, YOUR_KS))


class CellFailed(Exception):
    pass


def notebook_cells(path=NOTEBOOK):
    """The code cells of a notebook (the student q_ae notebook), in order."""
    import nbformat

    nb = nbformat.read(path, as_version=4)
    return [c.source for c in nb.cells if c.cell_type == "code"]


def find_cell(cells, needle, path=NOTEBOOK):
    for source in cells:
        if needle in source:
            return source
    raise SystemExit(f"error: no cell containing {needle!r} in {path}; the notebook changed, update {__file__}")


class Kernel:
    """One kernel through jupyter_client, timing each cell from request to idle."""

    def __init__(self, name):
        from jupyter_client import KernelManager

        self.km = KernelManager(kernel_name=name)
        self.kc = None

    def start(self):
        t0 = time.monotonic()
        self.km.start_kernel(cwd=str(STUDENT))
        self._connect()
        return t0

    def restart(self):
        t0 = time.monotonic()
        self.kc.stop_channels()
        self.km.restart_kernel(now=False)
        self._connect()
        return t0

    def _connect(self):
        self.kc = self.km.client()
        self.kc.start_channels()
        self.kc.wait_for_ready(timeout=600)

    def run(self, code, timeout=1800):
        """(seconds, outputs) of one cell; CellFailed on an error output."""
        t = time.monotonic()
        msg_id = self.kc.execute(code)
        outputs = []
        while True:
            msg = self.kc.get_iopub_msg(timeout=timeout)
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            kind, content = msg["msg_type"], msg["content"]
            if kind == "status" and content["execution_state"] == "idle":
                break
            if kind == "error":
                raise CellFailed(f"{content['ename']}: {content['evalue']}\n{code[:200]}")
            if kind in ("stream", "display_data", "update_display_data", "execute_result"):
                outputs.append((kind, content))
        return time.monotonic() - t, outputs

    def stop(self):
        if self.kc is not None:
            self.kc.stop_channels()
        self.km.shutdown_kernel(now=False)


def text_of(outputs):
    return "".join(c.get("text", "") if k == "stream" else c.get("data", {}).get("text/plain", "")
                   for k, c in outputs)


def measure(kernel, started, cells, k, say):
    """The figures of one start (kernel already ready)."""
    figures = {"ready": time.monotonic() - started}
    say(f"   ready after {figures['ready']:.1f} s")
    first = None
    setup = [cells[0], cells[1], "let quick: bool = false;", find_cell(cells, "let NUM_EPOCHS"),
             find_cell(cells, "SyntheticConfig {"), find_cell(cells, "MnistConfig {")]
    for source in setup:
        _, outputs = kernel.run(source)
        if outputs and first is None:
            first = time.monotonic() - started
    figures["first output"] = first
    say(f"   first output after {first:.1f} s")
    # The exercise cells (todo!() bodies in the student notebook), the cell
    # that picks the models they drive, and section 1.3's architecture as a
    # student writes it: the bottleneck cell trains with it.
    for needle in ("struct MyForward;", "struct MyDenoisingStep {", "struct MyMaskingStep {",
                   "let denoising_written"):
        kernel.run(find_cell(cells, needle))
    try:
        kernel.run(with_architecture_written(find_cell(cells, ARCHITECTURE_NEEDLE)))
    except ValueError as exc:
        raise CellFailed(str(exc)) from None
    figures["ordinary cell"] = max(kernel.run(ORDINARY)[0] for _ in range(3))
    bottleneck = find_cell(cells, "let my_k: usize = 32;").replace("let my_k: usize = 32;", f"let my_k: usize = {k};")
    figures["new k (whole cell)"], outputs = kernel.run(bottleneck)
    if not any(kind in ("display_data", "execute_result") and "image/svg+xml" in c.get("data", {})
               for kind, c in outputs):
        raise CellFailed("the bottleneck cell showed no SVG chart")
    # A loss chart of ten epochs (the bottleneck cell keeps its run to itself).
    chart = 'loss_chart("bench", &[("vanilla", (1..=10).map(|e| 1.0 / e as f64).collect(), ' \
            '(1..=10).map(|e| 1.2 / e as f64).collect())])?'
    figures["chart cell"] = max(kernel.run(chart)[0] for _ in range(2))
    for name in ("ordinary cell", "chart cell", "new k (whole cell)"):
        say(f"   {name}: {figures[name]:.2f} s")
    return figures


def ready_spares(kernel_name, say):
    """Starts the project's spare kernels and waits until they are ready."""
    from jupyter_client.kernelspec import KernelSpecManager

    exe = KernelSpecManager().get_kernel_spec(kernel_name).argv[0]
    if not exe.endswith("hw6-kernel"):
        say(f"   kernel {kernel_name} ({exe}) has no spares")
        return
    run = subprocess.run([exe, "spare", "--wait", "1200"], cwd=STUDENT, capture_output=True, text=True)
    if run.returncode != 0:
        raise SystemExit(f"error: {exe} spare --wait failed:\n{run.stdout}{run.stderr}")
    say("   " + run.stdout.strip().splitlines()[-1])


def cli_section_seconds(say):
    exe = ROOT / "target" / "release" / "hw6"
    if not exe.exists():
        say("   building the CLI (cargo build --release --bin hw6)...")
        subprocess.run(["cargo", "build", "--release", "--quiet", "--bin", "hw6"], cwd=ROOT, check=True)
    t = time.monotonic()
    run = subprocess.run([str(exe), "ae", *SECTION_ARGS], cwd=ROOT, stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE, text=True)
    if run.returncode != 0:
        raise CellFailed(f"hw6 ae {' '.join(SECTION_ARGS)} failed:\n{run.stderr[-2000:]}")
    return time.monotonic() - t


def cli_your_code_seconds():
    """`hw6 ae`'s seconds for the three masked runs of YOUR_CELL (the runs' own clocks)."""
    run = subprocess.run([str(ROOT / "target" / "release" / "hw6"), "ae", *YOUR_ARGS], cwd=ROOT,
                         capture_output=True, text=True)
    if run.returncode != 0:
        raise CellFailed(f"hw6 ae {' '.join(YOUR_ARGS)} failed:\n{run.stderr[-2000:]}")
    seconds = [json.loads(line)["seconds"] for line in run.stdout.splitlines() if line.startswith("{")]
    if len(seconds) != len(YOUR_KS):
        raise CellFailed(f"hw6 ae printed {len(seconds)} runs, expected {len(YOUR_KS)}")
    return sum(seconds)


def your_code_figures(kernel, say):
    """A finished homework's own code (the solution's) in the notebook against the CLI."""
    solution = notebook_cells(SOLUTION)
    for needle in YOUR_CODE:
        kernel.run(find_cell(solution, needle, SOLUTION))
    cli_before = cli_your_code_seconds()
    _, outputs = kernel.run(YOUR_CELL)
    inside = float(text_of(outputs).split("YOUR_SECONDS")[1].split()[0])
    cli = (cli_before + cli_your_code_seconds()) / 2
    say(f"   your code (the solution's masking step, 3 masked MNIST runs): notebook {inside:.2f} s, "
        f"CLI {cli:.2f} s, ratio {inside / cli:.2f}")
    return {"notebook": inside, "cli": cli, "ratio": inside / cli}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kernel", default="rust", help="kernelspec name (default: rust, the hw6 kernel)")
    parser.add_argument("--no-section", action="store_true", help="skip the q_ae section against the CLI")
    parser.add_argument("--no-spares", action="store_true",
                        help="no warm spare kernels: every start builds its prelude")
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args()

    def say(line):
        print(line, flush=True)

    # Jupyter's server names the notebook of each kernel it starts.
    os.environ["JPY_SESSION_NAME"] = str(NOTEBOOK)
    if args.no_spares:
        os.environ["HW6_KERNEL_SPARES"] = "0"
    else:
        say("spare kernels (as after set-up)")
        ready_spares(args.kernel, say)

    cells = notebook_cells()
    results = {}
    first = Kernel(args.kernel)
    second = Kernel(args.kernel)
    try:
        say("start 1")
        results["start 1"] = measure(first, first.start(), cells, 31, say)
        if not args.no_section:
            # The CLI before and after the notebook, so a change in the
            # machine's load shows up as a spread instead of a skew.
            cli_before = cli_section_seconds(say)
            seconds, outputs = first.run(SECTION_CELL)
            inside = float(text_of(outputs).split("SECTION_SECONDS")[1].split()[0])
            cli_after = cli_section_seconds(say)
            cli = (cli_before + cli_after) / 2
            say(f"   CLI {cli_before:.1f} s before, {cli_after:.1f} s after the notebook")
            results["section"] = {"notebook": inside, "cli": cli, "ratio": inside / cli, "cell": seconds}
            say(f"   q_ae section (nonlinear, synthetic, 12 runs): notebook {inside:.1f} s, "
                f"CLI {cli:.1f} s, ratio {inside / cli:.2f}")
            results["your code"] = your_code_figures(first, say)
        say("start 2 (the first kernel still running)")
        results["start 2"] = measure(second, second.start(), cells, 33, say)
        say("restart of start 2")
        results["restart"] = measure(second, second.restart(), cells, 35, say)
    except CellFailed as exc:
        print(f"error: a cell failed: {exc}", file=sys.stderr)
        return 1
    finally:
        for kernel in (first, second):
            try:
                kernel.stop()
            except Exception:  # noqa: BLE001 - best effort at exit
                pass

    names = ["ready", "first output", "ordinary cell", "chart cell", "new k (whole cell)"]
    say("\n| figure | " + " | ".join(k for k in ("start 1", "start 2", "restart")) + " |")
    say("|---|---|---|---|")
    for name in names:
        say(f"| {name} | " + " | ".join(f"{results[s][name]:.2f} s" for s in ("start 1", "start 2", "restart")) + " |")
    if "section" in results:
        s = results["section"]
        say(f"| q_ae section, notebook / CLI | {s['notebook']:.1f} s / {s['cli']:.1f} s = {s['ratio']:.2f} | | |")
        s = results["your code"]
        say(f"| your code (masked runs), notebook / CLI | {s['notebook']:.2f} s / {s['cli']:.2f} s = {s['ratio']:.2f} | | |")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
