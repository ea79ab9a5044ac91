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
