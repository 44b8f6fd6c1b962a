"""Batch normalization for (N, D) inputs: forward, and backward in two forms.

Ioffe & Szegedy (2015), "Batch Normalization: Accelerating Deep Network Training by Reducing
Internal Covariate Shift", Algorithm 1. Each feature d is normalized over the N examples:

    mu      = 1/N sum_i x_i                  (D,)
    var     = 1/N sum_i (x_i - mu)^2         (D,)   biased, and two-pass: accurate for
                                                     large offsets with small spread
    x_hat   = (x - mu) / sqrt(var + eps)     (N, D)
    out     = gamma * x_hat + beta           (N, D)

Everything is computed in the input's dtype (no upcasting), so a float32 run shows float32's
real rounding error. Inputs are never modified.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from reference._normalize import as_float_array
from reference._running_stats import mode_of, running_stats, update_running_stats

Cache = dict[str, Any]


def batchnorm_forward(
    x: np.ndarray, gamma: np.ndarray, beta: np.ndarray, bn_param: dict[str, Any]
) -> tuple[np.ndarray, Cache]:
    """Batch norm forward pass; returns ``(out, cache)``.

    ``bn_param``: ``mode`` ('train' | 'test', required), ``eps`` (1e-5), ``convention``
    ('cs231n' | 'pytorch', see ``reference._running_stats``), ``momentum``,
    ``running_mean``, ``running_var``, ``num_batches_tracked``. In training the running
    statistics are updated and written back into ``bn_param``; in test mode they are used
    and left unchanged.
    """
    x = as_float_array(x)
    mode = mode_of(bn_param)
    eps = float(bn_param.get("eps", 1e-5))  # a Python float never upcasts (NEP 50)
    N, D = x.shape
    gamma = np.asarray(gamma, dtype=x.dtype)  # (D,) so a float64 gamma cannot upcast
    beta = np.asarray(beta, dtype=x.dtype)  # (D,)

    if mode == "train":
        mu = x.mean(axis=0)  # (D,)
        x_mu = x - mu  # (N, D)
        var = (x_mu**2).mean(axis=0)  # (D,) biased; second pass over the centered values
        update_running_stats(bn_param, mu, var, N)
    else:
        mu, var = running_stats(bn_param, D, x.dtype)  # (D,), (D,)
        x_mu = x - mu  # (N, D)

    std = np.sqrt(var + eps)  # (D,)
    inv_std = 1 / std  # (D,)
    x_hat = x_mu * inv_std  # (N, D)
    out = gamma * x_hat + beta  # (N, D)

    cache = {
        "mode": mode,
        "x_hat": x_hat,  # (N, D)
        "x_mu": x_mu,  # (N, D)
        "std": std,  # (D,)
        "inv_std": inv_std,  # (D,)
        "gamma": gamma,  # (D,)
    }
    return out, cache


def batchnorm_backward(dout: np.ndarray, cache: Cache) -> tuple[np.ndarray, ...]:
    """Backward pass walking the computational graph node by node; ``(dx, dgamma, dbeta)``.

    The forward graph is x -> x_mu = x - mu -> var = mean(x_mu^2) -> std = sqrt(var + eps)
    -> inv_std = 1/std -> x_hat = x_mu * inv_std -> out = gamma * x_hat + beta. Each line
    below is the chain rule through one node, in reverse order.
    """
    x_hat, x_mu, std, inv_std, gamma = (
        cache[k] for k in ("x_hat", "x_mu", "std", "inv_std", "gamma")
    )
    dout = np.asarray(dout, dtype=x_hat.dtype)  # (N, D) gradients in the forward's dtype
    N = dout.shape[0]

    dbeta = dout.sum(axis=0)  # (D,)
    dgamma = (dout * x_hat).sum(axis=0)  # (D,)
    dx_hat = dout * gamma  # (N, D)

    if cache["mode"] == "test":
        # Running statistics are constants: the layer is an affine map of x.
        return dx_hat * inv_std, dgamma, dbeta

    dinv_std = (dx_hat * x_mu).sum(axis=0)  # (D,)   x_hat = x_mu * inv_std
    dx_mu = dx_hat * inv_std  # (N, D) first path into x_mu
    dstd = -dinv_std / std**2  # (D,)   inv_std = 1 / std
    dvar = 0.5 * dstd / std  # (D,)   std = sqrt(var + eps)
    dx_mu = dx_mu + (2 / N) * x_mu * dvar  # (N, D) second path: var = mean(x_mu^2)
    dmu = -dx_mu.sum(axis=0)  # (D,)   x_mu = x - mu
    dx = dx_mu + dmu / N  # (N, D) mu = mean(x)
    return dx, dgamma, dbeta


def batchnorm_backward_alt(dout: np.ndarray, cache: Cache) -> tuple[np.ndarray, ...]:
    """Backward pass in simplified closed form; ``(dx, dgamma, dbeta)``.

    Collapsing the graph (with dx_hat = dout * gamma):

        dx = inv_std / N * (N * dx_hat - sum_i dx_hat - x_hat * sum_i (dx_hat * x_hat))

    The two subtracted terms are the gradient flowing back through mu and through var:
    dx has zero sum over the batch and is orthogonal to x_hat.
    """
    x_hat, inv_std, gamma = cache["x_hat"], cache["inv_std"], cache["gamma"]
    dout = np.asarray(dout, dtype=x_hat.dtype)  # (N, D)
    N = dout.shape[0]

    dbeta = dout.sum(axis=0)  # (D,)
    dgamma = (dout * x_hat).sum(axis=0)  # (D,)
    dx_hat = dout * gamma  # (N, D)

    if cache["mode"] == "test":
        return dx_hat * inv_std, dgamma, dbeta

    dx = (inv_std / N) * (
        N * dx_hat - dx_hat.sum(axis=0) - x_hat * (dx_hat * x_hat).sum(axis=0)
    )  # (N, D)
    return dx, dgamma, dbeta
