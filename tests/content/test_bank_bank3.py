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
    y = nn.RMSNorm(4).double()(x)
    assert q.numeric.accepts(float(y[0]))
    # The answer's contrast: LayerNorm gives -1.342 on the same vector.
    assert abs(float(nn.LayerNorm(4).double()(x)[0]) - (-1.342)) < 1e-3


def test_layernorm_output_value(bank):
    q = entry(bank, "layernorm-output-value")
    x = torch.tensor([2.0, 4.0, 6.0, 8.0], dtype=torch.float64)
    y = nn.LayerNorm(4).double()(x)  # eps = 1e-5 by default, as the prompt states
    assert q.numeric.accepts(float(y[0]))
    unbiased = (x[0] - x.mean()) / torch.sqrt(x.var(unbiased=True) + 1e-5)
    assert not q.numeric.accepts(float(unbiased))  # the distractor the answer names is rejected
