import numpy as np


class BatchNorm:
    """Batch normalization over the features of x, of shape (N, D).

    Attributes the rest of the code (and the grader) relies on:
    - gamma, beta: scale and shift, of shape (D,)
    - eps: constant for numeric stability
    - momentum: weight of the old value in the running averages (CS231n convention):
      running = momentum * running + (1 - momentum) * batch statistic
    - running_mean, running_var: arrays of shape (D,), starting at zeros and ones
    """

    def __init__(self, gamma, beta, eps=1e-5, momentum=0.9):
        self.gamma = gamma
        self.beta = beta
        self.eps = eps
        self.momentum = momentum
        D = gamma.shape[0]
        self.running_mean = np.zeros(D, dtype=gamma.dtype)
        self.running_var = np.ones(D, dtype=gamma.dtype)

    def forward(self, x, train):
        """x: (N, D); train: True while training, False at inference. Returns (N, D)."""
        if train:
            mean = x.mean(axis=0)
            var = x.var(axis=0)
            return self.gamma * (x - mean) / np.sqrt(var + self.eps) + self.beta
        else:
            mean = x.mean(axis=0)
            var = x.var(axis=0)
            return self.gamma * (x - mean) / np.sqrt(var + self.eps) + self.beta


class Model:
    """x (N, D_in) → affine (W1, b1) → batch norm → ReLU → affine (W2, b2) → scores (N, D_out).

    W1: (D_in, H), b1: (H,), gamma, beta: (H,), W2: (H, D_out), b2: (D_out,).
    """

    def __init__(self, W1, b1, gamma, beta, W2, b2, eps=1e-5, momentum=0.9):
        self.W1, self.b1 = W1, b1
        self.W2, self.b2 = W2, b2
        self.bn = BatchNorm(gamma, beta, eps=eps, momentum=momentum)

    def forward(self, x, train):
        """x: (N, D_in); train: True while training, False at inference. Returns (N, D_out)."""
        h = x @ self.W1 + self.b1
        h = self.bn.forward(h, train)
        h = np.maximum(h, 0)
        return h @ self.W2 + self.b2
