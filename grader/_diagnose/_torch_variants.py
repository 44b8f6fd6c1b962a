"""Known-wrong torch implementations (imported only when a torch check failed)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from types import SimpleNamespace

import numpy as np

from grader._diagnose._variants import Knobs, bn_backward, bn_forward


@dataclass(frozen=True)
class TorchKnobs:
    biased_running_var: bool = False  # running_var accumulates the biased variance
    momentum_flipped: bool = False  # momentum weights the old value (the CS231n meaning)
    eval_batch_stats: bool = False  # eval mode still normalizes with the batch's statistics
    no_count: bool = False  # num_batches_tracked never incremented
    grads: Knobs | None = None  # BatchNormFunction: backward with these NumPy knobs
    evaluate: str | None = None  # evaluate(): one of EVALUATE_MISTAKES


def module_namespace(k: TorchKnobs) -> SimpleNamespace:
    import torch
    from torch import nn

    class BatchNorm2d(nn.BatchNorm2d):
        def forward(self, x):  # x (N, C, H, W)
            use_batch = self.training or not self.track_running_stats or k.eval_batch_stats
            if use_batch:
                mean = x.mean(dim=(0, 2, 3))  # (C,)
                var = x.var(dim=(0, 2, 3), unbiased=False)  # (C,)
                if self.training and self.track_running_stats:
                    with torch.no_grad():
                        if not k.no_count:
                            self.num_batches_tracked += 1
                        if self.momentum is None:
                            f = 1.0 / max(int(self.num_batches_tracked), 1)
                        else:
                            f = self.momentum
                        if k.momentum_flipped:
                            f = 1.0 - f
                        n = x.numel() / x.shape[1]
                        v = var if k.biased_running_var else var * n / max(n - 1, 1)
                        self.running_mean.mul_(1 - f).add_(f * mean)
                        self.running_var.mul_(1 - f).add_(f * v)
            else:
                mean, var = self.running_mean, self.running_var
            shape = (1, -1, 1, 1)
            y = (x - mean.view(shape)) / torch.sqrt(var.view(shape) + self.eps)
            if self.affine:
                y = y * self.weight.view(shape) + self.bias.view(shape)
            return y

    return SimpleNamespace(BatchNorm2d=BatchNorm2d)


def function_namespace(k: TorchKnobs) -> SimpleNamespace:
    import torch

    knobs = k.grads or Knobs()

    class BatchNormFunction(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x, gamma, beta, eps):
            p = {"mode": "train", "eps": eps}
            out, cache = bn_forward(
                x.detach().numpy(), gamma.detach().numpy(), beta.detach().numpy(), p, replace(knobs)
            )
            ctx.cache = cache
            return torch.from_numpy(np.ascontiguousarray(out))

        @staticmethod
        def backward(ctx, dout):
            dx, dg, db = bn_backward(dout.detach().numpy(), ctx.cache, knobs)
            return torch.from_numpy(dx), torch.from_numpy(dg), torch.from_numpy(db), None

    return SimpleNamespace(BatchNormFunction=BatchNormFunction)


EVALUATE_MISTAKES = ("no-eval", "no-no-grad", "train-after", "not-restored-on-error")


def evaluate_namespace(k: TorchKnobs) -> SimpleNamespace:
    import torch

    def evaluate(model, batches):
        if k.evaluate == "no-eval":
            with torch.no_grad():
                return [model(x) for x in batches]
        modes = [(m, m.training) for m in model.modules()]
        model.eval()
        if k.evaluate == "train-after":
            with torch.no_grad():
                outs = [model(x) for x in batches]
            model.train()
            return outs
        if k.evaluate == "not-restored-on-error":
            with torch.no_grad():
                outs = [model(x) for x in batches]
            for m, t in modes:
                m.training = t
            return outs
        try:
            if k.evaluate == "no-no-grad":
                return [model(x) for x in batches]
            with torch.no_grad():
                return [model(x) for x in batches]
        finally:
            for m, t in modes:
                m.training = t

    return SimpleNamespace(evaluate=evaluate)
