import numpy as np


def spatial_groupnorm_forward(x, gamma, beta, G, gn_param):
    """Forward pass of spatial group normalization.

    Split the C channels into G groups of C // G consecutive channels; normalize each sample's
    group over its channels and all spatial positions; then apply the per-channel gamma and beta.

    Inputs:
    - x: input data of shape (N, C, H, W)
    - gamma: scale parameter, of shape (1, C, 1, 1)
    - beta: shift parameter, of shape (1, C, 1, 1)
    - G: integer number of groups, a divisor of C
    - gn_param: dictionary with the following key:
      - eps: constant for numeric stability, default 1e-5

    Returns a tuple of:
    - out: output data, of shape (N, C, H, W), same dtype as x
    - cache: values needed for the backward pass
    """
    raise NotImplementedError("spatial_groupnorm_forward")


def spatial_groupnorm_backward(dout, cache):
    """Backward pass of spatial group normalization.

    Inputs:
    - dout: upstream derivatives, of shape (N, C, H, W)
    - cache: values from the forward pass

    Returns a tuple of:
    - dx: gradient with respect to inputs, of shape (N, C, H, W)
    - dgamma: gradient with respect to the scale parameter, of shape (1, C, 1, 1)
    - dbeta: gradient with respect to the shift parameter, of shape (1, C, 1, 1)
    """
    raise NotImplementedError("spatial_groupnorm_backward")
