import numpy as np
import pytest
import torch

from lecturekit.exercises import (
    REQUIRED_SEEDS,
    Feedback,
    NotAnswered,
    Wrong,
    as_callable,
    as_number,
    as_seed,
    as_tensor,
    common_seeds,
    exercise_check,
    expect_close,
    judge_against_reference,
    require_seeds,
    rerun_every_entry,
    seeded_results,
    unseen_seeds,
)


@exercise_check("double it", hint="multiply by two.")
def check_double(f):
    f = as_callable(f, "double")
    expect_close(f(torch.tensor([1.0, 2.0])), torch.tensor([2.0, 4.0]), "double([1, 2])")


def test_a_right_answer_is_correct_and_truthy():
    feedback = check_double(lambda x: 2 * x)
    assert feedback.correct and feedback.answered and bool(feedback)
    assert repr(feedback).startswith("Correct!")


def test_a_wrong_answer_says_what_is_wrong_with_the_hint():
    feedback = check_double(lambda x: 3 * x)
    assert not feedback
    assert "double([1, 2]) is [3, 6]; expected [2, 4]" in feedback.message
    assert "Hint: multiply by two." in feedback.message


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ("twice", "should be a function, not str"),
        (lambda x: "a string", "should be numbers"),
        (lambda x: [2.0, 4.0, 6.0], "has shape (3,); expected (2,)"),
        (lambda x: 1 / 0, "raised ZeroDivisionError"),
    ],
)
def test_wrongly_typed_answers_get_feedback_not_a_traceback(answer, expected):
    feedback = check_double(answer)
    assert isinstance(feedback, Feedback) and not feedback
    assert expected in feedback.message


def test_placeholders_are_not_answered_yet():
    def unanswered(x):
        raise NotImplementedError

    for answer in (..., unanswered):
        feedback = check_double(answer)
        assert not feedback and not feedback.answered
        assert repr(feedback).startswith("Not answered yet")


def test_as_tensor_accepts_lists_arrays_and_tensors():
    for value in ([1, 2], np.array([1.0, 2.0]), torch.tensor([1, 2])):
        assert as_tensor(value, "v", shape=(2,)).tolist() == [1.0, 2.0]
    with pytest.raises(Wrong, match="could not be read as numbers"):
        as_tensor([[1], [2, 3]], "v")


def test_as_number_accepts_one_element_tensors_and_refuses_the_rest():
    assert as_number(torch.tensor([2.5]), "b") == 2.5
    assert as_number(np.int64(3), "n", integer=True) == 3
    with pytest.raises(Wrong, match="whole number"):
        as_number(2.5, "n", integer=True)
    with pytest.raises(Wrong, match="should be a number, not bool"):
        as_number(True, "b")


# The experiment helpers. A toy experiment: run(seed, setting) = setting + seed / 100.
def toy_run(seed, setting):
    return setting + seed / 100


def toy_table(run=toy_run, seeds=(0, 1, 2), settings=(1, 2)):
    return {setting: {seed: run(seed, setting) for seed in seeds} for setting in settings}


def wrong_message(action) -> str:
    with pytest.raises(Wrong) as raised:
        action()
    return str(raised.value)


def test_as_seed_takes_whole_numbers_of_any_integer_type_and_refuses_the_rest():
    assert REQUIRED_SEEDS == (0, 1, 2)
    for seed in (2, np.int64(2), np.int32(2), 2.0):
        assert as_seed(seed, "`t`") == 2 and type(as_seed(seed, "`t`")) is int
    for not_a_seed in (True, 2.5, "2", None, float("nan")):
        assert "the seeds of `t` should be whole numbers" in wrong_message(
            lambda s=not_a_seed: as_seed(s, "`t`")
        )


def test_require_seeds_wants_0_1_and_2_and_sorts():
    assert require_seeds([7, 2, 0, 1, 2], "`t`") == [0, 1, 2, 7]
    message = wrong_message(lambda: require_seeds([1, 2, 3], "`t`"))
    assert "`t` should hold at least three seeds, 0, 1 and 2 among them" in message
    assert "the seeds [1, 2, 3]" in message
    assert "no seeds" in wrong_message(lambda: require_seeds([], "`t`"))


def test_common_seeds_are_those_of_every_setting():
    entries = [("a", 0), ("a", 1), ("a", 2), ("a", 3), ("b", 0), ("b", 1), ("b", 2), ("c", 9)]
    assert common_seeds(entries, ("a", "b"), "`t`") == [0, 1, 2]
    assert "0, 1 and 2" in wrong_message(lambda: common_seeds(entries[:3], ("a", "b"), "`t`"))


def test_seeded_results_reads_and_normalises_the_table():
    table = {
        1.0: {np.int64(2): 1.02, 0: 1.0, 1: torch.tensor(1.01, dtype=torch.float64)},
        2: {0: 2, 1: 2, 2: 2},
    }
    read = seeded_results(table | {5: {}}, (1, 2), "r", layout="{n: {seed: x}}", entry="n = {}")
    assert read == {1: {0: 1.0, 1: 1.01, 2: 1.02}, 2: {0: 2.0, 1: 2.0, 2: 2.0}}
    assert list(read[1]) == [0, 1, 2] and all(type(s) is int for s in read[1])
    assert seeded_results({"h0": {0: 1, 1: 2, 2: 3}}, ("h0",), "r", layout="{}") == {
        "h0": {0: 1.0, 1: 2.0, 2: 3.0}
    }


def test_seeded_results_says_what_is_off():
    def message(results):
        return wrong_message(
            lambda: seeded_results(results, (1, 2), "r", layout="{n: {seed: x}}", entry="n = {}")
        )

    assert "`r` should be a dict {n: {seed: x}}, not list" in message([1, 2])
    assert "`r` has no entry for n = 2" in message({1: {0: 1, 1: 1, 2: 1}})
    assert "`r[2]` should be a dict" in message({1: {0: 1, 1: 1, 2: 1}, 2: [1, 1, 1]})
    assert "0, 1 and 2" in message({1: {0: 1, 1: 1}, 2: {0: 1, 1: 1}})
    assert "same seeds" in message({1: {0: 1, 1: 1, 2: 1}, 2: {0: 1, 1: 1, 2: 1, 3: 1}})
    assert "whole numbers" in message({1: {"a": 1}, 2: {0: 1}})
    assert "`r[1][0]` should be a number" in message({1: {0: "x", 1: 1, 2: 1}, 2: {}})
    with pytest.raises(NotAnswered):
        seeded_results(..., (1, 2), "r", layout="{}")


def test_rerun_every_entry_reruns_the_last_entry_too():
    rerun_every_entry(toy_run, toy_table(), "r", "run")
    forged = toy_table()
    forged[2][2] += 0.001
    message = wrong_message(lambda: rerun_every_entry(toy_run, forged, "r", "run", advice=" (x)"))
    assert message.startswith("run(2, 2) now returns 2.02, but r[2][2] says 2.021")
    assert message.endswith("fill r with what your function returns (x).")


def test_unseen_seeds_are_new_different_and_follow_torchs_generator():
    torch.manual_seed(0)
    first = unseen_seeds(3, [0, 1, 2])
    torch.manual_seed(0)
    assert unseen_seeds(3, [0, 1, 2]) == first
    assert len(set(first)) == 3 and all(1000 <= s < 1_000_000 for s in first)
    torch.manual_seed(0)
    assert first[0] not in unseen_seeds(1, [first[0]])


def judge(run, table, reference=toy_run):
    judge_against_reference(
        run,
        table,
        reference,
        name="r",
        run_name="run",
        unseen=unseen_seeds(2, [0, 1, 2]),
        close=lambda answer, expected: abs(answer - expected) <= 1e-3,
        tolerance="1e-3",
        recipe="follow the recipe.",
        varies="each seed gives its own number.",
    )


def test_judge_against_reference_accepts_the_recipe_within_the_tolerance():
    judge(toy_run, toy_table())
    judge(lambda seed, setting: toy_run(seed, setting) + 5e-4, toy_table())


def test_judge_against_reference_refuses_a_looked_up_table():
    table = toy_table()

    def looked_up(seed, setting):
        return table[setting].get(seed, setting)

    message = wrong_message(lambda: judge(looked_up, table))
    assert "but the recipe gives another number for that seed (more than 1e-3 away)" in message
    assert message.endswith("follow the recipe.")


def test_judge_against_reference_refuses_numbers_typed_in_for_the_tables_seeds():
    typed_in = {1: {0: 1.5, 1: 1.6, 2: 1.7}, 2: {0: 2.0, 1: 2.01, 2: 2.02}}

    def forged(seed, setting):  # the typed-in numbers for the table's seeds, real runs elsewhere
        return typed_in[setting].get(seed) or toy_run(seed, setting)

    message = wrong_message(lambda: judge(forged, typed_in))
    assert message.startswith("r[1][0] is 1.5, but the recipe gives another number")
    assert "for every seed" in message and "1.0" not in message  # the reference stays hidden


def test_judge_against_reference_refuses_a_function_that_ignores_its_seed():
    def blind(seed, setting):
        return float(setting)

    message = wrong_message(lambda: judge(blind, toy_table(blind)))
    assert message == "run(seed, 1) returns 1 whatever the seed: each seed gives its own number."
