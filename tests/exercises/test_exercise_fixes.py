"""The two fix-it exercises: the starters show the bug, the solutions honour the contract."""

from __future__ import annotations

import copy

import numpy as np
import pytest
from exercise_helpers import solution, starter

# float64 throughout: RTOL/ATOL allow rounding only (the same arithmetic in another order).
RTOL, ATOL = 1e-10, 1e-12


# ---------------------------------------------------------------------------- bn-inference-fix


def _params(rng, d_in=5, hidden=4, d_out=3):
    return dict(
        W1=rng.standard_normal((d_in, hidden)),
        b1=rng.standard_normal(hidden),
        gamma=rng.standard_normal(hidden) + 1.0,
        beta=rng.standard_normal(hidden),
        W2=rng.standard_normal((hidden, d_out)),
        b2=rng.standard_normal(d_out),
    )


def _trained(mod, steps=4, seed=0, momentum=0.9):
    rng = np.random.default_rng(seed)
    params = _params(rng)
    model = mod.Model(**params, momentum=momentum)
    batches = [rng.standard_normal((8, 5)) * 2 + 1 for _ in range(steps)]
    for x in batches:
        model.forward(x, train=True)
    return model, params, batches


def _reference_forward(params, x, mean, var, eps=1e-5):
    """The network with the given normalization statistics, written out independently."""
    h = x @ params["W1"] + params["b1"]
    h = params["gamma"] * (h - mean) / np.sqrt(var + eps) + params["beta"]
    return np.maximum(h, 0) @ params["W2"] + params["b2"]


def test_fixed_model_inference_is_per_sample_and_uses_running_stats():
    model, params, _ = _trained(solution("bn-inference-fix"))
    rng = np.random.default_rng(1)
    x = rng.standard_normal((6, 5))
    batch_out = model.forward(x, train=False)
    for i in range(len(x)):
        alone = model.forward(x[i : i + 1], train=False)
        np.testing.assert_allclose(alone[0], batch_out[i], rtol=RTOL, atol=ATOL)
    expected = _reference_forward(params, x, model.bn.running_mean, model.bn.running_var)
    np.testing.assert_allclose(batch_out, expected, rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("momentum", [0.9, 0.5])
def test_fixed_model_running_stats_follow_cs231n(momentum):
    mod = solution("bn-inference-fix")
    model, params, batches = _trained(mod, momentum=momentum)
    mean, var = np.zeros(4), np.ones(4)  # documented initial values
    for x in batches:
        h = x @ params["W1"] + params["b1"]
        mean = momentum * mean + (1 - momentum) * h.mean(axis=0)
        var = momentum * var + (1 - momentum) * h.var(axis=0)  # biased
    np.testing.assert_allclose(model.bn.running_mean, mean, rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(model.bn.running_var, var, rtol=RTOL, atol=ATOL)
    before = model.bn.running_mean.copy(), model.bn.running_var.copy()
    model.forward(np.ones((3, 5)), train=False)
    np.testing.assert_array_equal(model.bn.running_mean, before[0])
    np.testing.assert_array_equal(model.bn.running_var, before[1])


def test_fixed_model_trains_exactly_like_the_given_code():
    rng = np.random.default_rng(2)
    params = _params(rng)
    x = rng.standard_normal((7, 5))
    fixed = solution("bn-inference-fix").Model(**params).forward(x, train=True)
    given_ = starter("bn-inference-fix").Model(**params).forward(x, train=True)
    np.testing.assert_allclose(fixed, given_, rtol=RTOL, atol=ATOL)


def test_starter_shows_the_bug():
    model, _, _ = _trained(starter("bn-inference-fix"))
    rng = np.random.default_rng(1)
    x = rng.standard_normal((6, 5))
    batch_out = model.forward(x, train=False)
    alone = model.forward(x[:1], train=False)
    # The buggy layer normalizes a lone sample with its own statistics: its output is beta-driven
    # nonsense, far from the same sample's output inside the batch.
    assert not np.allclose(alone[0], batch_out[0], rtol=1e-3, atol=1e-3)
    np.testing.assert_array_equal(model.bn.running_mean, np.zeros(4))  # never updated
    np.testing.assert_array_equal(model.bn.running_var, np.ones(4))


# ---------------------------------------------------------------------------- torch-eval-mode-fix

torch = pytest.importorskip("torch")
nn = torch.nn


def _net() -> nn.Module:
    torch.manual_seed(0)
    net = nn.Sequential(
        nn.Conv2d(2, 3, 3, padding=1),
        nn.BatchNorm2d(3),
        nn.ReLU(),
        nn.Dropout(0.5),
        nn.Flatten(),
        nn.Linear(3 * 4 * 4, 5),
        nn.BatchNorm1d(5),
    ).double()
    with torch.no_grad():  # give the running statistics values that are not the defaults
        for m in net.modules():
            if isinstance(m, nn.BatchNorm1d | nn.BatchNorm2d):
                m.running_mean.uniform_(-1, 1)
                m.running_var.uniform_(0.5, 2)
                m.num_batches_tracked.fill_(7)
    return net


def _batches():
    g = torch.Generator().manual_seed(1)
    return [torch.randn(n, 2, 4, 4, generator=g, dtype=torch.float64) for n in (4, 1, 3)]


def _state(net):
    return {k: v.clone() for k, v in net.state_dict().items()}


def _modes(net):
    return [m.training for m in net.modules()]


def _setups():
    def train(net):
        net.train()

    def evaluation(net):
        net.eval()

    def frozen_bn(net):  # fine-tuning: batch norm frozen, the rest trains
        net.train()
        net[1].eval()

    return [train, evaluation, frozen_bn]


@pytest.mark.torch
@pytest.mark.parametrize("setup", _setups(), ids=lambda f: f.__name__)
def test_evaluate_honours_the_contract(setup):
    evaluate = solution("torch-eval-mode-fix").evaluate
    net = _net()
    setup(net)
    state, modes = _state(net), _modes(net)
    reference = copy.deepcopy(net).eval()
    batches = _batches()
    outputs = evaluate(net, batches)
    assert len(outputs) == len(batches)
    for out, x in zip(outputs, batches, strict=True):
        assert not out.requires_grad
        with torch.no_grad():
            # float64, same ops on the same device: identical up to rounding
            torch.testing.assert_close(out, reference(x), rtol=1e-12, atol=1e-12)
    for key, value in _state(net).items():
        assert torch.equal(value, state[key]), f"evaluate changed {key}"
    assert _modes(net) == modes


@pytest.mark.torch
def test_evaluate_restores_modes_when_the_model_raises():
    evaluate = solution("torch-eval-mode-fix").evaluate
    net = _net()
    net.train()
    net[1].eval()
    modes = _modes(net)
    bad = torch.zeros(2, 7, 4, 4, dtype=torch.float64)  # wrong channel count: the conv raises
    with pytest.raises(RuntimeError):
        evaluate(net, [_batches()[0], bad])
    assert _modes(net) == modes


@pytest.mark.torch
def test_starter_evaluate_shows_the_bugs():
    evaluate = starter("torch-eval-mode-fix").evaluate
    net = _net()
    net.train()
    with pytest.raises(ValueError, match="more than 1 value per channel"):
        evaluate(net, _batches())  # the batch of one fails in training mode
    net = _net()
    net.train()
    net[1].eval()
    state = _state(net)
    outputs = evaluate(net, [_batches()[0]])
    assert outputs[0].requires_grad  # carries an autograd graph
    assert not torch.equal(net[6].running_mean, state["6.running_mean"])  # stats drifted
    assert net[1].training  # the frozen layer was switched back to training
