"""The kernel a submission runs in: a temporary kernelspec whose command
wraps the hw6 kernel in limits and, where the machine allows it, a sandbox.

Limits (prlimit, inherited by everything the kernel starts: evcxr's worker
process that runs the student's code, cargo, rustc):

- address space (`Limits.memory`, `grade --memory`): an allocation beyond
  it fails, so a submission that allocates without bound crashes its own
  worker process, not the machine;
- the size of any file written (`Limits.max_file`), no core dumps;
- processes and threads of the user (`Limits.extra_processes` more than
  were running when the run started), so a fork bomb stops there (root
  is exempt unless the sandbox dropped its capabilities);
- the kernel gets SIGKILL when the run's process ends, however it ends.

Sandbox (Linux mount and PID namespaces, `unshare`; needs root):

- the whole file system is read-only for the kernel, except its own build
  folder set (the kernel cache of this release) and a fresh, size-limited
  working folder (a tmpfs at `RELEASE/.grading/<id>`, also its TMPDIR) that
  disappears with the kernel;
- the other submissions' working folders (`RELEASE/.grading`), the
  submissions given on the command line, the output folder, the
  instructors' solution notebooks and full crates, and the Jupyter runtime
  folder (other kernels' connection keys) are hidden behind empty tmpfs;
- the kernel sees only its own processes (a PID namespace; it is process
  1 there, so stopping it stops everything the submission started);
- then every capability is dropped (`setpriv`), so the code cannot undo
  any of this (remount, unmount) although it runs as root.

What it does not do: the network is left as it is (the kernel talks to
Jupyter over TCP on localhost); the build folders are shared by the
submissions of a batch (one at a time per folder), so a deliberately
malicious submission could leave something in the compiled dependencies
for the next one; CPU time is bounded only by the time limits. A course
that grades untrusted code at scale runs each submission in a container
(see docs/grading.md).
"""

import hashlib
import json
import os
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from . import KERNEL, ROOT

KERNEL_NAME = "hw6-grade"
GRADING = ".grading"
MiB = 1024 * 1024


@dataclass
class Limits:
    """What one submission's run may use."""
    memory: int = 8192 * MiB
    max_file: int = 2048 * MiB
    extra_processes: int = 4096
    workdir: int = 512 * MiB
    cell_seconds: int = 600
    check_seconds: int = 120
    notebook_seconds: int = 3600
    output_chars: int = 100_000


def kernel_argv():
    """The hw6 kernel's own command line, from its installed kernelspec."""
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    from . import ToolError

    try:
        return KernelSpecManager().get_kernel_spec(KERNEL).argv
    except NoSuchKernel:
        raise ToolError(f"no Jupyter kernel named '{KERNEL}': run scripts/setup.sh") from None


def cache_set(release):
    """The kernel's build folder set for a project folder (as
    crates/kernel/src/slots.rs names it: folder name, then a hash of the
    canonical path)."""
    root = os.environ.get("HW6_KERNEL_CACHE")
    if not root:
        base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
        root = str(Path(base) / "hw6-kernel")
    path = str(Path(release).resolve())
    return Path(root) / f"{Path(path).name}-{hashlib.sha256(path.encode()).hexdigest()[:12]}"


def sandbox_available():
    """Whether mount and PID namespaces can be made here (root, unshare,
    setpriv); else the reason."""
    missing = [tool for tool in ("unshare", "setpriv", "prlimit") if shutil.which(tool) is None]
    if missing:
        return False, f"{', '.join(missing)} not found"
    if os.geteuid() != 0:
        return False, "not running as root (mount namespaces need it)"
    probe = subprocess.run(["unshare", "--mount", "--pid", "--fork", "--mount-proc", "--propagation", "private",
                            "--", "mount", "-o", "remount,bind,ro", "/"], capture_output=True, text=True)
    if probe.returncode != 0:
        return False, f"unshare failed: {probe.stderr.strip()[:200]}"
    return True, ""


def user_tasks():
    """Processes and threads of this user now (what RLIMIT_NPROC counts)."""
    uid, count = os.getuid(), 0
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if entry.stat().st_uid == uid:
                    count += len(os.listdir(entry / "task"))
            except OSError:
                continue
    return count


def runtime_dir():
    from jupyter_core.paths import jupyter_runtime_dir

    return Path(jupyter_runtime_dir())


def hidden_paths(extra):
    """Folders the kernel must not see: the instructors' solution notebooks
    and full crates, the Jupyter runtime folder, and `extra` (the
    submissions, the output folder)."""
    return [ROOT / "notebooks", ROOT / "crates", runtime_dir(), *extra]


def holds(path, needed):
    """Whether `path` is one of the `needed` paths or a folder above one."""
    return any(n == path or path in n.parents for n in needed)


def covers(paths, needed, depth=4):
    """(folders, files) to cover so that everything under `paths` is hidden
    except the `needed` paths: a folder that holds a needed path is not
    covered itself but each of its other entries is (so the release in
    `out/release` stays visible while the rest of `out/` is hidden)."""
    folders, files = [], []
    paths = sorted({Path(p).resolve() for p in paths if Path(p).exists()})
    for path in [p for p in paths if not any(o in p.parents for o in paths)]:
        pending = [(path, 0)]
        while pending:
            here, level = pending.pop()
            if not holds(here, needed):
                (folders if here.is_dir() else files).append(here)
            elif here not in needed and level < depth and here.is_dir():
                pending += [(c, level + 1) for c in here.iterdir() if not c.is_symlink()]
    return sorted(folders), sorted(files)


def write_kernelspec(job_dir, release, run_id, limits, hide, sandbox):
    """Write a kernelspec (`hw6-grade`) into job_dir/kernels and its wrapper
    script; returns the folder to put on JUPYTER_PATH."""
    release = Path(release).resolve()
    argv = kernel_argv()
    cache = cache_set(release)
    cache.mkdir(parents=True, exist_ok=True)
    needed = [release, cache, Path(argv[0]).resolve(), Path(sys.prefix).resolve()]
    for home in ("CARGO_HOME", "RUSTUP_HOME"):
        needed.append(Path(os.environ.get(home) or Path.home() / ("." + home.split("_")[0].lower())).resolve())
    hide = covers(hidden_paths(hide), needed)
    script = job_dir / "kernel.sh"
    script.write_text(wrapper_script(release, run_id, argv, limits, cache, hide, sandbox), encoding="utf-8")
    spec = job_dir / "kernels" / KERNEL_NAME
    spec.mkdir(parents=True, exist_ok=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": ["/bin/sh", str(script), "{connection_file}"],
        "display_name": "Rust (hw6, grading)", "language": "rust", "interrupt_mode": "message",
    }), encoding="utf-8")
    return job_dir


def wrapper_script(release, run_id, argv, limits, cache, hide, sandbox):
    """The shell script the kernelspec runs: limits, then (sandbox) the
    namespaces, the mounts (`hide`: the (folders, files) of `covers`) and
    the dropped capabilities, then the kernel."""
    q = shlex.quote
    grading = release / GRADING
    work = grading / run_id
    prlimit = (f"prlimit --as={limits.memory} --fsize={limits.max_file} --core=0 "
               f"--nproc={user_tasks() + limits.extra_processes}")
    kernel = " ".join(q(a) for a in argv[:-1])  # up to "--connection-file"
    # The kernel dies with the run's process, however that ends.
    prlimit += " -- setpriv --pdeathsig KILL"
    lines = ["#!/bin/sh", "# Written by scripts/nbtools/grade_sandbox.py for one submission's run.", "set -eu",
             "# The submission runs in this kernel, inside these limits: never in a",
             "# warm spare kernel (crates/kernel/src/spare) started outside them.",
             "export HW6_KERNEL_SPARES=0"]
    if not sandbox:
        lines += [f"cd {q(str(work))}", f"exec {prlimit} -- {kernel} \"$1\""]
        return "\n".join(lines) + "\n"
    lines += [
        'if [ "${1:-}" != --inside ]; then',
        f"  exec {prlimit} -- unshare --mount --pid --fork --kill-child --mount-proc --propagation private "
        '-- /bin/sh "$0" --inside "$1"',
        "fi",
        'conn="$2"',
        f"mount --bind {q(str(cache))} {q(str(cache))}",
        f"mount -t tmpfs -o size={limits.workdir},mode=0755 hw6-grading {q(str(grading))}",
        f"mkdir -p {q(str(work / '.tmp'))}",
        f"ln -s ../crates {q(str(grading / 'crates'))}",
        f"ln -s ../data {q(str(grading / 'data'))}",
        f'cp "$conn" {q(str(work / ".connection.json"))}',
    ]
    folders, files = hide
    lines += [f"mount -t tmpfs -o size=64k,mode=0555 hw6-hidden {q(str(h))}" for h in folders]
    lines += [f"mount --bind /dev/null {q(str(h))}" for h in files]
    lines += [
        "mount -o remount,bind,ro /",
        f"cd {q(str(work))}",
        f"export TMPDIR={q(str(work / '.tmp'))}",
        f"exec setpriv --no-new-privs --bounding-set=-all --inh-caps=-all -- {kernel} "
        f"{q(str(work / '.connection.json'))}",
    ]
    return "\n".join(lines) + "\n"


def prepare_workdir(release, run_id):
    """The run's working folder (the kernel starts there; in the sandbox a
    tmpfs takes its place) and the shared links that make the notebook's
    `../crates/hw6` resolve to the release's crates from it."""
    grading = Path(release).resolve() / GRADING
    work = grading / run_id
    work.mkdir(parents=True, exist_ok=True)
    for name in ("crates", "data"):
        link = grading / name
        if not link.is_symlink():
            try:
                link.symlink_to(Path("..") / name)
            except FileExistsError:
                pass  # another job made it
    return work
