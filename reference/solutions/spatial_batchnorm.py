"""Spatial batch normalization for convolutional feature maps (CS231n assignment 2 interface).

Ioffe & Szegedy (2015), Section 3.2: for convolutional layers, the statistics of a channel are
taken over the mini-batch *and* every spatial location, so one (gamma, beta) pair is learned per
channel. Moving the channel axis last and flattening turns (N, C, H, W) into (N*H*W, C), which is
ordinary batch normalization with N*H*W samples.
"""

import numpy as np


def _batchnorm_forward(x, gamma, beta, bn_param):
    """Plain batch normalization of x (M, C) over its rows; running stats as in CS231n."""
    mode = bn_param["mode"]
    eps = bn_param.get("eps", 1e-5)
    momentum = bn_param.get("momentum", 0.9)
    D = x.shape[1]
    running_mean = bn_param.get("running_mean", np.zeros(D, dtype=x.dtype))  # (C,)
    running_var = bn_param.get("running_var", np.zeros(D, dtype=x.dtype))  # (C,)
    if mode == "train":
        mu = x.mean(axis=0)  # (C,)
        var = x.var(axis=0)  # (C,) biased
        inv_std = 1.0 / np.sqrt(var + eps)  # (C,)
        x_hat = (x - mu) * inv_std  # (M, C)
        out = gamma * x_hat + beta
        running_mean = momentum * running_mean + (1 - momentum) * mu
        running_var = momentum * running_var + (1 - momentum) * var
        cache = (x_hat, gamma, inv_std)
    elif mode == "test":
        out = gamma * (x - running_mean) / np.sqrt(running_var + eps) + beta
        cache = None
    else:
        raise ValueError(f'Invalid forward batchnorm mode "{mode}"')
    bn_param["running_mean"] = running_mean
    bn_param["running_var"] = running_var
    return out, cache


def _batchnorm_backward(dout, cache):
    """Gradients of _batchnorm_forward in the simplified closed form; dout: (M, C)."""
    x_hat, gamma, inv_std = cache
    M = dout.shape[0]
    dbeta = dout.sum(axis=0)  # (C,)
    dgamma = (dout * x_hat).sum(axis=0)  # (C,)
    dx_hat = dout * gamma  # (M, C)
    dx = (inv_std / M) * (M * dx_hat - dx_hat.sum(axis=0) - x_hat * (dx_hat * x_hat).sum(axis=0))
    return dx, dgamma, dbeta


def spatial_batchnorm_forward(x, gamma, beta, bn_param):
    """x: (N, C, H, W); gamma, beta: (C,); bn_param as for batchnorm_forward.

    Returns (out, cache) with out (N, C, H, W) in x's dtype.
    """
    N, C, H, W = x.shape
    x_flat = x.transpose(0, 2, 3, 1).reshape(-1, C)  # (N*H*W, C): one row per pixel
    out_flat, cache = _batchnorm_forward(x_flat, gamma, beta, bn_param)
    out = out_flat.reshape(N, H, W, C).transpose(0, 3, 1, 2)  # back to (N, C, H, W)
    return out.astype(x.dtype), cache


def spatial_batchnorm_backward(dout, cache):
    """dout: (N, C, H, W). Returns dx (N, C, H, W), dgamma (C,), dbeta (C,)."""
    N, C, H, W = dout.shape
    dout_flat = dout.transpose(0, 2, 3, 1).reshape(-1, C)  # (N*H*W, C)
    dx_flat, dgamma, dbeta = _batchnorm_backward(dout_flat, cache)
    dx = dx_flat.reshape(N, H, W, C).transpose(0, 3, 1, 2)  # (N, C, H, W)
    return dx.astype(dout.dtype), dgamma, dbeta
