"""The one numeric environment in which the book's outputs are made, replayed and graded.

PyTorch's CPU kernels are chosen at run time for the processor: ATen's own vectorised code
(AVX2 or AVX-512), oneDNN's convolutions and MKL's matrix products each pick an instruction
set, and each parallel reduction splits its work by the number of threads. Two such choices
round differently in the last bit, and training turns that bit into different printed
results. So every run that writes or checks committed outputs (``make execute``, the nbval,
papermill and grading kernels of ``make test``, the grader) starts its kernels with
:data:`PINNED` in the environment: AVX2 kernels, two threads and no GPU. AVX2 (with FMA)
is on every Intel Core and Xeon since Haswell (2013) and every AMD processor since
Excavator (2015); some Pentium, Celeron and Atom chips lack it, and there
:func:`check_processor` refuses with a reason. A reader's own JupyterLab or Colab runs
without the pins, at full speed::

    python -m lecturekit.numerics                  # print the pins as NAME=value lines
    python -m lecturekit.numerics pytest ...       # run a command under them

The variables are read once, when torch (or MKL, or OpenMP) starts: they must be in the
environment of the process before it imports torch, so set them for a new process, never
inside a running one. Nothing happens on import of this module; it imports torch only
in :func:`report`.
"""

from __future__ import annotations

import functools
import os
import platform
import re
import sys
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from types import MappingProxyType

__all__ = ["PINNED", "check_processor", "expected_report", "pinned_environment", "report"]

PINNED: Mapping[str, str] = MappingProxyType(
    {
        # ATen, PyTorch's own CPU kernels: the AVX2 build, even where AVX-512 is there.
        "ATEN_CPU_CAPABILITY": "avx2",
        # oneDNN (convolutions, some matrix products): no instruction set beyond AVX2.
        "ONEDNN_MAX_CPU_ISA": "AVX2",
        # MKL (matrix products, FFT) in conditional numerical reproducibility mode, on its
        # "COMPATIBLE" branch: the one MKL documents as giving the same results on Intel and
        # AMD processors. Its "AVX2" branch does not: MKL runs it on Intel processors but
        # its "AUTO" branch on AMD ones, and outputs made on one failed to replay on the
        # other. COMPATIBLE costs run time (see README, "Reproducible numbers").
        "MKL_CBWR": "COMPATIBLE",
        # Threads: a parallel sum's rounding depends on how the work is split.
        "OMP_NUM_THREADS": "2",
        "MKL_NUM_THREADS": "2",
        "OPENBLAS_NUM_THREADS": "2",
        # Waiting OpenMP threads sleep instead of spinning. Where two pinned kernels share two
        # cores (the grader's two jobs, a busy machine), spinning threads starve the others:
        # two runs of chapter 04 at its small settings took over 3 minutes each side by side,
        # against 15 s each with PASSIVE (and 15 s alone). The results do not change.
        "OMP_WAIT_POLICY": "PASSIVE",
        # No GPU: device="auto" means the CPU, where the outputs were made.
        "CUDA_VISIBLE_DEVICES": "",
    }
)
# numpy's and scipy's OpenBLAS keep their own kernel choice: OPENBLAS_CORETYPE is set on some
# machines to steer clear of bugs in older OpenBLAS builds, and overriding it could bring them
# back. Replays across AVX2 and AVX-512 AMD processors matched without it.

# What the pinned kernels need from the processor (Linux /proc/cpuinfo flag names).
_REQUIRED_FLAGS = ("avx2", "fma")


def check_processor(cpuinfo: str | None = None) -> None:
    """Raise ``RuntimeError`` if this x86-64 processor cannot run the pinned AVX2 kernels.

    ATen takes ``ATEN_CPU_CAPABILITY=avx2`` at its word, so on a processor without AVX2 the
    pinned kernels would stop with an illegal instruction; this says why instead. Other
    machines (Arm) are not checked: the instruction-set pins name x86 kernels, which ATen
    there ignores with a warning (the thread and GPU pins still hold).
    """
    if cpuinfo is None:
        path = Path("/proc/cpuinfo")
        if platform.machine() not in ("x86_64", "AMD64") or not path.exists():
            return
        cpuinfo = path.read_text(errors="replace")
    lines = [line for line in cpuinfo.splitlines() if line.startswith("flags")]
    flags = lines[0].split(":", 1)[1].split() if lines else []
    missing = [flag for flag in _REQUIRED_FLAGS if flag not in flags]
    if missing:
        raise RuntimeError(
            f"this processor lacks {' and '.join(missing)}, which the book's pinned numeric "
            "environment (AVX2 kernels) needs: its committed outputs cannot be replayed here. "
            "The chapters still run unpinned, e.g. with `make lab`."
        )


def pinned_environment(base: Mapping[str, str] | None = None) -> dict[str, str]:
    """``base`` (default: this process's environment) with :data:`PINNED` put over it."""
    check_processor()
    return {**(os.environ if base is None else base), **PINNED}


def report() -> dict[str, object]:
    """What this process's kernels run with, asked of the libraries themselves.

    ATen's instruction set and torch's thread count; the instruction set oneDNN dispatches
    to and the branch MKL runs in reproducible (CNR) mode, both read from their own verbose
    output; the device ``"auto"`` resolves to; and the pinned variables as this process sees
    them. In a process started under :data:`PINNED` it equals :func:`expected_report`.
    """
    import torch

    from lecturekit.device import resolve_device

    onednn_isa, mkl_branch = _library_dispatch()
    return {
        "cpu_capability": torch.backends.cpu.get_cpu_capability(),
        "onednn_isa": onednn_isa,
        "mkl_branch": mkl_branch,
        "torch_threads": torch.get_num_threads(),
        "device": str(resolve_device("auto")),
        **{name: os.environ.get(name) for name in PINNED},
    }


def expected_report() -> dict[str, object]:
    """What :func:`report` says in a process started under :data:`PINNED`."""
    return {
        "cpu_capability": PINNED["ATEN_CPU_CAPABILITY"].upper(),
        "onednn_isa": "Intel " + PINNED["ONEDNN_MAX_CPU_ISA"],
        "mkl_branch": PINNED["MKL_CBWR"],
        "torch_threads": int(PINNED["OMP_NUM_THREADS"]),
        "device": "cpu",
        **PINNED,
    }


@functools.cache  # oneDNN prints its instruction set only the first time
def _library_dispatch() -> tuple[str | None, str | None]:
    """oneDNN's instruction set ("Intel AVX2") and MKL's CNR branch ("COMPATIBLE", "OFF", ...)."""
    import torch

    def convolve() -> None:
        with torch.backends.mkldnn.verbose(torch.backends.mkldnn.VERBOSE_ON):
            torch.nn.functional.conv2d(torch.ones(4, 3, 32, 32), torch.ones(8, 3, 3, 3))

    def multiply() -> None:
        with torch.backends.mkl.verbose(torch.backends.mkl.VERBOSE_ON):
            torch.ones(64, 64) @ torch.ones(64, 64)

    onednn = _c_output(convolve) if torch.backends.mkldnn.is_available() else ""
    mkl = _c_output(multiply) if torch.backends.mkl.is_available() else ""
    isa = re.search(r"onednn_verbose,.*,cpu,isa:([^\n]+)", onednn)
    branch = re.search(r"CNR:(\w+)", mkl)
    return (isa.group(1).strip() if isa else None), (branch.group(1) if branch else None)


def _c_output(function: Callable[[], None]) -> str:
    """What ``function`` writes to file descriptor 1 (C libraries' stdout), captured."""
    with tempfile.TemporaryFile() as sink:
        sys.stdout.flush()
        saved = os.dup(1)
        os.dup2(sink.fileno(), 1)
        try:
            function()
        finally:
            os.dup2(saved, 1)
            os.close(saved)
        sink.seek(0)
        return sink.read().decode(errors="replace")


def _main(argv: list[str]) -> int:
    if argv[:1] == ["--"]:
        argv = argv[1:]
    if not argv:
        print("\n".join(f"{name}={value}" for name, value in PINNED.items()))
        return 0
    try:
        os.execvpe(argv[0], argv, pinned_environment())  # the command replaces this process
    except (OSError, RuntimeError) as error:
        print(f"python -m lecturekit.numerics: cannot run {argv[0]}: {error}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
