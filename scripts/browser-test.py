#!/usr/bin/env python3
"""The student q_ae notebook in a real browser: Jupyter Lab started by
scripts/lab.sh, driven by Debian's Chromium (headless) over the DevTools
protocol (tornado's websocket client, already a Jupyter dependency: no
browser download, no driver).

    .venv/bin/python scripts/browser-test.py [--out out]

It opens a copy of notebooks/student/q_ae.ipynb (the original is never
saved), runs its first cells and the "your bottleneck" cell, and checks:

- the bottleneck cell's chart renders as SVG;
- a progress display redraws in place (one output whose value grows, not
  one output per step), through the kernel's display protocol;
- a deliberately failing cell shows an error output (a red box) and Lab
  counts the cell as failed.

Prints the time from opening the notebook to the first rendered chart and
saves screenshots in OUT/ (browser-chart.png, browser-end.png). Exit status 1
if a check fails, 2 if Lab or Chromium cannot start.
"""

import argparse
import asyncio
import base64
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from nbtools.q_ae_answer import ARCHITECTURE_NEEDLE, with_architecture_written

ROOT = Path(__file__).resolve().parent.parent
STUDENT = ROOT / "notebooks" / "student"
COPY_NAME = "browser-test-q_ae.ipynb"

# Cells of the student notebook run before the bottleneck cell, found by content:
# the set-up, the exercise cells (still todo!() bodies) and the cell that picks
# the models the student's code drives.
SETUP_NEEDLES = [":dep hw6", "use hw6::prelude::*;", "let quick: bool", "let NUM_EPOCHS", "SyntheticConfig {",
                 "MnistConfig {", "struct MyForward;", "struct MyDenoisingStep {", "struct MyMaskingStep {",
                 "let denoising_written", ARCHITECTURE_NEEDLE]
BOTTLENECK_NEEDLE = "let my_k: usize = 32;"

PROGRESS_CELL = """for step in 0..=20u32 {
    println!("HW6_KERNEL_DISPLAY {{\\"display_id\\": \\"browser-test\\", \\"data\\": {{\\"text/html\\": \\"<progress class='browser-test' value='{step}' max='20'></progress> {step}/20\\", \\"text/plain\\": \\"{step}/20\\"}}}}");
    std::thread::sleep(std::time::Duration::from_millis(200));
}"""
FAILING_CELL = 'let deliberate: Result<(), String> = Err("deliberate failure from the browser test".into());\ndeliberate?;'


class Failure(Exception):
    """A check failed."""


class Unavailable(Exception):
    """Lab or Chromium did not start."""


def write_student_copy(copy):
    """The student q_ae notebook with section 1.3's architecture written in."""
    nb = json.loads((STUDENT / "q_ae.ipynb").read_text(encoding="utf-8"))
    cells = [c for c in nb["cells"] if ARCHITECTURE_NEEDLE in "".join(c["source"])]
    try:
        cells[0]["source"] = with_architecture_written("".join(cells[0]["source"]) if cells else "")
    except ValueError as exc:
        raise Failure(str(exc)) from None
    copy.write_text(json.dumps(nb, indent=1), encoding="utf-8")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(predicate, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(0.2)
    raise Unavailable(f"{what} did not happen within {timeout} s")


def http_ok(url):
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


class DevTools:
    """One Chromium page over the DevTools protocol."""

    def __init__(self, ws_url):
        self.ws_url = ws_url
        self.conn = None
        self.next_id = 0

    async def connect(self):
        from tornado.websocket import websocket_connect

        self.conn = await websocket_connect(self.ws_url, max_message_size=256 * 1024 * 1024)

    async def call(self, method, **params):
        self.next_id += 1
        my_id = self.next_id
        await self.conn.write_message(json.dumps({"id": my_id, "method": method, "params": params}))
        while True:
            raw = await self.conn.read_message()
            if raw is None:
                raise Unavailable("Chromium closed the DevTools connection")
            msg = json.loads(raw)
            if msg.get("id") == my_id:
                if "error" in msg:
                    raise Failure(f"{method}: {msg['error']}")
                return msg.get("result", {})

    async def js(self, expression, timeout=1800):
        """The value of a JavaScript expression (awaited if it is a promise)."""
        result = await asyncio.wait_for(
            self.call("Runtime.evaluate", expression=expression, awaitPromise=True, returnByValue=True),
            timeout)
        if "exceptionDetails" in result:
            details = result["exceptionDetails"]
            text = details.get("exception", {}).get("description") or details.get("text")
            raise Failure(f"JavaScript failed: {text}\n{expression[:300]}")
        return result.get("result", {}).get("value")

    async def screenshot(self, path):
        data = await self.call("Page.captureScreenshot", format="png")
        path.write_bytes(base64.b64decode(data["data"]))


# JavaScript helpers, installed once in the page: find, run and inspect cells.
HELPERS = r"""
window.hw6 = {
  nb() {
    for (const w of window.jupyterapp.shell.widgets('main')) {
      if (w.content && w.content.widgets && w.context && w.context.path.endsWith(NOTEBOOK_NAME)) {
        // Commands act on the current notebook: make it current.
        if (window.jupyterapp.shell.currentWidget !== w) window.jupyterapp.shell.activateById(w.id);
        return w;
      }
    }
    return null;
  },
  indexOf(needle) {
    const cells = this.nb().content.widgets;
    for (let i = 0; i < cells.length; i++) {
      if (cells[i].model.type === 'code' && cells[i].model.sharedModel.getSource().includes(needle)) return i;
    }
    return -1;
  },
  async run(index) {
    const panel = this.nb();
    panel.content.activeCellIndex = index;
    const ok = await window.jupyterapp.commands.execute('notebook:run-cell');
    const cell = panel.content.widgets[index];
    return {ok: ok !== false, outputs: cell.model.outputs.toJSON()};
  },
  async append(source) {
    const panel = this.nb();
    panel.content.activeCellIndex = panel.content.widgets.length - 1;
    await window.jupyterapp.commands.execute('notebook:insert-cell-below');
    const index = panel.content.activeCellIndex;
    panel.content.widgets[index].model.sharedModel.setSource(source);
    return index;
  },
  node(index) { return this.nb().content.widgets[index].node; },
  kernelIdle() {
    const ctx = this.nb() && this.nb().sessionContext;
    return !!(ctx && ctx.session && ctx.session.kernel && ctx.session.kernel.status === 'idle');
  },
};
true
"""


async def drive(page, lab_url, out, say):
    await page.connect()
    await page.call("Page.enable")
    await page.call("Runtime.enable")
    await page.call("Emulation.setFocusEmulationEnabled", enabled=True)
    await page.call("Emulation.setDeviceMetricsOverride", width=1400, height=1000, deviceScaleFactor=1, mobile=False)
    opened = time.monotonic()
    await page.call("Page.navigate", url=lab_url)
    deadline = time.monotonic() + 180
    while not await page.js("!!(window.jupyterapp && window.jupyterapp.shell)"):
        if time.monotonic() > deadline:
            raise Unavailable("Jupyter Lab did not start in the browser within 180 s")
        await asyncio.sleep(0.5)
    await page.js(HELPERS.replace("NOTEBOOK_NAME", json.dumps(COPY_NAME)))
    while not await page.js("!!window.hw6.nb()"):
        if time.monotonic() > deadline:
            state = await page.js("JSON.stringify({title: document.title, url: location.href, app: !!window.jupyterapp, "
                                  "widget: window.jupyterapp && window.jupyterapp.shell.currentWidget "
                                  "&& window.jupyterapp.shell.currentWidget.title.label})")
            await page.screenshot(out / "browser-failed.png")
            raise Unavailable(f"Jupyter Lab did not open the notebook within 180 s: {state}")
        await asyncio.sleep(0.5)
    while not await page.js("window.hw6.kernelIdle()"):
        if time.monotonic() > deadline:
            raise Failure("the notebook's kernel was not idle within 180 s of opening it")
        await asyncio.sleep(0.5)
    say(f"   notebook open, kernel idle after {time.monotonic() - opened:.1f} s")

    for needle in SETUP_NEEDLES:
        index = await page.js(f"window.hw6.indexOf({json.dumps(needle)})")
        if index < 0:
            raise Failure(f"no cell containing {needle!r}: update {__file__}")
        t = time.monotonic()
        result = await page.js(f"window.hw6.run({index})")
        if not result["ok"] or any(o.get("output_type") == "error" for o in result["outputs"]):
            raise Failure(f"cell {index + 1} ({needle}) failed: {json.dumps(result['outputs'])[:600]}")
        say(f"   cell {index + 1} ({needle}) ran in {time.monotonic() - t:.1f} s")

    index = await page.js(f"window.hw6.indexOf({json.dumps(BOTTLENECK_NEEDLE)})")
    result = await page.js(f"window.hw6.run({index})")
    if not result["ok"]:
        raise Failure(f"the bottleneck cell failed: {json.dumps(result['outputs'])[:600]}")
    first_chart = time.monotonic() - opened
    svg = await page.js(f"window.hw6.node({index}).querySelectorAll('.jp-RenderedSVG svg, .jp-RenderedSVG img').length")
    if not svg:
        raise Failure("the bottleneck cell's chart was not rendered as SVG")
    say(f"   first chart rendered as SVG {first_chart:.1f} s after opening the notebook")
    await page.js(f"window.hw6.node({index}).scrollIntoView()")
    await page.screenshot(out / "browser-chart.png")

    index = await page.js(f"window.hw6.append({json.dumps(PROGRESS_CELL)})")
    # Sample the cell's output inside the page while it runs.
    await page.js(f"""(() => {{
        window.hw6samples = [];
        window.hw6sampler = setInterval(() => {{
          const bars = window.hw6.node({index}).querySelectorAll('progress.browser-test');
          window.hw6samples.push([bars.length, bars.length ? bars[0].value : null]);
        }}, 50);
        return true; }})()""")
    result = await page.js(f"window.hw6.run({index})")
    samples = await page.js("(() => { clearInterval(window.hw6sampler); return window.hw6samples; })()")
    if not result["ok"]:
        raise Failure(f"the progress cell failed: {json.dumps(result['outputs'])[:600]}")
    displays = [o for o in result["outputs"] if o.get("output_type") == "display_data"]
    most = max((n for n, _ in samples), default=0)
    values = sorted({v for n, v in samples if n})
    if most != 1 or len(displays) != 1 or len(values) < 3 or values[-1] != 20:
        raise Failure(f"the progress display did not redraw in place: at most {most} bar(s) at once, "
                      f"{len(displays)} display output(s), values seen {values}")
    say(f"   progress display: one output redrawn {len(values)} times while the cell ran, up to 20/20")

    index = await page.js(f"window.hw6.append({json.dumps(FAILING_CELL)})")
    result = await page.js(f"window.hw6.run({index})")
    errors = [o for o in result["outputs"] if o.get("output_type") == "error"]
    shown = await page.js(f"window.hw6.node({index}).querySelectorAll("
                          "'.jp-OutputArea-output[data-mime-type=\"application/vnd.jupyter.stderr\"]').length")
    if result["ok"] or not errors or "deliberate failure" not in errors[0].get("evalue", "") or not shown:
        raise Failure(f"the failing cell did not show an error output: ok={result['ok']}, "
                      f"outputs={json.dumps(result['outputs'])[:400]}")
    say(f"   failing cell: error output {errors[0]['ename']}: {errors[0]['evalue']}")
    await page.js(f"window.hw6.node({index}).scrollIntoView()")
    await page.screenshot(out / "browser-end.png")
    return first_chart


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default=str(ROOT / "out"))
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    def say(line):
        print(line, flush=True)

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        print("error: no chromium on PATH; scripts/setup.sh installs it", file=sys.stderr)
        return 2
    copy = STUDENT / COPY_NAME
    write_student_copy(copy)
    port, token = free_port(), secrets.token_hex(16)
    profile = tempfile.mkdtemp(prefix="hw6-browser-")
    lab = subprocess.Popen(
        [str(ROOT / "scripts" / "lab.sh"), "--no-browser", f"--port={port}", "--ip=127.0.0.1",
         f"--IdentityProvider.token={token}", "--LabApp.expose_app_in_browser=True",
         "--ServerApp.open_browser=False", *(["--allow-root"] if os.geteuid() == 0 else [])],
        stdout=subprocess.DEVNULL, stderr=open(out / "browser-lab.log", "w"), start_new_session=True)
    browser = None
    try:
        wait_for(lambda: lab.poll() is not None or http_ok(f"http://127.0.0.1:{port}/api/status?token={token}"),
                 120, "Jupyter Lab starting")
        if lab.poll() is not None:
            raise Unavailable(f"Jupyter Lab exited ({lab.returncode}); see {out / 'browser-lab.log'}")
        browser = subprocess.Popen(
            [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
             "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
             f"--user-data-dir={profile}", "--remote-debugging-port=0", "--window-size=1400,1000", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        active = Path(profile) / "DevToolsActivePort"
        wait_for(lambda: active.exists() and len(active.read_text().split()) >= 2, 60, "Chromium starting")
        devtools_port = active.read_text().split()[0]
        with urllib.request.urlopen(f"http://127.0.0.1:{devtools_port}/json/list", timeout=10) as response:
            pages = [t for t in json.load(response) if t.get("type") == "page"]
        if not pages:
            raise Unavailable("Chromium has no page to drive")
        lab_url = f"http://127.0.0.1:{port}/lab/tree/student/{COPY_NAME}?token={token}"
        first_chart = asyncio.run(drive(DevTools(pages[0]["webSocketDebuggerUrl"]), lab_url, out, say))
        (out / "browser-test.json").write_text(json.dumps({"first_chart_seconds": first_chart}) + "\n")
        say(f"browser test passed: first chart after {first_chart:.1f} s; screenshots in {out}")
        return 0
    except Unavailable as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except (Failure, asyncio.TimeoutError) as exc:
        print(f"error: browser test failed: {exc}", file=sys.stderr)
        return 1
    finally:
        if browser is not None:
            browser.terminate()
            browser.wait(timeout=30)
        try:
            os.killpg(lab.pid, 15)
        except ProcessLookupError:
            pass
        try:
            lab.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(lab.pid, 9)
        copy.unlink(missing_ok=True)
        shutil.rmtree(profile, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
