"""lecturekit: the plumbing behind *Neural Networks, Executable*.

Each chapter imports what it uses by name, so a reader can find it::

    from lecturekit.device import resolve_device
    from lecturekit.seed import set_seed
    from lecturekit.train import fit

Modules, each small enough to read in one sitting:

- ``device``     choose a ``torch.device`` from ``"auto" | "cpu" | "cuda" | "cuda:N" | "mps"``
- ``seed``       seed ``random``, ``numpy`` and ``torch`` in one call
- ``params``     validate a chapter's parameters with messages that say what is allowed
- ``display``    is a person watching (live notebook) or is this a headless run?
- ``train``      the ``fit`` loop (written out in full in chapter 05 first)
- ``plot``       the book's figure style and the plots many chapters draw
- ``widgets``    interactive controls that degrade to static figures
- ``exercises``  the check mechanism behind every exercise; ``checks.<chapter>`` hold the checks
- ``data``       offline data: generated sets and checksummed downloads
- ``numerics``   the pinned CPU kernels and threads under which the book's outputs are made

Nothing happens on import: no seeding, no rcParams, no downloads.
"""

__version__ = "0.2.0"
