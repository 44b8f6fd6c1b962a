"""Layer normalization: each example normalized over its own features.

Ba, Kiros & Hinton (2016), "Layer Normalization". For x (N, D) the statistics are taken per
row (over D), so the layer behaves the same in training and at test time, needs no running
statistics and works for N = 1. gamma and beta (D,) are still per feature. Inputs of shape
(N, *F) are normalized over all of F, with gamma and beta of shape F.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from reference._normalize import as_float_array, normalize, normalize_backward

Cache = dict[str, Any]


def layernorm_forward(
    x: np.ndarray, gamma: np.ndarray, beta: np.ndarray, ln_param: dict[str, Any]
) -> tuple[np.ndarray, Cache]:
    """x (N, D), gamma and beta (D,), ``ln_param`` {"eps": 1e-5}; returns (out, cache)."""
    x = as_float_array(x)
    axes = tuple(range(1, x.ndim))  # (1,) for (N, D): one mu and var per example
    gamma = np.asarray(gamma, dtype=x.dtype)  # (D,)
    beta = np.asarray(beta, dtype=x.dtype)  # (D,)
    x_hat, inv_std = normalize(x, axes, ln_param.get("eps", 1e-5))  # (N, D), (N, 1)
    out = gamma * x_hat + beta  # (N, D)
    return out, {"x_hat": x_hat, "inv_std": inv_std, "gamma": gamma, "axes": axes}


def layernorm_backward(dout: np.ndarray, cache: Cache) -> tuple[np.ndarray, ...]:
    """Returns (dx (N, D), dgamma (D,), dbeta (D,))."""
    x_hat, inv_std, gamma, axes = (cache[k] for k in ("x_hat", "inv_std", "gamma", "axes"))
    dout = np.asarray(dout, dtype=x_hat.dtype)  # (N, D)
    dbeta = dout.sum(axis=0)  # (D,) gamma and beta are shared by the examples
    dgamma = (dout * x_hat).sum(axis=0)  # (D,)
    dx = normalize_backward(dout * gamma, x_hat, inv_std, axes)  # (N, D)
    return dx, dgamma, dbeta
