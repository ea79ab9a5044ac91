"""Chapter 15's optional real-sentences section, run offline: a small en-es.txt.zip of the real
format (OPUS Books, Moses format: one sentence a line in files ending en-es.en and en-es.es)
served on 127.0.0.1 and fetched through `lecturekit.data.fetch` with its SHA-256, as the real
file would be."""

import io
import re
import zipfile
from pathlib import Path

import nbformat
import yaml
from real_data_paths import printed, run_offline

CHAPTER = "15_sequence_to_sequence"
HEADING = "### Real sentences: OPUS Books"
PARAMETERS = yaml.safe_load((Path(__file__).parent / "chapter_parameters.yml").read_text())

# A tiny rule: "The red dog is here." -> "El perro rojo está aquí." (the adjective after the
# noun), 8 nouns x 6 adjectives x 6 places = 288 pairs of 6 tokens a side, 6 longer ones that
# max_words = 6 drops, and 6 repeated ones.
NOUNS = {"dog": "perro", "cat": "gato", "car": "coche", "book": "libro", "bird": "pájaro",
         "boy": "niño", "tree": "árbol", "horse": "caballo"}  # fmt: skip
ADJECTIVES = {"red": "rojo", "old": "viejo", "small": "pequeño", "black": "negro",
              "happy": "feliz", "tall": "alto"}  # fmt: skip
PLACES = {"here": "aquí", "there": "allí", "outside": "fuera", "inside": "dentro",
          "near": "cerca", "far": "lejos"}  # fmt: skip


def books_pairs():
    pairs = [
        (f"The {a} {n} is {p}.", f"El {ns} {as_} está {ps}.")
        for n, ns in NOUNS.items()
        for a, as_ in ADJECTIVES.items()
        for p, ps in PLACES.items()
    ]
    pairs += [
        (f"The {a} {n} is not {p} today.", f"Hoy el {ns} {as_} no está {ps}.")
        for (n, ns), (a, as_), (p, ps) in zip(
            list(NOUNS.items())[:6], ADJECTIVES.items(), PLACES.items(), strict=True
        )
    ]
    return pairs + pairs[:6]  # repeated pairs, kept once


def books_zip(pairs):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("Books.en-es.en", "".join(e + "\n" for e, _ in pairs))
        archive.writestr("Books.en-es.es", "".join(s + "\n" for _, s in pairs))
        archive.writestr("README", "OPUS Books")
    return buffer.getvalue()


def test_real_sentences_section_fetches_trains_and_scores(tmp_path, monkeypatch):
    pairs = books_pairs()
    content = books_zip(pairs)
    parameters = PARAMETERS[CHAPTER]["small"] | {"real_translation": True, "device": "cpu"}
    assert parameters["max_words"] == 6  # the 288 short pairs are kept, the 6 long ones not
    notebook, cache = run_offline(
        CHAPTER,
        HEADING,
        parameters,
        "load_opus_books_en_es",
        "en-es.txt.zip",
        content,
        tmp_path,
        monkeypatch,
    )
    # The download went through fetch into the cache, byte for byte.
    cached = cache / "opus" / "opus-books-en-es.txt.zip"
    assert cached.read_bytes() == content

    text = printed(notebook, "import re")
    assert "skipped" not in text
    sizes = re.search(
        r"(\d+) pairs read, (\d+) distinct ones of at most 6 words a side kept: (\d+) training, "
        r"(\d+) validation, (\d+) test",
        text,
    )
    assert sizes, text
    read, kept, *parts = map(int, sizes.groups())
    assert (read, kept) == (len(pairs), 288)
    assert sum(parts) == kept and parts == [232, 28, 28]
    bleu = re.search(
        r"OPUS Books test BLEU: greedy (\d\.\d+), beam search \(\d+\) (\d\.\d+); (\d+\.\d)% of "
        r"the reference words are <unk>",
        text,
    )
    assert bleu, text
    greedy, beam, unknown = map(float, bleu.groups())
    assert 0 <= greedy <= 1 and 0 <= beam <= 1 and 0 <= unknown <= 100
    assert "aquí" in text or "allí" in text or "<unk>" in text  # translations are printed


def test_real_sentences_are_off_by_default():
    path = Path(__file__).resolve().parents[1] / "chapters" / f"{CHAPTER}.ipynb"
    notebook = nbformat.read(path, as_version=4)
    assert "real_translation = False" in notebook.cells[3].source
    assert printed(notebook, "import re").startswith("real sentences skipped")
