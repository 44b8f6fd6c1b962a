"""Batch normalization as a torch.autograd.Function with a hand-written backward.

Forward: Ioffe & Szegedy (2015), Algorithm 1, for x (N, D) normalized over the batch. Backward:
the simplified closed form obtained from the chain rule of Section 3,

    dx = inv_std / N * (N * dx_hat - sum_n dx_hat - x_hat * sum_n (dx_hat * x_hat)),

with dx_hat = dout * gamma. The backward is marked once_differentiable: its saved x_hat carries no
graph, so a second derivative through it would be silently wrong; this way it raises instead.
"""

import torch
from torch.autograd.function import once_differentiable


class BatchNormFunction(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, gamma, beta, eps):
        """x: (N, D); gamma, beta: (D,); eps: float. Returns out (N, D)."""
        mu = x.mean(dim=0)  # (D,)
        var = x.var(dim=0, unbiased=False)  # (D,) biased
        inv_std = torch.rsqrt(var + eps)  # (D,)
        x_hat = (x - mu) * inv_std  # (N, D)
        ctx.save_for_backward(x_hat, gamma, inv_std)
        return gamma * x_hat + beta

    @staticmethod
    @once_differentiable
    def backward(ctx, dout):
        """dout: (N, D). Returns dx (N, D), dgamma (D,), dbeta (D,), and None for eps."""
        x_hat, gamma, inv_std = ctx.saved_tensors
        N = dout.shape[0]
        dx = dgamma = dbeta = None
        if ctx.needs_input_grad[0]:
            dx_hat = dout * gamma  # (N, D)
            dx = (inv_std / N) * (
                N * dx_hat - dx_hat.sum(dim=0) - x_hat * (dx_hat * x_hat).sum(dim=0)
            )
        if ctx.needs_input_grad[1]:
            dgamma = (dout * x_hat).sum(dim=0)  # (D,)
        if ctx.needs_input_grad[2]:
            dbeta = dout.sum(dim=0)  # (D,)
        return dx, dgamma, dbeta, None
