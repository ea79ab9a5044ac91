"""Parsing: English words back to the derivation that renders them."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from .derivations import Clause, NounPhrase, Sentence
from .lexicon import (
    _ADJECTIVES,
    _ADVERBS,
    _CONJUNCTIONS,
    _DETERMINERS,
    _NOUN_FORMS,
    _PREPOSITIONS,
    _PRONOUNS,
    _VERB_FORMS,
)


def parse(words: str | Sequence[str]) -> Sentence:
    """The first ``Sentence`` of the grammar whose English is exactly ``words``.

    >>> parse("my dog ate the assignment").tags
    ['PRON', 'NOUN', 'VERB', 'DET', 'NOUN']

    ``words`` is a list of tokens or a string split on spaces. Where the English is
    ambiguous ("you read the book": present or past? "the fish swam": one or several?),
    the first derivation wins: present before past, singular before plural. Raises
    ``ValueError`` if the grammar cannot produce the words. Word choices need not be
    sensible ("the can ate the river" parses); only the syntax and agreement are checked.
    """
    tokens = words.split() if isinstance(words, str) else list(words)
    for sentence in _sentences(tokens, 0):
        if sentence.words == tokens:
            return sentence
    raise ValueError(f"the grammar cannot produce {' '.join(tokens)!r}")


def _sentences(tokens: list[str], start: int) -> Iterator[Sentence]:
    for clause, end in _clauses(tokens, start):
        if end == len(tokens):
            yield Sentence((clause,))
        elif tokens[end] in _CONJUNCTIONS:
            for rest in _sentences(tokens, end + 1):
                yield Sentence((clause, *rest.clauses), (tokens[end], *rest.conjunctions))


def _noun_phrases(tokens: list[str], i: int, *, pronoun: bool) -> Iterator[tuple[NounPhrase, int]]:
    if i >= len(tokens):
        return
    if pronoun and tokens[i] in _PRONOUNS:
        yield NounPhrase(None, (), tokens[i]), i + 1
    determiner = "a" if tokens[i] == "an" else tokens[i]
    if determiner not in _DETERMINERS:
        return
    j = i + 1
    while True:
        for noun, plural in _NOUN_FORMS.get(tokens[j] if j < len(tokens) else "", []):
            yield NounPhrase(determiner, tuple(tokens[i + 1 : j]), noun, plural), j + 1
        if j < len(tokens) and _ADJECTIVES.get(tokens[j], (0, 0, 0, False))[3]:
            j += 1
        else:
            return


def _clauses(tokens: list[str], start: int) -> Iterator[tuple[Clause, int]]:
    """Every clause starting at ``start`` whose English matches the tokens it spans."""
    for subject, _ in _noun_phrases(tokens, start, pronoun=True):
        for tense in ("present", "past", "future"):
            for negation in ("", "not", "never"):
                for predicate in _ADJECTIVES:
                    for intensified in (False, True):
                        clause = Clause(
                            subject,
                            tense=tense,
                            negation=negation,
                            predicate=predicate,
                            intensified=intensified,
                        )
                        yield from _if_matches(clause, tokens, start)
                for modal in (False, True) if tense == "present" else (False,):
                    head = Clause(subject, "eat", tense, modal, negation)
                    verb_at = start + len(head.english()) - 1
                    if verb_at >= len(tokens):
                        continue
                    for verb in sorted(_VERB_FORMS.get(tokens[verb_at], ())):
                        yield from _verb_phrases(
                            Clause(subject, verb, tense, modal, negation), tokens, start
                        )


def _verb_phrases(clause: Clause, tokens: list[str], start: int) -> Iterator[tuple[Clause, int]]:
    """Extend a matching clause head with an optional object, PP and adverb."""
    i = start + len(clause.english())
    if tokens[start:i] != [w for w, _ in clause.english()]:
        return
    objects: list[tuple[NounPhrase | None, int]] = [(None, i)]
    objects += list(_noun_phrases(tokens, i, pronoun=False))
    for obj, j in objects:
        phrases: list[tuple[str | None, NounPhrase | None, int]] = [(None, None, j)]
        if j < len(tokens) and tokens[j] in _PREPOSITIONS:
            phrases += [(tokens[j], np, k) for np, k in _noun_phrases(tokens, j + 1, pronoun=False)]
        for preposition, np, k in phrases:
            adverbs = [None] + ([tokens[k]] if k < len(tokens) and tokens[k] in _ADVERBS else [])
            for adverb in adverbs:
                full = Clause(
                    clause.subject,
                    clause.verb,
                    clause.tense,
                    clause.modal,
                    clause.negation,
                    obj,
                    preposition,
                    np,
                    adverb,
                )
                yield from _if_matches(full, tokens, start)


def _if_matches(clause: Clause, tokens: list[str], start: int) -> Iterator[tuple[Clause, int]]:
    words = [w for w, _ in clause.english()]
    if tokens[start : start + len(words)] == words:
        yield clause, start + len(words)
