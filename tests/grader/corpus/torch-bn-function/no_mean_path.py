# expect: torch-dx-missing-mean-path
# forgets that mu depends on x
import torch


class BatchNormFunction(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, gamma, beta, eps):
        mean = x.mean(dim=0)
        var = ((x - mean) ** 2).mean(dim=0)
        std = torch.sqrt(var + eps)
        x_hat = (x - mean) / std
        ctx.save_for_backward(x_hat, gamma, std)
        return gamma * x_hat + beta

    @staticmethod
    def backward(ctx, dout):
        x_hat, gamma, std = ctx.saved_tensors
        dbeta = dout.sum(dim=0)
        dgamma = (dout * x_hat).sum(dim=0)
        dx_hat = dout * gamma
        dx = (dx_hat - x_hat * (dx_hat * x_hat).mean(dim=0)) / std
        return dx, dgamma, dbeta, None
