import hashlib
import http.server
import threading
from functools import partial

import pytest
import torch

from lecturekit.data import GATES, fetch, logic_gate, point_clouds


def test_logic_gates_are_the_truth_tables_in_both_label_conventions():
    X, y = logic_gate("xor")
    assert X.tolist() == [[0, 0], [0, 1], [1, 0], [1, 1]]
    assert y.tolist() == [-1, 1, 1, -1] and y.dtype == torch.float32
    _, y_index = logic_gate("AND", labels="index")
    assert y_index.tolist() == [0, 0, 0, 1] and y_index.dtype == torch.long
    assert set(GATES) >= {"AND", "OR", "NAND", "NOR", "XOR", "XNOR"}
    with pytest.raises(ValueError, match="gate must be one of"):
        logic_gate("IMPLIES")


@pytest.mark.parametrize("kind", ["linear", "blobs", "moons", "circles", "xor"])
def test_point_clouds_are_deterministic_shaped_and_two_class(kind):
    X, y = point_clouds(kind, 50, seed=7)
    X2, y2 = point_clouds(kind, 50, seed=7)
    assert torch.equal(X, X2) and torch.equal(y, y2)
    assert X.shape == (50, 2) and y.shape == (50,) and X.dtype == torch.float32
    assert set(y.tolist()) == {-1.0, 1.0}
    assert not torch.equal(point_clouds(kind, 50, seed=8)[0], X)


@pytest.mark.parametrize("seed", range(5))
def test_linear_point_clouds_are_separable_with_the_margin(seed):
    from sklearn.svm import SVC

    X, y = point_clouds("linear", 80, margin=0.1, seed=seed)
    svm = SVC(kernel="linear", C=1e6).fit(X.numpy(), y.numpy())
    assert svm.score(X.numpy(), y.numpy()) == 1.0
    distances = y.numpy() * svm.decision_function(X.numpy()) / (svm.coef_**2).sum() ** 0.5
    assert distances.min() >= 0.1 - 1e-4


def test_bad_kinds_and_labels_are_refused():
    with pytest.raises(ValueError, match="kind must be one of"):
        point_clouds("spiral")
    with pytest.raises(ValueError, match="labels must be 'sign' or 'index'"):
        point_clouds("moons", labels="onehot")


@pytest.fixture
def loopback_server(tmp_path):
    """An HTTP server on 127.0.0.1 serving tmp_path/www; stopped after the test."""
    root = tmp_path / "www"
    root.mkdir()
    handler = partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield root, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_fetch_downloads_verifies_and_then_reads_from_the_cache(loopback_server, tmp_path):
    root, base_url = loopback_server
    content = b"0,1\n1,0\n"
    (root / "table.csv").write_bytes(content)
    sha256 = hashlib.sha256(content).hexdigest()
    cache = tmp_path / "cache"
    path = fetch(f"{base_url}/table.csv", sha256=sha256, filename="table.csv", cache_dir=cache)
    assert path == cache / "table.csv" and path.read_bytes() == content
    (root / "table.csv").unlink()  # the server no longer has it: the cache must answer
    assert (
        fetch(f"{base_url}/table.csv", sha256=sha256, filename="table.csv", cache_dir=cache) == path
    )


def test_fetch_refuses_a_file_whose_checksum_differs(loopback_server, tmp_path):
    root, base_url = loopback_server
    (root / "table.csv").write_bytes(b"tampered")
    cache = tmp_path / "cache"
    with pytest.raises(ValueError, match="(?i)hash"):
        fetch(f"{base_url}/table.csv", sha256="0" * 64, filename="table.csv", cache_dir=cache)
    assert not (cache / "table.csv").exists()
    with pytest.raises(ValueError, match="64 hex digits"):
        fetch(f"{base_url}/table.csv", sha256="abc", cache_dir=cache)
