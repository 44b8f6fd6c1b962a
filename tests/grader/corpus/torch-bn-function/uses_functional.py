# expect: status:failed
# calls torch's batch norm and writes no backward (exercise.yaml lists no forbidden names yet)
import torch
import torch.nn.functional as F


class BatchNormFunction(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, gamma, beta, eps):
        return F.batch_norm(x, None, None, gamma, beta, True, 0.0, eps)
