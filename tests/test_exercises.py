import numpy as np
import pytest
import torch

from lecturekit.exercises import (
    Feedback,
    Wrong,
    as_callable,
    as_number,
    as_tensor,
    exercise_check,
    expect_close,
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
