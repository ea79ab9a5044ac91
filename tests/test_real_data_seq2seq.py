"""Chapter 15's optional parts, run offline in one run of the chapter cut after section 15.7.

The real sentences: a small en-es.txt.zip of the real format (OPUS Books, Moses format: one
sentence a line in files ending en-es.en and en-es.es) served on 127.0.0.1 and fetched through
`lecturekit.data.fetch` with its SHA-256, as the real file would be. The design sweep of
section 15.7: its fifteen trainings on 300 pairs for one epoch each (`train` wrapped just
before its cell), so that its code runs and prints its table in a few seconds."""

import io
import re
import zipfile
from pathlib import Path

import nbformat
import yaml
from real_data_paths import printed, run_offline

CHAPTER = "15_sequence_to_sequence"
HEADING = "## 15.7"  # the end of the real sentences' section 15.6, and of the design sweep
CHEAP_SWEEP = """
full_train = train


def train(model, train_data, valid_data, lr, num_epochs, batch_size, generator, verbose=True):
    return full_train(model, train_data[:300], valid_data, lr, 1, batch_size, generator, verbose)
"""
PARAMETERS = yaml.safe_load((Path(__file__).parent / "chapter_parameters.yml").read_text())

# A tiny rule: "The red dog is here." -> "El perro rojo está aquí." (the adjective after the
# noun), 8 nouns x 6 adjectives x 6 places = 288 pairs of 6 tokens a side, 6 longer ones that
# max_words = 6 drops, 6 repeated ones and one English sentence translated twice.
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
    # Repeated pairs, and an English sentence with a second translation: each English once.
    return pairs + pairs[:6] + [(pairs[0][0], "Otra traducción.")]


def books_zip(pairs):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("Books.en-es.en", "".join(e + "\n" for e, _ in pairs))
        archive.writestr("Books.en-es.es", "".join(s + "\n" for _, s in pairs))
        archive.writestr("README", "OPUS Books")
    return buffer.getvalue()


def test_real_sentences_and_design_sweep_run(tmp_path, monkeypatch):
    pairs = books_pairs()
    content = books_zip(pairs)
    optional = {"real_translation": True, "design_sweep": True, "device": "cpu"}
    parameters = PARAMETERS[CHAPTER]["small"] | optional
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
        insert_before={"designs = {": CHEAP_SWEEP},
    )
    # The design sweep ran every design at every rate, and printed its table.
    sweep = printed(notebook, "designs = {")
    for name in ["encoding as first state", "encoding at every step", "encoding as first input"]:
        assert re.search(rf"^{name}(?: only)? +(?:[01]\.\d{{3}} +){{3}}$", sweep, re.M), sweep
    assert len(re.findall(r"chosen lr 0\.0\d+: seeds 0, 1, 2 ", sweep)) == 3, sweep
    # The download went through fetch into the cache, byte for byte.
    cached = cache / "opus" / "opus-books-en-es.txt.zip"
    assert cached.read_bytes() == content

    text = printed(notebook, "import re")
    assert "skipped" not in text
    sizes = re.search(
        r"(\d+) pairs read, (\d+) with distinct English of at most 6 words a side kept: "
        r"(\d+) training, (\d+) validation, (\d+) test",
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
