"""The grammar's Spanish: adjectives after the noun and agreeing, verbs conjugated, a
function of the derivation (lecturekit.data.grammar.spanish, .translations)."""

from lecturekit.data.grammar import (
    Clause,
    NounPhrase,
    Sentence,
    generate_sentences,
    parse,
    sentence_pairs,
    translate_to_spanish,
)


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
