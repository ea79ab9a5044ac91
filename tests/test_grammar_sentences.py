"""The generated grammar's sentences: deterministic, one tag per word, parsed back to the
same derivation (lecturekit.data.grammar.sentences, .parsing)."""

import pytest

from lecturekit.data.grammar import (
    AMBIGUOUS_WORDS,
    TAGS,
    generate_sentences,
    parse,
    reviews,
    sentence_pairs,
    tagged_sentences,
)


def test_the_same_seed_gives_the_same_corpus_and_another_seed_another():
    assert tagged_sentences(50, seed=7) == tagged_sentences(50, seed=7)
    assert tagged_sentences(50, seed=7) != tagged_sentences(50, seed=8)
    assert reviews(50, seed=7) == reviews(50, seed=7)
    assert reviews(50, seed=7) != reviews(50, seed=8)
    assert sentence_pairs(50, seed=7) == sentence_pairs(50, seed=7)
    assert sentence_pairs(50, seed=7) != sentence_pairs(50, seed=8)


def test_generation_does_not_touch_the_global_random_state():
    import random

    random.seed(123)
    expected = random.random()
    random.seed(123)
    tagged_sentences(20, seed=0)
    reviews(20, seed=0)
    assert random.random() == expected


def test_a_prefix_of_a_longer_corpus_is_the_shorter_corpus():
    assert tagged_sentences(30, seed=1) == tagged_sentences(60, seed=1)[:30]


def test_sizes_are_as_asked():
    assert len(tagged_sentences(123, seed=0)) == 123
    assert len(reviews(77, seed=0)) == 77
    assert len(sentence_pairs(5, seed=0)) == 5
    assert tagged_sentences(0, seed=0) == []


@pytest.mark.parametrize("bad", [-1, 2.5, "10", True])
def test_a_bad_size_is_refused(bad):
    with pytest.raises(ValueError, match="num_sentences must be an integer >= 0"):
        tagged_sentences(bad, seed=0)


def test_every_word_has_exactly_one_tag_from_the_tag_set():
    sentences = generate_sentences(500, seed=3)
    for sentence in sentences:
        assert len(sentence.words) == len(sentence.tags) >= 2
        assert set(sentence.tags) <= set(TAGS)
        assert all(isinstance(w, str) and w and " " not in w for w in sentence.words)
    assert {tag for s in sentences for tag in s.tags} == set(TAGS)  # every tag is used


def test_every_generated_sentence_parses_back_to_the_same_words_and_tags():
    for sentence in generate_sentences(300, seed=4):
        parsed = parse(sentence.words)
        assert parsed.words == sentence.words
        assert parsed.tags == sentence.tags


def test_the_worked_example_sentences_are_in_the_grammar_with_their_tags():
    assert parse("my car works").tags == ["PRON", "NOUN", "VERB"]
    assert parse("my dog ate the assignment").tags == ["PRON", "NOUN", "VERB", "DET", "NOUN"]
    assert parse("my mother saved the day").tags == ["PRON", "NOUN", "VERB", "DET", "NOUN"]
    assert parse("the smart kid solved the problem").tags == [
        "DET",
        "ADJ",
        "NOUN",
        "VERB",
        "DET",
        "NOUN",
    ]
    assert parse("the world is not enough").tags == ["DET", "NOUN", "AUX", "PART", "ADJ"]


def test_ambiguous_words_take_their_tag_from_the_context():
    assert {"can", "watch", "fish", "saw", "light", "orange"} <= set(AMBIGUOUS_WORDS)
    assert AMBIGUOUS_WORDS["can"] == ("AUX", "NOUN")
    assert parse("I can swim").tags[1] == "AUX"
    assert parse("she opened the can").tags[-1] == "NOUN"
    assert parse("we watch the play").tags == ["PRON", "VERB", "DET", "NOUN"]
    assert parse("my watch works").tags == ["PRON", "NOUN", "VERB"]
    assert parse("the cat ate the fish").tags[-1] == "NOUN"
    assert parse("the kids fish in the river").tags[2] == "VERB"
    assert parse("the orange car is new").tags[1] == "ADJ"
    assert parse("my dog ate the orange").tags[-1] == "NOUN"
    tagged = [pair for sentence in tagged_sentences(2000, seed=0) for pair in sentence]
    for word, tags in AMBIGUOUS_WORDS.items():
        if word in ("cannot", "fishes"):
            continue
        seen = {tag for w, tag in tagged if w == word}
        assert seen <= set(tags)
    assert {tag for w, tag in tagged if w == "orange"} == {"ADJ", "NOUN"}


def test_a_sentence_outside_the_grammar_is_refused():
    with pytest.raises(ValueError, match="cannot produce"):
        parse("dog my the ate")
    with pytest.raises(ValueError, match="cannot produce"):
        parse("the dogs eats")  # agreement


def test_english_agreement_and_articles():
    assert parse("an old car works").words[0] == "an"
    with pytest.raises(ValueError):
        parse("a old car works")
    assert parse("they do not swim").tags == ["PRON", "AUX", "PART", "VERB"]
    assert parse("the dog does not swim").tags[2:4] == ["AUX", "PART"]
    assert parse("the dog will never swim").tags == ["DET", "NOUN", "AUX", "ADV", "VERB"]


@pytest.mark.parametrize(
    "module",
    ["", ".lexicon", ".spanish", ".derivations", ".sentences", ".parsing", ".translations"]
    + [".reviews"],
)
def test_the_examples_in_the_docstrings_are_true(module):
    import doctest
    import importlib

    imported = importlib.import_module("lecturekit.data.grammar" + module)
    assert doctest.testmod(imported).failed == 0
