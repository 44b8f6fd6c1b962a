import numpy as np


def batchnorm_forward(x, gamma, beta, bn_param):
    """Forward pass of batch normalization.

    In training mode, normalize each feature with the mean and (biased) variance of the
    mini-batch, then scale by gamma and shift by beta. Also keep running averages:

        running_mean = momentum * running_mean + (1 - momentum) * sample_mean
        running_var = momentum * running_var + (1 - momentum) * sample_var

    In test mode, normalize with running_mean and running_var instead.

    Inputs:
    - x: data of shape (N, D)
    - gamma: scale parameter of shape (D,)
    - beta: shift parameter of shape (D,)
    - bn_param: dictionary with the following keys:
      - mode: 'train' or 'test'; required
      - eps: constant for numeric stability, default 1e-5
      - momentum: constant for the running averages, default 0.9
      - running_mean: array of shape (D,), zeros when absent
      - running_var: array of shape (D,), zeros when absent
      Store the (new) running_mean and running_var back into bn_param.

    Returns a tuple of:
    - out: array of shape (N, D), same dtype as x
    - cache: anything you want to keep for the backward pass

    Do not modify x, gamma, beta or the arrays you read from bn_param.
    """
    raise NotImplementedError("batchnorm_forward")
