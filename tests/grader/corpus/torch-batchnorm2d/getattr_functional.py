# expect: status:forbidden
# reaches torch.nn.functional.batch_norm through getattr with built strings
import torch
from torch import nn

F = getattr(torch.nn, "func" + "tional")


class BatchNorm2d(nn.Module):
    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True, track_running_stats=True):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(num_features))
        self.bias = nn.Parameter(torch.zeros(num_features))
        self.register_buffer("running_mean", torch.zeros(num_features))
        self.register_buffer("running_var", torch.ones(num_features))
        self.register_buffer("num_batches_tracked", torch.tensor(0))
        self.momentum, self.eps = momentum, eps

    def forward(self, x):
        return getattr(F, "batch" + "_norm")(x, self.running_mean, self.running_var, self.weight, self.bias, self.training, self.momentum or 0.1, self.eps)
