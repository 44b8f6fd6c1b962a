"""Folding an inference-mode batch norm into the preceding convolution or linear layer.

In eval mode BN is a fixed per-channel affine map of its input z:

    BN(z) = gamma * (z - running_mean) / sqrt(running_var + eps) + beta
          = scale * z + (beta - scale * running_mean),   scale = gamma / sqrt(running_var + eps)

and z = w * x + b is affine too, so the composition is one layer with

    w_folded = scale * w            (scaling output channel f of w by scale[f])
    b_folded = scale * (b - running_mean) + beta

This holds only with frozen statistics: in training BN uses batch statistics, which depend
on the batch, so nothing can be folded. A conv without bias (common before BN) has b = 0.
"""

from __future__ import annotations

import numpy as np


def _scale_and_bias(
    b: np.ndarray | None,
    gamma: np.ndarray,
    beta: np.ndarray,
    running_mean: np.ndarray,
    running_var: np.ndarray,
    eps: float,
    dtype: np.dtype,
) -> tuple[np.ndarray, np.ndarray]:
    cast = lambda a: np.asarray(a, dtype=dtype)  # noqa: E731
    scale = cast(gamma) / np.sqrt(cast(running_var) + float(eps))  # (F,)
    b = np.zeros_like(scale) if b is None else cast(b)  # (F,)
    return scale, scale * (b - cast(running_mean)) + cast(beta)  # (F,), (F,)


def fold_bn_into_conv(
    w: np.ndarray,
    b: np.ndarray | None,
    gamma: np.ndarray,
    beta: np.ndarray,
    running_mean: np.ndarray,
    running_var: np.ndarray,
    eps: float = 1e-5,
) -> tuple[np.ndarray, np.ndarray]:
    """w (F, C, KH, KW), b (F,) or None, BN parameters (F,) -> (w_folded, b_folded)."""
    scale, b_folded = _scale_and_bias(b, gamma, beta, running_mean, running_var, eps, w.dtype)
    return w * scale[:, None, None, None], b_folded  # (F, C, KH, KW), (F,)


def fold_bn_into_linear(
    w: np.ndarray,
    b: np.ndarray | None,
    gamma: np.ndarray,
    beta: np.ndarray,
    running_mean: np.ndarray,
    running_var: np.ndarray,
    eps: float = 1e-5,
) -> tuple[np.ndarray, np.ndarray]:
    """w (out, in) as in torch.nn.Linear (y = x @ w.T + b), BN parameters (out,)."""
    scale, b_folded = _scale_and_bias(b, gamma, beta, running_mean, running_var, eps, w.dtype)
    return w * scale[:, None], b_folded  # (out, in), (out,)
