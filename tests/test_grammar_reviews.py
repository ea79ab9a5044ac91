"""The grammar's reviews: labels that follow the negation and contrast rules, near chance
for a bag of words (lecturekit.data.grammar.reviews)."""

from lecturekit.data.grammar import (
    NEGATIVE_WORDS,
    POSITIVE_WORDS,
    reviews,
)
from lecturekit.data.grammar.reviews import NEUTRAL_PHRASES, verdict_first_reviews


def _effective_sentiment(words):
    """The review rules, written independently: the part after the last "but" or "and"
    decides; its sentiment word counts positive unless "not" or "never" comes before it."""
    last = 0
    for i, word in enumerate(words):
        if word in ("but", "and"):
            last = i + 1
    part = words[last:]
    polar = [w for w in part if w in POSITIVE_WORDS or w in NEGATIVE_WORDS]
    assert len(polar) == 1, words
    negated = any(w in ("not", "never") for w in part[: part.index(polar[0])])
    return int((polar[0] in POSITIVE_WORDS) != negated)


def test_review_labels_follow_the_negation_and_contrast_rules():
    data = reviews(2000, seed=0)
    for words, label in data:
        assert label == _effective_sentiment(words), words
    assert 0.45 < sum(label for _, label in data) / len(data) < 0.55
    negated = [label for words, label in data if "not" in words or "never" in words]
    assert 0.3 < len(negated) / len(data) < 0.9 and 0.3 < sum(negated) / len(negated) < 0.7


def test_a_linear_bag_of_words_scores_reviews_near_chance():
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.linear_model import LogisticRegression

    data = reviews(3000, seed=0)
    counts = CountVectorizer(token_pattern=r"\S+").fit_transform([" ".join(w) for w, _ in data])
    labels = [label for _, label in data]
    model = LogisticRegression(max_iter=1000).fit(counts[:2500], labels[:2500])
    assert model.score(counts[2500:], labels[2500:]) < 0.65


def test_some_reviews_have_the_same_words_and_opposite_labels():
    bags = {}
    for words, label in reviews(20000, seed=0):
        bags.setdefault(tuple(sorted(words)), set()).add(label)
    assert sum(len(labels) == 2 for labels in bags.values()) >= 20


def test_the_restaurant_reviews_of_chapter_13_can_be_generated():
    generated = {" ".join(words): label for words, label in reviews(20000, seed=0)}
    for text, label in [
        ("this restaurant has good food", 1),
        ("this restaurant is bad", 0),
        ("this restaurant is the worst", 0),
        ("this restaurant is well recommended", 1),
    ]:
        assert generated.get(text) == label


def test_verdict_first_reviews_end_with_the_given_number_of_neutral_words():
    neutral = {w for phrase in NEUTRAL_PHRASES for w in phrase}
    assert not neutral & {*POSITIVE_WORDS, *NEGATIVE_WORDS, "not", "never", "but", "and"}
    for distance in (0, 3, 12):
        data = verdict_first_reviews(500, seed=1, filler_words=distance)
        for words, label in data:
            verdict = words[: len(words) - distance]
            assert label == _effective_sentiment(verdict), words  # the verdict decides
            assert all(w in neutral for w in words[len(words) - distance :])
        assert 0.4 < sum(label for _, label in data) / len(data) < 0.6
    lengths = {len(w) for w, _ in verdict_first_reviews(300, seed=0, filler_words=(10, 20))}
    assert min(lengths) >= 13 and max(lengths) <= 40
    assert verdict_first_reviews(5, seed=2) == verdict_first_reviews(5, seed=2)


def test_verdict_first_reviews_reject_bad_filler_counts():
    import pytest

    for bad in (-1, (5, 2), (1.5, 3), True):
        with pytest.raises(ValueError, match="filler_words"):
            verdict_first_reviews(3, seed=0, filler_words=bad)


def test_reviews_are_unchanged_by_the_verdict_first_reviews():
    assert reviews(1, seed=4) == [(["the", "ending", "was", "not", "quite", "terrible"], 1)]
