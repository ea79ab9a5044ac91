"""Spanish morphology: verbs conjugated for person and tense, adjectives that agree."""

from __future__ import annotations

from .lexicon import _INVARIABLE, Tense

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
