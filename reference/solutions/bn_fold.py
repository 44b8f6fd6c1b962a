"""Fold an inference-mode batch-norm layer into the convolution before it.

At inference, batch normalization (Ioffe & Szegedy 2015, Section 3.1) is a fixed per-channel
affine map: y = gamma * (z - running_mean) / sqrt(running_var + eps) + beta. Applied to a
convolution's output z = w * x + b it is still linear in x, so it can be merged into the
convolution: scale each output channel's filter and rewrite its bias. One layer fewer at
inference, identical outputs (up to rounding). Only valid with frozen statistics, never in training.
"""

import numpy as np


def fold_bn_into_conv(w, b, gamma, beta, running_mean, running_var, eps):
    """w: (C_out, C_in, kH, kW); b: (C_out,) or None; gamma, beta, running_mean, running_var:
    (C_out,); eps: float. Returns (w_folded (C_out, C_in, kH, kW), b_folded (C_out,)) in w's dtype.
    """
    scale = gamma / np.sqrt(running_var + eps)  # (C_out,) one factor per output channel
    if b is None:
        b = np.zeros(w.shape[0], dtype=w.dtype)  # a conv without bias is one with bias 0
    w_folded = w * scale[:, None, None, None]  # (C_out, C_in, kH, kW) a new array
    b_folded = (b - running_mean) * scale + beta  # (C_out,)
    return w_folded.astype(w.dtype, copy=False), b_folded.astype(w.dtype, copy=False)
