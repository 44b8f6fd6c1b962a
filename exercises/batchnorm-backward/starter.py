import numpy as np


def batchnorm_forward(x, gamma, beta, bn_param):
    """Forward pass of batch normalization (paste your solution of batchnorm-forward).

    - x: (N, D); gamma, beta: (D,)
    - bn_param: 'mode' ('train' or 'test', required), 'eps' (default 1e-5),
      'momentum' (default 0.9), 'running_mean' / 'running_var' ((D,), zeros when absent;
      store the new values back into bn_param)

    Returns (out, cache): out of shape (N, D) with x's dtype; cache holds what
    batchnorm_backward needs.
    """
    raise NotImplementedError("batchnorm_forward")


def batchnorm_backward(dout, cache):
    """Backward pass of batch normalization (training mode).

    Work through the computation graph of your forward pass one node at a time.

    Inputs:
    - dout: upstream derivatives, of shape (N, D)
    - cache: the cache returned by batchnorm_forward in 'train' mode

    Returns a tuple of:
    - dx: gradient with respect to x, of shape (N, D)
    - dgamma: gradient with respect to gamma, of shape (D,)
    - dbeta: gradient with respect to beta, of shape (D,)
    """
    raise NotImplementedError("batchnorm_backward")


# Optional: batchnorm_backward_alt(dout, cache) -> (dx, dgamma, dbeta), the same gradients from a
# simplified closed-form expression for dx. If you define it, it is graded too.
