"""The step every normalization layer shares: standardize x over some axes, and its backward.

    mu      = mean(x)                      over ``axes`` (kept as size-1 axes)
    var     = mean((x - mu)^2)             biased, two-pass
    x_hat   = (x - mu) / sqrt(var + eps)

Backward, with m values per group and dx_hat = dL/dx_hat:

    dx = inv_std * (dx_hat - mean(dx_hat) - x_hat * mean(dx_hat * x_hat))

Batch, layer, group and instance norm differ only in ``axes`` (which values share one mu and
one var) and in the shape of gamma and beta. Batch norm spells its steps out in
``_batchnorm.py``, the textbook derivation; the others use these two functions.
"""

from __future__ import annotations

import numpy as np


def as_float_array(x: np.ndarray) -> np.ndarray:
    """x itself when it is a floating-point array (so its dtype is kept), else float64.

    Integer data (or a nested list) has no meaningful "native" precision to preserve.
    """
    x = np.asarray(x)
    return x if np.issubdtype(x.dtype, np.floating) else x.astype(np.float64)


def normalize(x: np.ndarray, axes: tuple[int, ...], eps: float) -> tuple[np.ndarray, np.ndarray]:
    """Returns (x_hat, inv_std); inv_std has size 1 along ``axes``. Computed in x's dtype."""
    mu = x.mean(axis=axes, keepdims=True)  # size 1 along axes
    x_mu = x - mu  # like x
    var = (x_mu**2).mean(axis=axes, keepdims=True)  # biased; centered second pass
    inv_std = 1 / np.sqrt(var + float(eps))  # a Python float never upcasts (NEP 50)
    return x_mu * inv_std, inv_std


def normalize_backward(
    dx_hat: np.ndarray, x_hat: np.ndarray, inv_std: np.ndarray, axes: tuple[int, ...]
) -> np.ndarray:
    """dL/dx from dL/dx_hat through the standardization over ``axes``."""
    mean_dx_hat = dx_hat.mean(axis=axes, keepdims=True)  # gradient through mu
    mean_dx_hat_x_hat = (dx_hat * x_hat).mean(axis=axes, keepdims=True)  # through var
    return inv_std * (dx_hat - mean_dx_hat - x_hat * mean_dx_hat_x_hat)
