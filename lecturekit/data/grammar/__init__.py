"""A small English grammar: tagged sentences, movie reviews and Spanish translations.

Everything is generated deterministically from a seed (a private ``random.Random``, never
the global generator), so the same seed gives the same corpus on every machine::

    >>> tagged_sentences(1, seed=3)
    [[('her', 'PRON'), ('sister', 'NOUN'), ('swims', 'VERB')]]
    >>> parse("the small red house is old").spanish
    ['la', 'casa', 'roja', 'pequeña', 'es', 'vieja']
    >>> reviews(1, seed=3)
    [(['I', 'did', 'not', 'hate', 'this', 'film'], 1)]

Three uses, one lexicon:

- **Part-of-speech tagging** (chapters 13 and 14): ``tagged_sentences`` gives one tag from
  ``TAGS`` (the Universal Dependencies part-of-speech tags the grammar needs) per word.
  Some words take different tags in different places (``AMBIGUOUS_WORDS``: "I can swim" /
  "the can"; "we watch the play" / "my watch works"; "the orange car" / "the orange"), so a
  tagger must read the context, and for "light" and "orange" the words *after* them.
- **Sentiment** (chapter 13): ``reviews`` gives short movie and restaurant reviews whose
  label depends on word order: negation ("not good", "never boring") flips a clause, and
  after "but" the last clause decides ("good but boring" is negative). A bag of words
  cannot score them.
- **Translation** (chapter 15): every generated ``Sentence`` is a derivation, and its
  Spanish (``Sentence.spanish``, ``sentence_pairs``, ``translate_to_spanish``) is a
  deterministic function of it: adjectives follow the noun in reverse order, articles and
  adjectives agree in gender and number ("the small red house" -> "la casa roja pequeña"),
  verbs are conjugated for person and tense, "not" becomes "no" before the verb.

``parse`` turns English words back into a ``Sentence`` (the first derivation that renders
them exactly), which gives gold tags and a translation for any sentence of the grammar,
such as "my dog ate the assignment" and "the world is not enough".

Built in chapter 13 ("Working with sequences").

One module for each part: ``lexicon`` (the words), ``spanish`` (conjugation and
agreement), ``derivations`` (noun phrases, clauses, sentences), ``sentences`` (generating
them, and the tagged sentences), ``parsing``, ``translations`` and ``reviews``.
"""

from .derivations import Clause, NounPhrase, Sentence
from .lexicon import AMBIGUOUS_WORDS, TAGS
from .parsing import parse
from .reviews import NEGATIVE_WORDS, POSITIVE_WORDS, reviews
from .sentences import generate_sentences, tagged_sentences
from .translations import sentence_pairs, translate_to_spanish

__all__ = [
    "AMBIGUOUS_WORDS",
    "NEGATIVE_WORDS",
    "POSITIVE_WORDS",
    "TAGS",
    "Clause",
    "NounPhrase",
    "Sentence",
    "generate_sentences",
    "parse",
    "reviews",
    "sentence_pairs",
    "tagged_sentences",
    "translate_to_spanish",
]
