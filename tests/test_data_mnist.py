"""The MNIST loader, exercised offline: tiny generated IDX files served on 127.0.0.1."""

import gzip
import hashlib
import http.server
import struct
import threading
from functools import partial

import numpy as np
import pytest
import torch

from lecturekit.data.mnist import MNIST_SHA256, load_mnist, read_idx

TRAIN_FILES = ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz")
TEST_FILES = ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")


def idx_bytes(array: np.ndarray, type_code: int = 0x08) -> bytes:
    """An IDX file: magic number (0, 0, type, number of dims), big-endian sizes, data."""
    header = bytes([0, 0, type_code, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    return header + array.tobytes()


@pytest.fixture
def mnist_server(tmp_path):
    """Serve tiny MNIST look-alikes on 127.0.0.1; yields (url, files' SHA-256, arrays)."""
    root = tmp_path / "www"
    root.mkdir()
    rng = np.random.default_rng(0)
    arrays = {
        TRAIN_FILES[0]: rng.integers(0, 256, (5, 28, 28), dtype=np.uint8),
        TRAIN_FILES[1]: np.array([7, 2, 1, 0, 9], dtype=np.uint8),
        TEST_FILES[0]: rng.integers(0, 256, (3, 28, 28), dtype=np.uint8),
        TEST_FILES[1]: np.array([4, 4, 8], dtype=np.uint8),
    }
    checksums = {}
    for name, array in arrays.items():
        content = gzip.compress(idx_bytes(array))
        (root / name).write_bytes(content)
        checksums[name] = hashlib.sha256(content).hexdigest()
    handler = partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/", checksums, arrays, server
    server.shutdown()
    server.server_close()


def test_load_mnist_downloads_parses_and_then_reads_the_cache(mnist_server, tmp_path):
    base_url, checksums, arrays, server = mnist_server
    cache = tmp_path / "cache"
    images, labels = load_mnist("train", cache_dir=cache, base_url=base_url, sha256=checksums)
    assert images.shape == (5, 28, 28) and images.dtype == torch.uint8
    assert labels.tolist() == [7, 2, 1, 0, 9] and labels.dtype == torch.int64
    assert torch.equal(images, torch.from_numpy(arrays[TRAIN_FILES[0]]))
    test_images, test_labels = load_mnist(
        "test", cache_dir=cache, base_url=base_url, sha256=checksums
    )
    assert test_images.shape == (3, 28, 28) and test_labels.tolist() == [4, 4, 8]
    assert sorted(p.name for p in cache.iterdir()) == sorted(TRAIN_FILES + TEST_FILES)

    server.shutdown()  # no server any more: the second call must be answered by the cache
    again, again_labels = load_mnist("train", cache_dir=cache, base_url=base_url, sha256=checksums)
    assert torch.equal(again, images) and torch.equal(again_labels, labels)


def test_load_mnist_refuses_a_file_whose_checksum_differs(mnist_server, tmp_path):
    base_url, checksums, _, _ = mnist_server
    cache = tmp_path / "cache"
    wrong = dict(checksums, **{TRAIN_FILES[0]: "0" * 64})
    with pytest.raises(ValueError, match="(?i)hash"):
        load_mnist("train", cache_dir=cache, base_url=base_url, sha256=wrong)
    assert not (cache / TRAIN_FILES[0]).exists()


def test_load_mnist_refuses_unknown_splits_and_missing_checksums(mnist_server, tmp_path):
    base_url, checksums, _, _ = mnist_server
    with pytest.raises(ValueError, match="split must be 'train' or 'test'"):
        load_mnist("validation", cache_dir=tmp_path, base_url=base_url, sha256=checksums)
    with pytest.raises(ValueError, match="no SHA-256 given"):
        load_mnist("test", cache_dir=tmp_path, base_url=base_url, sha256={})


def test_load_mnist_refuses_images_and_labels_that_do_not_match(tmp_path):
    contents = {
        TEST_FILES[0]: gzip.compress(idx_bytes(np.zeros((3, 28, 28), dtype=np.uint8))),
        TEST_FILES[1]: gzip.compress(idx_bytes(np.array([1, 2], dtype=np.uint8))),
    }
    checksums = {name: hashlib.sha256(c).hexdigest() for name, c in contents.items()}
    # The files sit in the cache with the right digests, so nothing is downloaded (port 9
    # on loopback, the discard port, would refuse anyway).
    cache = tmp_path / "cache"
    cache.mkdir()
    for name, content in contents.items():
        (cache / name).write_bytes(content)
    with pytest.raises(ValueError, match="3 images but 2 labels"):
        load_mnist("test", cache_dir=cache, base_url="http://127.0.0.1:9/", sha256=checksums)


def test_the_real_checksums_are_sha256_digests():
    assert set(MNIST_SHA256) == set(TRAIN_FILES + TEST_FILES)
    assert all(len(d) == 64 and int(d, 16) >= 0 for d in MNIST_SHA256.values())


def test_read_idx_reads_big_endian_values_of_every_type(tmp_path):
    values = np.arange(-6, 6).reshape(3, 4)
    for type_code, dtype in [
        (0x08, "u1"),
        (0x09, "i1"),
        (0x0B, ">i2"),
        (0x0C, ">i4"),
        (0x0D, ">f4"),
    ]:
        array = (values + 6 if dtype == "u1" else values).astype(dtype)
        path = tmp_path / f"values-{type_code}.idx"
        path.write_bytes(idx_bytes(array, type_code))
        tensor = read_idx(path)
        assert tensor.shape == (3, 4)
        assert tensor.tolist() == array.astype(np.float64).tolist(), dtype
    plain, zipped = tmp_path / "plain.idx", tmp_path / "zipped.idx.gz"
    plain.write_bytes(idx_bytes(np.array([258], dtype=">i4"), 0x0C))
    zipped.write_bytes(gzip.compress(plain.read_bytes()))
    assert read_idx(plain).tolist() == read_idx(zipped).tolist() == [258]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\x01\x00\x08\x01\x00\x00\x00\x01\x05", "not an IDX file"),
        (b"\x00\x00", "not an IDX file"),
        (b"\x00\x00\x42\x01\x00\x00\x00\x01\x05", "unknown IDX type code 0x42"),
        (b"\x00\x00\x08\x03\x00\x00\x00\x02", "header cut short"),
        (b"\x00\x00\x08\x02\x00\x00\x00\x02\x00\x00\x00\x02\x01\x02\x03", "announces shape"),
        (b"\x1f\x8b\x08\x00garbage", "not a readable gzip file"),
    ],
)
def test_read_idx_says_what_is_wrong_with_a_bad_file(tmp_path, content, message):
    path = tmp_path / "bad.idx"
    path.write_bytes(content)
    with pytest.raises(ValueError, match=message):
        read_idx(path)
