"""Instance normalization: each (example, channel) feature map normalized on its own.

Ulyanov, Vedaldi & Lempitsky (2016), "Instance Normalization: The Missing Ingredient for Fast
Stylization". For x (N, C, H, W), mu and var are taken over (H, W) per (n, c): group norm
with G = C. Statistics come from the input itself in training and test alike (the default
``torch.nn.InstanceNorm2d`` keeps no running statistics). gamma and beta are (C,).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from reference._normalize import as_float_array, normalize, normalize_backward

Cache = dict[str, Any]

_SPATIAL = (2, 3)


def instancenorm_forward(
    x: np.ndarray, gamma: np.ndarray, beta: np.ndarray, in_param: dict[str, Any]
) -> tuple[np.ndarray, Cache]:
    """x (N, C, H, W), gamma and beta (C,), ``in_param`` {"eps": 1e-5}."""
    x = as_float_array(x)
    C = x.shape[1]
    gamma = np.asarray(gamma, dtype=x.dtype).reshape(1, C, 1, 1)
    beta = np.asarray(beta, dtype=x.dtype).reshape(1, C, 1, 1)
    x_hat, inv_std = normalize(x, _SPATIAL, in_param.get("eps", 1e-5))  # inv_std (N, C, 1, 1)
    out = gamma * x_hat + beta  # (N, C, H, W)
    return out, {"x_hat": x_hat, "inv_std": inv_std, "gamma": gamma}


def instancenorm_backward(dout: np.ndarray, cache: Cache) -> tuple[np.ndarray, ...]:
    """Returns (dx (N, C, H, W), dgamma (C,), dbeta (C,))."""
    x_hat, inv_std, gamma = cache["x_hat"], cache["inv_std"], cache["gamma"]
    dout = np.asarray(dout, dtype=x_hat.dtype)  # (N, C, H, W)
    dbeta = dout.sum(axis=(0, 2, 3))  # (C,)
    dgamma = (dout * x_hat).sum(axis=(0, 2, 3))  # (C,)
    dx = normalize_backward(dout * gamma, x_hat, inv_std, _SPATIAL)  # (N, C, H, W)
    return dx, dgamma, dbeta
