"""Optional real data sets: fetched once with a checksum, then read from a local cache.

Chapters never need the network by default; a parameter such as ``dataset="mnist"`` may
ask for a download, which goes through ``fetch`` so that a wrong or truncated file is
refused rather than trained on.
"""

from __future__ import annotations

import os
from pathlib import Path

import pooch

__all__ = ["cache_folder", "default_cache_dir", "fetch"]

DATA_DIR_VARIABLE = "LECTUREKIT_DATA_DIR"


def default_cache_dir() -> Path:
    """Where downloads go: ``$LECTUREKIT_DATA_DIR``, a checkout's ``data/cache``, or OS cache."""
    if os.environ.get(DATA_DIR_VARIABLE):
        return Path(os.environ[DATA_DIR_VARIABLE])
    checkout_data = Path(__file__).resolve().parents[2] / "data"
    if checkout_data.is_dir():
        return checkout_data / "cache"
    return Path(pooch.os_cache("lecturekit"))


def cache_folder(cache_dir: str | Path | None, name: str) -> Path:
    """``cache_dir`` if one is given, else the data set's own folder ``name`` in the cache."""
    return Path(cache_dir) if cache_dir is not None else default_cache_dir() / name


def fetch(
    url: str, *, sha256: str, filename: str | None = None, cache_dir: str | Path | None = None
) -> Path:
    """Download ``url`` into the cache unless a file with the right SHA-256 is already there.

    Returns the local path. A download whose checksum differs raises ``ValueError`` and
    leaves nothing in the cache.
    """
    if len(sha256) != 64:
        raise ValueError(f"sha256 must be the 64 hex digits of the file's SHA-256 (got {sha256!r})")
    path = pooch.retrieve(
        url,
        known_hash=f"sha256:{sha256}",
        fname=filename,
        path=Path(cache_dir) if cache_dir is not None else default_cache_dir(),
        progressbar=False,
    )
    return Path(path)
