"""Batch normalization, forward and backward passes (CS231n assignment 2 interface).

Ioffe & Szegedy (2015), Algorithm 1 (forward) and the chain-rule equations of Section 3
(backward). ``batchnorm_backward`` follows the computation graph step by step;
``batchnorm_backward_alt`` uses the simplified closed form

    dx = (1 / N) * inv_std * (N * dx_hat - sum(dx_hat) - x_hat * sum(dx_hat * x_hat))

with dx_hat = dout * gamma, obtained by collecting the three paths from x to the loss (directly,
through the mean and through the variance).
"""

import numpy as np


def batchnorm_forward(x, gamma, beta, bn_param):
    """x: (N, D); gamma, beta: (D,). Returns (out, cache); see the batchnorm-forward exercise."""
    mode = bn_param["mode"]
    eps = bn_param.get("eps", 1e-5)
    momentum = bn_param.get("momentum", 0.9)
    N, D = x.shape
    running_mean = bn_param.get("running_mean", np.zeros(D, dtype=x.dtype))  # (D,)
    running_var = bn_param.get("running_var", np.zeros(D, dtype=x.dtype))  # (D,)

    if mode == "train":
        mu = x.mean(axis=0)  # (D,)
        xc = x - mu  # (N, D)
        var = (xc**2).mean(axis=0)  # (D,) biased
        std = np.sqrt(var + eps)  # (D,)
        inv_std = 1.0 / std  # (D,)
        x_hat = xc * inv_std  # (N, D)
        out = gamma * x_hat + beta  # (N, D)
        running_mean = momentum * running_mean + (1 - momentum) * mu
        running_var = momentum * running_var + (1 - momentum) * var
        cache = (xc, std, inv_std, x_hat, gamma)
    elif mode == "test":
        x_hat = (x - running_mean) / np.sqrt(running_var + eps)
        out = gamma * x_hat + beta
        cache = None
    else:
        raise ValueError(f'Invalid forward batchnorm mode "{mode}"')

    bn_param["running_mean"] = running_mean
    bn_param["running_var"] = running_var
    return out.astype(x.dtype, copy=False), cache


def batchnorm_backward(dout, cache):
    """Backpropagate through the graph of batchnorm_forward, one node at a time.

    dout: (N, D) upstream gradient. Returns dx (N, D), dgamma (D,), dbeta (D,).
    """
    xc, std, inv_std, x_hat, gamma = cache
    N = dout.shape[0]
    dbeta = dout.sum(axis=0)  # (D,)
    dgamma = (dout * x_hat).sum(axis=0)  # (D,)
    dx_hat = dout * gamma  # (N, D)
    # x_hat = xc * inv_std
    dxc = dx_hat * inv_std  # (N, D) path through the numerator
    dinv_std = (dx_hat * xc).sum(axis=0)  # (D,)
    # inv_std = 1 / std, std = sqrt(var + eps), var = mean(xc ** 2)
    dstd = -dinv_std / std**2  # (D,)
    dvar = 0.5 * dstd / std  # (D,)
    dxc += 2.0 * xc * dvar / N  # (N, D) path through the variance
    # xc = x - mu, mu = mean(x)
    dmu = -dxc.sum(axis=0)  # (D,)
    dx = dxc + dmu / N  # (N, D)
    return dx.astype(dout.dtype, copy=False), dgamma, dbeta


def batchnorm_backward_alt(dout, cache):
    """The same gradients from the simplified closed form: one expression for dx."""
    _, _, inv_std, x_hat, gamma = cache
    N = dout.shape[0]
    dbeta = dout.sum(axis=0)  # (D,)
    dgamma = (dout * x_hat).sum(axis=0)  # (D,)
    dx_hat = dout * gamma  # (N, D)
    dx = (inv_std / N) * (
        N * dx_hat - dx_hat.sum(axis=0) - x_hat * (dx_hat * x_hat).sum(axis=0)
    )  # (N, D)
    return dx.astype(dout.dtype, copy=False), dgamma, dbeta
