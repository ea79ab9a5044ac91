"""English-Spanish sentence pairs, and the Spanish of any sentence the grammar parses."""

from __future__ import annotations

from collections.abc import Sequence

from .derivations import Sentence
from .parsing import parse
from .sentences import generate_sentences


def sentence_pairs(num_pairs: int, *, seed: int) -> list[tuple[list[str], list[str]]]:
    """``num_pairs`` pairs ``(english_words, spanish_words)`` of generated sentences.

    >>> sentence_pairs(1, seed=4)
    [(['I', 'save', 'the', 'duck'], ['yo', 'salvo', 'al', 'pato'])]

    The two sides usually differ in length ("did not eat" -> "no comió", "near the car" ->
    "cerca del coche") and in order (adjectives after the noun).
    """
    return [(s.words, s.spanish) for s in generate_sentences(num_pairs, seed=seed)]


def translate_to_spanish(sentence: Sentence | str | Sequence[str]) -> list[str]:
    """The Spanish of a ``Sentence``, or of English words the grammar can ``parse``.

    >>> translate_to_spanish("the world is not enough")
    ['el', 'mundo', 'no', 'es', 'suficiente']
    """
    if not isinstance(sentence, Sentence):
        sentence = parse(sentence)
    return sentence.spanish
