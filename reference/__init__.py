"""Trusted reference implementations the grader judges against.

NumPy, dtype-preserving (a float32 input is computed in float32), never modifying inputs.
Importing this package does not import torch; the PyTorch counterparts live in
``reference.torch`` and are imported explicitly.
"""

from reference._batchnorm import (
    batchnorm_backward,
    batchnorm_backward_alt,
    batchnorm_forward,
)
from reference._running_stats import CONVENTIONS, update_running_stats
from reference._spatial_batchnorm import spatial_batchnorm_backward, spatial_batchnorm_forward

__all__ = [
    "CONVENTIONS",
    "batchnorm_backward",
    "batchnorm_backward_alt",
    "batchnorm_forward",
    "spatial_batchnorm_backward",
    "spatial_batchnorm_forward",
    "update_running_stats",
]
