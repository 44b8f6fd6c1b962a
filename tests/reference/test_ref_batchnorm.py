"""Batch norm (N, D): forward and both backward forms against PyTorch float64 autograd."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import reference as ref
from tests.reference._helpers import (
    DTYPES,
    assert_close,
    eps_values,
    make_data,
    norm_bounds,
    offsets,
    params,
    seeds,
    spreads,
)

torch = pytest.importorskip("torch")
F = torch.nn.functional

from tests.reference._torch_oracle import forward_backward  # noqa: E402

BACKWARDS = (ref.batchnorm_backward, ref.batchnorm_backward_alt)


def torch_bn_train(x, gamma, beta, dout, eps):
    return forward_backward(
        lambda xt, gt, bt: F.batch_norm(xt, None, None, gt, bt, True, 0.0, eps),
        x,
        gamma,
        beta,
        dout,
    )


@settings(max_examples=60, deadline=None)
@given(
    N=st.integers(2, 12),
    D=st.integers(1, 6),
    dtype=st.sampled_from(DTYPES),
    eps=eps_values,
    offset=offsets,
    spread=spreads,
    zero_var=st.booleans(),
    convention=st.sampled_from(ref.CONVENTIONS),
    seed=seeds,
)
def test_train_forward_and_gradients_match_torch(
    N, D, dtype, eps, offset, spread, zero_var, convention, seed
):
    x = make_data(seed, (N, D), offset, spread, 1, zero_var).astype(dtype)
    gamma, beta = (a.astype(dtype) for a in params(seed, D))
    dout = make_data(seed + 2, (N, D), 0.0, 1.0).astype(dtype)
    bn_param = {"mode": "train", "eps": eps, "convention": convention}

    out, cache = ref.batchnorm_forward(x, gamma, beta, bn_param)
    # Truth: torch float64 on exactly the same (already dtype-rounded) numbers.
    t_out, t_dx, t_dgamma, t_dbeta = torch_bn_train(x, gamma, beta, dout, eps)
    tol = norm_bounds(x, gamma, beta, dout, eps, dtype, (0,))

    assert out.dtype == dtype
    assert_close(out, t_out, tol["out"], "out")
    for backward in BACKWARDS:
        dx, dgamma, dbeta = backward(dout, cache)
        assert dx.dtype == dgamma.dtype == dbeta.dtype == dtype, backward.__name__
        assert_close(dx, t_dx, tol["dx"], f"dx ({backward.__name__})")
        assert_close(dgamma, t_dgamma, tol["dgamma"], f"dgamma ({backward.__name__})")
        assert_close(dbeta, t_dbeta, tol["dbeta"], f"dbeta ({backward.__name__})")


@settings(max_examples=30, deadline=None)
@given(
    N=st.integers(1, 9),
    D=st.integers(1, 5),
    dtype=st.sampled_from(DTYPES),
    eps=eps_values,
    offset=offsets,
    seed=seeds,
)
def test_test_mode_matches_torch_eval(N, D, dtype, eps, offset, seed):
    x = make_data(seed, (N, D), offset, 1.0).astype(dtype)
    gamma, beta = (a.astype(dtype) for a in params(seed, D))
    dout = make_data(seed + 2, (N, D), 0.0, 1.0).astype(dtype)
    rng = np.random.default_rng(seed + 3)
    running_mean = (offset + rng.standard_normal(D)).astype(dtype)
    running_var = rng.uniform(0.1, 3.0, D).astype(dtype)
    bn_param = {
        "mode": "test",
        "eps": eps,
        "running_mean": running_mean,
        "running_var": running_var,
    }

    out, cache = ref.batchnorm_forward(x, gamma, beta, bn_param)
    rm, rv = (torch.tensor(a, dtype=torch.float64) for a in (running_mean, running_var))
    t_out, t_dx, t_dgamma, t_dbeta = forward_backward(
        lambda xt, gt, bt: F.batch_norm(xt, rm, rv, gt, bt, False, 0.1, eps),
        x,
        gamma,
        beta,
        dout,
    )
    # Test mode is an affine map per feature; x - running_mean is the only cancellation,
    # so the error is relative to max|x| / sqrt(running_var + eps).
    u = float(np.finfo(dtype).eps)
    scale = np.abs(gamma) * (np.abs(x).max(axis=0) + np.abs(running_mean)) / np.sqrt(
        running_var.astype(np.float64) + eps
    ) + np.abs(beta)
    assert_close(out, t_out, 16 * u * scale, "out")
    for backward in BACKWARDS:
        dx, dgamma, dbeta = backward(dout, cache)
        assert_close(dx, t_dx, 16 * u * np.abs(gamma) / np.sqrt(running_var + eps), "dx")
        assert_close(dgamma, t_dgamma, 16 * u * N * (1 + scale), "dgamma")
        assert_close(dbeta, t_dbeta, 16 * u * N * np.abs(dout).max(), "dbeta")


@settings(max_examples=40, deadline=None)
@given(
    N=st.integers(1, 12),
    D=st.integers(1, 6),
    dtype=st.sampled_from(DTYPES),
    offset=offsets,
    spread=spreads,
    zero_var=st.booleans(),
    seed=seeds,
)
def test_both_backward_forms_agree(N, D, dtype, offset, spread, zero_var, seed):
    x = make_data(seed, (N, D), offset, spread, 1, zero_var).astype(dtype)
    gamma, beta = (a.astype(dtype) for a in params(seed, D))
    dout = make_data(seed + 2, (N, D), 0.0, 1.0).astype(dtype)
    _, cache = ref.batchnorm_forward(x, gamma, beta, {"mode": "train"})
    tol = norm_bounds(x, gamma, beta, dout, 1e-5, dtype, (0,))
    for a, b, name in zip(
        ref.batchnorm_backward(dout, cache),
        ref.batchnorm_backward_alt(dout, cache),
        ("dx", "dgamma", "dbeta"),
        strict=True,
    ):
        assert_close(a, b, tol[name], name)


@pytest.mark.parametrize("mode", ["train", "test"])
def test_gradients_match_finite_differences_float64(mode):
    # Central differences of L = sum(out * dout): truncation error ~ h^2 * f''' ~ 1e-12
    # and rounding error ~ u * |L| / h ~ 1e-10 with h = 1e-6, so atol 1e-7 is ample yet
    # far below a wrong gradient (O(1) differences).
    N, D, h = 5, 3, 1e-6
    x = make_data(7, (N, D), 2.0, 1.5)
    gamma, beta = params(7, D)
    dout = make_data(8, (N, D), 0.0, 1.0)
    stats = {"running_mean": np.array([1.0, -2.0, 0.5]), "running_var": np.ones(D) * 2}

    def loss(x, gamma, beta):
        out, _ = ref.batchnorm_forward(x, gamma, beta, {"mode": mode, **stats})
        return float((out * dout).sum())

    def numeric(f, a):
        grad = np.zeros_like(a)
        for i in np.ndindex(a.shape):
            plus, minus = a.copy(), a.copy()
            plus[i] += h
            minus[i] -= h
            grad[i] = (f(plus) - f(minus)) / (2 * h)
        return grad

    _, cache = ref.batchnorm_forward(x, gamma, beta, {"mode": mode, **stats})
    expected = (
        numeric(lambda a: loss(a, gamma, beta), x),
        numeric(lambda a: loss(x, a, beta), gamma),
        numeric(lambda a: loss(x, gamma, a), beta),
    )
    for backward in BACKWARDS:
        for got, want, name in zip(
            backward(dout, cache), expected, ("dx", "dg", "db"), strict=True
        ):
            np.testing.assert_allclose(got, want, rtol=0, atol=1e-7, err_msg=name)


def test_large_offset_small_spread_stays_accurate_in_float64():
    # 1e4 + 1e-2 * noise: a one-pass variance E[x^2] - E[x]^2 cancels ~1e8 against ~1e8 and
    # keeps ~8 of float64's 16 digits (error ~1e-8 in var ~1e-4, i.e. 1e-4 relative),
    # while the two-pass variance keeps ~12. Bound 1e-9 on x_hat separates the two.
    x = make_data(11, (64, 4), 1e4, 1e-2)
    gamma, beta = np.ones(4), np.zeros(4)
    out, _ = ref.batchnorm_forward(x, gamma, beta, {"mode": "train", "eps": 1e-12})
    t_out, *_ = torch_bn_train(x, gamma, beta, np.ones_like(x), 1e-12)
    np.testing.assert_allclose(out, t_out, rtol=0, atol=1e-9)
    np.testing.assert_allclose(out.mean(axis=0), 0, atol=1e-9)
    np.testing.assert_allclose(out.std(axis=0), 1, atol=1e-9)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("mode", ["train", "test"])
def test_inputs_are_not_modified(dtype, mode):
    x = make_data(3, (6, 4), 1.0, 2.0).astype(dtype)
    gamma, beta = (a.astype(dtype) for a in params(3, 4))
    dout = make_data(4, (6, 4), 0.0, 1.0).astype(dtype)
    running_mean, running_var = np.full(4, 0.5, dtype), np.full(4, 2.0, dtype)
    bn_param = {"mode": mode, "running_mean": running_mean, "running_var": running_var}
    copies = [a.copy() for a in (x, gamma, beta, dout, running_mean, running_var)]

    out, cache = ref.batchnorm_forward(x, gamma, beta, bn_param)
    for backward in BACKWARDS:
        backward(dout, cache)
    for before, after in zip(
        copies, (x, gamma, beta, dout, running_mean, running_var), strict=True
    ):
        np.testing.assert_array_equal(before, after)
    # Running statistics are written back as new arrays, never into the caller's buffers.
    assert bn_param["running_mean"] is not running_mean or mode == "test"


def test_integer_input_is_computed_in_float64():
    # No native float precision to preserve: integers are promoted, not truncated.
    out, cache = ref.batchnorm_forward(
        np.array([[1, 2], [3, 6]]), np.ones(2), np.zeros(2), {"mode": "train"}
    )
    assert out.dtype == np.float64
    # Each column is {a, b}: x_hat = -+1 / sqrt(1 + eps / var) with var = ((b - a) / 2)^2.
    var = np.array([1.0, 4.0])
    np.testing.assert_allclose(out[1], 1 / np.sqrt(1 + 1e-5 / var), rtol=1e-14)
