"""Spatial batch normalization for (N, C, H, W) inputs: batch norm per channel.

A convolutional feature map shares gamma[c] and beta[c] across all positions, so every
(n, h, w) position is one more sample of channel c: statistics are taken over N * H * W
values per channel (Ioffe & Szegedy 2015, section 3.2). The reshape below turns the map
into an (N * H * W, C) matrix and reuses the (N, D) batch norm.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from reference._batchnorm import Cache, batchnorm_backward_alt, batchnorm_forward
from reference._normalize import as_float_array


def _to_rows(a: np.ndarray) -> np.ndarray:
    N, C, H, W = a.shape
    return a.transpose(0, 2, 3, 1).reshape(N * H * W, C)  # (N*H*W, C)


def _from_rows(rows: np.ndarray, shape: tuple[int, int, int, int]) -> np.ndarray:
    N, C, H, W = shape
    return rows.reshape(N, H, W, C).transpose(0, 3, 1, 2)  # (N, C, H, W)


def spatial_batchnorm_forward(
    x: np.ndarray, gamma: np.ndarray, beta: np.ndarray, bn_param: dict[str, Any]
) -> tuple[np.ndarray, Cache]:
    """x (N, C, H, W), gamma and beta (C,); ``bn_param`` as for ``batchnorm_forward``."""
    x = as_float_array(x)
    rows, cache = batchnorm_forward(_to_rows(x), gamma, beta, bn_param)  # (N*H*W, C)
    return np.ascontiguousarray(_from_rows(rows, x.shape)), {"bn": cache, "shape": x.shape}


def spatial_batchnorm_backward(dout: np.ndarray, cache: Cache) -> tuple[np.ndarray, ...]:
    """Returns (dx (N, C, H, W), dgamma (C,), dbeta (C,))."""
    drows, dgamma, dbeta = batchnorm_backward_alt(_to_rows(dout), cache["bn"])
    return np.ascontiguousarray(_from_rows(drows, cache["shape"])), dgamma, dbeta
