"""Choosing where tensors live: one name in, one ``torch.device`` out."""

from __future__ import annotations

import re

import torch

__all__ = ["available_devices", "resolve_device"]

ALLOWED = "'auto', 'cpu', 'cuda', 'cuda:N' (N = 0, 1, ...) or 'mps'"


def available_devices() -> list[str]:
    """Names of the devices this machine has, e.g. ``['cpu']`` or ``['cpu', 'cuda:0']``."""
    names = ["cpu"]
    if torch.cuda.is_available():
        names += [f"cuda:{i}" for i in range(torch.cuda.device_count())]
    if _mps_available():
        names.append("mps")
    return names


def resolve_device(name: str | torch.device = "auto") -> torch.device:
    """Turn a device name into a ``torch.device``, failing clearly if it is not here.

    >>> resolve_device("cpu")
    device(type='cpu')

    ``"auto"`` takes the first of CUDA, MPS (Apple GPUs) and the CPU that this machine has.
    Asking for ``"cuda"`` or ``"mps"`` where there is none raises ``ValueError`` naming
    what is available, rather than failing later inside a layer.
    """
    if isinstance(name, torch.device):
        name = str(name)
    if not isinstance(name, str):
        raise ValueError(f"device must be a string, one of {ALLOWED} (got {name!r})")
    name = name.strip().lower()
    if name == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda")
        return torch.device("mps") if _mps_available() else torch.device("cpu")
    if name == "cpu":
        return torch.device("cpu")
    if name == "mps":
        if not _mps_available():
            raise ValueError(_unavailable(name, "MPS (an Apple GPU)"))
        return torch.device("mps")
    match = re.fullmatch(r"cuda(?::(\d+))?", name)
    if match is None:
        raise ValueError(f"device must be one of {ALLOWED} (got {name!r})")
    if not torch.cuda.is_available():
        raise ValueError(_unavailable(name, "CUDA"))
    index = int(match.group(1) or 0)
    if index >= torch.cuda.device_count():
        raise ValueError(
            f"device={name!r} asks for GPU {index}, but this machine has "
            f"{torch.cuda.device_count()} CUDA device(s). "
            f"Available: {', '.join(available_devices())}."
        )
    return torch.device(name)


def _unavailable(name: str, what: str) -> str:
    return (
        f"device={name!r} asks for {what}, which this machine does not have. "
        f"Available: {', '.join(available_devices())}. Use device='auto' to take the best one here."
    )


def _mps_available() -> bool:
    mps = getattr(torch.backends, "mps", None)
    return bool(mps is not None and mps.is_available())
