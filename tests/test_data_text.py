"""The real text gensim ships: read as documented, and a clear error when it is missing."""

import pytest

from lecturekit.data.text import (
    analogy_questions,
    gensim_test_file,
    movie_polarity,
    news_corpus,
)


def test_news_corpus_is_300_articles_of_real_text():
    articles = news_corpus()
    assert len(articles) == 300
    assert articles[0].startswith("Hundreds of people have been forced to vacate their homes")
    assert sum(len(article.split()) for article in articles) > 50_000


def test_movie_polarity_is_200_labelled_sentences_half_positive():
    reviews = movie_polarity()
    assert len(reviews) == 200
    assert {label for _, label in reviews} == {0, 1}
    assert sum(label for _, label in reviews) == 100
    assert reviews[0] == ("simplistic , silly and tedious .", 0)


def test_analogy_questions_have_14_sections_of_four_words():
    sections = analogy_questions()
    assert len(sections) == 14
    assert sum(map(len, sections.values())) == 19544
    assert sections["capital-common-countries"][0] == ("Athens", "Greece", "Baghdad", "Iraq")


def test_a_missing_file_says_what_to_install(tmp_path):
    with pytest.raises(FileNotFoundError, match="ships with gensim"):
        gensim_test_file("lee_background.cor", root=tmp_path)


def test_a_malformed_file_is_refused(tmp_path):
    (tmp_path / "pang_lee_polarity.cor").write_text("__label__meh not a label\n")
    with pytest.raises(ValueError, match="unexpected label"):
        movie_polarity(root=tmp_path)
