"""Group normalization: channels split into G groups, each normalized per example.

Wu & He (2018), "Group Normalization". For x (N, C, H, W), each example's C channels are
split into G groups of C // G; mu and var are taken over (C // G, H, W) per (example, group).
G = 1 is layer norm over (C, H, W); G = C is instance norm. Like layer norm it needs no
batch statistics, so it behaves the same in training and test and at any batch size.
gamma and beta are per channel, shaped (1, C, 1, 1) as in CS231n.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from reference._normalize import as_float_array, normalize, normalize_backward

Cache = dict[str, Any]

_GROUP_AXES = (2, 3, 4)  # within (N, G, C // G, H, W): the group's channels and positions


def spatial_groupnorm_forward(
    x: np.ndarray, gamma: np.ndarray, beta: np.ndarray, G: int, gn_param: dict[str, Any]
) -> tuple[np.ndarray, Cache]:
    """x (N, C, H, W), gamma and beta (1, C, 1, 1), G dividing C, ``gn_param`` {"eps"}."""
    x = as_float_array(x)
    N, C, H, W = x.shape
    if G < 1 or C % G:
        raise ValueError(f"the number of groups G={G} must divide the channels C={C}")
    gamma = np.asarray(gamma, dtype=x.dtype).reshape(1, C, 1, 1)
    beta = np.asarray(beta, dtype=x.dtype).reshape(1, C, 1, 1)

    x_groups = x.reshape(N, G, C // G, H, W)
    x_hat, inv_std = normalize(x_groups, _GROUP_AXES, gn_param.get("eps", 1e-5))
    x_hat = x_hat.reshape(N, C, H, W)  # inv_std: (N, G, 1, 1, 1)
    out = gamma * x_hat + beta  # (N, C, H, W)
    return out, {"x_hat": x_hat, "inv_std": inv_std, "gamma": gamma, "G": G}


def spatial_groupnorm_backward(dout: np.ndarray, cache: Cache) -> tuple[np.ndarray, ...]:
    """Returns (dx (N, C, H, W), dgamma (1, C, 1, 1), dbeta (1, C, 1, 1))."""
    x_hat, inv_std, gamma, G = (cache[k] for k in ("x_hat", "inv_std", "gamma", "G"))
    N, C, H, W = x_hat.shape
    dout = np.asarray(dout, dtype=x_hat.dtype)  # (N, C, H, W)

    dbeta = dout.sum(axis=(0, 2, 3), keepdims=True)  # (1, C, 1, 1)
    dgamma = (dout * x_hat).sum(axis=(0, 2, 3), keepdims=True)  # (1, C, 1, 1)
    dx_hat = (dout * gamma).reshape(N, G, C // G, H, W)
    x_hat_groups = x_hat.reshape(N, G, C // G, H, W)
    dx = normalize_backward(dx_hat, x_hat_groups, inv_std, _GROUP_AXES)
    return dx.reshape(N, C, H, W), dgamma, dbeta
