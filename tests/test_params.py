import pytest

from lecturekit.params import require_choice, require_float, require_int


def test_valid_values_pass_through():
    assert require_int("num_epochs", 5, minimum=1) == 5
    assert require_float("lr", 1, minimum=0, strict=True) == 1.0
    assert require_choice("kind", "mlp", ["mlp", "cnn"]) == "mlp"


@pytest.mark.parametrize("bad", [0, -3, 2.0, "5", True, None])
def test_require_int_says_what_is_allowed(bad):
    with pytest.raises(ValueError, match=r"num_epochs must be an integer >= 1 \(got"):
        require_int("num_epochs", bad, minimum=1)


def test_require_int_with_both_bounds():
    with pytest.raises(ValueError, match=r"width must be an integer >= 1 and <= 8 \(got 9\)"):
        require_int("width", 9, minimum=1, maximum=8)


@pytest.mark.parametrize("bad", [0, -0.1, float("nan"), float("inf"), "0.1"])
def test_require_float_strict_bound(bad):
    with pytest.raises(ValueError, match=r"lr must be a finite number > 0"):
        require_float("lr", bad, minimum=0, strict=True)


def test_require_choice_lists_the_choices():
    with pytest.raises(ValueError, match=r"kind must be one of 'mlp', 'cnn' \(got 'rnn'\)"):
        require_choice("kind", "rnn", ["mlp", "cnn"])
