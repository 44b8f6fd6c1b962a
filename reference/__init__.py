"""Trusted reference implementations the grader judges against.

NumPy, dtype-preserving (a float32 input is computed in float32, so a float32 run shows
float32's real rounding error), never modifying inputs. Importing this package does not
import torch; the PyTorch counterparts live in ``reference.torch`` and are imported
explicitly.
"""

from reference._batchnorm import batchnorm_backward, batchnorm_backward_alt, batchnorm_forward
from reference._conv import conv2d_forward
from reference._fold import fold_bn_into_conv, fold_bn_into_linear
from reference._groupnorm import spatial_groupnorm_backward, spatial_groupnorm_forward
from reference._instancenorm import instancenorm_backward, instancenorm_forward
from reference._layernorm import layernorm_backward, layernorm_forward
from reference._running_stats import CONVENTIONS, update_running_stats
from reference._spatial_batchnorm import spatial_batchnorm_backward, spatial_batchnorm_forward

__all__ = [
    "CONVENTIONS",
    "batchnorm_backward",
    "batchnorm_backward_alt",
    "batchnorm_forward",
    "conv2d_forward",
    "fold_bn_into_conv",
    "fold_bn_into_linear",
    "instancenorm_backward",
    "instancenorm_forward",
    "layernorm_backward",
    "layernorm_forward",
    "spatial_batchnorm_backward",
    "spatial_batchnorm_forward",
    "spatial_groupnorm_backward",
    "spatial_groupnorm_forward",
    "update_running_stats",
]
