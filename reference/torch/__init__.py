"""PyTorch counterparts of the NumPy references (imports torch; import explicitly).

``BatchNormFunction``: batch norm as an autograd Function with the hand-written backward.
``BatchNorm2d``: a drop-in for ``torch.nn.BatchNorm2d`` whose state_dict loads into the real one.
"""

from reference.torch._function import BatchNormFunction
from reference.torch._module import BatchNorm2d

__all__ = ["BatchNorm2d", "BatchNormFunction"]
