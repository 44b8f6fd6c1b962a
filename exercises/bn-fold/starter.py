import numpy as np


def fold_bn_into_conv(w, b, gamma, beta, running_mean, running_var, eps):
    """Merge an inference-mode batch-norm layer into the convolution that feeds it.

    The network conv(w, b) → batchnorm(gamma, beta, running_mean, running_var, eps) in
    inference mode must compute exactly what conv(w_folded, b_folded) computes.

    Inputs:
    - w: convolution weights, of shape (C_out, C_in, kH, kW)
    - b: convolution bias, of shape (C_out,), or None for a convolution without bias
    - gamma, beta: batch-norm scale and shift, of shape (C_out,)
    - running_mean, running_var: batch-norm running statistics, of shape (C_out,)
    - eps: batch-norm epsilon (a float)

    Returns a tuple of:
    - w_folded: array of shape (C_out, C_in, kH, kW), same dtype as w
    - b_folded: array of shape (C_out,), same dtype as w (also when b is None)

    Do not modify any input array.
    """
    raise NotImplementedError("fold_bn_into_conv")
