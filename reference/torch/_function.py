"""Batch norm as a ``torch.autograd.Function`` with the hand-written backward.

The same mathematics as ``reference._batchnorm`` (train mode, batch statistics), in torch:
x is (N, C) or (N, C, *spatial), statistics are per channel over every other axis, and the
backward is the closed form

    dx = inv_std * (dx_hat - mean(dx_hat) - x_hat * mean(dx_hat * x_hat)),  dx_hat = dout * gamma

instead of autograd's graph. Computed in x's dtype.
"""

from __future__ import annotations

from typing import Any

import torch
from torch.autograd.function import once_differentiable


def reduce_dims(x: torch.Tensor) -> tuple[int, ...]:
    """Every axis but the channel axis 1: (0,) for (N, C), (0, 2, 3) for (N, C, H, W)."""
    return (0, *range(2, x.dim()))


def per_channel(v: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """View a (C,) vector so it broadcasts along axis 1 of x: (1, C, 1, ..., 1)."""
    return v.view(1, -1, *([1] * (x.dim() - 2)))


def batch_stats(x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Per-channel batch mean and biased variance (two-pass), each (C,)."""
    dims = reduce_dims(x)
    mu = x.mean(dim=dims)  # (C,)
    var = ((x - per_channel(mu, x)) ** 2).mean(dim=dims)  # (C,) biased, centered
    return mu, var


class BatchNormFunction(torch.autograd.Function):
    """``BatchNormFunction.apply(x, gamma, beta, eps) -> out`` with batch statistics.

    gamma and beta are (C,) tensors, or None for a layer without affine parameters.
    """

    @staticmethod
    def forward(
        ctx: Any,
        x: torch.Tensor,
        gamma: torch.Tensor | None,
        beta: torch.Tensor | None,
        eps: float,
    ) -> torch.Tensor:
        mu, var = batch_stats(x)  # (C,), (C,)
        inv_std = torch.rsqrt(var + eps)  # (C,)
        x_hat = (x - per_channel(mu, x)) * per_channel(inv_std, x)  # like x
        out = x_hat
        if gamma is not None:
            out = out * per_channel(gamma, x)
        if beta is not None:
            out = out + per_channel(beta, x)
        ctx.save_for_backward(x_hat, inv_std, gamma)
        return out

    @staticmethod
    @once_differentiable
    def backward(
        ctx: Any, dout: torch.Tensor
    ) -> tuple[torch.Tensor | None, torch.Tensor | None, torch.Tensor | None, None]:
        x_hat, inv_std, gamma = ctx.saved_tensors
        dims = reduce_dims(x_hat)
        need_x, need_gamma, need_beta, _ = ctx.needs_input_grad

        dgamma = (dout * x_hat).sum(dim=dims) if need_gamma else None  # (C,)
        dbeta = dout.sum(dim=dims) if need_beta else None  # (C,)
        dx = None
        if need_x:
            dx_hat = dout if gamma is None else dout * per_channel(gamma, dout)
            mean_dx_hat = dx_hat.mean(dim=dims, keepdim=True)  # gradient through mu
            mean_dx_hat_x_hat = (dx_hat * x_hat).mean(dim=dims, keepdim=True)  # through var
            dx = per_channel(inv_std, x_hat) * (dx_hat - mean_dx_hat - x_hat * mean_dx_hat_x_hat)
        return dx, dgamma, dbeta, None
