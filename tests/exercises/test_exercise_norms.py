"""The NumPy normalization solutions against PyTorch in float64, and the starters against them.

Tolerances: both sides compute the same float64 quantities in a different order, so they differ by
rounding (~1e-14 relative). RTOL = 1e-7 / ATOL = 1e-9 leave room for the cancellation inside dx
(whose columns sum to zero), while any formula error (a missing path through the mean or the
variance, a biased/unbiased mix-up, eps outside the square root) differs by 1e-3 or more.
"""

from __future__ import annotations

import numpy as np
import pytest
from exercise_helpers import solution, starter
from hypothesis import given, settings
from hypothesis import strategies as st

torch = pytest.importorskip("torch")
F = torch.nn.functional

pytestmark = pytest.mark.torch
RTOL, ATOL = 1e-7, 1e-9


def _t(a: np.ndarray, grad: bool = False):
    return torch.tensor(a, dtype=torch.float64, requires_grad=grad)


def _close(actual, expected, what: str = "") -> None:
    np.testing.assert_allclose(actual, expected, rtol=RTOL, atol=ATOL, err_msg=what)


def _data(rng, *shape, scale=3.0, shift=5.0):
    return rng.standard_normal(shape) * scale + shift


# ---------------------------------------------------------------------------- batch norm


def _torch_bn_train(x, gamma, beta, dout, eps):
    xt, gt, bt = _t(x, True), _t(gamma, True), _t(beta, True)
    out = F.batch_norm(xt, None, None, gt, bt, training=True, eps=eps)
    (out * _t(dout)).sum().backward()
    return out.detach().numpy(), xt.grad.numpy(), gt.grad.numpy(), bt.grad.numpy()


@settings(max_examples=30, deadline=None)
@given(
    n=st.integers(2, 16),
    d=st.integers(1, 8),
    eps=st.sampled_from([1e-5, 1e-3, 0.1]),
    seed=st.integers(0, 2**16),
)
def test_batchnorm_forward_and_backward_match_torch(n, d, eps, seed):
    rng = np.random.default_rng(seed)
    x, gamma, beta, dout = (
        _data(rng, n, d),
        _data(rng, d),
        _data(rng, d),
        rng.standard_normal((n, d)),
    )
    out_t, dx_t, dgamma_t, dbeta_t = _torch_bn_train(x, gamma, beta, dout, eps)
    mod = solution("batchnorm-backward")
    out, cache = mod.batchnorm_forward(x, gamma, beta, {"mode": "train", "eps": eps})
    _close(out, out_t, "forward")
    for backward in (mod.batchnorm_backward, mod.batchnorm_backward_alt):
        dx, dgamma, dbeta = backward(dout, cache)
        _close(dx, dx_t, f"{backward.__name__} dx")
        _close(dgamma, dgamma_t, f"{backward.__name__} dgamma")
        _close(dbeta, dbeta_t, f"{backward.__name__} dbeta")


@pytest.mark.parametrize("xid", ["batchnorm-forward", "batchnorm-backward"])
def test_batchnorm_running_stats_follow_cs231n_and_test_mode_uses_them(xid):
    rng = np.random.default_rng(0)
    D, momentum, eps = 4, 0.8, 1e-3
    gamma, beta = _data(rng, D), _data(rng, D)
    bn_param = {"mode": "train", "momentum": momentum, "eps": eps}
    running_mean, running_var = np.zeros(D), np.zeros(D)  # CS231n starts from zeros
    forward = solution(xid).batchnorm_forward
    for _ in range(5):
        x = _data(rng, 8, D)
        forward(x, gamma, beta, bn_param)
        # Independent recurrence: momentum weighs the old value; the variance is biased (ddof=0).
        running_mean = momentum * running_mean + (1 - momentum) * x.mean(axis=0)
        running_var = momentum * running_var + (1 - momentum) * x.var(axis=0)
        _close(bn_param["running_mean"], running_mean, "running_mean")
        _close(bn_param["running_var"], running_var, "running_var")

    bn_param["mode"] = "test"
    frozen = bn_param["running_mean"].copy(), bn_param["running_var"].copy()
    x = _data(rng, 6, D)
    out, _ = forward(x, gamma, beta, bn_param)
    expected = F.batch_norm(
        _t(x), _t(frozen[0]), _t(frozen[1]), _t(gamma), _t(beta), training=False, eps=eps
    )
    _close(out, expected.numpy(), "test-mode output")
    _close(bn_param["running_mean"], frozen[0], "test mode changed running_mean")
    _close(bn_param["running_var"], frozen[1], "test mode changed running_var")
    alone, _ = forward(x[:1], gamma, beta, bn_param)
    _close(alone, out[:1], "test-mode output depends on the rest of the batch")


def test_batchnorm_defaults_dtype_and_inputs_untouched():
    rng = np.random.default_rng(1)
    x = _data(rng, 5, 3).astype(np.float32)
    gamma, beta = _data(rng, 3).astype(np.float32), _data(rng, 3).astype(np.float32)
    rm, rv = np.ones(3, np.float32), np.ones(3, np.float32)
    copies = [a.copy() for a in (x, gamma, beta, rm, rv)]
    bn_param = {"mode": "train", "running_mean": rm, "running_var": rv}
    out, _ = solution("batchnorm-forward").batchnorm_forward(x, gamma, beta, bn_param)
    assert out.dtype == np.float32
    for original, copy in zip((x, gamma, beta, rm, rv), copies, strict=True):
        np.testing.assert_array_equal(original, copy)  # exact: nothing may write into inputs
    # defaults eps=1e-5, momentum=0.9 (float32 data: rtol 1e-5 covers single-precision rounding)
    np.testing.assert_allclose(
        bn_param["running_mean"], 0.9 * 1 + 0.1 * x.mean(axis=0), rtol=1e-5, atol=1e-6
    )
    expected = F.batch_norm(_t(x), None, None, _t(gamma), _t(beta), training=True, eps=1e-5).numpy()
    np.testing.assert_allclose(out, expected, rtol=1e-4, atol=1e-5)


# ---------------------------------------------------------------------------- spatial batch norm


@pytest.mark.parametrize("shape", [(4, 3, 5, 6), (2, 2, 1, 1), (1, 3, 4, 4)])
def test_spatial_batchnorm_matches_torch(shape):
    rng = np.random.default_rng(2)
    N, C, H, W = shape
    x, dout = _data(rng, *shape), rng.standard_normal(shape)
    gamma, beta = _data(rng, C), _data(rng, C)
    mod = solution("spatial-batchnorm")
    bn_param = {"mode": "train", "momentum": 0.7}
    out, cache = mod.spatial_batchnorm_forward(x, gamma, beta, bn_param)
    xt, gt, bt = _t(x, True), _t(gamma, True), _t(beta, True)
    out_t = F.batch_norm(xt, None, None, gt, bt, training=True, eps=1e-5)
    (out_t * _t(dout)).sum().backward()
    _close(out, out_t.detach().numpy(), "forward")
    dx, dgamma, dbeta = mod.spatial_batchnorm_backward(dout, cache)
    _close(dx, xt.grad.numpy(), "dx")
    _close(dgamma, gt.grad.numpy(), "dgamma")
    _close(dbeta, bt.grad.numpy(), "dbeta")
    # running mean per channel over (N, H, W), CS231n convention, zeros to start
    _close(bn_param["running_mean"], 0.3 * x.mean(axis=(0, 2, 3)), "running_mean")
    _close(bn_param["running_var"], 0.3 * x.var(axis=(0, 2, 3)), "running_var")
    bn_param["mode"] = "test"
    out_test, _ = mod.spatial_batchnorm_forward(x, gamma, beta, bn_param)
    expected = F.batch_norm(
        _t(x),
        _t(bn_param["running_mean"]),
        _t(bn_param["running_var"]),
        _t(gamma),
        _t(beta),
        training=False,
    )
    _close(out_test, expected.numpy(), "test mode")


# ---------------------------------------------------------------------------- layer norm


@pytest.mark.parametrize("shape", [(4, 7), (1, 5), (6, 2)])
@pytest.mark.parametrize("eps", [1e-5, 0.1])
def test_layernorm_matches_torch(shape, eps):
    rng = np.random.default_rng(3)
    N, D = shape
    x, dout = _data(rng, N, D), rng.standard_normal(shape)
    gamma, beta = _data(rng, D), _data(rng, D)
    mod = solution("layernorm")
    out, cache = mod.layernorm_forward(x, gamma, beta, {"eps": eps})
    xt, gt, bt = _t(x, True), _t(gamma, True), _t(beta, True)
    out_t = F.layer_norm(xt, (D,), gt, bt, eps=eps)
    (out_t * _t(dout)).sum().backward()
    _close(out, out_t.detach().numpy(), "forward")
    dx, dgamma, dbeta = mod.layernorm_backward(dout, cache)
    _close(dx, xt.grad.numpy(), "dx")
    _close(dgamma, gt.grad.numpy(), "dgamma")
    _close(dbeta, bt.grad.numpy(), "dbeta")
    alone, _ = mod.layernorm_forward(x[-1:], gamma, beta, {"eps": eps})
    _close(alone, out[-1:], "a sample's output depends on the batch")


# ---------------------------------------------------------------------------- group norm


@pytest.mark.parametrize(
    ("shape", "G"), [((2, 6, 4, 5), 1), ((2, 6, 4, 5), 6), ((3, 6, 2, 3), 2), ((1, 4, 1, 1), 2)]
)
def test_groupnorm_matches_torch(shape, G):
    rng = np.random.default_rng(4)
    N, C, H, W = shape
    x, dout = _data(rng, *shape), rng.standard_normal(shape)
    gamma, beta = _data(rng, 1, C, 1, 1), _data(rng, 1, C, 1, 1)
    x_before = x.copy()
    mod = solution("groupnorm")
    out, cache = mod.spatial_groupnorm_forward(x, gamma, beta, G, {})
    np.testing.assert_array_equal(x, x_before)
    xt, gt, bt = _t(x, True), _t(gamma.reshape(C), True), _t(beta.reshape(C), True)
    out_t = F.group_norm(xt, G, gt, bt, eps=1e-5)
    (out_t * _t(dout)).sum().backward()
    _close(out, out_t.detach().numpy(), "forward")
    dx, dgamma, dbeta = mod.spatial_groupnorm_backward(dout, cache)
    assert dgamma.shape == dbeta.shape == (1, C, 1, 1)
    _close(dx, xt.grad.numpy(), "dx")
    _close(dgamma.reshape(C), gt.grad.numpy(), "dgamma")
    _close(dbeta.reshape(C), bt.grad.numpy(), "dbeta")


# ---------------------------------------------------------------------------- starters


STARTER_CALLS = {
    "batchnorm-forward": lambda m, x: m.batchnorm_forward(
        x, np.ones(3), np.zeros(3), {"mode": "train"}
    ),
    "batchnorm-backward": lambda m, x: m.batchnorm_backward(x, None),
    "spatial-batchnorm": lambda m, x: m.spatial_batchnorm_forward(
        x.reshape(2, 3, 1, 2), np.ones(3), np.zeros(3), {"mode": "train"}
    ),
    "layernorm": lambda m, x: m.layernorm_forward(x, np.ones(3), np.zeros(3), {}),
    "groupnorm": lambda m, x: m.spatial_groupnorm_forward(
        x.reshape(2, 3, 1, 2), np.ones((1, 3, 1, 1)), np.zeros((1, 3, 1, 1)), 3, {}
    ),
    "bn-fold": lambda m, x: m.fold_bn_into_conv(
        x.reshape(4, 3, 1, 1), None, np.ones(4), np.zeros(4), np.zeros(4), np.ones(4), 1e-5
    ),
}


@pytest.mark.parametrize("xid", sorted(STARTER_CALLS))
def test_numpy_starters_are_not_solutions(xid):
    x = np.arange(12.0).reshape(4, 3)
    with pytest.raises(NotImplementedError):
        STARTER_CALLS[xid](starter(xid), x)
