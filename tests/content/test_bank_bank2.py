"""bank2's entries (questions/inference, conventions, backward): every computable answer recomputed.

Each test reads the stated answer from the YAML through ``load_bank()`` and recomputes it with
torch or numpy, so a wrong value, a wrong correct-option index or a wrong flagged statement fails.
Tolerances: a numeric entry is checked with its own ``numeric.tolerance`` (what a learner gets);
torch-vs-formula comparisons use float64 and rtol=1e-9/atol=1e-12 unless a comment says otherwise.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

torch = pytest.importorskip("torch")
nn = torch.nn

from mlprep.content import Question, load_bank  # noqa: E402

FOLDERS = ("inference", "conventions", "backward")


@pytest.fixture(scope="module")
def bank():
    return load_bank()


def entry(bank, qid: str) -> Question:
    return bank.questions[qid]


def assert_numeric(bank, qid: str, computed: float) -> None:
    """The entry's stated value must accept the independently computed one (and vice versa)."""
    q = entry(bank, qid)
    assert q.kind == "numeric" and q.numeric is not None
    assert q.numeric.accepts(computed), f"{qid}: states {q.numeric.value}, computed {computed}"


def correct(bank, qid: str) -> set[int]:
    q = entry(bank, qid)
    assert q.choice is not None
    return set(q.choice.correct)


def wrong(bank, qid: str) -> set[int]:
    q = entry(bank, qid)
    assert q.spot is not None
    return set(q.spot.wrong)


def feed(bn: nn.Module, batches: list[list[float]]) -> None:
    """Run 1-feature batches through a BN layer in training mode (no weight update)."""
    bn.train()
    with torch.no_grad():
        for values in batches:
            bn(torch.tensor(values, dtype=torch.float64).view(-1, 1))


# ---------------------------------------------------------------------------- conventions


def test_pytorch_running_mean_three_steps(bank):
    bn = nn.BatchNorm1d(1, dtype=torch.float64)
    feed(bn, [[1.0, 3.0], [3.0, 5.0], [5.0, 7.0]])  # batch means 2, 4, 6
    assert_numeric(bank, "pytorch-running-mean-three-steps", bn.running_mean.item())


def test_pytorch_running_var_is_unbiased(bank):
    bn = nn.BatchNorm1d(1, dtype=torch.float64)
    values = [1.0, 2.0, 3.0, 6.0]
    feed(bn, [values])
    assert_numeric(bank, "pytorch-running-var-unbiased", bn.running_var.item())
    # the entry's point: the running estimate used ddof=1, normalization ddof=0
    expected = 0.9 * 1.0 + 0.1 * np.var(values, ddof=1)
    assert bn.running_var.item() == pytest.approx(expected, rel=1e-12)


def test_keras_moving_mean_two_steps_equals_pytorch_momentum_001(bank):
    # Keras: moving = 0.99 * moving + 0.01 * mean  ==  PyTorch momentum 0.01 (weights the new value)
    keras_value = 0.0
    for mean in (10.0, 20.0):
        keras_value = 0.99 * keras_value + (1 - 0.99) * mean
    bn = nn.BatchNorm1d(1, momentum=0.01, dtype=torch.float64)
    feed(bn, [[9.0, 11.0], [19.0, 21.0]])
    assert bn.running_mean.item() == pytest.approx(keras_value, rel=1e-12)
    assert_numeric(bank, "keras-moving-mean-two-steps", keras_value)


def test_momentum_none_is_cumulative_average(bank):
    bn = nn.BatchNorm1d(1, momentum=None, dtype=torch.float64)
    feed(bn, [[1.0, 3.0], [3.0, 5.0], [8.0, 10.0]])  # batch means 2, 4, 9
    assert bn.num_batches_tracked.item() == 3
    assert_numeric(bank, "momentum-none-cumulative-average", bn.running_mean.item())


def _keras_update(m: float, old: float, new: float) -> float:
    return m * old + (1 - m) * new


def _torch_update(m: float, old: float, new: float) -> float:
    bn = nn.BatchNorm1d(1, momentum=m, dtype=torch.float64)
    with torch.no_grad():
        bn.running_mean.fill_(old)
    feed(bn, [[new - 1.0, new + 1.0]])
    return bn.running_mean.item()


def test_equivalent_momentum_settings(bank):
    # each option as (update A, update B); CS231n shares Keras's convention (momentum on the old value)
    options = [
        (lambda o, n: _torch_update(0.99, o, n), lambda o, n: _keras_update(0.99, o, n)),
        (lambda o, n: _torch_update(0.1, o, n), lambda o, n: _keras_update(0.99, o, n)),
        (lambda o, n: _torch_update(0.1, o, n), lambda o, n: _keras_update(0.9, o, n)),
        (lambda o, n: _torch_update(0.9, o, n), lambda o, n: _keras_update(0.9, o, n)),
    ]
    same = {
        i
        for i, (a, b) in enumerate(options)
        if all(math.isclose(a(o, n), b(o, n), rel_tol=1e-12) for o, n in [(0.0, 5.0), (3.0, -2.0)])
    }
    assert same == correct(bank, "equivalent-momentum-settings")


def test_initial_value_forgotten_after_k_steps(bank):
    bn = nn.BatchNorm1d(1, dtype=torch.float64)  # running_mean starts at 0
    steps = 0
    while True:
        feed(bn, [[0.0, 2.0]])  # batch mean 1, so 1 - running_mean is the initial value's weight
        steps += 1
        if 1.0 - bn.running_mean.item() < 0.01:
            break
    assert_numeric(bank, "running-stats-initial-value-decay", steps)


def test_keras_forgetting_is_ten_times_slower():
    # the entry's side claim: with Keras momentum 0.99 the 1 % threshold needs 459 steps
    assert math.ceil(math.log(0.01) / math.log(0.99)) == 459
    assert 0.99**459 < 0.01 < 0.99**458


# ---------------------------------------------------------------------------- inference: modes, buffers


def test_running_stats_are_buffers(bank):
    bn = nn.BatchNorm2d(64)
    params = dict(bn.named_parameters())
    buffers = dict(bn.named_buffers())
    truth = [
        set(params) == {"weight", "bias"} and all(p.numel() == 64 for p in params.values()),
        False,  # checked below: running stats get no gradient
        set(buffers) == {"running_mean", "running_var", "num_batches_tracked"}
        and set(buffers) <= set(bn.state_dict()),
        None,  # checked below: updates under no_grad in training mode
        False,  # buffers are not in parameters(), so no optimizer (or weight decay) sees them
    ]
    bn(torch.randn(4, 64, 3, 3)).square().sum().backward()
    assert all(not b.requires_grad and b.grad is None for b in buffers.values())
    truth[1] = any(b.grad is not None for b in buffers.values())
    before = bn.running_mean.clone()
    with torch.no_grad():
        bn(torch.randn(4, 64, 3, 3) + 3.0)
    truth[3] = not torch.equal(before, bn.running_mean)
    assert not any(p is bn.running_var for p in bn.parameters())
    assert {i for i, t in enumerate(truth) if t} == correct(bank, "running-stats-are-buffers")


def test_bn2d_state_dict_size(bank):
    bn = nn.BatchNorm2d(64)
    assert sum(p.numel() for p in bn.parameters()) == 128  # the answer's trainable count
    assert_numeric(bank, "bn2d-state-dict-size", sum(v.numel() for v in bn.state_dict().values()))


def test_eval_vs_no_grad(bank):
    torch.manual_seed(0)
    x = torch.randn(8, 3) * 2 + 5
    bn = nn.BatchNorm1d(3)
    # no_grad alone: batch statistics are used and running stats move (options 1 and 3 are wrong)
    with torch.no_grad():
        y = bn(x)
    assert bn.num_batches_tracked.item() == 1
    assert torch.allclose(y.mean(0), torch.zeros(3), atol=1e-5)  # normalized by batch stats
    # eval alone: running stats are used, autograd stays on, requires_grad untouched (option 4 wrong)
    bn.eval()
    xg = x.clone().requires_grad_(True)
    out = bn(xg)
    assert out.requires_grad and all(p.requires_grad for p in bn.parameters())
    assert bn.num_batches_tracked.item() == 1
    assert correct(bank, "eval-vs-no-grad") == {1}


def test_validation_in_train_mode_drifts_running_stats(bank):
    torch.manual_seed(0)
    bn = nn.BatchNorm1d(2)
    val = torch.randn(64, 2) + 4.0  # validation data with mean about 4
    with torch.no_grad():
        for _ in range(30):
            bn(val)
    # running_mean drifted from 0 towards 4 (0.1 momentum, 30 steps: 1 - 0.9**30 = 96 % of the way)
    assert torch.all(bn.running_mean > 3.0)
    frozen = bn.running_mean.clone()
    bn.eval()
    with torch.no_grad():
        bn(val + 10.0)
    assert torch.equal(frozen, bn.running_mean)
    assert correct(bank, "validation-in-train-mode") == {2}


def _mode_dependent(module: nn.Module, x) -> bool:
    torch.manual_seed(1)
    module.train()
    with torch.no_grad():
        for _ in range(3):  # let BN's running stats differ from the batch stats
            y_train = module(x)
        module.eval()
        y_eval = module(x)
    return not torch.allclose(y_train, y_eval, atol=1e-6)


def test_mode_dependent_normalization_layers(bank):
    torch.manual_seed(0)
    C, H, W = 4, 5, 5
    x = torch.randn(6, C, H, W) * 3 + 2
    modules = [
        nn.BatchNorm2d(C),
        nn.LayerNorm([C, H, W]),
        nn.GroupNorm(2, C),
        nn.InstanceNorm2d(C),
        nn.Dropout(p=0.5),
    ]
    found = {i for i, m in enumerate(modules) if _mode_dependent(m, x)}
    assert found == correct(bank, "mode-dependent-normalization-layers")
    # the caveat in the answer: tracking running stats makes InstanceNorm2d mode-dependent too
    assert _mode_dependent(nn.InstanceNorm2d(C, track_running_stats=True), x)


def test_batch_of_one_training_mode(bank):
    layer = nn.BatchNorm1d(16)
    with pytest.raises(ValueError, match="Expected more than 1 value per channel"):
        layer(torch.randn(1, 16))
    nn.BatchNorm2d(16)(torch.randn(1, 16, 3, 3))  # H*W > 1 values per channel: fine
    layer.eval()
    layer(torch.randn(1, 16))  # eval mode: running statistics, fine
    assert correct(bank, "batch-of-one-training-mode") == {1}


def test_train_mode_predictions_depend_on_batch(bank):
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(5, 5), nn.BatchNorm1d(5))
    sample = torch.randn(1, 5)
    batch_a = torch.cat([sample, torch.randn(7, 5)])
    batch_b = torch.cat([sample, torch.randn(7, 5) + 2.0])
    with torch.no_grad():
        assert not torch.allclose(model(batch_a)[0], model(batch_b)[0])
        assert torch.equal(model(batch_a)[0], model(batch_a)[0])  # repeatable for the same batch
        model.eval()
        assert torch.allclose(model(batch_a)[0], model(batch_b)[0])
    assert correct(bank, "batch-dependent-predictions") == {2}


def test_eval_mode_bn_output(bank):
    bn = nn.BatchNorm1d(1, dtype=torch.float64).eval()
    with torch.no_grad():
        bn.running_mean.fill_(2.0)
        bn.running_var.fill_(9.0)
        bn.weight.fill_(0.5)
        bn.bias.fill_(1.0)
        y = bn(torch.tensor([[8.0]], dtype=torch.float64)).item()
    assert bn.eps == 1e-5
    assert_numeric(bank, "eval-mode-bn-output", y)


# ---------------------------------------------------------------------------- inference: folding
# float64 throughout: exact folds must agree to rounding (atol 1e-10), broken ones differ by far more.

F64 = torch.float64


def _eval_bn(cls, c: int, seed: int) -> nn.Module:
    torch.manual_seed(seed)
    bn = cls(c, dtype=F64).eval()
    with torch.no_grad():
        bn.weight.uniform_(-2, 2)  # negative gammas included: they break folding through ReLU
        bn.bias.normal_()
        bn.running_mean.normal_()
        bn.running_var.uniform_(0.2, 3.0)
    return bn


def _scale_shift(bn: nn.Module):
    a = bn.weight / torch.sqrt(bn.running_var + bn.eps)  # (C,)
    return a, bn.bias - a * bn.running_mean


def test_fold_formula_matches_conv_then_bn(bank):
    torch.manual_seed(0)
    conv = nn.Conv2d(3, 4, 3, padding=1, dtype=F64)
    bn = _eval_bn(nn.BatchNorm2d, 4, 1)
    x = torch.randn(2, 3, 6, 6, dtype=F64)
    with torch.no_grad():
        s = bn.weight / torch.sqrt(bn.running_var + bn.eps)
        w_fold = conv.weight * s.view(-1, 1, 1, 1)  # W' = s W, whole filter per output channel
        b_fold = s * (conv.bias - bn.running_mean) + bn.bias  # b' = s (b - mu) + beta
        ref = bn(conv(x))
        folded = nn.functional.conv2d(x, w_fold, b_fold, padding=1)
        fused = torch.nn.utils.fuse_conv_bn_eval(conv.eval(), bn)
    torch.testing.assert_close(folded, ref, rtol=0, atol=1e-10)
    torch.testing.assert_close(fused.weight, w_fold, rtol=0, atol=1e-12)
    assert entry(bank, "bn-folding-formula").kind == "open"


def _scalar_conv_bn():
    conv = nn.Conv2d(1, 1, 1, dtype=F64)
    bn = nn.BatchNorm2d(1, dtype=F64).eval()
    with torch.no_grad():
        conv.weight.fill_(0.8)
        conv.bias.fill_(0.3)
        bn.weight.fill_(1.5)
        bn.bias.fill_(-0.2)
        bn.running_mean.fill_(1.1)
        bn.running_var.fill_(0.25)
    return conv.eval(), bn


def test_fold_weight_and_bias_numeric(bank):
    conv, bn = _scalar_conv_bn()
    fused = torch.nn.utils.fuse_conv_bn_eval(conv, bn)
    assert_numeric(bank, "bn-fold-weight-numeric", fused.weight.item())
    assert_numeric(bank, "bn-fold-bias-numeric", fused.bias.item())
    x = torch.ones(1, 1, 1, 1, dtype=F64)  # the answer's sanity check: conv(1) = running mean
    with torch.no_grad():
        assert bn(conv(x)).item() == pytest.approx(-0.2, abs=1e-12)
        assert fused(x).item() == pytest.approx(-0.2, abs=1e-12)


def _fold_cases() -> list[bool]:
    """For each option of bn-fold-which-cases, whether the hand-made fold is exact."""
    torch.manual_seed(0)
    exact: list[bool] = []
    x4 = torch.randn(3, 4, 5, 5, dtype=F64)
    x2 = torch.randn(6, 4, dtype=F64)

    def same(a, b):
        return torch.allclose(a, b, rtol=0, atol=1e-10)

    with torch.no_grad():
        # 0: conv -> bn (eval), folded into the conv
        conv, bn = nn.Conv2d(4, 4, 3, dtype=F64), _eval_bn(nn.BatchNorm2d, 4, 1)
        a, c = _scale_shift(bn)
        w, b = conv.weight * a.view(-1, 1, 1, 1), a * conv.bias + c
        exact.append(same(nn.functional.conv2d(x4, w, b), bn(conv(x4))))
        # 1: linear -> bn (eval)
        lin, bn1 = nn.Linear(4, 4, dtype=F64), _eval_bn(nn.BatchNorm1d, 4, 2)
        a, c = _scale_shift(bn1)
        exact.append(
            same(nn.functional.linear(x2, lin.weight * a[:, None], a * lin.bias + c), bn1(lin(x2)))
        )
        # 2: conv -> relu -> bn, best effort: fold as if the ReLU were not there
        ref = bn(torch.relu(conv(x4)))
        a, c = _scale_shift(bn)
        w, b = conv.weight * a.view(-1, 1, 1, 1), a * conv.bias + c
        exact.append(same(torch.relu(nn.functional.conv2d(x4, w, b)), ref))
        # 3: training mode: fold with running stats, compare with what training mode computes
        bn_t = _eval_bn(nn.BatchNorm2d, 4, 3)
        a, c = _scale_shift(bn_t)
        w, b = conv.weight * a.view(-1, 1, 1, 1), a * conv.bias + c
        bn_t.train()
        exact.append(same(nn.functional.conv2d(x4, w, b), bn_t(conv(x4))))
        # 4: bn (eval) -> linear, folded into the following linear layer
        a, c = _scale_shift(bn1)
        exact.append(
            same(
                nn.functional.linear(x2, lin.weight * a[None, :], lin.weight @ c + lin.bias),
                lin(bn1(x2)),
            )
        )
        # 5: bn (eval) -> conv(padding=1), folded into the following conv
        conv_p = nn.Conv2d(4, 4, 3, padding=1, dtype=F64)
        a, c = _scale_shift(bn)
        w = conv_p.weight * a.view(1, -1, 1, 1)
        b = conv_p.bias + (conv_p.weight * c.view(1, -1, 1, 1)).sum(dim=(1, 2, 3))
        folded, ref = nn.functional.conv2d(x4, w, b, padding=1), conv_p(bn(x4))
        exact.append(same(folded, ref))
        # the answer's finer claim: interior positions agree, only the border differs
        assert same(folded[..., 1:-1, 1:-1], ref[..., 1:-1, 1:-1])
    return exact


def test_fold_which_cases(bank):
    exact = _fold_cases()
    assert {i for i, ok in enumerate(exact) if ok} == correct(bank, "bn-fold-which-cases")


# ---------------------------------------------------------------------------- backward
# float64 everywhere; autograd through nn.BatchNorm1d is the reference (rtol 1e-9: only rounding differs).


def _torch_grads(x: np.ndarray, g: np.ndarray, gamma: float = 1.0, eps: float = 1e-5):
    bn = nn.BatchNorm1d(1, eps=eps, dtype=F64)
    with torch.no_grad():
        bn.weight.fill_(gamma)
    xt = torch.tensor(x, dtype=F64).view(-1, 1).requires_grad_(True)
    bn(xt).backward(torch.tensor(g, dtype=F64).view(-1, 1))
    return xt.grad.flatten().numpy(), bn.weight.grad.item(), bn.bias.grad.item()


def _closed_form_dx(x, g, gamma=1.0, eps=1e-5):
    m = x.shape[0]
    sigma = np.sqrt(x.var() + eps)  # biased variance, as in training
    x_hat = (x - x.mean()) / sigma
    return gamma / (m * sigma) * (m * g - g.sum() - x_hat * (g * x_hat).sum())


def _staged_dx(x, g, gamma=1.0, eps=1e-5):
    """Node-by-node backward through mu -> xc -> var -> std -> inv -> x_hat -> y (Section 3 chain rule)."""
    m = x.shape[0]
    mu = x.mean()
    xc = x - mu  # (m,)
    var = (xc**2).mean()
    std = np.sqrt(var + eps)
    inv = 1.0 / std
    dx_hat = gamma * g  # y = gamma * x_hat + beta
    d_inv = (dx_hat * xc).sum()  # x_hat = xc * inv
    dxc = dx_hat * inv
    d_std = -d_inv / std**2
    d_var = d_std * 0.5 / std
    dxc += d_var * 2.0 * xc / m  # var = mean(xc**2)
    dx = dxc.copy()  # xc = x - mu
    d_mu = -dxc.sum()
    dx += d_mu / m
    return dx


def test_backward_derivation_closed_form_matches_autograd(bank):
    rng = np.random.default_rng(0)
    for _ in range(5):
        x = rng.normal(3.0, 2.0, size=7)
        g = rng.normal(size=7)
        dx, _, _ = _torch_grads(x, g, gamma=1.7)
        np.testing.assert_allclose(_closed_form_dx(x, g, gamma=1.7), dx, rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(_staged_dx(x, g, gamma=1.7), dx, rtol=1e-9, atol=1e-12)
    assert entry(bank, "bn-backward-derivation").kind == "open"
    assert entry(bank, "staged-vs-closed-form-backward").kind == "open"


def test_backward_dx_and_dgamma_numeric(bank):
    x = np.array([0.0, 0.0, 4.0, 4.0])
    g = np.array([1.0, 2.0, 3.0, 4.0])
    dx, dgamma, dbeta = _torch_grads(x, g)
    np.testing.assert_allclose(
        dx, [-0.25, 0.25, -0.25, 0.25], atol=1e-5
    )  # the answer's full vector
    assert_numeric(bank, "bn-backward-dx-numeric", dx[0])
    assert_numeric(bank, "bn-dgamma-numeric", dgamma)
    assert dbeta == pytest.approx(10.0, abs=1e-12)
    naive = g[0] / np.sqrt(x.var() + 1e-5)  # the distractor the answers warn about
    assert not entry(bank, "bn-backward-dx-numeric").numeric.accepts(naive)


def test_uniform_upstream_gradient_gives_zero(bank):
    rng = np.random.default_rng(1)
    x = rng.normal(2.0, 3.0, size=9)
    dx, dgamma, dbeta = _torch_grads(x, np.ones(9), gamma=2.5)
    gamma_over_sigma = 2.5 / np.sqrt(x.var() + 1e-5)
    # classify the computed gradient against the four options
    x_hat = (x - x.mean()) / np.sqrt(x.var() + 1e-5)
    options = [
        np.allclose(dx, gamma_over_sigma, atol=1e-9),
        np.allclose(dx, 0.0, atol=1e-12),
        np.allclose(dx, 1 / 9, atol=1e-9),
        abs(np.corrcoef(dx + 1e-300, x_hat)[0, 1]) > 0.99 if np.ptp(dx) > 1e-12 else False,
    ]
    assert {i for i, hit in enumerate(options) if hit} == correct(bank, "uniform-upstream-gradient")
    assert dgamma == pytest.approx(0.0, abs=1e-12) and dbeta == pytest.approx(9.0)


def test_backward_mean_variance_paths(bank):
    rng = np.random.default_rng(2)
    x = rng.normal(1.0, 2.0, size=8)
    g = rng.normal(size=8)
    dx, _, _ = _torch_grads(x, g, gamma=1.3)
    x_hat = (x - x.mean()) / np.sqrt(x.var() + 1e-5)
    naive = 1.3 * g / np.sqrt(x.var() + 1e-5)
    # statement 2 (index 1): naive == exact?  statement 4 (index 3): both sums vanish
    s_naive_exact = np.allclose(naive, dx, rtol=1e-3)
    # sum(dx) vanishes to rounding; sum(dx * x_hat) only up to eps/(var + eps) (about 1e-6 here)
    s_sums = abs(dx.sum()) < 1e-12 and abs((dx * x_hat).sum()) < 1e-5 * np.abs(dx).sum()
    # statement 5 (index 4): do the running buffers receive gradients?
    bn = nn.BatchNorm1d(3)
    bn(torch.randn(5, 3)).pow(2).sum().backward()
    s_buffers_grad = bn.running_mean.grad is not None or bn.running_var.grad is not None
    # statement 6 (index 5): eval-mode gradient is gamma * g / sqrt(running_var + eps)
    bn_e = nn.BatchNorm1d(1, dtype=F64).eval()
    with torch.no_grad():
        bn_e.weight.fill_(1.3)
        bn_e.running_var.fill_(2.0)
    xt = torch.tensor(x, dtype=F64).view(-1, 1).requires_grad_(True)
    bn_e(xt).backward(torch.tensor(g, dtype=F64).view(-1, 1))
    s_eval = np.allclose(xt.grad.flatten().numpy(), 1.3 * g / np.sqrt(2.0 + 1e-5), rtol=1e-12)
    assert s_sums and s_eval
    # statements 1 and 3 are conceptual (Section 2 and 3 of the paper); they are stated as true
    computed_wrong = {i for i, ok in [(1, s_naive_exact), (4, s_buffers_grad)] if not ok}
    assert computed_wrong == wrong(bank, "backward-mean-variance-paths")


def test_backward_cache_memory(bank):
    act = torch.empty(32, 64, 56, 56, dtype=torch.float32)
    assert_numeric(bank, "bn-backward-cache-memory", act.numel() * act.element_size() / 2**20)


# ---------------------------------------------------------------------------- conventions: porting, freezing


def test_keras_epsilon_port_factor(bank):
    def x_hat(eps: float) -> float:
        bn = nn.BatchNorm2d(1, eps=eps, dtype=F64).eval()
        with torch.no_grad():
            bn.running_var.fill_(0.001)
            return bn(torch.ones(1, 1, 1, 1, dtype=F64)).item()  # gamma 1, beta 0, mean 0

    assert nn.BatchNorm2d(1).eps == 1e-5  # PyTorch's default, as the entry states
    assert_numeric(bank, "keras-epsilon-port", x_hat(1e-5) / x_hat(1e-3))


def test_track_running_stats_false(bank):
    torch.manual_seed(0)
    bn = nn.BatchNorm2d(3, track_running_stats=False).eval()
    assert bn.running_mean is None and bn.running_var is None
    x = torch.randn(4, 3, 5, 5) * 3 + 1
    y = bn(x)
    ref = (x - x.mean((0, 2, 3), keepdim=True)) / torch.sqrt(
        x.var((0, 2, 3), unbiased=False, keepdim=True) + bn.eps
    )
    torch.testing.assert_close(y, ref, rtol=1e-5, atol=1e-5)  # float32 reductions
    with pytest.raises(ValueError):
        nn.BatchNorm1d(3, track_running_stats=False).eval()(torch.randn(1, 3))
    assert correct(bank, "track-running-stats-false") == {3}


def test_pytorch_freeze_bn_statements(bank):
    torch.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(3, 4, 3), nn.BatchNorm2d(4), nn.ReLU())
    bn = model[1]
    bn.weight.requires_grad_(False)
    bn.bias.requires_grad_(False)
    before = bn.running_mean.clone()
    model(torch.randn(2, 3, 6, 6) + 2.0)
    s1_frozen = torch.equal(before, bn.running_mean)  # statement 1: requires_grad freezes stats?
    s2_updates_in_train = not s1_frozen
    bn.eval()
    model.train()
    s3_train_undoes_eval = bn.training
    model.eval()
    x = torch.randn(2, 3, 6, 6, requires_grad=True)
    bn.weight.requires_grad_(True)
    model(x).sum().backward()
    s5_eval_passes_grads = x.grad is not None and bn.weight.grad is not None
    # statement 6: no_grad neither changes the mode nor stops the update; and it blocks all grads
    model.train()
    before = bn.running_mean.clone()
    with torch.no_grad():
        out = model(torch.randn(2, 3, 6, 6) + 5.0)
    s6_no_grad_freezes = torch.equal(before, bn.running_mean) and out.requires_grad
    truth = [
        s1_frozen,
        s2_updates_in_train,
        s3_train_undoes_eval,
        True,
        s5_eval_passes_grads,
        s6_no_grad_freezes,
    ]
    # statement 4 (index 3) is advice whose premise (3) is checked above; it is stated as true
    assert {i for i, t in enumerate(truth) if not t} == wrong(bank, "pytorch-freeze-bn")


def test_update_bn_recomputes_cumulative_average(bank):
    torch.manual_seed(0)
    model = nn.Sequential(nn.BatchNorm1d(1, dtype=F64))
    batches = [torch.randn(16, 1, dtype=F64) * 2 + k for k in range(5)]
    with torch.no_grad():
        model[0].running_mean.fill_(123.0)  # stale statistics that must be discarded
    torch.optim.swa_utils.update_bn(batches, model)
    expected = float(np.mean([b.mean().item() for b in batches]))
    assert model[0].running_mean.item() == pytest.approx(expected, rel=1e-12)
    assert model[0].momentum == 0.1  # restored afterwards
    assert entry(bank, "recompute-population-statistics").kind == "open"


# ---------------------------------------------------------------------------- seed 002: code answers


def _python_block(markdown: str) -> str:
    start = markdown.index("```python\n") + len("```python\n")
    return markdown[start : markdown.index("```", start)]


def test_bn_layer_answer_code_matches_torch(bank):
    q = entry(bank, "bn-layer-train-and-eval")
    code = _python_block(q.source.answer)
    for locale in q.locales.values():  # every locale shows the same, tested code
        assert _python_block(locale.answer) == code
    namespace: dict = {}
    exec(compile(code, "bn-layer-train-and-eval", "exec"), namespace)
    mine = namespace["BatchNorm"](3)
    ref = nn.BatchNorm1d(3, dtype=F64)
    rng = np.random.default_rng(0)
    with torch.no_grad():
        for step in range(4):
            x = rng.normal(step, 1 + step, size=(5, 3))
            np.testing.assert_allclose(mine(x), ref(torch.tensor(x)).numpy(), rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(mine.running_mean, ref.running_mean.numpy(), rtol=1e-12)
        np.testing.assert_allclose(mine.running_var, ref.running_var.numpy(), rtol=1e-12)
        mine.training = False
        ref.eval()
        x = rng.normal(size=(1, 3))  # a batch of one is fine in inference
        np.testing.assert_allclose(mine(x), ref(torch.tensor(x)).numpy(), rtol=1e-9, atol=1e-12)
    mine.training = True
    with pytest.raises(ValueError):
        mine(np.ones((1, 3)))


def test_bn_vs_ln_statements(bank):
    torch.manual_seed(0)
    x = torch.randn(4, 6) * 3 + 1
    ln = nn.LayerNorm(6, elementwise_affine=False)
    # statement 3 (index 2): LN statistics are per sample over all units
    per_sample = (x - x.mean(1, keepdim=True)) / torch.sqrt(
        x.var(1, unbiased=False, keepdim=True) + ln.eps
    )
    s3 = torch.allclose(ln(x), per_sample, atol=1e-5)
    # statement 2 (index 1): "each neuron on its own" would centre each unit by its own value -> zeros
    s2 = torch.allclose(ln(x), torch.zeros_like(x))
    # statement 1 (index 0): BN statistics are per feature over the batch
    bn = nn.BatchNorm1d(6, affine=False)
    per_feature = (x - x.mean(0)) / torch.sqrt(x.var(0, unbiased=False) + bn.eps)
    s1 = torch.allclose(bn(x), per_feature, atol=1e-5)
    # statement 5 (index 4): LN same in train and eval, BN not
    bn.eval()
    s5 = torch.allclose(ln.train()(x), ln.eval()(x)) and not torch.allclose(
        bn(x), per_feature, atol=1e-3
    )
    # statement 6 (index 5): both have per-unit gain and bias
    s6 = nn.LayerNorm(6).weight.shape == nn.BatchNorm1d(6).weight.shape == (6,)
    # statement 4 (index 3) is a wrong reason, argued from Ba et al.; it is stated as wrong
    truth = [s1, s2, s3, False, s5, s6]
    assert {i for i, t in enumerate(truth) if not t} == wrong(bank, "bn-vs-ln-seed-claims")


def test_bn_drawbacks_statements(bank):
    # statement 4 (index 3): a fully connected BN layer cannot train on one sample
    with pytest.raises(ValueError):
        nn.BatchNorm1d(4)(torch.randn(1, 4))
    x = torch.randn(1, 4)
    x_hat = (x - x.mean(0)) / torch.sqrt(x.var(0, unbiased=False) + 1e-5)
    assert torch.equal(x_hat, torch.zeros_like(x))  # output would be just beta
    # statement 6 (index 5): inference with a batch of one works in eval mode
    eval_ok = nn.BatchNorm1d(4).eval()(torch.randn(1, 4)).shape == (1, 4)
    assert eval_ok
    assert 5 in wrong(bank, "bn-drawbacks-claims") and 3 not in wrong(bank, "bn-drawbacks-claims")


def test_tf_moments_code_shapes(bank):
    x = np.zeros((32, 28, 28))
    s2_per_position = x.mean(axis=0).shape == (28, 28)
    try:
        np.broadcast_shapes(x.shape, (28 * 28,))
        s3_broadcasts = True
    except ValueError:
        s3_broadcasts = False
    assert s2_per_position and not s3_broadcasts
    flagged = wrong(bank, "tf-moments-code-review")
    assert 1 not in flagged and 2 in flagged


def test_batch_size_experiment_arithmetic(bank):
    n = 100
    steps = {b: math.ceil(n / b) for b in (16, 32, 64, 128, 256)}
    assert steps[16] == 7 and steps[128] == steps[256] == 1  # statements 4 and 5 (indices 3, 4)
    labels = np.random.default_rng(0).integers(10, size=(100, 10))
    one_hot = np.all(labels.sum(axis=1) == 1) and set(np.unique(labels)) <= {0, 1}
    assert not one_hot  # statement 2 (index 1) is wrong
    flagged = wrong(bank, "batch-size-comparison-experiment")
    assert 1 in flagged and not flagged & {3, 4, 5}


def test_cs231n_running_var_two_steps(bank):
    batches = [np.array([1.0, 2.0, 3.0, 6.0]), np.array([0.0, 0.0, 4.0, 4.0])]
    running_var = (
        0.0  # CS231n: bn_param.get("running_var", np.zeros(D)), momentum 0.9 on the old value
    )
    for b in batches:
        running_var = 0.9 * running_var + (1 - 0.9) * b.var()  # uncorrected sample variance
    assert_numeric(bank, "cs231n-running-var-two-steps", running_var)
    bn = nn.BatchNorm1d(1, dtype=F64)  # the answer's PyTorch contrast: about 1.763
    feed(bn, [b.tolist() for b in batches])
    assert bn.running_var.item() == pytest.approx(
        0.9 * (0.9 + 0.1 * 14 / 3) + 0.1 * 16 / 3, rel=1e-12
    )
    assert bn.running_var.item() == pytest.approx(1.763, abs=5e-4)


def test_eval_collapse_diagnosis_and_recompute(bank):
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Linear(8, 2))
    train = [torch.randn(32, 4) for _ in range(50)]
    torch.optim.swa_utils.update_bn(train, model)  # good statistics
    model.eval()
    probe = torch.randn(64, 4)
    with torch.no_grad():
        good = model(probe)
        model.train()
        for _ in range(20):  # cause 1: other data run through the model in training mode
            model(torch.randn(32, 4) * 5 + 3)
        model.eval()
        corrupted = model(probe)
    assert not torch.allclose(good, corrupted, atol=0.1)
    torch.optim.swa_utils.update_bn(train, model)  # the fix: recompute from training data
    model.eval()
    with torch.no_grad():
        torch.testing.assert_close(model(probe), good, rtol=1e-5, atol=1e-5)  # float32 sums
    assert entry(bank, "eval-accuracy-collapse-debugging").kind == "open"


# ---------------------------------------------------------------------------- the share as a whole


def _mine(bank) -> list[Question]:
    return [q for q in bank.questions.values() if bank.topic(q.id) in FOLDERS]


def _texts(q: Question, locale: str) -> list[str]:
    t = q.locales[locale]
    mis = [part for m in t.misconceptions for part in (m.claim, m.correction)]
    return [
        t.title,
        t.prompt,
        t.answer,
        *t.key_points,
        *(t.options or []),
        *(t.statements or []),
        *mis,
    ]


def test_share_size_and_seed_coverage(bank):
    mine = _mine(bank)
    assert len(mine) >= 36 and sum(q.auto_gradable for q in mine) >= 12
    assert all(q.vetting.status == "vetted" and q.references for q in mine)
    origins = {q.origin for q in mine}
    assert {"002_f92e5fec5b1c1375.txt", "003_b800877dc88dbb3b.txt"} <= origins


def test_zh_hant_avoids_forbidden_terms_and_zh_hans_is_simplified(bank):
    import re

    import opencc
    import yaml

    from mlprep.content._loader import default_root

    glossary = yaml.safe_load((default_root() / "questions" / "_glossary.yaml").read_text("utf-8"))
    forbidden = glossary["zh-Hant"]["forbidden"]
    to_simplified = opencc.OpenCC("t2s")
    for q in _mine(bank):
        for text in _texts(q, "zh-Hant"):
            for bad in forbidden:
                # 均值 is forbidden, but it is also the tail of the preferred 平均值
                pattern = r"(?<!平)均值" if bad == "均值" else re.escape(bad)
                assert not re.search(pattern, text), f"{q.id}: zh-Hant uses '{bad}'"
        for text in _texts(q, "zh-Hans"):
            assert to_simplified.convert(text) == text, f"{q.id}: traditional characters in zh-Hans"


def test_fold_parameter_count(bank):
    conv, bn = nn.Conv2d(64, 128, 3, bias=False).eval(), nn.BatchNorm2d(128).eval()
    fused = torch.nn.utils.fuse_conv_bn_eval(conv, bn)
    assert fused.bias is not None  # the folded conv gains a bias
    assert_numeric(bank, "bn-fold-parameter-count", sum(p.numel() for p in fused.parameters()))


def test_conv_bias_before_bn_gets_zero_gradient(bank):
    torch.manual_seed(0)
    conv, bn = nn.Conv2d(3, 4, 3, dtype=F64), nn.BatchNorm2d(4, dtype=F64)
    x = torch.randn(5, 3, 7, 7, dtype=F64)
    out = bn(conv(x))
    out.backward(torch.randn_like(out))  # a random upstream gradient, not a constant one
    without_bn = conv(x)
    grad_plain = torch.autograd.grad(without_bn, conv.bias, torch.randn_like(without_bn))[0]
    options = [
        False,  # "same as without BN": compared below
        torch.allclose(conv.bias.grad, bn.bias.grad, atol=1e-9),
        torch.allclose(conv.bias.grad, torch.zeros(4, dtype=F64), atol=1e-10),
        bool(conv.bias.grad.abs().max() > 1e3),
    ]
    options[0] = torch.allclose(conv.bias.grad, grad_plain, atol=1e-6)
    assert {i for i, hit in enumerate(options) if hit} == correct(
        bank, "conv-bias-before-bn-gradient"
    )
    # the eval-mode remark: with frozen statistics the bias does receive a gradient
    conv.bias.grad = None
    bn.eval()
    bn(conv(x)).backward(torch.ones(5, 4, 5, 5, dtype=F64))
    assert conv.bias.grad.abs().min() > 1.0


def test_scale_invariance_gradient(bank):
    torch.manual_seed(0)
    u = torch.randn(16, 5, dtype=F64)
    upstream = torch.randn(16, 3, dtype=F64)

    def weight_grad(scale: float):
        lin, bn = nn.Linear(5, 3, bias=False, dtype=F64), nn.BatchNorm1d(3, dtype=F64)
        torch.manual_seed(1)
        with torch.no_grad():
            lin.weight.copy_(torch.randn(3, 5, dtype=F64) * scale)
        out = bn(lin(u))
        out.backward(upstream)
        return lin.weight.grad, lin.weight.detach(), out.detach()

    g1, w1, y1 = weight_grad(1.0)
    g4, _, y4 = weight_grad(4.0)
    torch.testing.assert_close(y4, y1, rtol=0, atol=1e-4)  # same output up to eps
    ratio = (g4.norm() / g1.norm()).item()
    assert_numeric(bank, "bn-scale-invariance-gradient", ratio)
    # the corollary: each weight row's gradient is orthogonal to that row (up to eps)
    cos = (g1 * w1).sum(1) / (g1.norm(dim=1) * w1.norm(dim=1))
    assert cos.abs().max() < 1e-4


def test_keras_bn_default_axis_on_channels_first(bank):
    x = torch.randn(4, 64, 32, 48)  # (N, C, H, W) laid out channels_first
    # Keras axis=-1 keeps one gamma per entry of the last axis; emulate with torch on that axis
    bn_last_axis = nn.BatchNorm2d(x.shape[-1])
    bn_last_axis(x.permute(0, 3, 1, 2))  # runs: normalizing "width" as if it were channels
    assert_numeric(bank, "keras-bn-axis-channels-first", bn_last_axis.weight.numel())
    assert nn.BatchNorm2d(64)(x).shape == x.shape  # axis=1 / PyTorch: one gamma per channel


def test_batchnorm1d_sequence_layout(bank):
    torch.manual_seed(0)
    x = torch.randn(32, 100, 512) * 2 + 1

    def works(call) -> bool:
        try:
            y = call()
        except (RuntimeError, ValueError):  # wrong channel count / wrong rank
            return False
        # "per feature" means every feature has mean 0 / var 1 over batch and time
        return torch.allclose(y.mean((0, 1)), torch.zeros(512), atol=1e-4) and torch.allclose(
            y.var((0, 1), unbiased=False), torch.ones(512), atol=1e-3
        )

    options = [
        lambda: nn.BatchNorm1d(512)(x),
        lambda: nn.BatchNorm1d(100)(x),
        lambda: nn.BatchNorm1d(512)(x.transpose(1, 2)).transpose(1, 2),
        lambda: nn.BatchNorm2d(512)(x),
    ]
    assert {i for i, call in enumerate(options) if works(call)} == correct(
        bank, "batchnorm1d-sequence-layout"
    )
    nn.BatchNorm1d(100)(x)  # option 2 runs silently (it is wrong, not an error)
