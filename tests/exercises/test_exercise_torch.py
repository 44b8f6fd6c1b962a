"""torch-batchnorm2d, torch-bn-function and bn-fold against PyTorch's own layers, in float64."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from exercise_helpers import solution, starter

torch = pytest.importorskip("torch")
nn, F = torch.nn, torch.nn.functional

pytestmark = pytest.mark.torch

# float64 on both sides; only the order of operations differs, so differences are rounding-sized.
# 1e-10 is far below any real mismatch (biased vs unbiased variance differs by ~1/n ≥ 1e-3).
CLOSE = {"rtol": 1e-10, "atol": 1e-10}


# ---------------------------------------------------------------------------- torch-batchnorm2d

SETTINGS = list(itertools.product([0.1, 0.5, None], [True, False], [True, False]))


@pytest.mark.parametrize(("momentum", "affine", "track"), SETTINGS)
def test_batchnorm2d_matches_torch(momentum, affine, track):
    BatchNorm2d = solution("torch-batchnorm2d").BatchNorm2d
    kwargs = {"momentum": momentum, "affine": affine, "track_running_stats": track}
    mine, real = BatchNorm2d(3, **kwargs).double(), nn.BatchNorm2d(3, **kwargs).double()
    assert list(mine.state_dict()) == list(real.state_dict())
    assert [n for n, _ in mine.named_parameters()] == [n for n, _ in real.named_parameters()]
    g = torch.Generator().manual_seed(0)
    if affine:
        with torch.no_grad():
            for m in (mine, real):
                m.weight.copy_(torch.linspace(0.5, 2, 3))
                m.bias.copy_(torch.linspace(-1, 1, 3))
    for step in range(4):
        x = torch.randn(4, 3, 5, 2, generator=g, dtype=torch.float64) * 3 + step
        dout = torch.randn(4, 3, 5, 2, generator=g, dtype=torch.float64)
        xa, xb = x.clone().requires_grad_(), x.clone().requires_grad_()
        out_a, out_b = mine(xa), real(xb)
        torch.testing.assert_close(out_a, out_b, **CLOSE)
        (out_a * dout).sum().backward()
        (out_b * dout).sum().backward()
        torch.testing.assert_close(xa.grad, xb.grad, **CLOSE)
        if affine:
            torch.testing.assert_close(mine.weight.grad, real.weight.grad, **CLOSE)
            torch.testing.assert_close(mine.bias.grad, real.bias.grad, **CLOSE)
        for (name, a), (_, b) in zip(mine.named_buffers(), real.named_buffers(), strict=True):
            torch.testing.assert_close(a, b, **CLOSE, msg=f"buffer {name} after step {step}")
    mine.eval()
    real.eval()
    x = torch.randn(2, 3, 5, 2, generator=g, dtype=torch.float64)
    torch.testing.assert_close(mine(x), real(x), **CLOSE)
    # state_dicts travel both ways
    nn.BatchNorm2d(3, **kwargs).double().load_state_dict(mine.state_dict())
    BatchNorm2d(3, **kwargs).double().load_state_dict(real.state_dict())


@pytest.mark.parametrize("track", [True, False])
def test_batchnorm2d_refuses_one_value_per_channel(track):
    BatchNorm2d = solution("torch-batchnorm2d").BatchNorm2d
    with pytest.raises(ValueError):
        BatchNorm2d(3, track_running_stats=track)(torch.randn(1, 3, 1, 1))
    with pytest.raises(ValueError):
        nn.BatchNorm2d(3, track_running_stats=track)(torch.randn(1, 3, 1, 1))


def test_batchnorm2d_default_dtype_and_running_stats_need_no_grad():
    layer = solution("torch-batchnorm2d").BatchNorm2d(2)
    out = layer(torch.randn(3, 2, 2, 2))
    assert out.dtype == torch.float32
    assert not layer.running_mean.requires_grad
    assert layer.num_batches_tracked.dtype == torch.long and int(layer.num_batches_tracked) == 1


def test_batchnorm2d_starter_is_not_a_solution():
    with pytest.raises(NotImplementedError):
        starter("torch-batchnorm2d").BatchNorm2d(3)


# ---------------------------------------------------------------------------- torch-bn-function


@pytest.mark.parametrize(("n", "d"), [(2, 1), (5, 4), (16, 3)])
def test_bn_function_forward_and_gradcheck(n, d):
    fn = solution("torch-bn-function").BatchNormFunction
    g = torch.Generator().manual_seed(n * 10 + d)
    x = (torch.randn(n, d, generator=g, dtype=torch.float64) * 2 + 1).requires_grad_()
    gamma = torch.randn(d, generator=g, dtype=torch.float64).requires_grad_()
    beta = torch.randn(d, generator=g, dtype=torch.float64).requires_grad_()
    expected = F.batch_norm(x, None, None, gamma, beta, training=True, eps=1e-5)
    torch.testing.assert_close(fn.apply(x, gamma, beta, 1e-5), expected, **CLOSE)
    # gradcheck: finite differences (eps 1e-6) against backward, default tolerances for float64
    assert torch.autograd.gradcheck(lambda *a: fn.apply(*a, 1e-5), (x, gamma, beta))
    # only some inputs requiring grad
    assert torch.autograd.gradcheck(lambda a: fn.apply(a, gamma.detach(), beta.detach(), 0.1), (x,))


def test_bn_function_starter_is_not_a_solution():
    fn = starter("torch-bn-function").BatchNormFunction
    with pytest.raises(NotImplementedError):
        fn.apply(torch.randn(3, 2), torch.ones(2), torch.zeros(2), 1e-5)


# ---------------------------------------------------------------------------- bn-fold


@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize(
    ("c_in", "c_out", "k", "stride", "padding"), [(3, 4, 3, 1, 1), (2, 5, 1, 2, 0), (1, 2, 5, 1, 2)]
)
def test_bn_fold_matches_conv_then_bn(bias, c_in, c_out, k, stride, padding):
    fold = solution("bn-fold").fold_bn_into_conv
    rng = np.random.default_rng(c_in * 100 + c_out * 10 + k)
    w = rng.standard_normal((c_out, c_in, k, k))
    b = rng.standard_normal(c_out) if bias else None
    gamma, beta = rng.standard_normal(c_out), rng.standard_normal(c_out)
    mean = rng.standard_normal(c_out)
    var = np.geomspace(1e-6, 1e3, c_out)  # near zero and large
    eps = 1e-5
    inputs = [a.copy() for a in (w, gamma, beta, mean, var)] + ([b.copy()] if bias else [])
    w_f, b_f = fold(w, b, gamma, beta, mean, var, eps)
    for original, now in zip(
        inputs, [w, gamma, beta, mean, var] + ([b] if bias else []), strict=True
    ):
        np.testing.assert_array_equal(now, original)
    assert w_f.shape == w.shape and b_f.shape == (c_out,)
    x = torch.tensor(rng.standard_normal((2, c_in, 7, 6)))
    t = torch.tensor
    z = F.conv2d(x, t(w), None if b is None else t(b), stride=stride, padding=padding)
    expected = F.batch_norm(z, t(mean), t(var), t(gamma), t(beta), training=False, eps=eps)
    folded = F.conv2d(x, t(w_f), t(b_f), stride=stride, padding=padding)
    # Scale differs per channel by up to 1/sqrt(1e-6): compare relative to the output's size.
    torch.testing.assert_close(folded, expected, rtol=1e-9, atol=1e-9 * float(expected.abs().max()))


def test_bn_fold_keeps_float32():
    fold = solution("bn-fold").fold_bn_into_conv
    w = np.ones((2, 1, 1, 1), np.float32)
    v = np.ones(2, np.float32)
    w_f, b_f = fold(w, None, v, v, v, v, 1e-5)
    assert w_f.dtype == np.float32 and b_f.dtype == np.float32
