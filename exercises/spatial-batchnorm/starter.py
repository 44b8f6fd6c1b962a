import numpy as np

# You may define helpers in this file, for example your batchnorm_forward / batchnorm_backward
# from the earlier exercises: the file is graded on its own and cannot import other files.


def spatial_batchnorm_forward(x, gamma, beta, bn_param):
    """Forward pass of spatial batch normalization.

    Inputs:
    - x: input data of shape (N, C, H, W)
    - gamma: scale parameter, of shape (C,)
    - beta: shift parameter, of shape (C,)
    - bn_param: dictionary with the following keys:
      - mode: 'train' or 'test'; required
      - eps: constant for numeric stability, default 1e-5
      - momentum: constant for the running averages, default 0.9
      - running_mean: array of shape (C,), zeros when absent
      - running_var: array of shape (C,), zeros when absent
      Store the new running_mean and running_var back into bn_param.

    Returns a tuple of:
    - out: output data, of shape (N, C, H, W), same dtype as x
    - cache: values needed for the backward pass
    """
    raise NotImplementedError("spatial_batchnorm_forward")


def spatial_batchnorm_backward(dout, cache):
    """Backward pass of spatial batch normalization (training mode).

    Inputs:
    - dout: upstream derivatives, of shape (N, C, H, W)
    - cache: values from the forward pass

    Returns a tuple of:
    - dx: gradient with respect to inputs, of shape (N, C, H, W)
    - dgamma: gradient with respect to the scale parameter, of shape (C,)
    - dbeta: gradient with respect to the shift parameter, of shape (C,)
    """
    raise NotImplementedError("spatial_batchnorm_backward")
