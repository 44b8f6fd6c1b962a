# expect: status:forbidden
# reuses torch's own layer
import torch
from torch import nn


class BatchNorm2d(nn.BatchNorm2d):
    pass
