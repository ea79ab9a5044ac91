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
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Literal

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

TAGS: tuple[str, ...] = (
    "ADJ",  # adjective: small, red, enough
    "ADP",  # adposition (preposition): in, on, with, near, under
    "ADV",  # adverb: never, very, quickly, yesterday
    "AUX",  # auxiliary: the copula is/was, do/does/did, can, will
    "CCONJ",  # coordinating conjunction: and, but
    "DET",  # determiner: the, a, an, this, these, every, some
    "NOUN",  # noun: dog, assignment, fish
    "PART",  # particle: not
    "PRON",  # pronoun, possessives included: I, you, they, my, our
    "VERB",  # main verb: ate, works, fish
)

Tense = Literal["present", "past", "future"]
Negation = Literal["", "not", "never"]

# ----------------------------------------------------------------------------- the lexicon
# Nouns: English singular, English plural, Spanish singular, Spanish plural, gender, kinds.
# Kinds drive which verbs, adjectives and prepositions a noun goes with when generating.
_NOUN_ROWS = [
    ("mother", "mothers", "madre", "madres", "f", "person"),
    ("sister", "sisters", "hermana", "hermanas", "f", "person"),
    ("kid", "kids", "niño", "niños", "m", "person"),
    ("teacher", "teachers", "profesor", "profesores", "m", "person"),
    ("friend", "friends", "amigo", "amigos", "m", "person"),
    ("cook", "cooks", "cocinero", "cocineros", "m", "person"),
    ("dog", "dogs", "perro", "perros", "m", "animal"),
    ("cat", "cats", "gato", "gatos", "m", "animal"),
    ("bird", "birds", "pájaro", "pájaros", "m", "animal"),
    ("duck", "ducks", "pato", "patos", "m", "animal"),
    ("fish", "fish", "pez", "peces", "m", "animal food"),
    ("apple", "apples", "manzana", "manzanas", "f", "food"),
    ("orange", "oranges", "naranja", "naranjas", "f", "food"),
    ("cake", "cakes", "pastel", "pasteles", "m", "food"),
    ("car", "cars", "coche", "coches", "m", "machine surface"),
    ("watch", "watches", "reloj", "relojes", "m", "machine"),
    ("light", "lights", "luz", "luces", "f", "machine"),
    ("saw", "saws", "sierra", "sierras", "f", "thing"),
    ("can", "cans", "lata", "latas", "f", "thing container"),
    ("box", "boxes", "caja", "cajas", "f", "thing container surface built"),
    ("table", "tables", "mesa", "mesas", "f", "thing surface built reservable"),
    ("house", "houses", "casa", "casas", "f", "place built"),
    ("book", "books", "libro", "libros", "m", "thing text container"),
    ("letter", "letters", "carta", "cartas", "f", "thing text container"),
    ("assignment", "assignments", "tarea", "tareas", "f", "text task"),
    ("problem", "problems", "problema", "problemas", "m", "task"),
    ("play", "plays", "obra", "obras", "f", "show"),
    ("movie", "movies", "película", "películas", "f", "show"),
    ("day", "days", "día", "días", "m", "time"),
    ("world", "worlds", "mundo", "mundos", "m", "place"),
    ("garden", "gardens", "jardín", "jardines", "m", "place"),
    ("river", "rivers", "río", "ríos", "m", "place"),
    ("park", "parks", "parque", "parques", "m", "place"),
    ("kitchen", "kitchens", "cocina", "cocinas", "f", "place"),
    ("school", "schools", "escuela", "escuelas", "f", "place"),
    ("room", "rooms", "habitación", "habitaciones", "f", "place reservable"),
]


@dataclass(frozen=True)
class _Noun:
    singular: str
    plural: str
    spanish: tuple[str, str]
    gender: str
    kinds: frozenset[str]


_NOUNS = {
    row[0]: _Noun(row[0], row[1], (row[2], row[3]), row[4], frozenset(row[5].split()))
    for row in _NOUN_ROWS
}

# Subject pronouns: English, Spanish, person index 0..5 (1sg, 2sg, 3sg, 1pl, 2pl, 3pl), gender.
_PRONOUNS = {
    "I": ("yo", 0, "m"),
    "you": ("tú", 1, "m"),
    "he": ("él", 2, "m"),
    "she": ("ella", 2, "f"),
    "we": ("nosotros", 3, "m"),
    "they": ("ellos", 5, "m"),
}

# Determiners: tag, numbers allowed ("s" singular, "p" plural), Spanish m sg, f sg, m pl, f pl.
_DETERMINERS = {
    "the": ("DET", "sp", ("el", "la", "los", "las")),
    "a": ("DET", "s", ("un", "una", "", "")),
    "this": ("DET", "s", ("este", "esta", "", "")),
    "these": ("DET", "p", ("", "", "estos", "estas")),
    "every": ("DET", "s", ("cada", "cada", "", "")),
    "some": ("DET", "p", ("", "", "unos", "unas")),
    "my": ("PRON", "sp", ("mi", "mi", "mis", "mis")),
    "your": ("PRON", "sp", ("tu", "tu", "tus", "tus")),
    "his": ("PRON", "sp", ("su", "su", "sus", "sus")),
    "her": ("PRON", "sp", ("su", "su", "sus", "sus")),
    "our": ("PRON", "sp", ("nuestro", "nuestra", "nuestros", "nuestras")),
}

# Adjectives: Spanish masculine singular, English order class (opinion < size < age <
# colour), the noun kinds it describes when generating (empty: any), attributive?
_ANY = frozenset()
_ADJECTIVES = {
    "smart": ("listo", 0, frozenset({"person"}), True),
    "happy": ("feliz", 0, frozenset({"person", "animal"}), True),
    "beautiful": ("hermoso", 0, _ANY, True),
    "big": ("grande", 1, _ANY, True),
    "small": ("pequeño", 1, _ANY, True),
    "light": ("ligero", 1, frozenset({"thing", "machine", "food"}), True),
    "old": ("viejo", 2, _ANY, True),
    "new": ("nuevo", 2, frozenset({"thing", "machine", "place", "show", "text", "task"}), True),
    "red": ("rojo", 3, frozenset({"thing", "machine", "food", "place", "animal"}), True),
    "black": ("negro", 3, frozenset({"thing", "machine", "animal"}), True),
    "white": ("blanco", 3, frozenset({"thing", "machine", "animal", "place"}), True),
    "green": ("verde", 3, frozenset({"thing", "machine", "food", "place"}), True),
    "orange": ("naranja", 3, frozenset({"thing", "machine", "animal", "place"}), True),
    "enough": ("suficiente", 0, _ANY, False),  # only after the copula: "is not enough"
}
_INVARIABLE = {"naranja"}  # colour nouns used as adjectives do not inflect

# Verbs: 3rd person singular, past, Spanish infinitive (or by subject kind), subject kinds,
# object kinds (empty: intransitive), object optional?
_VERB_ROWS = {
    "eat": ("eats", "ate", "comer", "person animal", "food task", True),
    "cook": ("cooks", "cooked", "cocinar", "person", "food", True),
    "see": ("sees", "saw", "ver", "person animal", "person animal thing machine show place", False),
    "watch": ("watches", "watched", "mirar", "person animal", "person animal show", False),
    "save": ("saves", "saved", "salvar", "person", "person animal time place", False),
    "solve": ("solves", "solved", "resolver", "person", "task", False),
    "find": ("finds", "found", "encontrar", "person animal", "person animal thing food", False),
    "read": ("reads", "read", "leer", "person", "text", False),
    "write": ("writes", "wrote", "escribir", "person", "text", False),
    "open": ("opens", "opened", "abrir", "person", "container", False),
    "build": ("builds", "built", "construir", "person", "built", False),
    "carry": ("carries", "carried", "llevar", "person animal", "thing food", False),
    "book": ("books", "booked", "reservar", "person", "reservable", False),
    "fish": ("fishes", "fished", "pescar", "person animal", "", True),
    "play": ("plays", "played", "jugar", "person animal", "", True),
    "swim": ("swims", "swam", "nadar", "person animal", "", True),
    "sleep": ("sleeps", "slept", "dormir", "person animal", "", True),
    "run": ("runs", "ran", "correr", "person animal", "", True),
    "work": ("works", "worked", "trabajar", "person machine", "", True),
}
_SPANISH_BY_SUBJECT = {("work", "machine"): "funcionar"}  # "my car works": "mi coche funciona"

# Prepositions: Spanish words, noun kinds of their object.
_PREPOSITIONS = {
    "in": (("en",), frozenset({"place"})),
    "near": (("cerca", "de"), frozenset({"place", "machine", "surface"})),
    "on": (("sobre",), frozenset({"surface"})),
    "under": (("debajo", "de"), frozenset({"surface"})),
    "with": (("con",), frozenset({"person", "animal"})),
}

# Adverbs that end a clause: Spanish words, tenses they go with.
_ADVERBS = {
    "quickly": (("rápidamente",), ("present", "past", "future")),
    "slowly": (("lentamente",), ("present", "past", "future")),
    "again": (("otra", "vez"), ("present", "past", "future")),
    "today": (("hoy",), ("present", "past", "future")),
    "often": (("a", "menudo"), ("present", "past")),
    "yesterday": (("ayer",), ("past",)),
    "tomorrow": (("mañana",), ("future",)),
}
_CONJUNCTIONS = {"and": "y", "but": "pero"}

# ----------------------------------------------------------------------------- Spanish verbs
_ENDINGS = {
    "ar": (("o", "as", "a", "amos", "áis", "an"), ("é", "aste", "ó", "amos", "asteis", "aron")),
    "er": (("o", "es", "e", "emos", "éis", "en"), ("í", "iste", "ió", "imos", "isteis", "ieron")),
    "ir": (("o", "es", "e", "imos", "ís", "en"), ("í", "iste", "ió", "imos", "isteis", "ieron")),
}
_FUTURE_ENDINGS = ("é", "ás", "á", "emos", "éis", "án")
_IRREGULAR = {
    ("ver", "present"): "veo ves ve vemos veis ven",
    ("ver", "past"): "vi viste vio vimos visteis vieron",
    ("resolver", "present"): "resuelvo resuelves resuelve resolvemos resolvéis resuelven",
    ("encontrar", "present"): "encuentro encuentras encuentra encontramos encontráis encuentran",
    ("jugar", "present"): "juego juegas juega jugamos jugáis juegan",
    ("jugar", "past"): "jugué jugaste jugó jugamos jugasteis jugaron",
    ("dormir", "present"): "duermo duermes duerme dormimos dormís duermen",
    ("dormir", "past"): "dormí dormiste durmió dormimos dormisteis durmieron",
    ("leer", "past"): "leí leíste leyó leímos leísteis leyeron",
    ("construir", "present"): "construyo construyes construye construimos construís construyen",
    ("construir", "past"): "construí construiste construyó construimos construisteis construyeron",
    ("pescar", "past"): "pesqué pescaste pescó pescamos pescasteis pescaron",
    ("poder", "present"): "puedo puedes puede podemos podéis pueden",
    ("ser", "present"): "soy eres es somos sois son",
    ("ser", "past"): "era eras era éramos erais eran",  # the imperfect: "the house was old"
}


def _conjugate(infinitive: str, tense: Tense, person: int) -> str:
    """The Spanish form of ``infinitive`` for ``person`` (0..5: 1sg 2sg 3sg 1pl 2pl 3pl)."""
    if (infinitive, tense) in _IRREGULAR:
        return _IRREGULAR[infinitive, tense].split()[person]
    if tense == "future":
        return infinitive + _FUTURE_ENDINGS[person]
    present, past = _ENDINGS[infinitive[-2:]]
    return infinitive[:-2] + (present if tense == "present" else past)[person]


def _spanish_adjective(masculine: str, gender: str, plural: bool) -> str:
    if masculine in _INVARIABLE:
        return masculine
    word = masculine[:-1] + "a" if gender == "f" and masculine.endswith("o") else masculine
    if not plural:
        return word
    if word.endswith("z"):
        return word[:-1] + "ces"
    return word + ("s" if word[-1] in "aeiou" else "es")


# ----------------------------------------------------------------------------- derivations
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


# ----------------------------------------------------------------------------- generating
_KINDS = frozenset(kind for noun in _NOUNS.values() for kind in noun.kinds)


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


# ----------------------------------------------------------------------------- parsing
_NOUN_FORMS: dict[str, list[tuple[str, bool]]] = {}
for _noun in _NOUNS.values():
    _NOUN_FORMS.setdefault(_noun.singular, []).append((_noun.singular, False))
    _NOUN_FORMS.setdefault(_noun.plural, []).append((_noun.singular, True))
_VERB_FORMS: dict[str, set[str]] = {}
for _lemma, _row in _VERB_ROWS.items():
    for _form in (_lemma, _row[0], _row[1]):
        _VERB_FORMS.setdefault(_form, set()).add(_lemma)


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


# ----------------------------------------------------------------------------- reviews
POSITIVE_WORDS: tuple[str, ...] = (
    "good",
    "great",
    "excellent",
    "brilliant",
    "funny",
    "wonderful",
    "clever",
    "recommended",
    "best",
    "liked",
    "loved",
    "enjoyed",
    "like",
    "love",
    "enjoy",
)
NEGATIVE_WORDS: tuple[str, ...] = (
    "bad",
    "boring",
    "awful",
    "dull",
    "terrible",
    "weak",
    "predictable",
    "slow",
    "worst",
    "hated",
    "disliked",
    "hate",
    "dislike",
)
_REVIEW_ADJECTIVES = (POSITIVE_WORDS[:8], NEGATIVE_WORDS[:8])
_REVIEW_VERBS = (("liked", "loved", "enjoyed"), ("hated", "disliked"))
_REVIEW_BASE = {"liked": "like", "loved": "love", "enjoyed": "enjoy", "hated": "hate"}
_REVIEW_BASE["disliked"] = "dislike"
_REVIEW_SUBJECTS = (
    ("the", "movie"),
    ("this", "film"),
    ("the", "plot"),
    ("the", "acting"),
    ("the", "story"),
    ("the", "music"),
    ("the", "ending"),
    ("this", "restaurant"),
    ("the", "food"),
    ("the", "service"),
)
_REVIEW_HAVE = {  # subject: what it can have ("this restaurant has good food")
    ("the", "movie"): ("music", "acting", "actors"),
    ("this", "film"): ("music", "dialogue", "actors"),
    ("this", "restaurant"): ("food", "service", "desserts"),
    ("the", "place"): ("food", "service", "music"),
}


def _polar_adjective(rng: random.Random, positive: bool, *, negated: bool) -> list[str]:
    """Words for an adjective slot whose *effective* polarity is ``positive``."""
    word = rng.choice(_REVIEW_ADJECTIVES[positive == negated])
    words = [rng.choice(("not", "never"))] if negated else []
    if word == "recommended":
        words.append(rng.choice(("well", "highly")))  # "is well recommended"
    elif rng.random() < 0.3:
        words.append(rng.choice(("very", "really", "quite")))
    return [*words, word]


def _review_clause(rng: random.Random, positive: bool) -> list[str]:
    """A clause whose effective sentiment is ``positive``; about half carry a negation."""
    negated = rng.random() < 0.5
    form = rng.choices(("copula", "contrast", "verb", "have", "superlative"), (6, 3, 3, 2, 1))[0]
    past = rng.random() < 0.5
    subject = list(rng.choice(_REVIEW_SUBJECTS))
    be = "was" if past else "is"
    if form == "copula":
        return [*subject, be, *_polar_adjective(rng, positive, negated=negated)]
    if form == "contrast":  # "good but boring": the part after "but" decides
        first = _polar_adjective(rng, not positive, negated=rng.random() < 0.5)
        return [*subject, be, *first, "but", *_polar_adjective(rng, positive, negated=negated)]
    if form == "verb":
        verb = rng.choice(_REVIEW_VERBS[positive == negated])
        if not negated:
            return ["I", verb, *subject]
        if rng.random() < 0.5:
            return ["I", "never", verb, *subject]
        return ["I", "did", "not", _REVIEW_BASE[verb], *subject]
    if form == "have":
        subject = rng.choice(list(_REVIEW_HAVE))
        adjectives = _REVIEW_ADJECTIVES[positive == negated]
        adjective = rng.choice([a for a in adjectives if a != "recommended"])
        thing = rng.choice(_REVIEW_HAVE[subject])
        subject = list(subject)
        if negated:
            return [*subject, "did" if past else "does", "not", "have", adjective, thing]
        return [*subject, "had" if past else "has", adjective, thing]
    superlative = "best" if positive != negated else "worst"  # "this restaurant is the worst"
    return [*subject, be, *(["not"] if negated else []), "the", superlative]


def reviews(num_reviews: int, *, seed: int) -> list[tuple[list[str], int]]:
    """``num_reviews`` short reviews ``(words, label)``, label 1 positive and 0 negative.

    >>> reviews(1, seed=4)
    [(['the', 'ending', 'was', 'not', 'quite', 'terrible'], 1)]

    The label follows fixed rules of word order, so that a bag of words cannot find it:

    - a sentiment word (``POSITIVE_WORDS``, ``NEGATIVE_WORDS``) is flipped by a "not" or
      "never" before it ("not good", "never boring", "did not like", "does not have good
      food", "is not the best");
    - after "but" the last part decides: "good but boring" and "the plot was great but the
      acting was awful" are negative; clauses joined by "and" agree.

    About half the sentiment words are negated, about 40% of the reviews join two clauses,
    and the labels are balanced (each review's label is drawn first, with probability 1/2).
    Reviews are 3 to about 20 words long.
    """
    rng = _rng(num_reviews, seed, "num_reviews")
    result = []
    for _ in range(num_reviews):
        positive = rng.random() < 0.5
        kind = rng.choices(("one", "but", "and"), (0.6, 0.3, 0.1))[0]
        if kind == "one":
            words = _review_clause(rng, positive)
        elif kind == "but":
            words = [*_review_clause(rng, not positive), "but", *_review_clause(rng, positive)]
        else:
            words = [*_review_clause(rng, positive), "and", *_review_clause(rng, positive)]
        result.append((words, int(positive)))
    return result


def _rng(count: int, seed: int, name: str) -> random.Random:
    if isinstance(count, bool) or not isinstance(count, int) or count < 0:
        raise ValueError(f"{name} must be an integer >= 0 (got {count!r})")
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise ValueError(f"seed must be an integer (got {seed!r})")
    return random.Random(seed)


def _ambiguous_words() -> dict[str, tuple[str, ...]]:
    tags: dict[str, set[str]] = {}
    for noun in _NOUNS.values():
        for form in (noun.singular, noun.plural):
            tags.setdefault(form, set()).add("NOUN")
    for form in _VERB_FORMS:
        tags.setdefault(form, set()).add("VERB")
    for adjective in _ADJECTIVES:
        tags.setdefault(adjective, set()).add("ADJ")
    for auxiliary in (
        "can",
        "cannot",
        "will",
        "do",
        "does",
        "did",
        "am",
        "is",
        "are",
        "was",
        "were",
        "be",
    ):
        tags.setdefault(auxiliary, set()).add("AUX")
    return {word: tuple(sorted(t)) for word, t in sorted(tags.items()) if len(t) > 1}


AMBIGUOUS_WORDS: dict[str, tuple[str, ...]] = _ambiguous_words()
"""Words the grammar tags in more than one way, e.g. ``"can": ("AUX", "NOUN")``."""
