"""Spatial group normalization, forward and backward (CS231n assignment 2 interface).

Wu & He, "Group Normalization" (ECCV 2018), Section 3.1, Figure 2 and Figure 3 (the TensorFlow
listing): the C channels are split into G groups of C // G consecutive channels, and each sample's
group is normalized over its channels and all spatial positions. The per-channel affine
(gamma, beta) is applied after. G = 1 gives layer normalization over (C, H, W); G = C gives
instance normalization. Nothing depends on the batch, so training and inference are identical.
"""

import numpy as np


def spatial_groupnorm_forward(x, gamma, beta, G, gn_param):
    """x: (N, C, H, W); gamma, beta: (1, C, 1, 1); G divides C; gn_param: optional 'eps' (1e-5).

    Returns (out, cache): out (N, C, H, W) in x's dtype.
    """
    eps = gn_param.get("eps", 1e-5)
    N, C, H, W = x.shape
    x_g = x.reshape(N, G, -1)  # (N, G, C//G * H * W): one row per (sample, group)
    mu = x_g.mean(axis=2, keepdims=True)  # (N, G, 1)
    xc = x_g - mu  # (N, G, K)
    var = (xc**2).mean(axis=2, keepdims=True)  # (N, G, 1) biased
    inv_std = 1.0 / np.sqrt(var + eps)  # (N, G, 1)
    x_hat = (xc * inv_std).reshape(N, C, H, W)  # (N, C, H, W)
    out = gamma * x_hat + beta  # per-channel affine
    cache = (x_hat, gamma, inv_std, G)
    return out.astype(x.dtype, copy=False), cache


def spatial_groupnorm_backward(dout, cache):
    """dout: (N, C, H, W). Returns dx (N, C, H, W), dgamma (1, C, 1, 1), dbeta (1, C, 1, 1)."""
    x_hat, gamma, inv_std, G = cache
    N, C, H, W = dout.shape
    dbeta = dout.sum(axis=(0, 2, 3), keepdims=True)  # (1, C, 1, 1)
    dgamma = (dout * x_hat).sum(axis=(0, 2, 3), keepdims=True)  # (1, C, 1, 1)
    dx_hat = (dout * gamma).reshape(N, G, -1)  # (N, G, K)
    x_hat_g = x_hat.reshape(N, G, -1)  # (N, G, K)
    K = x_hat_g.shape[2]  # elements per group
    # Layer-norm closed form inside each (sample, group) row.
    dx = (inv_std / K) * (
        K * dx_hat
        - dx_hat.sum(axis=2, keepdims=True)
        - x_hat_g * (dx_hat * x_hat_g).sum(axis=2, keepdims=True)
    )  # (N, G, K)
    return dx.reshape(N, C, H, W).astype(dout.dtype, copy=False), dgamma, dbeta
