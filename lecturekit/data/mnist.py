"""MNIST: 70,000 handwritten digits of 28 x 28 pixels, downloaded once and read from IDX files.

Optional: chapter 07 trains on scikit-learn's offline digits by default and on MNIST only
when asked (``dataset = "mnist"``)::

    images, labels = load_mnist("train")  # (60000, 28, 28) uint8, (60000,) int64

The four gzipped IDX files go through ``lecturekit.data.download.fetch``: each is checked
against its SHA-256 and cached (``data/cache/mnist`` in a checkout), so the network is
needed only the first time. Added for chapter 07 ("LeNet-5").
"""

from __future__ import annotations

import gzip
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import torch

from lecturekit.data.download import cache_folder, fetch

__all__ = ["MNIST_SHA256", "MNIST_URL", "load_mnist", "read_idx"]

# The mirror that TensorFlow Datasets downloads MNIST from; the digests below identify the
# files whatever the host.
MNIST_URL = "https://storage.googleapis.com/cvdf-datasets/mnist/"

# SHA-256 of the gzipped files (in the format of `sha256sum`), as listed in tensorflow/datasets,
# tensorflow_datasets/url_checksums/mnist.txt (with their sizes: 9,912,422, 28,881, 1,648,877
# and 4,542 bytes); other loaders, such as torch.rb's MNIST dataset, list the same digests.
_SHA256SUMS = """
440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609  train-images-idx3-ubyte.gz
3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c  train-labels-idx1-ubyte.gz
8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6  t10k-images-idx3-ubyte.gz
f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6  t10k-labels-idx1-ubyte.gz
"""
MNIST_SHA256 = {name: digest for digest, name in map(str.split, _SHA256SUMS.strip().splitlines())}

_SPLIT_FILES = {
    "train": ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"),
    "test": ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"),
}

# IDX type codes (the third byte of the magic number) and the big-endian dtypes they mean.
_IDX_TYPES = {
    0x08: np.dtype("u1"),
    0x09: np.dtype("i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}


def load_mnist(
    split: str,
    *,
    cache_dir: str | Path | None = None,
    base_url: str = MNIST_URL,
    sha256: Mapping[str, str] = MNIST_SHA256,
) -> tuple[torch.Tensor, torch.Tensor]:
    """The MNIST ``split`` ("train": 60,000 digits, "test": 10,000) as tensors.

    Returns ``images: (N, 28, 28)`` uint8 (0 = background, 255 = ink) and
    ``labels: (N,)`` int64 in 0..9. Files are fetched from ``base_url`` unless the cache
    (``cache_dir``, by default ``default_cache_dir() / "mnist"``) already holds them with
    the SHA-256 that ``sha256`` lists by file name; a download whose digest differs is
    refused with ``ValueError``.
    """
    if split not in _SPLIT_FILES:
        raise ValueError(f"split must be 'train' or 'test' (got {split!r})")
    cache = cache_folder(cache_dir, "mnist")
    paths = []
    for name in _SPLIT_FILES[split]:
        if name not in sha256:
            raise ValueError(f"no SHA-256 given for {name}")
        url = base_url.rstrip("/") + "/" + name
        paths.append(fetch(url, sha256=sha256[name], filename=name, cache_dir=cache))
    images, labels = read_idx(paths[0]), read_idx(paths[1])
    if images.ndim != 3 or images.dtype != torch.uint8:
        raise ValueError(
            f"{paths[0].name}: expected (N, rows, cols) bytes, got {_describe(images)}"
        )
    if labels.ndim != 1 or labels.dtype != torch.uint8:
        raise ValueError(f"{paths[1].name}: expected (N,) bytes, got {_describe(labels)}")
    if len(images) != len(labels):
        raise ValueError(f"{len(images)} images but {len(labels)} labels in the {split} split")
    if len(labels) and int(labels.max()) > 9:
        raise ValueError(f"{paths[1].name}: labels must be digits 0..9 (found {int(labels.max())})")
    return images, labels.long()


def read_idx(path: str | Path) -> torch.Tensor:
    """Read an IDX file (gzipped or not) into a tensor with the shape its header gives.

    The format (LeCun and Cortes): a magic number of two zero bytes, a type code and the
    number of dimensions; one big-endian 32-bit size per dimension; then the values,
    big-endian, in row-major order. Raises ``ValueError`` saying what is wrong otherwise.
    """
    path = Path(path)
    raw = path.read_bytes()
    if raw[:2] == b"\x1f\x8b":  # the gzip signature
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError) as error:
            raise ValueError(f"{path.name}: not a readable gzip file ({error})") from None
    if len(raw) < 4 or raw[:2] != b"\x00\x00":
        raise ValueError(f"{path.name}: not an IDX file (its magic number must start with 0 0)")
    type_code, num_dims = raw[2], raw[3]
    if type_code not in _IDX_TYPES:
        raise ValueError(f"{path.name}: unknown IDX type code 0x{type_code:02x}")
    header_size = 4 + 4 * num_dims
    if len(raw) < header_size:
        raise ValueError(f"{path.name}: header cut short ({num_dims} sizes announced)")
    shape = tuple(int(d) for d in np.frombuffer(raw, dtype=">u4", count=num_dims, offset=4))
    dtype = _IDX_TYPES[type_code]
    expected = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    if len(raw) - header_size != expected:
        raise ValueError(
            f"{path.name}: the header announces shape {shape} ({expected:,} bytes of data) "
            f"but the file has {len(raw) - header_size:,}"
        )
    values = np.frombuffer(raw, dtype=dtype, offset=header_size).reshape(shape)
    return torch.from_numpy(values.astype(dtype.newbyteorder("="), copy=True))


def _describe(tensor: torch.Tensor) -> str:
    return f"shape {tuple(tensor.shape)} of {tensor.dtype}"
