"""Checks the numbers and formulas of bank1's entries (questions/batchnorm, small-batch, training).

Every expected value is read from the YAML through ``load_bank()`` and compared with a value that
torch or numpy computes here, so editing an answer into a wrong number makes a test fail.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from mlprep.content import Question, load_bank

MY_TOPICS = ("batchnorm", "small-batch", "training")
SEEDS = ("000_552b57ef667eaf53.txt", "001_da882f76529f3fa4.txt")


@pytest.fixture(scope="module")
def bank():
    return load_bank()


def numeric(bank, qid: str) -> Question:
    q = bank.question(qid)
    assert q.kind == "numeric" and q.numeric is not None
    return q


def accepts(q: Question, computed: float) -> bool:
    assert q.numeric is not None
    return q.numeric.accepts(computed)


# ---------------------------------------------------------------------------- bank-level rules


def test_my_entries_are_vetted_trilingual_and_referenced(bank):
    mine = [q for qid, q in bank.questions.items() if bank.topic(qid) in MY_TOPICS]
    assert len(mine) >= 36
    assert sum(q.auto_gradable for q in mine) >= 12
    for q in mine:
        assert q.vetting.status == "vetted", q.id
        assert q.references, q.id
        for code in bank.config.required_locales:
            assert code in q.locales, (q.id, code)
            assert not q.is_stale(code), (q.id, code)
        assert 3 <= len(q.source.key_points) <= 6, q.id


def test_seed_questions_are_covered(bank):
    origins = {q.origin for q in bank.questions.values() if bank.topic(q.id) in MY_TOPICS}
    assert set(SEEDS) <= origins
    # seed 000 has 7 questions, seed 001 six that no lower seed asks (Q3-Q7, Q9)
    by_seed = {s: [q.id for q in bank.questions.values() if q.origin == s] for s in SEEDS}
    assert len(by_seed[SEEDS[0]]) >= 7
    assert len(by_seed[SEEDS[1]]) >= 6


# ---------------------------------------------------------------------------- parameters and state


def test_state_bytes_matches_torch(bank):
    q = numeric(bank, "bn-state-bytes")
    bn = torch.nn.BatchNorm2d(256)
    nbytes = sum(t.numel() * t.element_size() for t in bn.state_dict().values())
    assert accepts(q, nbytes)
    assert q.numeric.value == nbytes  # tolerance 0: a byte count is exact


def test_conv_bn_param_count_matches_torch(bank):
    q = numeric(bank, "bn-conv-bn-param-count")
    block = torch.nn.Sequential(
        torch.nn.Conv2d(64, 128, kernel_size=3, bias=False), torch.nn.BatchNorm2d(128)
    )
    assert accepts(q, sum(p.numel() for p in block.parameters()))


def test_stats_count_reproduces_batchnorm2d(bank):
    q = numeric(bank, "bn-stats-count-numeric")
    torch.manual_seed(0)
    x = torch.randn(32, 64, 28, 28, dtype=torch.float64)
    per_channel = x.transpose(0, 1).reshape(64, -1)  # (C, N*H*W)
    assert accepts(q, per_channel.shape[1])
    # the statistics over those values reproduce torch's training-mode output
    mean = per_channel.mean(dim=1)  # (C,)
    var = per_channel.var(dim=1, unbiased=False)  # (C,)
    x_hat = (x - mean.view(1, -1, 1, 1)) / torch.sqrt(var.view(1, -1, 1, 1) + 1e-5)
    y = torch.nn.BatchNorm2d(64).double().train()(x)
    # float64, one normalization: agreement to ~1e-12 is expected; 1e-9 leaves room for reduction order
    torch.testing.assert_close(y, x_hat, rtol=1e-9, atol=1e-9)


def test_conv_axes_choice_is_per_channel(bank):
    q = bank.question("bn-conv-axes-choice")
    assert q.choice.correct == [0]
    torch.manual_seed(1)
    x = torch.randn(4, 3, 5, 5, dtype=torch.float64)
    y = torch.nn.BatchNorm2d(3, affine=False).double().train()(x)
    # each channel of the output has mean 0 over (N, H, W); per-sample means do not vanish
    assert torch.allclose(y.mean(dim=(0, 2, 3)), torch.zeros(3, dtype=torch.float64), atol=1e-12)
    assert not torch.allclose(y.mean(dim=(1, 2, 3)), torch.zeros(4, dtype=torch.float64), atol=1e-3)


def test_bias_before_bn_is_cancelled(bank):
    assert bank.question("bn-bias-redundant").kind == "open"
    torch.manual_seed(2)
    conv = torch.nn.Conv2d(3, 8, 3).double()
    bn = torch.nn.BatchNorm2d(8).double().train()
    x = torch.randn(6, 3, 9, 9, dtype=torch.float64)
    y1 = bn(conv(x))
    with torch.no_grad():
        conv.bias.add_(torch.randn(8, dtype=torch.float64) * 5)
    y2 = bn(conv(x))
    # the bias shifts mean and input by the same amount; only rounding differs (float64)
    torch.testing.assert_close(y1, y2, rtol=1e-9, atol=1e-9)
    y2.sum().backward()
    # d(out)/d(bias) is exactly zero up to rounding
    assert conv.bias.grad.abs().max() < 1e-9


# ---------------------------------------------------------------------------- the transform


def test_output_value_matches_torch(bank):
    q = numeric(bank, "bn-output-value-numeric")
    bn = torch.nn.BatchNorm1d(1, eps=1e-5).double().train()
    with torch.no_grad():
        bn.weight.fill_(1.5)
        bn.bias.fill_(-0.5)
    x = torch.tensor([[2.0], [4.0], [6.0], [8.0], [10.0]], dtype=torch.float64)
    assert accepts(q, bn(x)[4, 0].item())


def test_identity_recovery_gamma(bank):
    q = numeric(bank, "bn-identity-recovery-numeric")
    x = torch.tensor([[1.0], [3.0], [5.0], [7.0]], dtype=torch.float64)
    # the entry says eps = 0; torch refuses eps <= 0 in training, and 1e-12 is far below the variance 5
    bn = torch.nn.BatchNorm1d(1, eps=1e-12).double().train()
    with torch.no_grad():
        bn.weight.fill_(q.numeric.value)
        bn.bias.fill_(x.mean().item())
    # the YAML value is rounded to 4 decimals: 2.2361 vs sqrt(5)=2.23607 -> relative error ~1.4e-5
    torch.testing.assert_close(bn(x), x, rtol=0, atol=1e-4)
    assert accepts(q, math.sqrt(x.var(unbiased=False).item()))


def test_gamma_grad_matches_autograd(bank):
    q = numeric(bank, "bn-gamma-grad-numeric")
    bn = torch.nn.BatchNorm1d(1, eps=1e-5).double().train()
    with torch.no_grad():
        bn.weight.fill_(2.0)
        bn.bias.fill_(0.5)
    x = torch.tensor([[1.0], [3.0], [5.0], [7.0]], dtype=torch.float64)
    dy = torch.tensor([[1.0], [2.0], [0.0], [-1.0]], dtype=torch.float64)
    bn(x).backward(dy)
    assert accepts(q, bn.weight.grad.item())
    # and dL/dbeta = sum(dy), as the answer states
    assert bn.bias.grad.item() == pytest.approx(2.0, abs=1e-12)


def test_batch_size_one_behaviour(bank):
    q = bank.question("bn-batch-size-one-choice")
    assert q.choice.correct == [0]
    bn = torch.nn.BatchNorm1d(4).train()
    with pytest.raises(ValueError, match="more than 1 value per channel"):
        bn(torch.randn(1, 4))
    assert torch.isfinite(bn.eval()(torch.randn(1, 4))).all()
    # conv BN with N=1 runs (statistics over H*W), as the open entry says
    assert torch.nn.BatchNorm2d(4).train()(torch.randn(1, 4, 3, 3)).shape == (1, 4, 3, 3)
    # the mathematical value is beta: with mean x and variance 0, x_hat = 0
    x = torch.randn(1, 4, dtype=torch.float64)
    beta = torch.randn(4, dtype=torch.float64)
    y = torch.nn.functional.batch_norm(
        x.view(1, 4, 1).expand(2, 4, 1), None, None, None, beta, training=True, eps=1e-5
    )  # a batch of two identical rows has the same statistics as the single row
    torch.testing.assert_close(y[0, :, 0], beta, rtol=0, atol=1e-12)


# ---------------------------------------------------------------------------- dropout


def test_dropout_variance_before_bn(bank):
    q = numeric(bank, "bn-dropout-variance-numeric")
    # exact expectation over a ~ Bernoulli(keep): Var(a x / keep) for x of mean 0, variance 1
    keep = 1 - 0.2
    exact = keep * (1 / keep) ** 2 * 1.0
    assert accepts(q, exact)
    # and torch's Dropout agrees by simulation; with n = 4e6 the standard error of the variance
    # estimate is about sqrt(Var(X^2)/n) ~ 1e-3, so the entry's tolerance 0.01 is ~10 sigma
    gen = torch.Generator().manual_seed(0)
    x = torch.randn(4_000_000, generator=gen, dtype=torch.float64)
    torch.manual_seed(1)  # not 0: the same seed would draw the mask from the same bits as x
    out = torch.nn.Dropout(p=0.2).train()(x)
    assert accepts(q, out.var().item())


# ---------------------------------------------------------------------------- scale invariance


def _linear_bn_loss(w: torch.Tensor, u: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Loss of Linear(no bias) -> BN (train mode, affine off) -> fixed linear read-out."""
    x = u @ w.T  # (m, out)
    # eps tiny against the variance (~1) so the layer is scale-invariant to ~1e-12
    y = torch.nn.functional.batch_norm(x, None, None, training=True, eps=1e-12)
    return (y * target).sum()


def _grad(w: torch.Tensor, u: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    w = w.detach().clone().requires_grad_(True)
    _linear_bn_loss(w, u, target).backward()
    return w.grad


@pytest.fixture()
def scale_setup():
    gen = torch.Generator().manual_seed(3)
    u = torch.randn(16, 5, generator=gen, dtype=torch.float64)  # (m, in)
    w = torch.randn(3, 5, generator=gen, dtype=torch.float64)  # (out, in)
    target = torch.randn(16, 3, generator=gen, dtype=torch.float64)
    return u, w, target


def test_scale_invariance_gradient_factor(bank, scale_setup):
    q = numeric(bank, "bn-scale-invariance-gradient")
    u, w, target = scale_setup
    g1, g4 = _grad(w, u, target), _grad(4 * w, u, target)
    # forward unchanged (float64, eps 1e-12): equal to ~1e-12
    assert _linear_bn_loss(4 * w, u, target).item() == pytest.approx(
        _linear_bn_loss(w, u, target).item(), rel=1e-9
    )
    ratio = (g4.norm() / g1.norm()).item()
    assert accepts(q, ratio)
    torch.testing.assert_close(g4, g1 * q.numeric.value, rtol=1e-6, atol=1e-9)


def test_effective_learning_rate_factor(bank, scale_setup):
    q = numeric(bank, "bn-effective-learning-rate")
    u, w, target = scale_setup
    row = w[0] / w[0].norm()  # the first output unit's weights, norm 1

    def relative_step(norm: float) -> float:
        w_s = w.clone()
        w_s[0] = row * norm
        g = _grad(w_s, u, target)[0]
        return (0.1 * g.norm() / w_s[0].norm()).item()  # eta = 0.1

    assert accepts(q, relative_step(3.0) / relative_step(1.0))


def test_weight_norm_growth_after_sgd_step(bank, scale_setup):
    q = numeric(bank, "bn-weight-norm-growth-numeric")
    u, w, target = scale_setup
    w = w.clone()
    w[0] = w[0] / w[0].norm()
    g = _grad(w, u, target)[0]
    # the gradient of each scale-invariant row is orthogonal to the row (float64 rounding)
    assert abs(torch.dot(g, w[0]).item()) < 1e-9 * g.norm().item()
    g = g * (2.0 / g.norm())  # the entry's gradient norm 2, same direction
    new_norm = (w[0] - 0.1 * g).norm().item()
    assert accepts(q, new_norm)


# ---------------------------------------------------------------------------- batch renormalization


def batch_renorm_x_hat(
    x: np.ndarray, mu_b: float, sigma_b: float, mu: float, sigma: float, r_max: float, d_max: float
) -> np.ndarray:
    """Algorithm 1 of Ioffe (2017), forward: r and d from batch vs moving statistics, clipped."""
    r = np.clip(sigma_b / sigma, 1.0 / r_max, r_max)
    d = np.clip((mu_b - mu) / sigma, -d_max, d_max)
    return (x - mu_b) / sigma_b * r + d


def test_batch_renorm_value(bank):
    q = numeric(bank, "batch-renorm-numeric")
    value = batch_renorm_x_hat(np.array(7.0), 4.0, 3.0, 1.0, 1.0, r_max=2.0, d_max=1.5)
    assert accepts(q, float(value))


def test_batch_renorm_limits():
    """The open entry's two claims: r=1, d=0 is BN; unclipped it is the inference transform."""
    rng = np.random.default_rng(4)
    x = rng.normal(2.0, 3.0, size=64)  # (m,)
    mu_b, sigma_b = x.mean(), np.sqrt(x.var() + 1e-5)  # biased variance, eps inside, as Algorithm 1
    mu, sigma = 0.5, 1.7  # moving averages that differ from the batch
    as_bn = batch_renorm_x_hat(x, mu_b, sigma_b, mu, sigma, r_max=1.0, d_max=0.0)
    y_torch = torch.nn.functional.batch_norm(
        torch.from_numpy(x).view(-1, 1), None, None, training=True, eps=1e-5
    )
    # float64 throughout; 1e-9 allows for different reduction orders
    np.testing.assert_allclose(as_bn, y_torch.view(-1).numpy(), rtol=1e-9, atol=1e-9)
    unclipped = batch_renorm_x_hat(x, mu_b, sigma_b, mu, sigma, r_max=1e9, d_max=1e9)
    np.testing.assert_allclose(unclipped, (x - mu) / sigma, rtol=1e-12, atol=1e-12)


def test_batch_mean_noise(bank):
    q = numeric(bank, "bn-batch-mean-noise-numeric")
    assert accepts(q, 1.0 / math.sqrt(16))
    # simulated: 200k batches of 16 unit-variance values; the std of the batch means has a relative
    # standard error ~ 1/sqrt(2 * 200k) ~ 0.16%, so 0.25 +/- 0.005 (2%) is > 10 sigma
    rng = np.random.default_rng(5)
    batch_means = rng.standard_normal((200_000, 16)).mean(axis=1)  # (batches,)
    assert accepts(q, float(batch_means.std()))


def test_batch_size_one_seed_spot_marks_the_degenerate_claims(bank):
    q = bank.question("bn-batch-size-one-seed-spot")
    assert q.spot.wrong == [0, 2]
    # statement 3's premise, checked: with x - mu = 0, eps only avoids 0/0 and the output is beta
    x = torch.randn(3, dtype=torch.float64)
    beta = torch.tensor([0.1, -0.2, 0.3], dtype=torch.float64)
    gamma = torch.tensor([2.0, 3.0, 4.0], dtype=torch.float64)
    mu, var = x, torch.zeros(3, dtype=torch.float64)  # statistics of a single example
    y = gamma * (x - mu) / torch.sqrt(var + 1e-5) + beta
    torch.testing.assert_close(y, beta, rtol=0, atol=0)  # exact: the numerator is exactly zero
