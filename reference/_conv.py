"""A naive, readable NCHW convolution (cross-correlation, as in every DL framework).

Only here to test batch-norm folding against a real conv -> BN pipeline; loops over output
positions so that the formula is visible, not to be fast.
"""

from __future__ import annotations

import numpy as np

from reference._normalize import as_float_array


def conv2d_forward(
    x: np.ndarray, w: np.ndarray, b: np.ndarray | None, stride: int = 1, pad: int = 0
) -> np.ndarray:
    """x (N, C, H, W), w (F, C, KH, KW), b (F,) or None -> out (N, F, H_out, W_out).

    out[n, f, i, j] = b[f] + sum_{c, p, q} x_pad[n, c, i*stride + p, j*stride + q] * w[f, c, p, q]
    with H_out = (H + 2 * pad - KH) // stride + 1 (and likewise W_out).
    """
    x = as_float_array(x)
    N, C, H, W = x.shape
    F, C_w, KH, KW = w.shape
    if C_w != C:
        raise ValueError(f"w has {C_w} input channels, x has {C}")
    H_out = (H + 2 * pad - KH) // stride + 1
    W_out = (W + 2 * pad - KW) // stride + 1
    if H_out < 1 or W_out < 1:
        raise ValueError("the kernel is larger than the padded input")

    x_pad = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))  # (N, C, H+2p, W+2p)
    w = np.asarray(w, dtype=x.dtype)
    out = np.zeros((N, F, H_out, W_out), dtype=x.dtype)
    for i in range(H_out):
        for j in range(W_out):
            top, left = i * stride, j * stride
            window = x_pad[:, :, top : top + KH, left : left + KW]  # (N, C, KH, KW)
            out[:, :, i, j] = np.tensordot(window, w, axes=([1, 2, 3], [1, 2, 3]))  # (N, F)
    if b is not None:
        out += np.asarray(b, dtype=x.dtype)[None, :, None, None]
    return out
