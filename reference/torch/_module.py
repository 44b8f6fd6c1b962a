"""A ``torch.nn.BatchNorm2d`` look-alike built on ``BatchNormFunction``.

Same constructor arguments, same parameter and buffer names (weight, bias, running_mean,
running_var, num_batches_tracked), so a ``state_dict`` moves between this module and the real
one in both directions. Behaviour follows torch 2.13 ``torch/nn/modules/batchnorm.py``:

- training normalizes with the biased batch variance and folds the *unbiased* variance into
  running_var: running = (1 - momentum) * running + momentum * batch;
- num_batches_tracked increments on every training call; momentum=None then means a
  cumulative average with factor 1 / num_batches_tracked;
- eval normalizes with the buffers, unless track_running_stats=False, in which case there are
  no buffers (registered as None, absent from the state_dict) and batch statistics are used
  in eval too;
- a batch with one value per channel (N * H * W == 1) is rejected whenever batch statistics
  are used, with torch's message. One deliberate difference: torch increments
  num_batches_tracked *before* that check, so a rejected batch still counts; here a
  rejected batch changes nothing.
"""

from __future__ import annotations

import torch
from torch import nn

from reference.torch._function import BatchNormFunction, batch_stats, per_channel


class BatchNorm2d(nn.Module):
    _version = 2  # torch's BatchNorm state_dict version (2 added num_batches_tracked)

    def __init__(
        self,
        num_features: int,
        eps: float = 1e-5,
        momentum: float | None = 0.1,
        affine: bool = True,
        track_running_stats: bool = True,
        device: torch.device | str | None = None,
        dtype: torch.dtype | None = None,
    ) -> None:
        super().__init__()
        kw = {"device": device, "dtype": dtype}
        self.num_features, self.eps, self.momentum = num_features, eps, momentum
        self.affine, self.track_running_stats = affine, track_running_stats
        if affine:  # gamma starts at 1 and beta at 0: the layer starts as the identity map
            self.weight = nn.Parameter(torch.ones(num_features, **kw))
            self.bias = nn.Parameter(torch.zeros(num_features, **kw))
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        if track_running_stats:
            self.register_buffer("running_mean", torch.zeros(num_features, **kw))
            self.register_buffer("running_var", torch.ones(num_features, **kw))
            self.register_buffer(
                "num_batches_tracked", torch.tensor(0, dtype=torch.long, device=device)
            )
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.dim() != 4:
            raise ValueError(f"expected 4D input (N, C, H, W), got {x.dim()}D input")
        use_batch_stats = self.training or self.running_mean is None
        if not use_batch_stats:
            # Eval with frozen statistics: a per-channel affine map; autograd differentiates it.
            inv_std = torch.rsqrt(self.running_var + self.eps)  # (C,)
            out = (x - per_channel(self.running_mean, x)) * per_channel(inv_std, x)
            if self.weight is not None:
                out = out * per_channel(self.weight, x) + per_channel(self.bias, x)
            return out

        n = x.numel() // x.size(1)  # values per channel: N * H * W
        if n == 1:
            raise ValueError(
                f"Expected more than 1 value per channel when training, got input size {list(x.shape)}"
            )
        if self.training and self.track_running_stats:
            self._update_running_stats(x, n)
        return BatchNormFunction.apply(x, self.weight, self.bias, self.eps)

    @torch.no_grad()
    def _update_running_stats(self, x: torch.Tensor, n: int) -> None:
        self.num_batches_tracked.add_(1)
        # momentum=None: cumulative moving average; else momentum weights the NEW value.
        momentum = self.momentum
        factor = 1.0 / float(self.num_batches_tracked) if momentum is None else momentum
        mu, var = batch_stats(x.detach())  # (C,), (C,) biased
        var_unbiased = var * (n / (n - 1))  # what the buffer stores (torch docs)
        self.running_mean.mul_(1 - factor).add_(factor * mu)
        self.running_var.mul_(1 - factor).add_(factor * var_unbiased)

    def extra_repr(self) -> str:
        return (
            f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
            f"affine={self.affine}, track_running_stats={self.track_running_stats}"
        )
