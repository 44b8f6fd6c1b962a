import numpy as np


def layernorm_forward(x, gamma, beta, ln_param):
    """Forward pass of layer normalization.

    Normalize each sample (each row of x) over its D features, then scale by gamma and shift by
    beta. Training and test time are the same: there are no running averages.

    Inputs:
    - x: data of shape (N, D)
    - gamma: scale parameter of shape (D,)
    - beta: shift parameter of shape (D,)
    - ln_param: dictionary with the following key:
      - eps: constant for numeric stability, default 1e-5

    Returns a tuple of:
    - out: array of shape (N, D), same dtype as x
    - cache: values needed for the backward pass
    """
    raise NotImplementedError("layernorm_forward")


def layernorm_backward(dout, cache):
    """Backward pass of layer normalization.

    Inputs:
    - dout: upstream derivatives, of shape (N, D)
    - cache: values from the forward pass

    Returns a tuple of:
    - dx: gradient with respect to x, of shape (N, D)
    - dgamma: gradient with respect to gamma, of shape (D,)
    - dbeta: gradient with respect to beta, of shape (D,)
    """
    raise NotImplementedError("layernorm_backward")
