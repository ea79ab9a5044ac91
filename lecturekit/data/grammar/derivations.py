"""Derivations of the grammar: noun phrases, clauses and sentences, each rendered as tagged
English and as Spanish."""

from __future__ import annotations

from dataclasses import dataclass

from .lexicon import (
    _ADJECTIVES,
    _ADVERBS,
    _CONJUNCTIONS,
    _DETERMINERS,
    _NOUNS,
    _PREPOSITIONS,
    _PRONOUNS,
    _SPANISH_BY_SUBJECT,
    _VERB_ROWS,
    Negation,
    Tense,
)
from .spanish import _conjugate, _spanish_adjective


@dataclass(frozen=True)
class NounPhrase:
    """A noun phrase: ``determiner`` (None for a pronoun), ``adjectives`` in English order,
    ``noun`` (a noun's English singular, or a pronoun such as ``"I"``), ``plural``."""

    determiner: str | None
    adjectives: tuple[str, ...]
    noun: str
    plural: bool = False

    @property
    def person(self) -> int:
        """0..5 for 1sg, 2sg, 3sg, 1pl, 2pl, 3pl (for agreement with the verb)."""
        if self.determiner is None:
            return _PRONOUNS[self.noun][1]
        return 5 if self.plural else 2

    @property
    def gender(self) -> str:
        """``"m"`` or ``"f"``: the Spanish gender that articles and adjectives agree with."""
        if self.determiner is None:
            return _PRONOUNS[self.noun][2]
        return _NOUNS[self.noun].gender

    @property
    def kinds(self) -> frozenset[str]:
        return frozenset({"person"}) if self.determiner is None else _NOUNS[self.noun].kinds

    def english(self) -> list[tuple[str, str]]:
        if self.determiner is None:
            return [(self.noun, "PRON")]
        noun = _NOUNS[self.noun]
        words = [*self.adjectives, noun.plural if self.plural else noun.singular]
        determiner = self.determiner
        if determiner == "a" and words[0][0] in "aeiou":
            determiner = "an"
        tag = _DETERMINERS[self.determiner][0]
        return [(determiner, tag)] + [(a, "ADJ") for a in self.adjectives] + [(words[-1], "NOUN")]

    def spanish(self) -> list[str]:
        if self.determiner is None:
            return [_PRONOUNS[self.noun][0]]
        noun = _NOUNS[self.noun]
        forms = _DETERMINERS[self.determiner][2]
        article = forms[(2 if self.plural else 0) + (noun.gender == "f")]
        adjectives = [
            _spanish_adjective(_ADJECTIVES[a][0], noun.gender, self.plural)
            for a in reversed(self.adjectives)  # "small red house": "casa roja pequeña"
        ]
        return [article, noun.spanish[self.plural], *adjectives]


@dataclass(frozen=True)
class Clause:
    """One clause: a subject, then either a main ``verb`` (lemma) with an optional
    ``object``, prepositional phrase and ``adverb``, or (``verb=None``) the copula with an
    adjective ``predicate``, optionally ``intensified`` by "very"."""

    subject: NounPhrase
    verb: str | None = None
    tense: Tense = "present"
    modal: bool = False  # "can" + the verb (present tense only)
    negation: Negation = ""
    object: NounPhrase | None = None
    preposition: str | None = None
    prepositional_object: NounPhrase | None = None
    adverb: str | None = None
    predicate: str | None = None
    intensified: bool = False

    def english(self) -> list[tuple[str, str]]:
        words = self.subject.english()
        person = self.subject.person
        third_singular = person == 2
        if self.verb is None:
            be = {
                "present": ["am", "are", "is", "are", "are", "are"][person],
                "past": "was" if person in (0, 2) else "were",
                "future": "be",
            }[self.tense]
            if self.tense == "future":
                words.append(("will", "AUX"))
            if self.negation and self.tense != "future":
                words.append((be, "AUX"))
            words += self._negation_words()
            if not self.negation or self.tense == "future":
                words.append((be, "AUX"))
            if self.intensified:
                words.append(("very", "ADV"))
            words.append((self.predicate, "ADJ"))
            return words
        base, third, past = self.verb, _VERB_ROWS[self.verb][0], _VERB_ROWS[self.verb][1]
        finite = {"present": third if third_singular else base, "past": past}
        if self.modal:
            words.append(("cannot" if self.negation == "not" else "can", "AUX"))
            if self.negation == "never":
                words.append(("never", "ADV"))
            words.append((base, "VERB"))
        elif self.tense == "future":
            words.append(("will", "AUX"))
            words += self._negation_words()
            words.append((base, "VERB"))
        elif self.negation == "not":
            do = "did" if self.tense == "past" else ("does" if third_singular else "do")
            words += [(do, "AUX"), ("not", "PART"), (base, "VERB")]
        else:
            words += self._negation_words()
            words.append((finite[self.tense], "VERB"))
        if self.object is not None:
            words += self.object.english()
        if self.preposition is not None:
            words.append((self.preposition, "ADP"))
            words += self.prepositional_object.english()
        if self.adverb is not None:
            words.append((self.adverb, "ADV"))
        return words

    def _negation_words(self) -> list[tuple[str, str]]:
        return {"": [], "not": [("not", "PART")], "never": [("never", "ADV")]}[self.negation]

    def spanish(self) -> list[str]:
        words = self.subject.spanish()
        person = self.subject.person
        words += {"": [], "not": ["no"], "never": ["nunca"]}[self.negation]
        if self.verb is None:
            words.append(_conjugate("ser", self.tense, person))
            if self.intensified:
                words.append("muy")
            masculine = _ADJECTIVES[self.predicate][0]
            words.append(_spanish_adjective(masculine, self.subject.gender, person >= 3))
            return words
        kind = "machine" if "machine" in self.subject.kinds else "person"
        infinitive = _SPANISH_BY_SUBJECT.get((self.verb, kind), _VERB_ROWS[self.verb][2])
        if self.modal:
            words += [_conjugate("poder", "present", person), infinitive]
        else:
            words.append(_conjugate(infinitive, self.tense, person))
        if self.object is not None:
            if self.object.kinds & {"person", "animal"}:
                words.append("a")  # the personal "a": "vi a mi madre", "vio al perro"
            words += self.object.spanish()
        if self.preposition is not None:
            words += _PREPOSITIONS[self.preposition][0]
            words += self.prepositional_object.spanish()
        if self.adverb is not None:
            words += _ADVERBS[self.adverb][0]
        return words


@dataclass(frozen=True)
class Sentence:
    """A derivation of the grammar: clauses joined by ``conjunctions`` ("and", "but").

    ``words`` and ``tags`` are the English tokens and their part-of-speech tags (one tag
    per word, from ``TAGS``); ``spanish`` is the translation, a function of the derivation.
    """

    clauses: tuple[Clause, ...]
    conjunctions: tuple[str, ...] = ()

    @property
    def tagged(self) -> list[tuple[str, str]]:
        """``[(word, tag), ...]``, one pair per English token."""
        tagged = self.clauses[0].english()
        for conjunction, clause in zip(self.conjunctions, self.clauses[1:], strict=True):
            tagged += [(conjunction, "CCONJ"), *clause.english()]
        return tagged

    @property
    def words(self) -> list[str]:
        return [word for word, _ in self.tagged]

    @property
    def tags(self) -> list[str]:
        return [tag for _, tag in self.tagged]

    @property
    def spanish(self) -> list[str]:
        """The Spanish tokens, with "a el" and "de el" contracted to "al" and "del"."""
        words = self.clauses[0].spanish()
        for conjunction, clause in zip(self.conjunctions, self.clauses[1:], strict=True):
            words += [_CONJUNCTIONS[conjunction], *clause.spanish()]
        contracted: list[str] = []
        for word in words:
            if word == "el" and contracted and contracted[-1] in ("a", "de"):
                contracted[-1] = {"a": "al", "de": "del"}[contracted[-1]]
            else:
                contracted.append(word)
        return contracted
