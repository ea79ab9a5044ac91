import torch

from lecturekit.checks.sequences import (
    PATTERNS,
    check_architectures,
    check_last_outputs,
    check_masked_mean,
    check_padding_mask,
    check_temperature_softmax,
)


def not_written(*args):
    raise NotImplementedError


def test_padding_mask_check_accepts_broadcasting_and_rejects_common_mistakes():
    assert check_padding_mask(lambda lengths, T: torch.arange(T)[None, :] < lengths[:, None])

    def off_by_one(lengths, T):
        return torch.arange(T)[None, :] <= lengths[:, None]

    def as_integers(lengths, T):
        return (torch.arange(T)[None, :] < lengths[:, None]).long()

    def only_to_the_longest(lengths, T):
        return torch.arange(int(lengths.max()))[None, :] < lengths[:, None]

    def transposed(lengths, T):
        return (torch.arange(T)[None, :] < lengths[:, None]).T

    feedback = check_padding_mask(off_by_one)
    assert not feedback and feedback.answered and "expected" in feedback.message
    assert "torch.bool" in check_padding_mask(as_integers).message
    assert "shape" in check_padding_mask(only_to_the_longest).message
    assert "shape" in check_padding_mask(transposed).message
    assert "a tensor" in check_padding_mask(lambda lengths, T: [[True]]).message


def test_padding_mask_check_on_wrong_types_and_placeholders():
    assert "should be a function" in check_padding_mask(3).message
    assert not check_padding_mask(...).answered
    assert not check_padding_mask(not_written).answered


def test_masked_mean_check_tells_token_mean_from_sentence_mean():
    assert check_masked_mean(lambda losses, mask: losses[mask].mean())
    assert check_masked_mean(lambda losses, mask: (losses * mask).sum() / mask.sum())

    def per_sentence(losses, mask):
        return ((losses * mask).sum(1) / mask.sum(1)).mean()

    def ignores_the_mask(losses, mask):
        return losses.mean()

    assert "per-sentence means" in check_masked_mean(per_sentence).message
    feedback = check_masked_mean(ignores_the_mask)
    assert not feedback and "junk" in feedback.message
    assert "should be a number" in check_masked_mean(lambda losses, mask: "1.0").message
    assert not check_masked_mean(...).answered
    assert not check_masked_mean(not_written).answered


def test_last_outputs_check():
    def right(outputs, lengths):
        return outputs[torch.arange(len(lengths)), lengths - 1]

    def with_gather(outputs, lengths):
        index = (lengths - 1)[:, None, None].expand(-1, 1, outputs.shape[2])
        return outputs.gather(1, index)[:, 0]

    def after_the_padding(outputs, lengths):
        return outputs[:, -1]

    assert check_last_outputs(right)
    assert check_last_outputs(with_gather)
    feedback = check_last_outputs(after_the_padding)
    assert not feedback and feedback.answered
    assert not check_last_outputs(lambda outputs, lengths: outputs[:, 0])
    assert not check_last_outputs(...).answered
    assert "should be a function" in check_last_outputs([1, 2]).message


def test_temperature_softmax_check():
    assert check_temperature_softmax(lambda z, T: torch.softmax(z / T, dim=-1))

    def multiplies(z, T):
        return torch.softmax(z * T, dim=-1)

    def overflows(z, T):
        e = torch.exp(z / T)
        return e / e.sum(-1, keepdim=True)

    def wrong_dimension(z, T):
        return torch.softmax(z / T, dim=0)

    assert not check_temperature_softmax(multiplies)
    assert "NaN" in check_temperature_softmax(overflows).message
    assert not check_temperature_softmax(wrong_dimension)
    assert not check_temperature_softmax(...).answered
    assert not check_temperature_softmax(not_written).answered
    assert "not str" in check_temperature_softmax(lambda z, T: "p").message


ANSWERS = {
    "recognizing a handwritten digit in one image": "one-to-one",
    "spam filtering (an e-mail in, spam or not out)": "many-to-one",
    "music generation from a chosen genre": "one-to-many",
    "named-entity recognition (a label for every word)": "aligned many-to-many",
    "speech recognition (audio frames in, words out)": "encoder-decoder",
    "video frame classification": "aligned many-to-many",
    "summarizing a news article": "encoder-decoder",
    "predicting tomorrow's stock price from the last 30 days": "many-to-one",
}


def test_architectures_check():
    assert set(ANSWERS.values()) == set(PATTERNS)
    assert check_architectures(ANSWERS)
    assert check_architectures({task: f" {p.upper()} " for task, p in ANSWERS.items()})
    wrong = ANSWERS | {"video frame classification": "encoder-decoder"}
    feedback = check_architectures(wrong)
    assert not feedback and "video frame classification" in feedback.message
    typo = ANSWERS | {"summarizing a news article": "seq2seq"}
    assert "should be one of" in check_architectures(typo).message
    missing = {task: p for task, p in ANSWERS.items() if "spam" not in task}
    assert "no entry" in check_architectures(missing).message
    assert "`...`" in check_architectures(ANSWERS | {"summarizing a news article": ...}).message
    assert "should be a dict" in check_architectures(["one-to-one"]).message
    assert not check_architectures(...).answered
