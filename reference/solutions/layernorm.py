"""Layer normalization, forward and backward (CS231n assignment 2 interface).

Ba, Kiros & Hinton, "Layer Normalization" (2016), Section 3: the statistics are computed over the
features of each sample instead of over the batch, so training and inference compute the same
thing, there are no running averages, and a batch of one is fine. gamma and beta stay per feature.
It is batch normalization applied to x transposed, which is why the backward pass has the same
closed form with the roles of the axes swapped.
"""

import numpy as np


def layernorm_forward(x, gamma, beta, ln_param):
    """x: (N, D); gamma, beta: (D,); ln_param: dict with optional 'eps' (default 1e-5).

    Returns (out, cache): out (N, D) in x's dtype.
    """
    eps = ln_param.get("eps", 1e-5)
    mu = x.mean(axis=1, keepdims=True)  # (N, 1) one mean per sample
    xc = x - mu  # (N, D)
    var = (xc**2).mean(axis=1, keepdims=True)  # (N, 1) biased
    inv_std = 1.0 / np.sqrt(var + eps)  # (N, 1)
    x_hat = xc * inv_std  # (N, D)
    out = gamma * x_hat + beta  # (N, D) gamma, beta broadcast over samples
    cache = (x_hat, gamma, inv_std)
    return out.astype(x.dtype, copy=False), cache


def layernorm_backward(dout, cache):
    """dout: (N, D). Returns dx (N, D), dgamma (D,), dbeta (D,)."""
    x_hat, gamma, inv_std = cache
    D = dout.shape[1]
    dbeta = dout.sum(axis=0)  # (D,) gamma and beta are shared across samples
    dgamma = (dout * x_hat).sum(axis=0)  # (D,)
    dx_hat = dout * gamma  # (N, D)
    # The batch-norm closed form, with sums over the feature axis (per sample) instead.
    dx = (inv_std / D) * (
        D * dx_hat
        - dx_hat.sum(axis=1, keepdims=True)
        - x_hat * (dx_hat * x_hat).sum(axis=1, keepdims=True)
    )  # (N, D)
    return dx.astype(dout.dtype, copy=False), dgamma, dbeta
