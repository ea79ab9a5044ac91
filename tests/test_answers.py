"""Answers as data: what a probe sends out of a kernel, and how a judge replays it."""

import json

import numpy as np
import pytest
import torch

from lecturekit.answers import Unrecorded, decode, encode, record, replay
from lecturekit.checks.perceptron import check_perceptron_step, check_separable_count
from lecturekit.exercises import Wrong, as_callable, exercise_check


def through_json(value):
    return decode(json.loads(json.dumps(encode(value))))


def test_data_goes_through_json_unchanged():
    tensor = torch.arange(6, dtype=torch.float64).reshape(2, 3)
    value = {"a": [1, 2.5, "x", None, True], (1, 2): (tensor, np.eye(2, dtype=np.float32))}
    back = through_json(value)
    assert back["a"] == [1, 2.5, "x", None, True]
    (t, a) = back[(1, 2)]
    assert torch.equal(t, tensor) and t.dtype == torch.float64
    assert np.array_equal(a, np.eye(2)) and a.dtype == np.float32
    assert through_json(...) is Ellipsis
    assert np.isnan(through_json(float("nan")))
    assert through_json(torch.tensor([1, 2], dtype=torch.bfloat16)).dtype == torch.bfloat16


def test_what_is_not_data_becomes_a_stand_in_that_no_check_accepts():
    stand_in = through_json(torch.nn.Linear(2, 2))
    assert type(stand_in).__name__ == "Linear" and not isinstance(stand_in, torch.nn.Module)
    with pytest.raises(TypeError, match="not data"):
        encode(torch.nn.Linear(2, 2), strict=True)


def test_a_replayed_function_answers_only_what_was_recorded():
    recorder = record(lambda x, k: x * k)
    assert torch.equal(recorder(torch.ones(2), 3), torch.full((2,), 3.0))
    replayed = replay(json.loads(json.dumps(recorder.calls)))
    assert torch.equal(replayed(torch.ones(2), 3), torch.full((2,), 3.0))
    with pytest.raises(Unrecorded):
        replayed(torch.ones(2), 4)
    with pytest.raises(Unrecorded):  # each recorded call answers once
        replayed(torch.ones(2), 3)


def test_a_replay_repeats_errors_changes_to_arguments_and_the_random_state():
    def answer(x):
        x.add_(1)
        torch.rand(3)
        raise ValueError("bad")

    recorder = record(answer)
    torch.manual_seed(0)
    with pytest.raises(ValueError):
        recorder(torch.zeros(2))
    after = torch.get_rng_state()
    replayed = replay(recorder.calls)
    x = torch.zeros(2)
    torch.manual_seed(123)
    with pytest.raises(ValueError, match="bad"):
        replayed(x)
    assert torch.equal(x, torch.ones(2)) and torch.equal(torch.get_rng_state(), after)


def test_a_check_judges_the_probe_alone_and_in_a_notebook_says_the_same():
    def step(w, b, x, y, lr):
        y_hat = 1.0 if float(w @ x + b) >= 0 else -1.0
        return w + lr * (y - y_hat) * x, b + lr * (y - y_hat)

    payload = json.loads(json.dumps(check_perceptron_step.probe(step)))
    assert check_perceptron_step.judge(payload).correct
    assert repr(check_perceptron_step.judge(payload)) == repr(check_perceptron_step(step))
    wrong = json.loads(json.dumps(check_perceptron_step.probe(lambda *a: (a[0], a[1]))))
    assert not check_perceptron_step.judge(wrong).correct


def test_a_forged_or_broken_payload_is_never_correct():
    assert not check_separable_count.judge({"rng": encode(torch.get_rng_state()), "answers": []})
    truth = check_separable_count.probe(14)
    assert check_separable_count.judge(truth).correct
    assert not check_separable_count.judge(truth | {"answers": [{"value": 13}]}).correct
    recorded = check_perceptron_step.probe(lambda *a: (a[0], a[1]))
    assert not check_perceptron_step.judge(recorded | {"answers": [{"calls": []}]}).correct


def test_the_judge_leaves_the_global_random_state_as_it_found_it():
    torch.manual_seed(7)
    before = torch.get_rng_state()
    check_separable_count.judge(check_separable_count.probe(14))
    assert torch.equal(torch.get_rng_state(), before)


def test_a_check_with_its_own_probe_gets_only_the_probes_data():
    def probe(answer):
        return {"doubled": as_callable(answer, "answer")(21)}

    @exercise_check("doubling", hint="x + x", probe=probe)
    def check_double(facts):
        if facts["doubled"] != 42:
            raise Wrong("not doubled")

    assert check_double(lambda x: 2 * x).correct
    assert "not doubled" in check_double(lambda x: x).message
    assert "should be a function" in check_double(3).message
    assert not check_double(...).answered
