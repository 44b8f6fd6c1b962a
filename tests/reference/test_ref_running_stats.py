"""Running statistics: both conventions over multi-step train -> test trajectories.

The pytorch convention is checked against the real ``torch.nn.BatchNorm1d`` module (its
buffers, num_batches_tracked, eval output). The cs231n convention is checked against torch
too, through an exact correspondence: with the mean buffer and the variance buffer both
started at 0 and torch momentum = 1 - m, torch's running_mean equals cs231n's, and torch's
running_var (a weighted sum of unbiased variances) equals cs231n's times n / (n - 1).
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import reference as ref
from tests.reference._helpers import (
    DTYPES,
    U,
    assert_close,
    eps_values,
    make_data,
    offsets,
    params,
    seeds,
    spreads,
)

torch = pytest.importorskip("torch")
F = torch.nn.functional


def stat_bounds(batches: list[np.ndarray], dtype) -> tuple[np.ndarray, np.ndarray]:
    """Per-feature bounds on running_mean / running_var errors after these batches.

    mean: error ~ u * max|x|. var: x - mu carries u * max|x| absolute error, so the
    variance (a mean of squares of it) carries ~ 2 * u * max|x| * std, plus u * var.
    Errors from earlier steps are damped by the momentum, so a sum over steps bounds them.
    """
    u = U[np.dtype(dtype)]
    n = batches[0].shape[0]
    growth = 64 * u * np.sqrt(n) * len(batches)
    big = np.max([np.abs(b).max(axis=0) for b in batches], axis=0)  # (D,)
    var = np.max([b.astype(np.float64).var(axis=0, ddof=1) for b in batches], axis=0)
    return growth * (big + 1), growth * (big * np.sqrt(var) + var + 1)


@settings(max_examples=40, deadline=None)
@given(
    steps=st.integers(1, 5),
    N=st.integers(2, 10),
    D=st.integers(1, 5),
    dtype=st.sampled_from(DTYPES),
    momentum=st.sampled_from([0.1, 0.1, 0.5, 1.0, 0.0, None]),
    eps=eps_values,
    offset=offsets,
    spread=spreads,
    seed=seeds,
)
def test_pytorch_convention_matches_torch_module(
    steps, N, D, dtype, momentum, eps, offset, spread, seed
):
    gamma, beta = (a.astype(dtype) for a in params(seed, D))
    module = torch.nn.BatchNorm1d(D, eps=eps, momentum=momentum, dtype=torch.float64)
    with torch.no_grad():
        module.weight.copy_(torch.tensor(gamma.astype(np.float64)))
        module.bias.copy_(torch.tensor(beta.astype(np.float64)))
    bn_param = {"mode": "train", "eps": eps, "convention": "pytorch", "momentum": momentum}

    batches = [make_data(seed + k, (N, D), offset, spread).astype(dtype) for k in range(steps)]
    for x in batches:
        ref.batchnorm_forward(x, gamma, beta, bn_param)
        module.train()(torch.tensor(x.astype(np.float64)))
        assert bn_param["running_mean"].dtype == bn_param["running_var"].dtype == dtype

    mean_tol, var_tol = stat_bounds(batches, dtype)
    assert bn_param["num_batches_tracked"] == int(module.num_batches_tracked) == steps
    assert_close(bn_param["running_mean"], module.running_mean.numpy(), mean_tol, "mean")
    assert_close(bn_param["running_var"], module.running_var.numpy(), var_tol, "var")

    # Eval: normalizes with the buffers and leaves them untouched.
    bn_param["mode"] = "test"
    before = {k: np.copy(v) for k, v in bn_param.items() if k.startswith("running")}
    x = make_data(seed + 99, (N, D), offset, spread).astype(dtype)
    out, _ = ref.batchnorm_forward(x, gamma, beta, bn_param)
    t_out = module.eval()(torch.tensor(x.astype(np.float64))).detach().numpy()
    for k, v in before.items():
        np.testing.assert_array_equal(bn_param[k], v)
    assert bn_param["num_batches_tracked"] == steps
    # Output error: the buffer error over sqrt(running_var + eps), plus rounding of
    # gamma * (x - running_mean) / sqrt(...) relative to max|x| / sqrt(running_var + eps).
    sd = np.sqrt(module.running_var.numpy() + eps)
    big = np.abs(x).max(axis=0) + np.abs(module.running_mean.numpy())
    out_tol = (
        np.abs(gamma) * (mean_tol + var_tol * big / sd**2 + 64 * U[np.dtype(dtype)] * big) / sd
    )
    assert_close(out, t_out, out_tol + 64 * U[np.dtype(dtype)] * np.abs(beta), "eval out")


@settings(max_examples=40, deadline=None)
@given(
    steps=st.integers(1, 5),
    N=st.integers(2, 10),
    D=st.integers(1, 5),
    dtype=st.sampled_from(DTYPES),
    momentum=st.sampled_from([0.9, 0.9, 0.5, 0.99, 0.0, 1.0]),
    offset=offsets,
    spread=spreads,
    seed=seeds,
)
def test_cs231n_convention_matches_rescaled_torch(
    steps, N, D, dtype, momentum, offset, spread, seed
):
    gamma, beta = (a.astype(dtype) for a in params(seed, D))
    bn_param = {"mode": "train", "momentum": momentum}  # cs231n is the default convention
    rm, rv = torch.zeros(D, dtype=torch.float64), torch.zeros(D, dtype=torch.float64)
    batches = [make_data(seed + k, (N, D), offset, spread).astype(dtype) for k in range(steps)]
    for x in batches:
        ref.batchnorm_forward(x, gamma, beta, bn_param)
        F.batch_norm(
            torch.tensor(x.astype(np.float64)), rm, rv, None, None, True, 1 - momentum, 1e-5
        )

    mean_tol, var_tol = stat_bounds(batches, dtype)
    assert "num_batches_tracked" not in bn_param
    assert_close(bn_param["running_mean"], rm.numpy(), mean_tol, "cs231n mean")
    assert_close(bn_param["running_var"], rv.numpy() * (N - 1) / N, var_tol, "cs231n var")


def test_conventions_differ_on_a_worked_example():
    # One step from fresh buffers on the column [0, 2]: batch mean 1, biased var 1,
    # unbiased var 2. Worked by hand from each convention's definition.
    x = np.array([[0.0], [2.0]])
    cs = {"mode": "train"}
    pt = {"mode": "train", "convention": "pytorch"}
    ref.batchnorm_forward(x, np.ones(1), np.zeros(1), cs)
    ref.batchnorm_forward(x, np.ones(1), np.zeros(1), pt)
    # cs231n: 0.9 * 0 + 0.1 * 1 for both (var starts at 0, stores biased var 1).
    np.testing.assert_allclose(cs["running_mean"], [0.1], rtol=1e-15)
    np.testing.assert_allclose(cs["running_var"], [0.1], rtol=1e-15)
    # pytorch: 0.9 * 0 + 0.1 * 1 for the mean; 0.9 * 1 + 0.1 * 2 for the variance.
    np.testing.assert_allclose(pt["running_mean"], [0.1], rtol=1e-15)
    np.testing.assert_allclose(pt["running_var"], [1.1], rtol=1e-15)
    assert pt["num_batches_tracked"] == 1


def test_momentum_none_is_a_cumulative_average():
    # With momentum=None the buffers are the plain average of the batch statistics.
    batches = [make_data(k, (4, 3), 1.0, 2.0) for k in range(5)]
    bn_param = {"mode": "train", "convention": "pytorch", "momentum": None}
    for x in batches:
        ref.batchnorm_forward(x, np.ones(3), np.zeros(3), bn_param)
    # rtol 1e-13: five float64 updates of O(1) values.
    np.testing.assert_allclose(
        bn_param["running_mean"], np.mean([b.mean(0) for b in batches], 0), rtol=1e-13
    )
    np.testing.assert_allclose(
        bn_param["running_var"], np.mean([b.var(0, ddof=1) for b in batches], 0), rtol=1e-13
    )


@pytest.mark.parametrize("shape", [(1, 3), (1, 3, 1, 1)])
def test_pytorch_convention_rejects_one_value_per_channel_like_torch(shape):
    x = np.ones(shape)
    C = shape[1]
    bn_param = {"mode": "train", "convention": "pytorch"}
    with pytest.raises(ValueError, match="Expected more than 1 value per channel"):
        if len(shape) == 2:
            ref.batchnorm_forward(x, np.ones(C), np.zeros(C), bn_param)
        else:
            ref.spatial_batchnorm_forward(x, np.ones(C), np.zeros(C), bn_param)
    assert bn_param == {"mode": "train", "convention": "pytorch"}  # nothing half-updated
    # The fact itself, checked against torch.
    with pytest.raises(ValueError, match="Expected more than 1 value per channel"):
        F.batch_norm(torch.ones(shape), None, None, training=True)


@pytest.mark.parametrize("dtype", DTYPES)
def test_cs231n_convention_defines_a_batch_of_one(dtype):
    # N = 1: x - mu = 0, so x_hat = 0 and out = beta; the running mean moves toward x and
    # the (biased) running variance toward 0.
    x = np.array([[3.0, -1.0]], dtype)
    beta = np.array([0.25, -4.0], dtype)
    bn_param = {"mode": "train", "running_var": np.ones(2, dtype)}
    out, cache = ref.batchnorm_forward(x, np.array([2.0, 3.0], dtype), beta, bn_param)
    np.testing.assert_array_equal(out, beta[None, :])
    np.testing.assert_allclose(bn_param["running_mean"], 0.1 * x[0], rtol=4 * U[np.dtype(dtype)])
    np.testing.assert_allclose(bn_param["running_var"], [0.9, 0.9], rtol=4 * U[np.dtype(dtype)])
    dx, _, _ = ref.batchnorm_backward_alt(np.ones_like(x), cache)
    np.testing.assert_array_equal(dx, np.zeros_like(x))  # out does not depend on x


def test_bn_param_errors_are_clear():
    x, g, b = np.ones((2, 1)), np.ones(1), np.zeros(1)
    with pytest.raises(KeyError, match="mode"):
        ref.batchnorm_forward(x, g, b, {})
    with pytest.raises(ValueError, match="'train' or 'test'"):
        ref.batchnorm_forward(x, g, b, {"mode": "eval"})
    with pytest.raises(ValueError, match="convention"):
        ref.batchnorm_forward(x, g, b, {"mode": "train", "convention": "keras"})
    with pytest.raises(ValueError, match="shape"):
        ref.batchnorm_forward(x, g, b, {"mode": "test", "running_mean": np.zeros(3)})
    assert ref.CONVENTIONS == ("cs231n", "pytorch")


@pytest.mark.parametrize("convention", ref.CONVENTIONS)
def test_fresh_buffers_start_where_the_convention_starts_them(convention):
    # Test mode before any training: cs231n uses mean 0 / var 0, pytorch mean 0 / var 1.
    x = np.array([[2.0]])
    bn_param = {"mode": "test", "convention": convention, "eps": 1e-5}
    out, _ = ref.batchnorm_forward(x, np.ones(1), np.zeros(1), bn_param)
    var = 0.0 if convention == "cs231n" else 1.0
    np.testing.assert_allclose(out, [[2.0 / np.sqrt(var + 1e-5)]], rtol=1e-14)
    assert "running_mean" not in bn_param


@settings(max_examples=20, deadline=None)
@given(
    shape=st.tuples(st.integers(1, 3), st.integers(1, 3), st.integers(1, 4), st.integers(2, 3)),
    momentum=st.sampled_from([0.1, None]),
    dtype=st.sampled_from(DTYPES),
    seed=seeds,
)
def test_spatial_pytorch_convention_matches_batchnorm2d(shape, momentum, dtype, seed):
    # The unbiased correction uses n = N * H * W values per channel, not N.
    N, C, H, W = shape
    gamma, beta = (a.astype(dtype) for a in params(seed, C))
    module = torch.nn.BatchNorm2d(C, momentum=momentum, dtype=torch.float64)
    with torch.no_grad():
        module.weight.copy_(torch.tensor(gamma.astype(np.float64)))
        module.bias.copy_(torch.tensor(beta.astype(np.float64)))
    bn_param = {"mode": "train", "convention": "pytorch", "momentum": momentum}
    batches = [make_data(seed + k, shape, 1.0, 2.0).astype(dtype) for k in range(3)]
    for x in batches:
        ref.spatial_batchnorm_forward(x, gamma, beta, bn_param)
        module.train()(torch.tensor(x.astype(np.float64)))
    rows = [b.transpose(0, 2, 3, 1).reshape(-1, C) for b in batches]
    mean_tol, var_tol = stat_bounds(rows, dtype)
    assert_close(bn_param["running_mean"], module.running_mean.numpy(), mean_tol, "mean")
    assert_close(bn_param["running_var"], module.running_var.numpy(), var_tol, "var")

    bn_param["mode"] = "test"
    x = batches[0]
    out, _ = ref.spatial_batchnorm_forward(x, gamma, beta, bn_param)
    t_out = module.eval()(torch.tensor(x.astype(np.float64))).detach().numpy()
    # O(1)-conditioned data (offset 1, spread 2, buffers close to it): 1e4 * u covers the
    # buffers' own error propagated through the affine map.
    assert_close(out, t_out, 1e4 * U[np.dtype(dtype)], "eval out")


def test_running_stats_are_stored_in_the_input_dtype():
    # float64 buffers handed in with float32 data come back as new float32 arrays.
    x = make_data(0, (4, 2), 0.0, 1.0).astype(np.float32)
    running_mean, running_var = np.zeros(2), np.ones(2)
    for convention in ref.CONVENTIONS:
        bn_param = {
            "mode": "train",
            "convention": convention,
            "running_mean": running_mean,
            "running_var": running_var,
        }
        out, _ = ref.batchnorm_forward(x, np.ones(2), np.zeros(2), bn_param)
        assert out.dtype == np.float32
        assert bn_param["running_mean"].dtype == bn_param["running_var"].dtype == np.float32
    assert running_mean.dtype == np.float64 and not running_mean.any()  # untouched


def test_update_running_stats_directly():
    # The public helper: batch mean / biased var over n values, written into bn_param.
    bn_param = {"convention": "pytorch", "momentum": 0.5}
    mean, var = ref.update_running_stats(bn_param, np.array([2.0]), np.array([3.0]), 4)
    # (1 - 0.5) * 0 + 0.5 * 2 = 1;  (1 - 0.5) * 1 + 0.5 * 3 * 4/3 = 2.5 (hand-computed)
    np.testing.assert_allclose(mean, [1.0], rtol=1e-15)
    np.testing.assert_allclose(var, [2.5], rtol=1e-15)
    assert bn_param["running_var"] is var and bn_param["num_batches_tracked"] == 1
