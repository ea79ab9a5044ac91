"""The generated grammar: deterministic, one tag per word, reviews that follow their rules,
and Spanish that agrees."""

import pytest

from lecturekit.data.grammar import (
    AMBIGUOUS_WORDS,
    NEGATIVE_WORDS,
    POSITIVE_WORDS,
    TAGS,
    Clause,
    NounPhrase,
    Sentence,
    generate_sentences,
    parse,
    reviews,
    sentence_pairs,
    tagged_sentences,
    translate_to_spanish,
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


def test_spanish_puts_adjectives_after_the_noun_and_makes_them_agree():
    assert translate_to_spanish("the small red house is old") == [
        "la",
        "casa",
        "roja",
        "pequeña",
        "es",
        "vieja",
    ]
    assert translate_to_spanish("the small red houses are old") == [
        "las",
        "casas",
        "rojas",
        "pequeñas",
        "son",
        "viejas",
    ]
    assert translate_to_spanish("the small red car is old") == [
        "el",
        "coche",
        "rojo",
        "pequeño",
        "es",
        "viejo",
    ]
    assert translate_to_spanish("the world is not enough") == [
        "el",
        "mundo",
        "no",
        "es",
        "suficiente",
    ]
    # "problema" is masculine although it ends in -a; colours from nouns do not inflect.
    assert translate_to_spanish("the smart kid solved the problem") == [
        "el",
        "niño",
        "listo",
        "resolvió",
        "el",
        "problema",
    ]
    assert translate_to_spanish("my orange cars work")[:3] == ["mis", "coches", "naranja"]


def test_spanish_verbs_negation_and_contractions():
    assert translate_to_spanish("my dog ate the assignment") == [
        "mi",
        "perro",
        "comió",
        "la",
        "tarea",
    ]
    assert translate_to_spanish("my car works") == ["mi", "coche", "funciona"]
    assert translate_to_spanish("my mother works") == ["mi", "madre", "trabaja"]
    assert translate_to_spanish("we did not sleep") == ["nosotros", "no", "dormimos"]
    assert translate_to_spanish("they can never swim") == ["ellos", "nunca", "pueden", "nadar"]
    assert translate_to_spanish("I saw the dog near the car") == [
        "yo",
        "vi",
        "al",  # the personal "a" before an animal, contracted with "el"
        "perro",
        "cerca",
        "del",
        "coche",
    ]
    assert translate_to_spanish("she will read the books tomorrow") == [
        "ella",
        "leerá",
        "los",
        "libros",
        "mañana",
    ]


def test_the_spanish_is_a_function_of_the_derivation():
    subject = NounPhrase("the", ("small", "red"), "house")
    sentence = Sentence((Clause(subject, tense="past", predicate="old", negation="never"),))
    assert sentence.words == ["the", "small", "red", "house", "was", "never", "old"]
    assert sentence.spanish == ["la", "casa", "roja", "pequeña", "nunca", "era", "vieja"]
    assert translate_to_spanish(sentence) == sentence.spanish
    # English hides some of the derivation ("our fish": one or several?), Spanish does not.
    sentences = generate_sentences(200, seed=5)
    same = [parse(s.words) == s for s in sentences]
    assert sum(same) >= 0.8 * len(sentences)
    for sentence, is_same in zip(sentences, same, strict=True):
        if is_same:
            assert translate_to_spanish(sentence.words) == sentence.spanish
    assert sentence_pairs(200, seed=5) == [(s.words, s.spanish) for s in sentences]


def _effective_sentiment(words):
    """The review rules, written independently: the part after the last "but" or "and"
    decides; its sentiment word counts positive unless "not" or "never" comes before it."""
    last = 0
    for i, word in enumerate(words):
        if word in ("but", "and"):
            last = i + 1
    part = words[last:]
    polar = [w for w in part if w in POSITIVE_WORDS or w in NEGATIVE_WORDS]
    assert len(polar) == 1, words
    negated = any(w in ("not", "never") for w in part[: part.index(polar[0])])
    return int((polar[0] in POSITIVE_WORDS) != negated)


def test_review_labels_follow_the_negation_and_contrast_rules():
    data = reviews(2000, seed=0)
    for words, label in data:
        assert label == _effective_sentiment(words), words
    assert 0.45 < sum(label for _, label in data) / len(data) < 0.55
    negated = [label for words, label in data if "not" in words or "never" in words]
    assert 0.3 < len(negated) / len(data) < 0.9 and 0.3 < sum(negated) / len(negated) < 0.7


def test_a_linear_bag_of_words_scores_reviews_near_chance():
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.linear_model import LogisticRegression

    data = reviews(3000, seed=0)
    counts = CountVectorizer(token_pattern=r"\S+").fit_transform([" ".join(w) for w, _ in data])
    labels = [label for _, label in data]
    model = LogisticRegression(max_iter=1000).fit(counts[:2500], labels[:2500])
    assert model.score(counts[2500:], labels[2500:]) < 0.65


def test_some_reviews_have_the_same_words_and_opposite_labels():
    bags = {}
    for words, label in reviews(20000, seed=0):
        bags.setdefault(tuple(sorted(words)), set()).add(label)
    assert sum(len(labels) == 2 for labels in bags.values()) >= 20


def test_the_restaurant_reviews_of_chapter_13_can_be_generated():
    generated = {" ".join(words): label for words, label in reviews(20000, seed=0)}
    for text, label in [
        ("this restaurant has good food", 1),
        ("this restaurant is bad", 0),
        ("this restaurant is the worst", 0),
        ("this restaurant is well recommended", 1),
    ]:
        assert generated.get(text) == label
