import torch
import torch.nn.functional as F

from lecturekit.checks.embeddings import (
    check_analogy,
    check_embedding_gradient,
    check_encode,
    check_negative_sampling_loss,
)


def encode(tokens, index):
    ids = []
    for token in tokens:
        if token[0].isdigit():
            token = "NUMBER"
        ids.append(index.get(token, index["OOV"]))
    return ids


def test_encode_check_accepts_numbers_and_oov_and_rejects_forgetting_either():
    assert check_encode(encode)
    assert check_encode(lambda tokens, index: torch.tensor(encode(tokens, index)))

    def forgets_numbers(tokens, index):
        return [index.get(token, index["OOV"]) for token in tokens]

    feedback = check_encode(forgets_numbers)
    assert not feedback and "expected [1, 0, 0, 1, 6]" in feedback.message
    assert not check_encode(lambda tokens, index: [index[t] for t in tokens])  # KeyError
    assert "list of ids" in check_encode(lambda tokens, index: "ids").message


def embedding_gradient(context_ids, grad_x, vocab_size):
    d = grad_x.numel() // context_ids.numel()
    grad_C = torch.zeros(vocab_size, d)
    grad_C.index_add_(0, context_ids, grad_x.view(-1, d))
    return grad_C


def test_embedding_gradient_check_wants_repeated_words_to_accumulate():
    assert check_embedding_gradient(embedding_gradient)

    def overwrites(context_ids, grad_x, vocab_size):
        grad_C = torch.zeros(vocab_size, grad_x.numel() // context_ids.numel())
        grad_C[context_ids] = grad_x.view(len(context_ids), -1)
        return grad_C

    feedback = check_embedding_gradient(overwrites)
    assert not feedback and "[2, 5, 2]" in feedback.message
    assert "shape" in check_embedding_gradient(lambda ids, g, v: g).message


def negative_sampling_loss(v, u_pos, u_neg):
    positive = F.logsigmoid((v * u_pos).sum(1))
    negative = F.logsigmoid(-torch.einsum("bkd,bd->bk", u_neg, v)).sum(1)
    return -(positive + negative).mean()


def test_negative_sampling_check_accepts_the_loss_and_rejects_sign_errors_and_overflow():
    assert check_negative_sampling_loss(negative_sampling_loss)

    def wrong_sign(v, u_pos, u_neg):
        positive = F.logsigmoid((v * u_pos).sum(1))
        negative = F.logsigmoid(torch.einsum("bkd,bd->bk", u_neg, v)).sum(1)
        return -(positive + negative).mean()

    def unstable(v, u_pos, u_neg):
        positive = torch.log(torch.sigmoid((v * u_pos).sum(1)))
        negative = torch.log(torch.sigmoid(-torch.einsum("bkd,bd->bk", u_neg, v))).sum(1)
        return -(positive + negative).mean()

    assert not check_negative_sampling_loss(wrong_sign)
    feedback = check_negative_sampling_loss(unstable)
    assert not feedback and "F.logsigmoid" in feedback.message
    assert "a number" in check_negative_sampling_loss(lambda v, p, n: "loss").message


def analogy(E, a, b, c):
    E = F.normalize(E, dim=1)
    scores = E @ (E[b] - E[a] + E[c])
    scores[[a, b, c]] = -float("inf")
    return int(scores.argmax())


def test_analogy_check_wants_normalised_rows_and_excluded_question_words():
    assert check_analogy(analogy)

    def unnormalised(E, a, b, c):
        scores = E @ (E[b] - E[a] + E[c])
        scores[[a, b, c]] = -float("inf")
        return int(scores.argmax())

    def keeps_question_words(E, a, b, c):
        E = F.normalize(E, dim=1)
        return int((E @ (E[b] - E[a] + E[c])).argmax())

    feedback = check_analogy(unnormalised)
    assert not feedback and "normalise" in feedback.message
    feedback = check_analogy(keeps_question_words)
    assert not feedback and "question words" in feedback.message
    assert "whole number" in check_analogy(lambda E, a, b, c: "queen").message


def test_unanswered_exercises_are_not_errors():
    def unanswered(*args):
        raise NotImplementedError

    for check in (check_encode, check_embedding_gradient, check_analogy):
        feedback = check(unanswered)
        assert not feedback and not feedback.answered
    assert not check_negative_sampling_loss(...).answered
