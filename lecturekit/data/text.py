"""Real English text that gensim ships with its tests, read offline.

gensim (pinned in ``constraints.txt``) installs, with its test suite, three small real data
sets the language chapters use::

    articles = news_corpus()          # 300 news articles, one string each (Lee et al. 2005)
    reviews = movie_polarity()        # 200 (sentence, label) pairs, label 1 = positive
    questions = analogy_questions()   # {"capital-common-countries": [("Athens", "Greece",
                                      #   "Baghdad", "Iraq"), ...], ...} (Mikolov et al. 2013)

Nothing is downloaded. If gensim or one of its files is missing, the error says what to
install.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

__all__ = ["analogy_questions", "gensim_test_file", "movie_polarity", "news_corpus"]

_INSTALL = 'install it with `pip install "gensim>=4.3"` (make setup does)'


def gensim_test_file(name: str, *, root: str | Path | None = None) -> Path:
    """The path of ``name`` in gensim's ``test/test_data`` folder (or in ``root``)."""
    if root is None:
        spec = importlib.util.find_spec("gensim")
        if spec is None or not spec.submodule_search_locations:
            raise ModuleNotFoundError(
                f"this data set ships with gensim, which is missing: {_INSTALL}"
            )
        root = Path(spec.submodule_search_locations[0]) / "test" / "test_data"
    path = Path(root) / name
    if not path.is_file():
        raise FileNotFoundError(
            f"{name} is not in {root}; it ships with gensim's tests (gensim 4.x): {_INSTALL}"
        )
    return path


def news_corpus(*, root: str | Path | None = None) -> list[str]:
    """The Lee background corpus: 300 short news articles from the Australian Broadcasting
    Corporation (Lee, Pincombe & Welsh 2005), one string per article, as shipped."""
    text = gensim_test_file("lee_background.cor", root=root).read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip()]


def movie_polarity(*, root: str | Path | None = None) -> list[tuple[str, int]]:
    """A sample of Pang & Lee's sentence polarity data: 200 lower-cased, tokenized movie-review
    sentences as ``(sentence, label)``, label 1 for positive and 0 for negative."""
    pairs = []
    path = gensim_test_file("pang_lee_polarity.cor", root=root)
    for line in path.read_text(encoding="cp1252").splitlines():  # the file is Windows-1252
        label, _, sentence = line.strip().partition(" ")
        if label not in ("__label__pos", "__label__neg"):
            raise ValueError(f"unexpected label {label!r} in {path}")
        pairs.append((sentence, int(label == "__label__pos")))
    return pairs


def analogy_questions(
    *, root: str | Path | None = None
) -> dict[str, list[tuple[str, str, str, str]]]:
    """Mikolov et al.'s word-analogy test set: section name -> questions ``(a, b, c, d)``
    meaning "a is to b as c is to d" (14 sections, 19,544 questions)."""
    sections: dict[str, list[tuple[str, str, str, str]]] = {}
    current = None
    path = gensim_test_file("questions-words.txt", root=root)
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith(":"):
            current = line[1:].strip()
            sections[current] = []
        elif line.strip():
            words = tuple(line.split())
            if current is None or len(words) != 4:
                raise ValueError(f"unexpected line {line!r} in {path}")
            sections[current].append(words)
    return sections
