"""Who is watching: a person at a live notebook, or a headless run (tests, the book build)?

Headless means: no progress bars, no live plots, widgets drawn as static figures. That is
how the committed chapter outputs are made (``make execute``) and replayed (``make test``),
so they hold nothing that changes from run to run.
"""

from __future__ import annotations

import os

__all__ = ["HEADLESS_VARIABLE", "is_headless"]

HEADLESS_VARIABLE = "LECTUREKIT_HEADLESS"


def is_headless() -> bool:
    """True when ``LECTUREKIT_HEADLESS`` is set (not ``0``) or no Jupyter kernel is running."""
    if os.environ.get(HEADLESS_VARIABLE, "0") not in ("", "0"):
        return True
    try:
        from IPython import get_ipython
    except ImportError:
        return True
    shell = get_ipython()
    return shell is None or "IPKernelApp" not in shell.config
