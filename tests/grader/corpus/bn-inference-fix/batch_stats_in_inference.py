# expect: batch-stats-at-test
# keeps running statistics but never uses them
import numpy as np


class BatchNorm:
    def __init__(self, gamma, beta, eps=1e-5, momentum=0.9):
        self.gamma = gamma
        self.beta = beta
        self.eps = eps
        self.momentum = momentum
        D = gamma.shape[0]
        self.running_mean = np.zeros(D, dtype=gamma.dtype)
        self.running_var = np.ones(D, dtype=gamma.dtype)

    def forward(self, x, train):
        if train:
            mean = x.mean(axis=0)
            var = x.var(axis=0)
            self.running_mean = self.momentum * self.running_mean + (1 - self.momentum) * mean
            self.running_var = self.momentum * self.running_var + (1 - self.momentum) * var
        else:
            mean = x.mean(axis=0)
            var = x.var(axis=0)
        return self.gamma * (x - mean) / np.sqrt(var + self.eps) + self.beta


class Model:
    def __init__(self, W1, b1, gamma, beta, W2, b2, eps=1e-5, momentum=0.9):
        self.W1, self.b1 = W1, b1
        self.W2, self.b2 = W2, b2
        self.bn = BatchNorm(gamma, beta, eps=eps, momentum=momentum)

    def forward(self, x, train):
        h = x @ self.W1 + self.b1
        h = self.bn.forward(h, train)
        h = np.maximum(h, 0)
        return h @ self.W2 + self.b2
