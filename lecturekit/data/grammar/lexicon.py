"""The grammar's words: English and Spanish nouns, pronouns, determiners, adjectives,
verbs, prepositions and adverbs, with what each goes with, and the tags of its words."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

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

_KINDS = frozenset(kind for noun in _NOUNS.values() for kind in noun.kinds)

# English word forms, for parsing: noun form -> [(singular, plural?)], verb form -> lemmas.
_NOUN_FORMS: dict[str, list[tuple[str, bool]]] = {}
for _noun in _NOUNS.values():
    _NOUN_FORMS.setdefault(_noun.singular, []).append((_noun.singular, False))
    _NOUN_FORMS.setdefault(_noun.plural, []).append((_noun.singular, True))
_VERB_FORMS: dict[str, set[str]] = {}
for _lemma, _row in _VERB_ROWS.items():
    for _form in (_lemma, _row[0], _row[1]):
        _VERB_FORMS.setdefault(_form, set()).add(_lemma)


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
