"""Generated sentences, and the part-of-speech tagged sentences made from them."""

from __future__ import annotations

import random

from .derivations import Clause, NounPhrase, Sentence
from .lexicon import (
    _ADJECTIVES,
    _ADVERBS,
    _CONJUNCTIONS,
    _DETERMINERS,
    _KINDS,
    _NOUNS,
    _PREPOSITIONS,
    _PRONOUNS,
    _VERB_ROWS,
)


def _noun_phrase(rng: random.Random, kinds: frozenset[str], *, pronoun: bool) -> NounPhrase:
    if pronoun and "person" in kinds and rng.random() < 0.2:
        return NounPhrase(None, (), rng.choice(list(_PRONOUNS)))
    noun = rng.choice([n for n in _NOUNS.values() if n.kinds & kinds])
    plural = rng.random() < 0.35
    determiner = rng.choice([d for d, row in _DETERMINERS.items() if "sp"[plural] in row[1]])
    count = rng.choices((0, 1, 2), weights=(0.55, 0.33, 0.12))[0]
    fitting = [
        a
        for a, (_, _, described, attributive) in _ADJECTIVES.items()
        if attributive and (not described or described & noun.kinds)
    ]
    adjectives: list[str] = []
    for _ in range(count):
        used = {_ADJECTIVES[a][1] for a in adjectives}
        choices = [a for a in fitting if _ADJECTIVES[a][1] not in used]
        if choices:
            adjectives.append(rng.choice(choices))
    adjectives.sort(key=lambda a: _ADJECTIVES[a][1])  # opinion, size, age, colour
    return NounPhrase(determiner, tuple(adjectives), noun.singular, plural)


def _clause(rng: random.Random) -> Clause:
    tense = rng.choices(("present", "past", "future"), weights=(0.45, 0.4, 0.15))[0]
    negation = rng.choices(("", "not", "never"), weights=(0.7, 0.2, 0.1))[0]
    if rng.random() < 0.2:  # the copula with an adjective
        subject = _noun_phrase(rng, _KINDS, pronoun=True)
        fitting = [
            a for a, (_, _, kinds, _) in _ADJECTIVES.items() if not kinds or kinds & subject.kinds
        ]
        return Clause(
            subject,
            tense=tense,
            negation=negation,
            predicate=rng.choice(fitting),
            intensified=rng.random() < 0.2,
        )
    verb = rng.choice(list(_VERB_ROWS))
    _, _, _, subject_kinds, object_kinds, optional = _VERB_ROWS[verb]
    subject = _noun_phrase(rng, frozenset(subject_kinds.split()), pronoun=True)
    modal = tense == "present" and rng.random() < 0.15
    obj = None
    if object_kinds and not (optional and rng.random() < 0.5):
        obj = _noun_phrase(rng, frozenset(object_kinds.split()), pronoun=False)
    preposition = prepositional_object = None
    if rng.random() < 0.3:
        preposition = rng.choice(list(_PREPOSITIONS))
        prepositional_object = _noun_phrase(rng, _PREPOSITIONS[preposition][1], pronoun=False)
    adverb = None
    if rng.random() < 0.25:
        fitting = [a for a, (_, tenses) in _ADVERBS.items() if tense in tenses]
        if modal:
            fitting = [a for a in fitting if a != "often"]
        adverb = rng.choice(fitting)
    return Clause(
        subject, verb, tense, modal, negation, obj, preposition, prepositional_object, adverb
    )


def generate_sentences(num_sentences: int, *, seed: int) -> list[Sentence]:
    """``num_sentences`` derivations, the same for the same ``seed``.

    >>> sentence = generate_sentences(1, seed=3)[0]
    >>> sentence.words, sentence.tags, sentence.spanish
    (['her', 'sister', 'swims'], ['PRON', 'NOUN', 'VERB'], ['su', 'hermana', 'nada'])

    About 15% of the sentences join two clauses with "and" or "but"; lengths run from
    2 to about 25 words.
    """
    rng = _rng(num_sentences, seed, "num_sentences")
    sentences = []
    for _ in range(num_sentences):
        clauses = [_clause(rng)]
        conjunctions = []
        if rng.random() < 0.15:
            conjunctions.append(rng.choice(list(_CONJUNCTIONS)))
            clauses.append(_clause(rng))
        sentences.append(Sentence(tuple(clauses), tuple(conjunctions)))
    return sentences


def tagged_sentences(num_sentences: int, *, seed: int) -> list[list[tuple[str, str]]]:
    """``num_sentences`` sentences as lists of ``(word, tag)`` pairs, tags from ``TAGS``.

    >>> tagged_sentences(1, seed=4)
    [[('I', 'PRON'), ('save', 'VERB'), ('the', 'DET'), ('duck', 'NOUN')]]

    Sentence ``i`` has ``len(sentence_i)`` pairs; the lengths differ (2 to about 25).
    """
    return [sentence.tagged for sentence in generate_sentences(num_sentences, seed=seed)]


def _rng(count: int, seed: int, name: str) -> random.Random:
    if isinstance(count, bool) or not isinstance(count, int) or count < 0:
        raise ValueError(f"{name} must be an integer >= 0 (got {count!r})")
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise ValueError(f"seed must be an integer (got {seed!r})")
    return random.Random(seed)
