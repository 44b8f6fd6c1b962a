"""Spatial batch, layer, group and instance norm against PyTorch float64 autograd."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given, settings
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

# Odd, non-square spatial shapes on purpose: a transposed H and W would go unnoticed on
# square inputs.
spatial = st.tuples(st.integers(1, 4), st.integers(1, 5), st.integers(1, 4), st.integers(1, 3))

common = dict(
    dtype=st.sampled_from(DTYPES),
    eps=eps_values,
    offset=offsets,
    spread=spreads,
    zero_var=st.booleans(),
    seed=seeds,
)


def check(ours, theirs, tol, dtype, names=("out", "dx", "dgamma", "dbeta")):
    for a, b, name in zip(ours, theirs, names, strict=True):
        assert a.dtype == dtype, f"{name} dtype {a.dtype}"
        assert_close(a, b, tol[name], name)


@settings(max_examples=40, deadline=None)
@given(shape=spatial, **common)
def test_spatial_batchnorm_matches_torch(shape, dtype, eps, offset, spread, zero_var, seed):
    N, C, H, W = shape
    assume(N * H * W > 1)
    x = make_data(seed, shape, offset, spread, 1, zero_var).astype(dtype)
    gamma, beta = (a.astype(dtype) for a in params(seed, C))
    dout = make_data(seed + 2, shape, 0.0, 1.0).astype(dtype)
    out, cache = ref.spatial_batchnorm_forward(x, gamma, beta, {"mode": "train", "eps": eps})
    theirs = forward_backward(
        lambda xt, gt, bt: F.batch_norm(xt, None, None, gt, bt, True, 0.0, eps),
        x,
        gamma,
        beta,
        dout,
    )
    ours = (out, *ref.spatial_batchnorm_backward(dout, cache))
    check(ours, theirs, norm_bounds(x, gamma, beta, dout, eps, dtype, (0, 2, 3)), dtype)


@settings(max_examples=40, deadline=None)
@given(N=st.integers(1, 6), D=st.integers(1, 9), **common)
def test_layernorm_matches_torch(N, D, dtype, eps, offset, spread, zero_var, seed):
    # zero_var makes example 0 constant: layer norm's statistics are per row.
    x = make_data(seed, (N, D), offset, spread, 0, zero_var).astype(dtype)
    gamma, beta = (a.astype(dtype) for a in params(seed, D))
    dout = make_data(seed + 2, (N, D), 0.0, 1.0).astype(dtype)
    out, cache = ref.layernorm_forward(x, gamma, beta, {"eps": eps})
    theirs = forward_backward(
        lambda xt, gt, bt: F.layer_norm(xt, (D,), gt, bt, eps), x, gamma, beta, dout
    )
    ours = (out, *ref.layernorm_backward(dout, cache))
    check(ours, theirs, norm_bounds(x, gamma, beta, dout, eps, dtype, (1,)), dtype)


@settings(max_examples=40, deadline=None)
@given(shape=spatial, groups=st.integers(1, 4), **common)
def test_groupnorm_matches_torch(shape, groups, dtype, eps, offset, spread, zero_var, seed):
    N, Cg, H, W = shape
    # torch.nn.functional.group_norm refuses (N * C // G) * H * W == 1 (its
    # _verify_batch_size check); ours is defined there (x_hat = 0).
    assume(N * Cg * H * W > 1)
    C, G = Cg * groups, groups  # C divisible by G by construction
    shape = (N, C, H, W)
    x = make_data(seed, shape, offset, spread, 0, zero_var).astype(dtype)
    gamma, beta = (a.astype(dtype).reshape(1, C, 1, 1) for a in params(seed, C))
    dout = make_data(seed + 2, shape, 0.0, 1.0).astype(dtype)
    out, cache = ref.spatial_groupnorm_forward(x, gamma, beta, G, {"eps": eps})
    dx, dgamma, dbeta = ref.spatial_groupnorm_backward(dout, cache)
    assert dgamma.shape == dbeta.shape == (1, C, 1, 1)
    t_out, t_dx, t_dgamma, t_dbeta = forward_backward(
        lambda xt, gt, bt: F.group_norm(xt, G, gt, bt, eps),
        x,
        gamma.reshape(C),
        beta.reshape(C),
        dout,
    )
    # Bounds per (example, group): compare in the grouped view (N, G, C // G, H, W).
    grouped = (N, G, C // G, H, W)
    tol = norm_bounds(x.reshape(grouped), gamma, beta, dout, eps, dtype, (2, 3, 4))
    check(
        (out.reshape(grouped), dx.reshape(grouped), dgamma.reshape(C), dbeta.reshape(C)),
        (t_out.reshape(grouped), t_dx.reshape(grouped), t_dgamma, t_dbeta),
        tol,
        dtype,
    )


@settings(max_examples=40, deadline=None)
@given(shape=spatial, **common)
def test_instancenorm_matches_torch(shape, dtype, eps, offset, spread, zero_var, seed):
    N, C, H, W = shape
    assume(H * W > 1)  # torch: "Expected more than 1 spatial element when training"
    x = make_data(seed, shape, offset, spread, 1, zero_var).astype(dtype)
    gamma, beta = (a.astype(dtype) for a in params(seed, C))
    dout = make_data(seed + 2, shape, 0.0, 1.0).astype(dtype)
    out, cache = ref.instancenorm_forward(x, gamma, beta, {"eps": eps})
    theirs = forward_backward(
        lambda xt, gt, bt: F.instance_norm(xt, weight=gt, bias=bt, eps=eps), x, gamma, beta, dout
    )
    ours = (out, *ref.instancenorm_backward(dout, cache))
    check(ours, theirs, norm_bounds(x, gamma, beta, dout, eps, dtype, (2, 3)), dtype)


def test_groupnorm_extremes_are_layer_and_instance_norm():
    # G = 1 normalizes over (C, H, W) like layer norm on the flattened example; G = C is
    # instance norm. Same float64 arithmetic up to summation order: atol 1e-12.
    x = make_data(5, (2, 6, 3, 2), 1.0, 3.0)
    gamma, beta = params(5, 6)
    g4, b4 = gamma.reshape(1, 6, 1, 1), beta.reshape(1, 6, 1, 1)
    ones, zeros = np.ones(36), np.zeros(36)
    ln_out, _ = ref.layernorm_forward(x.reshape(2, 36), ones, zeros, {})
    gn1, _ = ref.spatial_groupnorm_forward(x, np.ones((1, 6, 1, 1)), np.zeros((1, 6, 1, 1)), 1, {})
    np.testing.assert_allclose(gn1.reshape(2, 36), ln_out, rtol=0, atol=1e-12)
    in_out, _ = ref.instancenorm_forward(x, gamma, beta, {})
    gnC, _ = ref.spatial_groupnorm_forward(x, g4, b4, 6, {})
    np.testing.assert_allclose(gnC, in_out, rtol=0, atol=1e-12)


def test_groupnorm_rejects_groups_that_do_not_divide_channels():
    with pytest.raises(ValueError, match="must divide"):
        ref.spatial_groupnorm_forward(np.ones((1, 6, 2, 2)), np.ones(6), np.zeros(6), 4, {})


@pytest.mark.parametrize("dtype", DTYPES)
def test_inputs_unmodified_and_dtype_preserved(dtype):
    x = make_data(1, (2, 4, 3, 5), 2.0, 1.0).astype(dtype)
    dout = make_data(2, x.shape, 0.0, 1.0).astype(dtype)
    gamma, beta = (a.astype(dtype) for a in params(1, 4))
    g4, b4 = gamma.reshape(1, 4, 1, 1), beta.reshape(1, 4, 1, 1)
    x2, dout2 = x.reshape(2, 60), dout.reshape(2, 60)
    g60, b60 = (a.astype(dtype) for a in params(1, 60))
    layers = [
        (
            ref.spatial_batchnorm_forward,
            ref.spatial_batchnorm_backward,
            (x, gamma, beta, {"mode": "train"}),
            dout,
        ),
        (ref.layernorm_forward, ref.layernorm_backward, (x2, g60, b60, {}), dout2),
        (ref.spatial_groupnorm_forward, ref.spatial_groupnorm_backward, (x, g4, b4, 2, {}), dout),
        (ref.instancenorm_forward, ref.instancenorm_backward, (x, gamma, beta, {}), dout),
    ]
    for forward, backward, args, d in layers:
        arrays = [a for a in (*args, d) if isinstance(a, np.ndarray)]
        copies = [a.copy() for a in arrays]
        out, cache = forward(*args)
        grads = backward(d, cache)
        assert all(a.dtype == dtype for a in (out, *grads)), forward.__name__
        for before, after in zip(copies, arrays, strict=True):
            np.testing.assert_array_equal(before, after, err_msg=forward.__name__)
