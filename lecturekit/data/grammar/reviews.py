"""Short movie and restaurant reviews whose label depends on word order."""

from __future__ import annotations

import random

from .sentences import _rng

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


# Phrases with no sentiment word, no "not", "never", "but" or "and": they tell a story and
# carry no verdict.
NEUTRAL_PHRASES: tuple[tuple[str, ...], ...] = (
    ("we", "went", "on", "a", "friday"),
    ("with", "two", "friends"),
    ("after", "work"),
    ("it", "was", "raining", "outside"),
    ("we", "sat", "near", "the", "window"),
    ("the", "tickets", "cost", "ten", "dollars"),
    ("my", "sister", "chose", "the", "place"),
    ("we", "took", "the", "bus", "home"),
    ("the", "room", "was", "full"),
    ("it", "lasted", "two", "hours"),
    ("we", "came", "back", "late"),
    ("there", "was", "a", "long", "queue"),
    ("we", "had", "booked", "a", "table"),
    ("it", "started", "at", "eight"),
)


def verdict_first_reviews(
    num_reviews: int, *, seed: int, filler_words: int | tuple[int, int] = (10, 20)
) -> list[tuple[list[str], int]]:
    """Reviews whose verdict comes first, followed by words that carry no sentiment.

    Each review is one clause of ``reviews`` (the same negation and "but" rules decide its
    label) followed by exactly ``n`` filler words cut from ``NEUTRAL_PHRASES``, with ``n``
    drawn uniformly from ``filler_words = (low, high)`` (or fixed, for an ``int``). The
    deciding words are therefore ``n`` or more words from the end of the review: built to
    test how far a left-to-right reader carries its evidence, not to be realistic.

    >>> verdict_first_reviews(1, seed=4, filler_words=3)
    [(['this', 'film', 'was', 'never', 'bad', 'we', 'had', 'booked'], 1)]
    """
    rng = _rng(num_reviews, seed, "num_reviews")
    low, high = (filler_words, filler_words) if isinstance(filler_words, int) else filler_words
    if isinstance(low, bool) or not isinstance(low, int) or not isinstance(high, int):
        raise ValueError(f"filler_words must be an int or a pair of ints (got {filler_words!r})")
    if not 0 <= low <= high:
        raise ValueError(f"filler_words must satisfy 0 <= low <= high (got {filler_words!r})")
    result = []
    for _ in range(num_reviews):
        positive = rng.random() < 0.5
        words = _review_clause(rng, positive)
        count = rng.randint(low, high)
        filler: list[str] = []
        while len(filler) < count:
            filler.extend(rng.choice(NEUTRAL_PHRASES))
        result.append(([*words, *filler[:count]], int(positive)))
    return result
