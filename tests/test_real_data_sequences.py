"""Chapter 13's optional real-sentiment section, run offline: a small rt-polaritydata.tar.gz of
the real format (Pang & Lee's sentence polarity v1.0) served on 127.0.0.1 and fetched through
`lecturekit.data.fetch` with its SHA-256, as the real file would be."""

import io
import random
import re
import tarfile
from pathlib import Path

import nbformat
import papermill
import pytest
import yaml
from real_data_paths import printed, run_offline

CHAPTER = "13_working_with_sequences"
HEADING = "### Real sentences: Pang and Lee"
PARAMETERS = yaml.safe_load((Path(__file__).parent / "chapter_parameters.yml").read_text())
NUM_SENTENCES = 300  # half positive, half negative

POSITIVE = ["good", "great", "wonderful", "moving", "brilliant", "funny", "charming", "gripping"]
NEGATIVE = ["dull", "boring", "awful", "tedious", "flat", "weak", "lifeless", "clumsy"]
NOUNS = ["film", "movie", "story", "script", "cast", "ending", "plot", "café scene"]
TEMPLATES = [
    "the {noun} is {adj} .",
    "a {adj} {noun} , and {adj2} too .",
    "{adj} , {adj2} and over two hours long .",
    "what a {adj} {noun} .",
    "{adj} \x85 really {adj2} .",  # 0x85, cp1252's ellipsis, as in the real files
]


def polarity_sentences(label, count, rng):
    """Short sentences whose sentiment words all have the label's polarity (a tiny rule that a
    bag of words can learn); 'café' checks that the files are read as latin-1."""
    words = POSITIVE if label else NEGATIVE
    return [
        rng.choice(TEMPLATES).format(
            noun=rng.choice(NOUNS), adj=rng.choice(words), adj2=rng.choice(words)
        )
        for _ in range(count)
    ]


def polarity_archive():
    rng = random.Random(0)
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for suffix, label in ((".pos", 1), (".neg", 0)):
            text = "\n".join(polarity_sentences(label, NUM_SENTENCES // 2, rng)) + "\n"
            content = text.encode("latin-1")
            info = tarfile.TarInfo("rt-polaritydata/rt-polarity" + suffix)
            info.size = len(content)
            archive.addfile(info, io.BytesIO(content))
    return buffer.getvalue()


def test_real_sentiment_section_fetches_and_scores_the_sentences(tmp_path, monkeypatch):
    content = polarity_archive()
    # the small parameters, with the fewest verdict-first reviews (the cells before cost most)
    fast = {"num_verdict_reviews": 100, "real_sentiment": True, "device": "cpu"}
    parameters = PARAMETERS[CHAPTER]["small"] | fast
    notebook, cache = run_offline(
        CHAPTER,
        HEADING,
        parameters,
        "load_sentence_polarity",
        "rt-polaritydata.tar.gz",
        content,
        tmp_path,
        monkeypatch,
    )
    # The download went through fetch into the cache, byte for byte.
    cached = cache / "polarity" / "rt-polaritydata.tar.gz"
    assert cached.read_bytes() == content

    text = printed(notebook, "def polarity_experiment(")
    assert "Skipped" not in text
    sizes = re.search(
        r"(\d+) sentences, (\d+) positive: (\d+) training, (\d+) validation and (\d+) test", text
    )
    assert sizes, text
    total, positive, *parts = map(int, sizes.groups())
    assert (total, positive) == (NUM_SENTENCES, NUM_SENTENCES // 2)
    assert sum(parts) == total and parts == [240, 30, 30]
    for name in ("bag of words", "bag of words and bigrams", "RNN, left to right"):
        assert re.search(rf"^{re.escape(name)} +mean \d+\.\d%, range", text, re.M), text
    assert re.search(r"chosen C .*\n.*chosen C .*\nRNN, seed \d+: .*chosen lr", text), text
    # The rule that made the sentences is learnable from words alone.
    bag = re.search(r"^bag of words +mean (\d+\.\d)%", text, re.M)
    assert float(bag.group(1)) >= 90, text
    rnn = re.search(r"^RNN, left to right +mean (\d+\.\d)%", text, re.M)
    assert float(rnn.group(1)) >= 60, text
    assert "Wang and Manning 2012" in text and "Kim 2014" in text


def test_real_sentiment_is_off_by_default():
    path = Path(__file__).resolve().parents[1] / "chapters" / f"{CHAPTER}.ipynb"
    notebook = nbformat.read(path, as_version=4)
    assert "real_sentiment = False" in notebook.cells[3].source
    assert printed(notebook, "def polarity_experiment(").startswith(
        "Skipped (real_sentiment = False)"
    )


def test_real_sentiment_must_be_a_bool(tmp_path):
    path = Path(__file__).resolve().parents[1] / "chapters" / f"{CHAPTER}.ipynb"
    with pytest.raises(papermill.PapermillExecutionError) as error:
        papermill.execute_notebook(
            str(path),
            str(tmp_path / "out.ipynb"),
            parameters={"real_sentiment": 1, "device": "cpu"},
            cwd=str(path.parent),
            kernel_name="python3",
            progress_bar=False,
        )
    assert error.value.ename == "ValueError"
    assert "real_sentiment must be True or False (got 1)" in error.value.evalue
