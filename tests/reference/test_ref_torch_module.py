"""reference.torch: the autograd Function and the BatchNorm2d look-alike vs torch's own."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

from reference.torch import BatchNorm2d, BatchNormFunction  # noqa: E402

# O(1) data (standard normal inputs, gamma ~ U(0.5, 2)): float64 results agree to ~1e-14,
# so 1e-10 leaves room for summation-order differences and still catches any formula slip
# (an eps outside the sqrt moves outputs by ~5e-6). float32 rounds at ~6e-8 per step and
# torch's CPU kernels order their sums differently from ours: 1e-4 absolute.
ATOL = {torch.float64: 1e-10, torch.float32: 1e-4}

CONFIGS = {
    "default": {},
    "momentum=0.5": {"momentum": 0.5},
    "momentum=None": {"momentum": None},
    "affine=False": {"affine": False},
    "track_running_stats=False": {"track_running_stats": False},
    "eps=1e-3": {"eps": 1e-3},
}


def close(a: torch.Tensor | None, b: torch.Tensor | None, dtype, what: str) -> None:
    assert (a is None) == (b is None), what
    if a is not None:
        torch.testing.assert_close(a, b, rtol=0, atol=ATOL[dtype], msg=lambda m: f"{what}: {m}")


def paired(C: int, dtype, **config) -> tuple[BatchNorm2d, torch.nn.BatchNorm2d]:
    ours = BatchNorm2d(C, dtype=dtype, **config)
    if ours.weight is not None:
        with torch.no_grad():  # non-trivial gamma and beta, so their gradients matter
            ours.weight.uniform_(0.5, 2.0)
            ours.bias.normal_()
    theirs = torch.nn.BatchNorm2d(C, dtype=dtype, **config)
    theirs.load_state_dict(ours.state_dict())  # strict: same keys, shapes and dtypes
    return ours, theirs


def step(module: torch.nn.Module, x: torch.Tensor, dout: torch.Tensor):
    module.zero_grad()
    x = x.clone().requires_grad_(True)
    out = module(x)
    out.backward(dout)
    grads = [None if p is None else p.grad for p in (module.weight, module.bias)]
    return out.detach(), x.grad, *grads


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
@pytest.mark.parametrize("config", CONFIGS.values(), ids=CONFIGS.keys())
def test_module_matches_torch_over_train_then_eval(config, dtype):
    gen = torch.Generator().manual_seed(0)
    C = 3
    ours, theirs = paired(C, dtype, **config)
    for k in range(4):  # training: batch statistics, buffers updated each step
        x = torch.randn(2 + k, C, 5, 3, generator=gen, dtype=dtype) * 2 + 1
        dout = torch.randn(x.shape, generator=gen, dtype=dtype)
        for name, a, b in zip(
            ("out", "dx", "dgamma", "dbeta"),
            step(ours.train(), x, dout),
            step(theirs.train(), x, dout),
            strict=True,
        ):
            close(a, b, dtype, f"train step {k} {name}")
        for name, a in ours.named_buffers():
            b = getattr(theirs, name)
            if name == "num_batches_tracked":
                assert int(a) == int(b) == k + 1, f"step {k} num_batches_tracked"
            else:
                close(a, b, dtype, f"step {k} buffer {name}")

    x = torch.randn(3, C, 4, 7, generator=gen, dtype=dtype)
    dout = torch.randn(x.shape, generator=gen, dtype=dtype)
    buffers = {k: v.clone() for k, v in ours.named_buffers()}
    for name, a, b in zip(
        ("out", "dx", "dgamma", "dbeta"),
        step(ours.eval(), x, dout),
        step(theirs.eval(), x, dout),
        strict=True,
    ):
        close(a, b, dtype, f"eval {name}")
    for k, v in ours.named_buffers():
        assert torch.equal(v, buffers[k]), f"eval changed {k}"

    # After training, our state_dict loads into a fresh real module and gives its outputs.
    fresh = torch.nn.BatchNorm2d(C, dtype=dtype, **config).eval()
    fresh.load_state_dict(ours.state_dict())
    with torch.no_grad():
        close(fresh(x), ours(x), dtype, "fresh torch module from our state_dict")
    expected_keys = set()
    if config.get("affine", True):
        expected_keys |= {"weight", "bias"}
    if config.get("track_running_stats", True):
        expected_keys |= {"running_mean", "running_var", "num_batches_tracked"}
    assert set(ours.state_dict()) == expected_keys


def test_real_state_dict_loads_into_ours():
    gen = torch.Generator().manual_seed(1)
    theirs = torch.nn.BatchNorm2d(4, dtype=torch.float64)
    for _ in range(3):
        theirs(torch.randn(5, 4, 2, 3, generator=gen, dtype=torch.float64))
    ours = BatchNorm2d(4, dtype=torch.float64)
    ours.load_state_dict(theirs.state_dict())
    assert int(ours.num_batches_tracked) == 3
    x = torch.randn(2, 4, 3, 3, generator=gen, dtype=torch.float64)
    with torch.no_grad():
        close(ours.eval()(x), theirs.eval()(x), torch.float64, "eval after load")


@pytest.mark.parametrize("shape", [(4, 3), (2, 3, 5, 2), (1, 2, 3, 1), (3, 1, 1, 4)], ids=str)
@pytest.mark.parametrize("affine", [True, False])
def test_function_backward_passes_gradcheck(shape, affine):
    # gradcheck compares the hand-written backward with float64 central differences
    # (its default eps=1e-6, atol=1e-5, rtol=1e-3).
    gen = torch.Generator().manual_seed(2)
    x = (torch.randn(shape, generator=gen, dtype=torch.float64) * 3 + 2).requires_grad_(True)
    C = shape[1]
    gamma = torch.randn(C, generator=gen, dtype=torch.float64).requires_grad_(True)
    beta = torch.randn(C, generator=gen, dtype=torch.float64).requires_grad_(True)
    args = (x, gamma, beta) if affine else (x, None, None)
    assert torch.autograd.gradcheck(lambda *a: BatchNormFunction.apply(*a, 1e-5), args)


def test_function_matches_functional_batch_norm_on_odd_shape():
    gen = torch.Generator().manual_seed(3)
    x = torch.randn(3, 5, 2, 7, generator=gen, dtype=torch.float64) + 1e4  # large offset
    gamma, beta = torch.rand(5, dtype=torch.float64) + 0.5, torch.randn(5, dtype=torch.float64)
    ours = BatchNormFunction.apply(x, gamma, beta, 1e-5)
    theirs = torch.nn.functional.batch_norm(x, None, None, gamma, beta, True, 0.0, 1e-5)
    # Inputs ~1e4 with unit spread: x - mu carries ~1e4 * 2e-16 absolute error, so 1e-10
    # still holds on x_hat (~1e-12 expected).
    torch.testing.assert_close(ours, theirs, rtol=0, atol=1e-10)


@pytest.mark.parametrize("track", [True, False])
def test_one_value_per_channel_is_rejected_like_torch(track):
    x = torch.randn(1, 3, 1, 1)
    ours = BatchNorm2d(3, track_running_stats=track)
    theirs = torch.nn.BatchNorm2d(3, track_running_stats=track)
    for module in (ours, theirs):
        with pytest.raises(ValueError, match="Expected more than 1 value per channel"):
            module.train()(x)
        if track:  # eval uses the buffers: one value is fine
            assert module.eval()(x).shape == x.shape
        else:  # no buffers: eval uses batch statistics, so it is rejected too
            with pytest.raises(ValueError, match="Expected more than 1 value per channel"):
                module.eval()(x)
    if track:
        # The documented difference: torch counts the rejected batch, ours changes nothing.
        assert int(theirs.num_batches_tracked) == 1
        assert int(ours.num_batches_tracked) == 0
