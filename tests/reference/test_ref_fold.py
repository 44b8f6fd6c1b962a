"""Batch-norm folding: conv -> BN(eval) equals the folded conv; the naive conv equals torch."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import reference as ref
from tests.reference._helpers import DTYPES, U, assert_close, make_data, params, seeds

torch = pytest.importorskip("torch")


def bn_stats(seed: int, F_: int, dtype) -> tuple[np.ndarray, ...]:
    rng = np.random.default_rng(seed + 5)
    gamma, beta = params(seed, F_)
    running_mean = rng.standard_normal(F_) * 3
    running_var = rng.uniform(0.05, 4.0, F_)
    return tuple(a.astype(dtype) for a in (gamma, beta, running_mean, running_var))


conv_shapes = st.tuples(
    st.integers(1, 3),  # N
    st.integers(1, 3),  # C
    st.integers(3, 7),  # H
    st.integers(3, 6),  # W: H != W often, so a swapped axis shows
    st.integers(1, 4),  # F
    st.integers(1, 3),  # KH
    st.integers(1, 3),  # KW
)


@settings(max_examples=30, deadline=None)
@given(
    shape=conv_shapes,
    stride=st.integers(1, 2),
    pad=st.integers(0, 2),
    bias=st.booleans(),
    dtype=st.sampled_from(DTYPES),
    seed=seeds,
)
def test_conv2d_forward_matches_torch(shape, stride, pad, bias, dtype, seed):
    N, C, H, W, F_, KH, KW = shape
    x = make_data(seed, (N, C, H, W), 0.5, 1.0).astype(dtype)
    w = make_data(seed + 1, (F_, C, KH, KW), 0.0, 1.0).astype(dtype)
    b = make_data(seed + 2, (F_,), 0.0, 1.0).astype(dtype) if bias else None
    out = ref.conv2d_forward(x, w, b, stride=stride, pad=pad)
    t = lambda a: None if a is None else torch.tensor(a.astype(np.float64))  # noqa: E731
    expected = torch.nn.functional.conv2d(t(x), t(w), t(b), stride=stride, padding=pad).numpy()
    # Each output is a sum of C*KH*KW products (+ bias): error ~ u * sum |x| |w|.
    magnitude = ref.conv2d_forward(
        np.abs(x).astype(np.float64), np.abs(w), None if b is None else np.abs(b), stride, pad
    )
    assert out.dtype == dtype
    assert_close(out, expected, 8 * U[np.dtype(dtype)] * C * KH * KW * (magnitude + 1), "conv")


@settings(max_examples=30, deadline=None)
@given(
    shape=conv_shapes,
    stride=st.integers(1, 2),
    pad=st.integers(0, 1),
    bias=st.booleans(),
    eps=st.sampled_from([1e-5, 1e-3]),
    dtype=st.sampled_from(DTYPES),
    seed=seeds,
)
def test_folded_conv_equals_conv_then_eval_bn(shape, stride, pad, bias, eps, dtype, seed):
    N, C, H, W, F_, KH, KW = shape
    x = make_data(seed, (N, C, H, W), 0.5, 1.0).astype(dtype)
    w = make_data(seed + 1, (F_, C, KH, KW), 0.0, 1.0).astype(dtype)
    b = make_data(seed + 2, (F_,), 0.0, 1.0).astype(dtype) if bias else None
    gamma, beta, running_mean, running_var = bn_stats(seed, F_, dtype)
    bn_param = {
        "mode": "test",
        "eps": eps,
        "running_mean": running_mean,
        "running_var": running_var,
    }

    z = ref.conv2d_forward(x, w, b, stride, pad)
    expected, _ = ref.spatial_batchnorm_forward(z, gamma, beta, bn_param)
    w_folded, b_folded = ref.fold_bn_into_conv(w, b, gamma, beta, running_mean, running_var, eps)
    got = ref.conv2d_forward(x, w_folded, b_folded, stride, pad)

    assert w_folded.dtype == b_folded.dtype == got.dtype == dtype
    assert w_folded.shape == w.shape and b_folded.shape == (F_,)
    # Both paths round ~C*KH*KW products and a few affine steps; errors are relative to
    # the largest intermediate, |scale| * (sum |x||w| + |b| + |running_mean|) + |beta|.
    scale = np.abs(gamma) / np.sqrt(running_var.astype(np.float64) + eps)
    magnitude = ref.conv2d_forward(
        np.abs(x).astype(np.float64), np.abs(w), None if b is None else np.abs(b), stride, pad
    )
    bound = (
        scale[:, None, None] * (magnitude + np.abs(running_mean)[:, None, None])
        + np.abs(beta)[:, None, None]
    )
    assert_close(got, expected, 16 * U[np.dtype(dtype)] * C * KH * KW * (bound + 1), "folded")

    # And against torch's own conv -> BatchNorm2d in eval mode (float64).
    conv = torch.nn.Conv2d(C, F_, (KH, KW), stride, pad, bias=bias, dtype=torch.float64)
    bn = torch.nn.BatchNorm2d(F_, eps=eps, dtype=torch.float64).eval()
    with torch.no_grad():
        conv.weight.copy_(torch.tensor(w.astype(np.float64)))
        if bias:
            conv.bias.copy_(torch.tensor(b.astype(np.float64)))
        for name, a in zip(
            ("weight", "bias", "running_mean", "running_var"),
            (gamma, beta, running_mean, running_var),
            strict=True,
        ):
            getattr(bn, name).copy_(torch.tensor(a.astype(np.float64)))
        t_out = bn(conv(torch.tensor(x.astype(np.float64)))).numpy()
    assert_close(got, t_out, 16 * U[np.dtype(dtype)] * C * KH * KW * (bound + 1), "vs torch")


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("bias", [True, False])
def test_folded_linear_equals_linear_then_eval_bn(dtype, bias):
    x = make_data(3, (7, 5), 1.0, 2.0).astype(dtype)
    w = make_data(4, (4, 5), 0.0, 1.0).astype(dtype)  # (out, in) like torch.nn.Linear
    b = make_data(5, (4,), 0.0, 1.0).astype(dtype) if bias else None
    gamma, beta, running_mean, running_var = bn_stats(3, 4, dtype)
    copies = [a.copy() for a in (x, w, gamma, beta, running_mean, running_var)]
    bn_param = {"mode": "test", "running_mean": running_mean, "running_var": running_var}

    z = x @ w.T + (0 if b is None else b)
    expected, _ = ref.batchnorm_forward(z, gamma, beta, bn_param)
    w_folded, b_folded = ref.fold_bn_into_linear(w, b, gamma, beta, running_mean, running_var, 1e-5)
    got = x @ w_folded.T + b_folded
    assert got.dtype == dtype
    # O(10)-sized values through ~5-term dot products: 1e3 * u is ample yet fails on any
    # algebra slip (e.g. forgetting beta or the mean shift moves outputs by O(1)).
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e3 * U[np.dtype(dtype)] * 10)
    for before, after in zip(copies, (x, w, gamma, beta, running_mean, running_var), strict=True):
        np.testing.assert_array_equal(before, after)
