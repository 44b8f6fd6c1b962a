"""PyTorch float64 ground truth for the reference tests (imports torch; tests only)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch


def t64(a: np.ndarray | None) -> torch.Tensor | None:
    return None if a is None else torch.tensor(np.asarray(a, dtype=np.float64))


def forward_backward(
    fn: Callable[..., torch.Tensor],
    x: np.ndarray,
    gamma: np.ndarray | None,
    beta: np.ndarray | None,
    dout: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, np.ndarray | None]:
    """Run ``fn(x, gamma, beta)`` in float64 and backpropagate ``dout`` with autograd.

    Returns (out, dx, dgamma, dbeta) as float64 arrays.
    """
    xt = t64(x).requires_grad_(True)
    gt = None if gamma is None else t64(gamma).requires_grad_(True)
    bt = None if beta is None else t64(beta).requires_grad_(True)
    out = fn(xt, gt, bt)
    out.backward(t64(dout))
    grad = lambda t: None if t is None else t.grad.numpy()  # noqa: E731
    return out.detach().numpy(), xt.grad.numpy(), grad(gt), grad(bt)
