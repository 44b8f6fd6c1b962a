"""Batch normalization for (N, C, H, W) inputs, written out with tensor operations.

Behaves like torch.nn.BatchNorm2d (PyTorch docs; Ioffe & Szegedy 2015, Algorithm 1 and Sections
3.1–3.2) without calling it or torch.nn.functional.batch_norm:
- training: normalize with the batch mean and *biased* variance over (N, H, W) per channel;
  update running_mean / running_var with the *unbiased* variance,
  running = (1 - momentum) * running + momentum * batch (PyTorch's momentum is the weight of
  the new value, the opposite of Keras and CS231n); momentum=None means a cumulative average,
  factor 1 / num_batches_tracked;
- eval: normalize with the running statistics;
- track_running_stats=False: no buffers, batch statistics in both modes;
- affine=False: no weight/bias parameters.
Parameter and buffer names match the real module, so state_dicts move in both directions.
"""

import torch
from torch import nn


class BatchNorm2d(nn.Module):
    def __init__(
        self,
        num_features,
        eps=1e-5,
        momentum=0.1,
        affine=True,
        track_running_stats=True,
        device=None,
        dtype=None,
    ):
        super().__init__()
        factory = {"device": device, "dtype": dtype}
        self.num_features = num_features
        self.eps = eps
        self.momentum = momentum
        self.affine = affine
        self.track_running_stats = track_running_stats
        if affine:
            self.weight = nn.Parameter(torch.ones(num_features, **factory))  # gamma (C,)
            self.bias = nn.Parameter(torch.zeros(num_features, **factory))  # beta (C,)
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        if track_running_stats:
            self.register_buffer("running_mean", torch.zeros(num_features, **factory))  # (C,)
            self.register_buffer("running_var", torch.ones(num_features, **factory))  # (C,)
            self.register_buffer(
                "num_batches_tracked", torch.tensor(0, dtype=torch.long, device=device)
            )
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)

    def reset_running_stats(self):
        if self.track_running_stats:
            self.running_mean.zero_()
            self.running_var.fill_(1)
            self.num_batches_tracked.zero_()

    def reset_parameters(self):
        self.reset_running_stats()
        if self.affine:
            nn.init.ones_(self.weight)
            nn.init.zeros_(self.bias)

    def extra_repr(self):
        return (
            f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
            f"affine={self.affine}, track_running_stats={self.track_running_stats}"
        )

    def forward(self, x):
        if x.dim() != 4:
            raise ValueError(f"expected 4D input (got {x.dim()}D input)")
        use_batch_stats = self.training or self.running_mean is None
        if use_batch_stats:
            n = x.numel() // x.shape[1]  # values per channel: N * H * W
            if n <= 1:
                # The unbiased variance of one value is undefined; PyTorch refuses as well.
                raise ValueError(
                    f"Expected more than 1 value per channel when training, got input size {tuple(x.shape)}"
                )
            mean = x.mean(dim=(0, 2, 3))  # (C,)
            var = x.var(dim=(0, 2, 3), unbiased=False)  # (C,) biased: used to normalize
            if self.training and self.track_running_stats:
                self._update_running_stats(mean, var, n)
        else:
            mean, var = self.running_mean, self.running_var  # (C,)
        x_hat = (x - mean[None, :, None, None]) / torch.sqrt(var[None, :, None, None] + self.eps)
        if self.affine:
            return x_hat * self.weight[None, :, None, None] + self.bias[None, :, None, None]
        return x_hat

    @torch.no_grad()
    def _update_running_stats(self, mean, var, n):
        self.num_batches_tracked.add_(1)
        # momentum=None: a cumulative moving average over every batch seen so far
        momentum = self.momentum
        factor = 1.0 / float(self.num_batches_tracked) if momentum is None else momentum
        unbiased_var = var * (n / (n - 1))  # (C,) Bessel's correction for the population estimate
        self.running_mean.mul_(1 - factor).add_(factor * mean)
        self.running_var.mul_(1 - factor).add_(factor * unbiased_var)
