"""Batch normalization, forward pass (CS231n assignment 2 interface).

Ioffe & Szegedy, "Batch Normalization: Accelerating Deep Network Training by Reducing Internal
Covariate Shift" (2015), Algorithm 1 for training, Section 3.1 for inference with population
statistics. Running averages follow the CS231n convention:
``running = momentum * running + (1 - momentum) * batch``, with the biased batch variance.
"""

import numpy as np


def batchnorm_forward(x, gamma, beta, bn_param):
    """Normalize each feature of x over the mini-batch, then scale by gamma and shift by beta.

    x: (N, D); gamma, beta: (D,); bn_param: dict with 'mode' ('train' or 'test', required),
    'eps' (default 1e-5), 'momentum' (default 0.9), 'running_mean' / 'running_var' ((D,), zeros
    when absent). The running statistics are written back into bn_param.
    Returns (out, cache): out (N, D) with x's dtype; cache is whatever the backward pass needs.
    """
    mode = bn_param["mode"]
    eps = bn_param.get("eps", 1e-5)
    momentum = bn_param.get("momentum", 0.9)
    N, D = x.shape
    running_mean = bn_param.get("running_mean", np.zeros(D, dtype=x.dtype))  # (D,)
    running_var = bn_param.get("running_var", np.zeros(D, dtype=x.dtype))  # (D,)

    if mode == "train":
        mu = x.mean(axis=0)  # (D,)
        xc = x - mu  # (N, D)
        var = (xc**2).mean(axis=0)  # (D,) biased: divide by N, as in Algorithm 1
        inv_std = 1.0 / np.sqrt(var + eps)  # (D,) eps inside the square root
        x_hat = xc * inv_std  # (N, D)
        out = gamma * x_hat + beta  # (N, D)
        # New arrays, never in-place: the caller's running_mean must not change behind its back.
        running_mean = momentum * running_mean + (1 - momentum) * mu
        running_var = momentum * running_var + (1 - momentum) * var
        cache = (x_hat, gamma, inv_std)
    elif mode == "test":
        # Inference uses the population estimates, so one sample's output never depends on
        # the rest of the batch.
        x_hat = (x - running_mean) / np.sqrt(running_var + eps)  # (N, D)
        out = gamma * x_hat + beta
        cache = None
    else:
        raise ValueError(f'Invalid forward batchnorm mode "{mode}"')

    bn_param["running_mean"] = running_mean
    bn_param["running_var"] = running_var
    return out.astype(x.dtype, copy=False), cache
