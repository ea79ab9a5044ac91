"""This machine's loopback, the only network the tests use: what the browser tests let a page
reach, and a file server for the data loaders' downloads."""

import contextlib
import hashlib
import http.server
import threading
from functools import partial
from pathlib import Path
from urllib.parse import urlparse


def offline(refused, route):
    """A playwright route handler: requests to 127.0.0.1 go through, others are refused and
    their addresses appended to ``refused``."""
    if urlparse(route.request.url).hostname == "127.0.0.1":
        route.continue_()
    else:
        refused.append(route.request.url)
        route.abort()


@contextlib.contextmanager
def serve(files: dict[str, bytes], folder: Path):
    """Serve ``files`` ({name: content}) from ``folder`` on 127.0.0.1 while the block runs;
    yields {name: (url, sha256)}, the ``source`` argument of the loaders."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        (folder / name).write_bytes(content)
    handler = partial(http.server.SimpleHTTPRequestHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    # A short poll, so that shutdown() returns at once rather than after half a second.
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    try:
        yield {name: (base + name, hashlib.sha256(c).hexdigest()) for name, c in files.items()}
    finally:
        server.shutdown()
        server.server_close()
