"""A small NumPy network, affine → batch norm → ReLU → affine, with inference done right.

The bug being fixed (a common one, and the one in the TensorFlow snippet this exercise comes
from): the batch-norm layer normalized with the statistics of the current batch in both modes and
kept no running averages. Ioffe & Szegedy (2015), Section 3.1 and Algorithm 2: at inference the
layer must use population statistics estimated during training, so that the output for a sample
is a deterministic function of that sample alone.
"""

import numpy as np


class BatchNorm:
    """Batch normalization over the features of x (N, D).

    Running averages follow the CS231n convention:
    running = momentum * running + (1 - momentum) * batch, with the biased batch variance.
    """

    def __init__(self, gamma, beta, eps=1e-5, momentum=0.9):
        self.gamma = gamma  # (D,)
        self.beta = beta  # (D,)
        self.eps = eps
        self.momentum = momentum
        D = gamma.shape[0]
        self.running_mean = np.zeros(D, dtype=gamma.dtype)  # (D,)
        self.running_var = np.ones(D, dtype=gamma.dtype)  # (D,)

    def forward(self, x, train):
        if train:
            mu = x.mean(axis=0)  # (D,)
            var = x.var(axis=0)  # (D,) biased, as in Algorithm 1
            m = self.momentum
            # Rebind, do not update in place: arrays handed out earlier stay as they were.
            self.running_mean = m * self.running_mean + (1 - m) * mu
            self.running_var = m * self.running_var + (1 - m) * var
        else:
            mu, var = self.running_mean, self.running_var  # frozen population estimates
        x_hat = (x - mu) / np.sqrt(var + self.eps)  # (N, D)
        return self.gamma * x_hat + self.beta


class Model:
    """x (N, D_in) → affine (W1, b1) → batch norm → ReLU → affine (W2, b2) → scores (N, D_out)."""

    def __init__(self, W1, b1, gamma, beta, W2, b2, eps=1e-5, momentum=0.9):
        self.W1, self.b1 = W1, b1  # (D_in, H), (H,)
        self.W2, self.b2 = W2, b2  # (H, D_out), (D_out,)
        self.bn = BatchNorm(gamma, beta, eps=eps, momentum=momentum)

    def forward(self, x, train):
        h = x @ self.W1 + self.b1  # (N, H)
        h = self.bn.forward(h, train)  # (N, H)
        h = np.maximum(h, 0)  # ReLU
        return h @ self.W2 + self.b2  # (N, D_out)
