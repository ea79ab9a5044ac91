"""A sandbox for a submission's kernel: bubblewrap, memory and process limits, no network.

The grader (``lecturekit.grading``) keeps nbclient, and so every result, in its own process;
only the kernel runs in the sandbox. Inside it the kernel sees a read-only system (``/usr``,
``/etc``), the Python installation and the virtual environment, the ``lecturekit`` package,
and one writable working folder that is its own. It does not see the book's sources, the
hidden tests, the other submissions, the grader's files or the instructor's home folder. It
has its own PID namespace (it cannot see or signal any process outside), no network (it
talks to the grader over Unix sockets in a folder of their own), and limits on its address
space and on how many processes it may hold. When the grader stops the sandbox, every
process inside dies with it, daemons included.

The process limit is a ``pids`` cgroup where the grader may create one (root on Linux with
cgroups v1 or v2), and ``RLIMIT_NPROC`` otherwise; ``describe()`` says which applies here.

Run by the kernel spec that ``kernel_spec`` writes, ``python -m lecturekit.sandbox`` has two
steps: ``enter`` (outside: join the cgroup, then become bubblewrap) and ``limits`` (inside:
set the resource limits, then become the kernel).
"""

from __future__ import annotations

import functools
import json
import os
import resource
import shutil
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

__all__ = ["DEFAULT_LIMITS", "Limits", "Sandbox", "available", "describe"]

# Where a pids cgroup can be made: cgroups v1 (one folder per controller) or v2 (unified).
# Under v1 the sandbox also gets a cpu cgroup of its own, so that a submission that forks a
# hundred busy processes still gets only its share of the processor, not the others' shares.
PIDS_ROOTS = (Path("/sys/fs/cgroup/pids"), Path("/sys/fs/cgroup"))
CPU_ROOT = Path("/sys/fs/cgroup/cpu")


@dataclass(frozen=True)
class Limits:
    """What one submission's kernel may use."""

    memory_bytes: int = 8 * 2**30  # address space of each process, and memory of them all
    processes: int = 256  # processes and threads in the sandbox at once
    disk_bytes: int = 2 * 2**30  # each of the working folder and /tmp (held in memory)


DEFAULT_LIMITS = Limits()
MAX_FILE_BYTES = 2 * 2**30  # the largest file a kernel may write


@functools.cache
def available() -> tuple[bool, str]:
    """Whether bubblewrap can make a sandbox here, and if not, why not."""
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        return False, "bubblewrap (bwrap) is not installed: apt-get install bubblewrap"
    try:
        probe = subprocess.run(
            [bwrap, "--ro-bind", "/", "/", "--unshare-all", "--die-with-parent", "true"],
            capture_output=True, text=True, timeout=30,
        )  # fmt: skip
    except (OSError, subprocess.TimeoutExpired) as error:
        return False, f"bubblewrap could not start: {error}"
    if probe.returncode != 0:
        return False, f"bubblewrap cannot make namespaces here: {probe.stderr.strip()[:200]}"
    return True, bwrap


def _cgroup_root() -> Path | None:
    """A pids cgroup folder in which this process may make child cgroups, if any."""
    for root in PIDS_ROOTS:
        if (root / "cgroup.procs").exists() and os.access(root, os.W_OK):
            if root == Path("/sys/fs/cgroup") and "pids" not in _read(root / "cgroup.controllers"):
                continue
            return root
    return None


def _memory_root() -> Path | None:
    """The cgroup v1 memory folder this process is in, if it may make child cgroups there."""
    for line in _read(Path("/proc/self/cgroup")).splitlines():
        _, controllers, path = line.split(":", 2)
        if "memory" in controllers.split(","):
            folder = Path("/sys/fs/cgroup/memory") / path.lstrip("/")
            if (folder / "memory.limit_in_bytes").exists() and os.access(folder, os.W_OK):
                return folder
    return None


def describe(limits: Limits = DEFAULT_LIMITS) -> str:
    """One line for the gradebook: how kernels are confined on this machine."""
    ok, why = available()
    if not ok:
        return f"no sandbox ({why})"
    processes = "a pids cgroup" if _cgroup_root() else "RLIMIT_NPROC"
    memory = " and in all (a memory cgroup)" if _cgroup_root() and _memory_root() else ""
    return (
        f"bubblewrap sandbox: no network, no capabilities, own PID namespace, "
        f"{limits.memory_bytes / 2**30:g} GiB of memory per process{memory}, at most "
        f"{limits.processes} processes ({processes}), {limits.disk_bytes / 2**30:g} GiB for "
        "each of its folder and /tmp"
    )


class Sandbox:
    """One kernel's sandbox: its folders, its kernel spec and its cgroup.

    ``Sandbox(scratch, limits)`` makes ``scratch/work`` (the kernel's working folder) and
    ``scratch/sockets`` (the connection); ``kernel_manager()`` gives a ``KernelManager`` that
    starts the kernel inside; ``close()`` kills whatever is left in it.
    """

    def __init__(
        self, scratch: Path, limits: Limits = DEFAULT_LIMITS, *, isolate: bool = True
    ) -> None:
        self.limits, self.isolate = limits, isolate
        self.work, self.sockets = scratch / "work", scratch / "sockets"
        self.tmp, self.kernels = scratch / "tmp", scratch / "kernels"
        for folder in (self.work, self.tmp, self.sockets, self.kernels / "sandboxed"):
            folder.mkdir(parents=True)
        self.cgroup, self.cgroups = None, []
        root, name = _cgroup_root(), f"lecturekit-{uuid.uuid4().hex[:12]}"
        if root is not None:
            self.cgroup = root / name
            self.cgroup.mkdir()
            (self.cgroup / "pids.max").write_text(str(limits.processes))
            self.cgroups.append(self.cgroup)
            if root != CPU_ROOT.parent and os.access(CPU_ROOT, os.W_OK):
                (CPU_ROOT / name).mkdir()
                self.cgroups.append(CPU_ROOT / name)
            memory = _memory_root()
            if memory is not None:  # v1: the memory of all its processes, and their swap
                (memory / name).mkdir()
                (memory / name / "memory.limit_in_bytes").write_text(str(limits.memory_bytes))
                swap = memory / name / "memory.memsw.limit_in_bytes"
                if swap.exists():
                    swap.write_text(str(limits.memory_bytes))
                self.cgroups.append(memory / name)
        spec = {
            "argv": self._argv(),
            "env": self.environment(),
            "display_name": "sandboxed",
            "language": "python",
            # A signal to the launcher would stop at bubblewrap; a message reaches ipykernel,
            # which interrupts itself.
            "interrupt_mode": "message",
        }
        (self.kernels / "sandboxed" / "kernel.json").write_text(json.dumps(spec))

    def _argv(self) -> list[str]:
        inside = [
            sys.executable, "-m", "lecturekit.sandbox", "limits",
            str(self.limits.memory_bytes), str(self.limits.processes), "--",
            sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}",
        ]  # fmt: skip
        groups = ",".join(str(group) for group in self.cgroups) or "-"
        enter = [sys.executable, "-m", "lecturekit.sandbox", "enter", groups, "--"]
        if not self.isolate:
            return enter + inside
        return enter + [available()[1], *self._bwrap_options(), *inside]

    def environment(self) -> dict[str, str]:
        """The kernel's whole environment: the book's pinned numerics, headless plotting, and
        nothing of the grader's own (no tokens or keys it may hold)."""
        from lecturekit.numerics import PINNED

        home = str(self.work)
        tmp = "/tmp" if self.isolate else str(self.tmp)
        environment = {
            "PATH": f"{Path(sys.executable).parent}:/usr/local/bin:/usr/bin:/bin",
            "HOME": home,
            # IPython's and matplotlib's own files stay out of the working folder, so that a
            # submission that empties its folder does not pull them from under its kernel.
            "IPYTHONDIR": f"{tmp}/ipython",
            "MPLCONFIGDIR": f"{tmp}/matplotlib",
            "XDG_CACHE_HOME": f"{tmp}/cache",
            "TMPDIR": tmp,
            "LECTUREKIT_HEADLESS": "1",
            "MPLBACKEND": "Agg",
            **PINNED,
        }
        for name in ("LANG", "LC_ALL", "LECTUREKIT_DATA_DIR"):
            if name in os.environ:
                environment[name] = os.environ[name]
        return environment

    def _bwrap_options(self) -> list[str]:
        import lecturekit
        from lecturekit.data import default_cache_dir

        # Its own user namespace with no capabilities at all: even where the grader runs as
        # root, the kernel cannot remount, mount or make namespaces of its own.
        options = [
            "--die-with-parent", "--unshare-all", "--new-session", "--hostname", "sandbox",
            "--unshare-user", "--uid", "65534", "--gid", "65534", "--cap-drop", "ALL",
            "--disable-userns",
            "--ro-bind", "/usr", "/usr", "--ro-bind", "/etc", "/etc",
            "--proc", "/proc", "--dev", "/dev",
        ]  # fmt: skip
        for secret in ("/etc/shadow", "/etc/gshadow", "/etc/shadow-", "/etc/gshadow-"):
            if os.path.exists(secret):
                options += ["--ro-bind", "/dev/null", secret]
        if os.path.isdir("/etc/ssh"):
            options += ["--tmpfs", "/etc/ssh"]  # the host's private keys
        for name in ("bin", "lib", "lib64", "sbin"):
            path = Path("/") / name
            if path.is_symlink():
                options += ["--symlink", os.readlink(path), str(path)]
            elif path.is_dir():
                options += ["--ro-bind", str(path), str(path)]
        home, disk = str(self.work), str(self.limits.disk_bytes)
        # /tmp first, in memory and of a fixed size: what is bound below may lie under it
        # (a checkout in /tmp, the grader's scratch folder), and must stay visible.
        options += ["--size", disk, "--tmpfs", "/tmp"]
        readable = [
            Path(sys.base_prefix),
            Path(sys.prefix),
            Path(lecturekit.__file__).resolve().parent,
            default_cache_dir(),
        ]
        for path in readable:
            if path.exists() and not any(str(path).startswith(p) for p in ("/usr/", "/etc/")):
                options += ["--ro-bind", str(path), str(path)]
        # The working folder is in memory too, of the same fixed size, and like /tmp counted
        # in the sandbox's memory: a submission cannot fill the grader's disk.
        options += ["--size", disk, "--tmpfs", home]
        options += ["--bind", str(self.sockets), str(self.sockets)]
        # The root that bubblewrap builds, and every folder made on it, is read-only too: the
        # working folder, /tmp and the sockets are the only places the kernel can write.
        options += ["--remount-ro", "/"]
        # The kernel gets only the environment below. Dropping JPY_PARENT_PID matters: in its
        # own PID namespace its parent is pid 1, which ipykernel would take for a dead parent.
        options += ["--chdir", home, "--clearenv"]
        for name, value in self.environment().items():
            options += ["--setenv", name, value]
        return options

    def kernel_manager(self, context=None):  # noqa: ANN001, ANN201 (jupyter_client's types)
        """The manager nbclient starts the kernel with (asynchronous, as nbclient needs), its
        sockets made from ``context`` (a ``zmq.asyncio.Context``) if given."""
        from jupyter_client import AsyncKernelManager
        from jupyter_client.kernelspec import KernelSpecManager

        manager = AsyncKernelManager(
            kernel_spec_manager=KernelSpecManager(kernel_dirs=[str(self.kernels)]),
            kernel_name="sandboxed",
            transport="ipc",
            ip=str(self.sockets / "kernel"),
            connection_file=str(self.sockets / "connection.json"),
            **({"context": context} if context is not None else {}),
        )
        return manager

    def close(self) -> None:
        """Kill every process left in the sandbox's cgroups and remove the cgroups.

        A killed process stays in its cgroup until it has fully exited, and until then the
        cgroup cannot be removed: so kill and retry, for up to five seconds.
        """
        for _ in range(100):
            left = [group for group in self.cgroups if group.exists()]
            if not left:
                return
            procs = self.cgroup / "cgroup.procs" if self.cgroup is not None else None
            for pid in _read(procs).split() if procs is not None else []:
                try:
                    os.kill(int(pid), 9)
                except (ProcessLookupError, ValueError):
                    pass
            for group in left:
                try:
                    group.rmdir()
                except OSError:  # still busy: processes on their way out
                    pass
            time.sleep(0.05)


def _read(path: Path) -> str:
    try:
        return path.read_text()
    except OSError:
        return ""


def main(argv: list[str]) -> None:
    """``enter CGROUP -- CMD...`` (outside) or ``limits BYTES PROCESSES -- CMD...`` (inside)."""
    step, *rest = argv
    split = rest.index("--")
    settings, command = rest[:split], rest[split + 1 :]
    if step == "enter":
        (groups,) = settings
        for group in groups.split(",") if groups != "-" else []:
            Path(group, "cgroup.procs").write_text(str(os.getpid()))
    elif step == "limits":
        memory, processes = (int(value) for value in settings)
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        resource.setrlimit(resource.RLIMIT_FSIZE, (MAX_FILE_BYTES, MAX_FILE_BYTES))
        if os.getuid() != 0:  # root is never held by RLIMIT_NPROC; its cgroup holds it
            resource.setrlimit(resource.RLIMIT_NPROC, (processes, processes))
    else:
        raise SystemExit(f"unknown step {step!r}")
    os.execv(command[0], command)


if __name__ == "__main__":
    main(sys.argv[1:])
