import os
import subprocess
import sys
from pathlib import Path

import pytest

from lecturekit.numerics import PINNED, check_processor

# Kernels started by nbval and papermill inherit this: no progress bars, no live plots,
# widgets drawn as static figures, exactly as the committed outputs were made.
os.environ.setdefault("LECTUREKIT_HEADLESS", "1")
# ... and the book's pinned numerics (AVX2 kernels, two threads, no GPU), in which the committed
# outputs were made. `make test` already runs pytest under them; this covers a plain `pytest`
# too, for this process and every kernel it starts. torch reads them when it is imported.
assert "torch" not in sys.modules, "torch was imported before the numeric pins were set"
check_processor()
os.environ.update(PINNED)

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def html(tmp_path_factory):
    """The book built once per test session, warnings as errors (-W -n): its HTML folder."""
    output = tmp_path_factory.mktemp("book")
    jupyter_book = Path(sys.executable).with_name("jupyter-book")
    command = [str(jupyter_book), "build", str(ROOT), "-W", "-n", "--keep-going"]
    build = subprocess.run(
        [*command, "--path-output", str(output)], capture_output=True, text=True, cwd=ROOT
    )
    assert build.returncode == 0, build.stdout[-5000:] + build.stderr[-5000:]
    return output / "_build" / "html"
