"""Checks the computable answers of the bank3 entries (questions/family, questions/theory) with torch.

Every expected value is read from the entry's YAML through ``load_bank()``; the test computes the
same quantity with torch (float64 where precision matters) and compares. A wrong number, a wrong
correct-option index or a wrong spot-the-error index in an entry makes a test fail.
"""

from __future__ import annotations

import pytest

from mlprep.content import Question, load_bank

torch = pytest.importorskip("torch")
nn = torch.nn

pytestmark = pytest.mark.torch

# Float64 reductions over a few hundred elements agree with a manual formula to ~1e-12; 1e-10 leaves
# headroom without hiding a wrong axis (which changes values at order 1).
ATOL64 = 1e-10


@pytest.fixture(scope="module")
def bank():
    return load_bank()


def entry(bank, qid: str) -> Question:
    q = bank.questions[qid]
    assert q.vetting.status == "vetted"
    return q


def n_params(module) -> int:
    return sum(p.numel() for p in module.parameters())


def numeric_value(q: Question) -> float:
    assert q.kind == "numeric" and q.numeric is not None
    return q.numeric.value


def correct_options(q: Question) -> set[int]:
    assert q.kind == "choice" and q.choice is not None
    return set(q.choice.correct)


def wrong_statements(q: Question) -> set[int]:
    assert q.kind == "spot-the-error" and q.spot is not None
    return set(q.spot.wrong)


def x64(*shape: int, seed: int = 0):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(*shape, generator=g, dtype=torch.float64) * 3 + 1


def normalize(x, dims: tuple[int, ...], eps: float = 1e-5):
    """(x - mean) / sqrt(biased var + eps) over ``dims``: the shared core of every layer here."""
    mu = x.mean(dim=dims, keepdim=True)
    var = x.var(dim=dims, keepdim=True, unbiased=False)
    return (x - mu) / torch.sqrt(var + eps)


# ----------------------------------------------------------------------------- axes of each layer


def test_groupnorm_axes_option(bank):
    q = entry(bank, "groupnorm-axes-nchw")
    n, c, h, w, g = 4, 8, 5, 5, 4
    x = x64(n, c, h, w)
    ref = nn.GroupNorm(g, c).double()(x)
    # Candidate statistics for each option, in the entry's option order.
    per_group = normalize(x.view(n, g, c // g, h, w), (2, 3, 4)).view(n, c, h, w)
    candidates = {
        0: normalize(x, (0, 2, 3)),  # per channel over the batch: BN
        1: per_group,  # per example and group
        2: normalize(x, (2, 3)),  # per example and channel: IN
        3: normalize(x.view(n, g, c // g, h, w), (0, 2)).view(n, c, h, w),  # per group over batch
    }
    matching = {i for i, y in candidates.items() if torch.allclose(y, ref, atol=ATOL64)}
    assert matching == correct_options(q)


def test_layernorm_axes_option(bank):
    q = entry(bank, "layernorm-axes-ntd")
    n, t, d = 3, 6, 8
    x = x64(n, t, d)
    ref = nn.LayerNorm(d).double()(x)
    candidates = {
        0: normalize(x, (0, 1)),
        1: normalize(x, (1, 2)),
        2: normalize(x, (2,)),
        3: normalize(x, (0, 2)),
    }
    matching = {i for i, y in candidates.items() if torch.allclose(y, ref, atol=ATOL64)}
    assert matching == correct_options(q)


def test_train_eval_identical_options(bank):
    q = entry(bank, "norm-train-eval-identical")
    c = 6
    x = x64(4, c, 5, 5)
    layers = [
        nn.BatchNorm2d(c),
        nn.LayerNorm(5),
        nn.GroupNorm(3, c),
        nn.InstanceNorm2d(c),
        nn.RMSNorm(5),
    ]
    same = set()
    for i, layer in enumerate(layers):
        layer = layer.double()
        y_train = layer.train()(x)
        y_eval = layer.eval()(x)
        if torch.allclose(y_train, y_eval, atol=ATOL64):
            same.add(i)
    assert same == correct_options(q)


# ----------------------------------------------------------------------------- parameter counts


def test_layernorm_td_parameter_count(bank):
    q = entry(bank, "layernorm-params-td")
    assert n_params(nn.LayerNorm((128, 512))) == numeric_value(q)
    # The answer contrasts it with LayerNorm(512): 1024, stated in the text.
    assert "1024" in q.source.answer and n_params(nn.LayerNorm(512)) == 1024


def test_groupnorm_parameter_count(bank):
    q = entry(bank, "groupnorm-params")
    m = nn.GroupNorm(32, 256)
    assert n_params(m) == numeric_value(q)
    assert list(m.buffers()) == []  # the answer says GN keeps no running statistics


def test_instancenorm_default_parameter_count(bank):
    q = entry(bank, "instancenorm-default-params")
    m = nn.InstanceNorm2d(64)
    assert n_params(m) == numeric_value(q)
    assert n_params(nn.InstanceNorm2d(64, affine=True)) == 128  # "affine=True gives 2 x C"


def test_groupnorm_special_cases(bank):
    q = entry(bank, "groupnorm-special-cases")
    n, c, h, w = 3, 6, 4, 4
    x = x64(n, c, h, w)
    gn1 = nn.GroupNorm(1, c).double()(x)
    gnc = nn.GroupNorm(c, c).double()(x)
    ln = nn.LayerNorm([c, h, w]).double()(x)
    inorm = nn.InstanceNorm2d(c).double()(x)
    bn = nn.BatchNorm2d(c).double().train()(x)

    def same(a, b) -> bool:
        return torch.allclose(a, b, atol=ATOL64)

    holds = {
        0: same(gn1, ln) and same(gnc, inorm),
        1: same(gn1, inorm) and same(gnc, ln),
        2: same(gn1, bn) and same(gnc, inorm),
        3: same(gnc, ln) and not same(gnc, inorm),
    }
    assert {i for i, ok in holds.items() if ok} == correct_options(q)


# ----------------------------------------------------------------------------- small worked values


def test_rmsnorm_output_value(bank):
    q = entry(bank, "rmsnorm-output-value")
    x = torch.tensor([2.0, 4.0, 6.0, 8.0], dtype=torch.float64)
    y = nn.RMSNorm(4).double()(x).detach()
    assert q.numeric.accepts(float(y[0]))
    # The answer's contrast: LayerNorm gives -1.342 on the same vector.
    assert abs(float(nn.LayerNorm(4).double()(x).detach()[0]) - (-1.342)) < 1e-3


def test_layernorm_output_value(bank):
    q = entry(bank, "layernorm-output-value")
    x = torch.tensor([2.0, 4.0, 6.0, 8.0], dtype=torch.float64)
    y = nn.LayerNorm(4).double()(x).detach()  # eps = 1e-5 by default, as the prompt states
    assert q.numeric.accepts(float(y[0]))
    unbiased = (x[0] - x.mean()) / torch.sqrt(x.var(unbiased=True) + 1e-5)
    assert not q.numeric.accepts(float(unbiased))  # the distractor the answer names is rejected


def test_weightnorm_parameter_count(bank):
    q = entry(bank, "weightnorm-params")
    from torch.nn.utils.parametrizations import weight_norm

    m = weight_norm(nn.Linear(256, 128))
    assert n_params(m) == numeric_value(q)
    # "128 more than the plain layer": one g per output unit.
    assert n_params(m) - n_params(nn.Linear(256, 128)) == 128


def test_weight_recentering_invariance_option(bank):
    q = entry(bank, "norm-weight-recentering-invariance")
    n, d_in, d_out = 16, 10, 12
    x = x64(n, d_in, seed=1)
    w = x64(d_out, d_in, seed=2)
    delta = x64(d_in, seed=3)
    w_shift = w + delta.unsqueeze(0)  # W + 1 delta^T: the same delta added to every row

    def rms(a):
        return a / torch.sqrt(a.pow(2).mean(dim=1, keepdim=True) + 1e-12)

    def wn(w_):
        return x @ (w_ / w_.norm(dim=1, keepdim=True)).T

    outputs = {
        0: lambda w_: normalize(x @ w_.T, (0,)),  # BN over the batch, per unit
        1: lambda w_: normalize(x @ w_.T, (1,)),  # LN over the units, per example
        2: lambda w_: rms(x @ w_.T),
        3: wn,
    }
    invariant = {i for i, f in outputs.items() if torch.allclose(f(w), f(w_shift), atol=ATOL64)}
    assert invariant == correct_options(q)


def test_groupnorm_statistics_count(bank):
    q = entry(bank, "norm-statistics-count")
    n, c, h, w, g = 8, 64, 32, 32, 32
    x = torch.randn(n, c, h, w, generator=torch.Generator().manual_seed(0))
    grouped = x.view(n, g, -1)
    mu = grouped.mean(dim=2, keepdim=True)  # (N, G, 1): one mean per (example, group)
    var = grouped.var(dim=2, keepdim=True, unbiased=False)
    manual = ((grouped - mu) / torch.sqrt(var + 1e-5)).view(n, c, h, w)
    # float32 over 2048 values per group: 1e-4 absorbs summation-order differences.
    assert torch.allclose(manual, nn.GroupNorm(g, c)(x).detach(), atol=1e-4)
    assert mu.numel() == numeric_value(q)
    assert grouped.shape[2] == 2048  # "each over 2 x 32 x 32 = 2048 values"


def test_batch_dependence_option(bank):
    q = entry(bank, "norm-batch-dependence")
    c = 4
    a = x64(5, c, 3, 3, seed=4)
    b = a.clone()
    b[1:] = x64(4, c, 3, 3, seed=5)  # same example 0, different companions
    layers = [nn.BatchNorm2d(c), nn.LayerNorm([c, 3, 3]), nn.GroupNorm(2, c), nn.InstanceNorm2d(c)]
    dependent = set()
    for i, layer in enumerate(layers):
        layer = layer.double().train()
        if not torch.allclose(layer(a)[0], layer(b)[0], atol=ATOL64):
            dependent.add(i)
    assert dependent == correct_options(q)


# ----------------------------------------------------------------------------- theory


def _linear_bn_loss(w, u, target):
    """Loss of u -> u W^T -> BN (training mode, no affine, eps 0) -> squared error."""
    a = u @ w.T  # (N, D_out)
    x_hat = normalize(a, (0,), eps=0.0)
    return (x_hat - target).pow(2).sum()


def _weight_grad(w, u, target):
    w = w.clone().requires_grad_(True)
    loss = _linear_bn_loss(w, u, target)
    (g,) = torch.autograd.grad(loss, w)
    return loss.detach(), g


def test_scale_invariance_gradient_factor(bank):
    q = entry(bank, "bn-scale-invariance-gradient")
    u, w, target = x64(32, 6, seed=6), x64(5, 6, seed=7), x64(32, 5, seed=8)
    loss1, g1 = _weight_grad(w, u, target)
    loss4, g4 = _weight_grad(4 * w, u, target)
    # rtol 1e-8: both sides are exact float64 identities up to rounding.
    assert torch.allclose(loss1, loss4, rtol=1e-8)  # BN((aW)u) = BN(Wu)
    assert q.numeric.accepts(float(g4.norm() / g1.norm()))


def test_effective_learning_rate_factor(bank):
    q = entry(bank, "bn-effective-learning-rate")
    u, w, target = x64(32, 6, seed=9), x64(5, 6, seed=10), x64(32, 5, seed=11)
    eta = 1e-4  # small step: the 1/a^2 relation is first order in eta

    def angle_change(w0):
        _, g = _weight_grad(w0, u, target)
        w1 = w0 - eta * g
        cos = (w0 * w1).sum() / (w0.norm() * w1.norm())
        return torch.arccos(cos.clamp(-1, 1))

    ratio = float(angle_change(3 * w) / angle_change(w))
    assert q.numeric.accepts(ratio)
    assert not q.numeric.accepts(1 / 3)  # the naive "gradient shrinks by 1/a" answer is rejected


def test_theory_claims_spot(bank):
    q = entry(bank, "bn-theory-claims-spot")
    u, w, target = x64(32, 6, seed=12), x64(5, 6, seed=13), x64(32, 5, seed=14)
    loss1, g1 = _weight_grad(w, u, target)
    loss3, g3 = _weight_grad(3 * w, u, target)
    truth = {
        0: bool(torch.allclose(loss1, loss3, rtol=1e-8)),
        1: bool(torch.allclose(g3, g1 / 3, rtol=1e-8)),
    }

    # Statement 4: a deep plain BN + ReLU network has well-behaved gradients at initialization.
    def first_last_grad_ratio(depth: int, width: int = 64) -> float:
        gen = torch.manual_seed(0)
        layers: list = []
        for _ in range(depth):
            layers += [nn.Linear(width, width, bias=False), nn.BatchNorm1d(width), nn.ReLU()]
        net = nn.Sequential(*layers).double()
        x = torch.randn(128, width, generator=gen, dtype=torch.float64)
        net(x).pow(2).sum().backward()
        lin = [m for m in net if isinstance(m, nn.Linear)]
        return float(lin[0].weight.grad.norm() / lin[-1].weight.grad.norm())

    # Gradients growing by orders of magnitude towards the input over 50 layers (Yang et al. 2019).
    truth[4] = not (first_last_grad_ratio(50) > 100 * first_last_grad_ratio(5))
    wrong_checked = {i for i, ok in truth.items() if not ok}
    assert wrong_checked == wrong_statements(q) & set(truth)


# ----------------------------------------------------------------------------- seed 004 code reviews


def test_pytorch_wrapper_review_statements(bank):
    q = entry(bank, "bn-pytorch-wrapper-review")
    c = 5
    bn = nn.BatchNorm1d(c).double()
    truth: dict[int, bool] = {}

    ok_2d = bn(x64(8, c)).shape == (8, c)
    ok_3d = bn(x64(8, c, 7)).shape == (8, c, 7)
    truth[0] = ok_2d and ok_3d

    # Statement 1: output has mean 0 / std 1. Give gamma, beta trained-looking values and look.
    with torch.no_grad():
        bn.weight.fill_(2.0)
        bn.bias.fill_(3.0)
    y = bn.train()(x64(64, c)).detach()
    truth[1] = bool(torch.allclose(y.mean(0), torch.zeros_like(y[0]), atol=1e-6)) and bool(
        torch.allclose(y.std(0, unbiased=False), torch.ones_like(y[0]), atol=1e-3)
    )

    try:
        bn(x64(4, c, 3, 3))
        truth[2] = True
    except ValueError:
        truth[2] = False

    fresh = nn.BatchNorm1d(c)
    truth[3] = n_params(fresh) == 2 * c and {n for n, _ in fresh.named_buffers()} == {
        "running_mean",
        "running_var",
        "num_batches_tracked",
    }

    x = x64(16, c)
    bn.eval()
    manual = (x - bn.running_mean) / torch.sqrt(bn.running_var + bn.eps) * bn.weight + bn.bias
    truth[4] = bool(torch.allclose(bn(x), manual, atol=ATOL64))

    try:
        bn.train()(x64(1, c))
        truth[5] = False
    except ValueError:
        truth[5] = True

    assert {i for i, ok in truth.items() if not ok} == wrong_statements(q)


def test_keras_momentum_convention(bank):
    """The Keras review's momentum statement: moving = moving * 0.99 + batch * 0.01.

    TensorFlow is not a dependency, so the Keras rule is written out from its documentation and
    compared with torch's BatchNorm1d at momentum 0.01, which weights the new value by 0.01.
    """
    q = entry(bank, "bn-keras-wrapper-review")
    assert 2 in wrong_statements(q)  # "new batch mean receives a weight of 0.99" is flagged wrong
    keras_momentum = 0.99
    bn = nn.BatchNorm1d(3, momentum=1 - keras_momentum).double()
    moving = torch.zeros(3, dtype=torch.float64)
    for seed in range(3):
        x = x64(10, 3, seed=seed)
        bn.train()(x)
        moving = moving * keras_momentum + x.mean(0) * (1 - keras_momentum)
    assert torch.allclose(bn.running_mean, moving, atol=ATOL64)
    # The 0.99-weights-the-new-value reading gives a clearly different moving mean.
    wrong = torch.zeros(3, dtype=torch.float64)
    for seed in range(3):
        wrong = wrong * (1 - keras_momentum) + x64(10, 3, seed=seed).mean(0) * keras_momentum
    assert not torch.allclose(bn.running_mean, wrong, atol=1e-3)


def test_faq_claims_spot(bank):
    q = entry(bank, "bn-faq-claims-spot")
    c = 4
    bn = nn.BatchNorm2d(c).double()
    param_names = {n for n, _ in bn.named_parameters()}
    truth: dict[int, bool] = {}
    truth[0] = "running_mean" in param_names or "running_var" in param_names
    truth[1] = n_params(bn) == 2 * c and param_names == {"weight", "bias"}

    # Statement 3: example 0's gradient changes when only the other examples change.
    def grad_of_example0(batch):
        batch = batch.clone().requires_grad_(True)
        bn.train()(batch)[0].pow(3).sum().backward()
        return batch.grad[0].clone()

    a = x64(6, c, 3, 3, seed=15)
    b = a.clone()
    b[1:] = x64(5, c, 3, 3, seed=16)
    truth[3] = not torch.allclose(grad_of_example0(a), grad_of_example0(b), atol=1e-8)

    # Statement 4: in eval mode, conv -> BN equals one conv with folded weight and bias.
    conv = nn.Conv2d(3, c, 3, padding=1).double()
    with torch.no_grad():
        bn.running_mean.copy_(x64(c, seed=17))
        bn.running_var.copy_(x64(c, seed=18).abs() + 0.5)
    bn.eval()
    scale = bn.weight / torch.sqrt(bn.running_var + bn.eps)  # (C,)
    folded = nn.Conv2d(3, c, 3, padding=1).double()
    with torch.no_grad():
        folded.weight.copy_(conv.weight * scale.view(-1, 1, 1, 1))
        folded.bias.copy_((conv.bias - bn.running_mean) * scale + bn.bias)
    x = x64(2, 3, 5, 5, seed=19)
    truth[4] = bool(torch.allclose(bn(conv(x)), folded(x), atol=1e-10))

    checked = set(truth)
    assert {i for i, ok in truth.items() if not ok} == wrong_statements(q) & checked


def test_norm_family_claims_spot(bank):
    q = entry(bank, "norm-family-claims-spot")
    truth: dict[int, bool] = {}
    c = 4
    x = x64(6, c, 3, 3, seed=20)
    gn = nn.GroupNorm(2, c).double()
    truth[0] = bool(torch.allclose(gn(x)[:1], gn(x[:1]), atol=ATOL64))

    v = torch.tensor([[2.0, 4.0, 6.0, 8.0]], dtype=torch.float64)
    rms = nn.RMSNorm(4, eps=0.0).double()(v).detach()
    subtracts_mean = torch.allclose(rms, normalize(v, (1,), eps=0.0), atol=1e-6)
    truth[2] = bool(subtracts_mean)

    ln = nn.LayerNorm((3, 5))
    truth[3] = ln.weight.shape == (3, 5) and ln.bias.shape == (3, 5)

    bn = nn.BatchNorm2d(c).double()
    with torch.no_grad():
        bn.running_mean.copy_(x64(c, seed=21))
        bn.running_var.copy_(x64(c, seed=22).abs() + 0.5)
        bn.weight.copy_(x64(c, seed=23))
    bn.eval()
    a = bn.weight / torch.sqrt(bn.running_var + bn.eps)
    b = bn.bias - a * bn.running_mean
    truth[4] = bool(torch.allclose(bn(x), a.view(1, c, 1, 1) * x + b.view(1, c, 1, 1), atol=ATOL64))

    seq = x64(2, 5, 8, seed=24)
    per_sequence = normalize(seq, (1, 2))
    truth[5] = bool(torch.allclose(nn.LayerNorm(8).double()(seq), per_sequence, atol=1e-6))

    # Statement 2 (index 1) is about Wu & He's Table 1 and is checked against the paper only.
    assert {i for i, ok in truth.items() if not ok} == wrong_statements(q) - {1}
    assert 1 in wrong_statements(q)


def test_rmsnorm_parameter_savings(bank):
    q = entry(bank, "rmsnorm-parameter-savings")
    n_norms = 32 * 2 + 1
    ln_total = sum(n_params(nn.LayerNorm(4096)) for _ in range(n_norms))
    rms_total = sum(n_params(nn.RMSNorm(4096)) for _ in range(n_norms))
    assert ln_total - rms_total == numeric_value(q)
