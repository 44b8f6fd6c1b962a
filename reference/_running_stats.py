"""Running statistics of batch normalization under two named conventions.

The two conventions disagree on three things, and each is a classic interview trap:

========================  ===============================  ==================================
                          ``cs231n`` (Stanford CS231n)     ``pytorch`` (torch.nn.BatchNorm*)
========================  ===============================  ==================================
update rule               m*running + (1-m)*batch          (1-m)*running + m*batch
default momentum          0.9 (weights the OLD value)      0.1 (weights the NEW value)
running variance stores   biased batch variance (/n)       unbiased batch variance (/(n-1))
initial buffers           mean 0, variance 0               mean 0, variance 1
``momentum=None``         not allowed                      cumulative average, 1/num_batches
========================  ===============================  ==================================

In both, training normalizes with the *biased* batch variance; only what is stored differs.

Sources, checked by hand:

- CS231n assignment 2 starter code, ``cs231n/layers.py``, ``batchnorm_forward`` docstring:
  "running_mean = momentum * running_mean + (1 - momentum) * sample_mean", the same for
  running_var with the "(uncorrected) sample variance", ``bn_param.get('momentum', 0.9)``,
  and running buffers from ``bn_param.get('running_mean', np.zeros(D))``.
- torch.nn.BatchNorm2d docs (https://pytorch.org/docs/stable/generated/torch.nn.BatchNorm2d.html):
  "At train time in the forward pass, the variance is calculated via the biased estimator
  ... However, the value stored in the moving average of the variance is calculated via
  the unbiased estimator"; update rule x_new = (1 - momentum) * x_hat + momentum * x_t;
  default momentum 0.1; momentum "Can be set to None for cumulative moving average".
- torch 2.13 ``torch/nn/modules/batchnorm.py``: ``_NormBase.__init__`` registers
  running_mean = zeros, running_var = ones, num_batches_tracked = 0 (long);
  ``_BatchNorm.forward`` adds 1 to num_batches_tracked on every training call and, when
  momentum is None, uses exponential_average_factor = 1.0 / float(num_batches_tracked).
- torch 2.13 ``torch/nn/functional.py``: ``batch_norm`` calls ``_verify_batch_size`` when
  training, which raises ValueError("Expected more than 1 value per channel when training,
  ...") when N * H * W == 1 (the unbiased variance would divide by zero).
"""

from __future__ import annotations

from typing import Any

import numpy as np

CONVENTIONS = ("cs231n", "pytorch")

_DEFAULT_MOMENTUM = {"cs231n": 0.9, "pytorch": 0.1}


def convention_of(bn_param: dict[str, Any]) -> str:
    """The convention named in ``bn_param`` (default ``cs231n``), validated."""
    convention = bn_param.get("convention", "cs231n")
    if convention not in CONVENTIONS:
        raise ValueError(f"bn_param['convention'] must be one of {CONVENTIONS}, got {convention!r}")
    return convention


def mode_of(bn_param: dict[str, Any]) -> str:
    """``bn_param['mode']``: required, ``'train'`` or ``'test'``."""
    if "mode" not in bn_param:
        raise KeyError("bn_param['mode'] is required: 'train' or 'test'")
    mode = bn_param["mode"]
    if mode not in ("train", "test"):
        raise ValueError(f"bn_param['mode'] must be 'train' or 'test', got {mode!r}")
    return mode


def running_stats(
    bn_param: dict[str, Any], D: int, dtype: np.dtype
) -> tuple[np.ndarray, np.ndarray]:
    """The current (running_mean, running_var), each (D,), as new arrays of ``dtype``.

    Absent buffers start where the convention starts them: cs231n at zeros for both,
    pytorch at mean 0 and variance 1.
    """
    convention = convention_of(bn_param)
    initial_var = 1.0 if convention == "pytorch" else 0.0
    running_mean = bn_param.get("running_mean")
    running_var = bn_param.get("running_var")
    if running_mean is None:
        running_mean = np.zeros(D, dtype=dtype)
    if running_var is None:
        running_var = np.full(D, initial_var, dtype=dtype)
    # np.array copies, so the caller's buffers are never aliased or modified.
    running_mean = np.array(running_mean, dtype=dtype)  # (D,)
    running_var = np.array(running_var, dtype=dtype)  # (D,)
    if running_mean.shape != (D,) or running_var.shape != (D,):
        raise ValueError(
            f"running_mean and running_var must have shape ({D},), "
            f"got {running_mean.shape} and {running_var.shape}"
        )
    return running_mean, running_var


def update_running_stats(
    bn_param: dict[str, Any], mu: np.ndarray, var: np.ndarray, n: int
) -> tuple[np.ndarray, np.ndarray]:
    """Fold one training batch into the running statistics stored in ``bn_param``.

    ``mu`` and ``var`` (each (D,)) are the batch mean and the *biased* batch variance over
    ``n`` values per feature. The new running_mean and running_var (new arrays of
    ``mu.dtype``) are written back into ``bn_param`` and returned; under the pytorch
    convention ``num_batches_tracked`` is incremented too.
    """
    convention = convention_of(bn_param)
    running_mean, running_var = running_stats(bn_param, mu.shape[0], mu.dtype)
    momentum = bn_param.get("momentum", _DEFAULT_MOMENTUM[convention])
    # A Python float stays "weak" under NumPy 2 (NEP 50): a np.float64 momentum would
    # silently upcast float32 buffers to float64.
    momentum = None if momentum is None else float(momentum)

    if convention == "cs231n":
        if momentum is None:
            raise ValueError("bn_param['momentum'] = None is only defined for 'pytorch'")
        # momentum weights the OLD value; the biased variance is what gets stored.
        running_mean = momentum * running_mean + (1 - momentum) * mu
        running_var = momentum * running_var + (1 - momentum) * var
    else:
        if n < 2:
            raise ValueError(
                f"Expected more than 1 value per channel when training, got {n} value(s)"
            )
        num_batches_tracked = int(bn_param.get("num_batches_tracked", 0)) + 1
        bn_param["num_batches_tracked"] = num_batches_tracked
        # momentum weights the NEW value; None means a cumulative moving average.
        factor = 1.0 / num_batches_tracked if momentum is None else momentum
        var_unbiased = var * (n / (n - 1))  # (D,) Bessel's correction
        running_mean = (1 - factor) * running_mean + factor * mu
        running_var = (1 - factor) * running_var + factor * var_unbiased

    # Python-float scalars do not upcast under NumPy 2 (NEP 50), but be explicit anyway.
    running_mean = running_mean.astype(mu.dtype, copy=False)
    running_var = running_var.astype(mu.dtype, copy=False)
    bn_param["running_mean"] = running_mean
    bn_param["running_var"] = running_var
    return running_mean, running_var
