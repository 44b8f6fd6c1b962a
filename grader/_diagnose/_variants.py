"""Known-wrong implementations, run on the trusted side to name a learner's mistake.

Each mistake is a knob on one small implementation of the CS231n interfaces; with every knob off
it is correct (tests compare it with ``reference``), so a variant differs from the reference in
exactly one place. Diagnosis runs a failed check's calls on each variant and names the variant
whose outputs the submission matches. This is diagnosis code only: checks always compare with
``reference``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from types import SimpleNamespace
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Knobs:
    # forward
    ddof: int = 0  # 1: unbiased variance used to normalize
    eps_outside: bool = False  # (x - mu) / (sqrt(var) + eps)
    eps_missing: bool = False  # (x - mu) / sqrt(var)
    one_pass_var: bool = False  # var = E[x^2] - E[x]^2 (cancels catastrophically)
    momentum_flipped: bool = False  # running = (1 - m) * running + m * batch
    test_batch_stats: bool = False  # test mode normalizes with the batch's own statistics
    test_like_train: bool = False  # mode ignored: test mode also updates the running statistics
    no_writeback: bool = False  # running statistics computed but not stored in bn_param
    running_var_ddof: int | None = None  # running var with another ddof than the convention's
    std_as_running_var: bool = False  # running "var" accumulates the standard deviation
    wrong_axis: bool = False  # statistics over features instead of over the batch
    inplace_x: bool = False  # x -= mu in place
    cast: str | None = None  # output cast to this dtype
    # backward
    no_mean_path: bool = False  # dx without the -mean(dx_hat) term
    no_var_path: bool = False  # dx without the variance term
    dx_no_gamma: bool = False  # dx_hat = dout (gamma forgotten)
    dx_sum_not_mean: bool = False  # sums where means belong (dx off by a factor of N)
    swap_dgamma_dbeta: bool = False
    dgamma_uses_x: bool = False  # dgamma = sum(dout * x) instead of sum(dout * x_hat)
    # spatial / group
    spatial_no_transpose: bool = False  # x.reshape(-1, C) without moving C last
    group_strided: bool = False  # group g takes channels g, g+G, ... instead of a block
    per_channel: bool = False  # group norm with one channel per group (instance norm)


def _var(x: np.ndarray, axis: Any, k: Knobs, ddof: int) -> np.ndarray:
    if k.one_pass_var:
        n = x.size // np.mean(x, axis=axis, keepdims=True).size
        v = np.mean(x * x, axis=axis, keepdims=True) - np.mean(x, axis=axis, keepdims=True) ** 2
        return v * n / (n - ddof) if ddof else v
    return np.var(x, axis=axis, keepdims=True, ddof=ddof)


def _normalize(x, axis, eps, k: Knobs, mu=None, var=None):
    """x_hat with the statistics over ``axis``; returns (x_hat, mu, var, inv_std)."""
    if mu is None:
        mu = np.mean(x, axis=axis, keepdims=True)
        var = _var(x, axis, k, k.ddof)
    if k.eps_outside:
        inv_std = 1.0 / (np.sqrt(var) + eps)
    elif k.eps_missing:
        with np.errstate(divide="ignore", invalid="ignore"):
            inv_std = 1.0 / np.sqrt(var)
    else:
        inv_std = 1.0 / np.sqrt(var + eps)
    if k.inplace_x:
        x -= mu
        x_hat = x * inv_std
    else:
        x_hat = (x - mu) * inv_std
    return x_hat, mu, var, inv_std


def _out(y: np.ndarray, like: np.ndarray, k: Knobs) -> np.ndarray:
    return y.astype(k.cast) if k.cast else y.astype(like.dtype, copy=False)


def bn_forward(x, gamma, beta, bn_param, k: Knobs):
    mode = bn_param["mode"]
    eps = bn_param.get("eps", 1e-5)
    momentum = bn_param.get("momentum", 0.9)
    pytorch = bn_param.get("convention", "cs231n") == "pytorch"
    N, D = x.shape
    running_mean = bn_param.get("running_mean", np.zeros(D, dtype=x.dtype))
    running_var = bn_param.get("running_var", (np.ones if pytorch else np.zeros)(D, dtype=x.dtype))
    axis = 1 if k.wrong_axis else 0
    if mode == "train" or k.test_batch_stats or k.test_like_train:
        x_hat, mu, var, inv_std = _normalize(x, axis, eps, k)
        if mode == "train" or k.test_like_train:
            keep = 1.0 - momentum if pytorch else momentum  # weight on the old running value
            if k.momentum_flipped:
                keep = 1.0 - keep
            # a learner's np.var(..., ddof=1) usually feeds the running variance too
            rv_ddof = k.running_var_ddof
            if rv_ddof is None:
                rv_ddof = k.ddof if k.ddof else int(pytorch)
            n = x.shape[axis]
            if k.std_as_running_var:
                var_b = np.sqrt(var)
            else:
                with np.errstate(divide="ignore", invalid="ignore"):
                    var_b = var * (n - k.ddof) / (n - rv_ddof)
            # statistics over the wrong axis broadcast into the running buffers as they come
            mu_b = mu if k.wrong_axis else mu.reshape(-1)  # (D,)
            var_b = var_b if k.wrong_axis else var_b.reshape(-1)  # (D,)
            new_mean = keep * running_mean + (1 - keep) * mu_b
            new_var = keep * running_var + (1 - keep) * var_b
            if not k.no_writeback:
                bn_param["running_mean"] = new_mean.astype(x.dtype, copy=False)
                bn_param["running_var"] = new_var.astype(x.dtype, copy=False)
    else:
        x_hat, mu, var, inv_std = _normalize(
            x, 0, eps, k, mu=running_mean[None, :], var=running_var[None, :]
        )
    out = gamma * x_hat + beta
    cache = (x_hat, gamma, inv_std, axis, mu)
    return _out(out, x, k), cache


def bn_backward(dout, cache, k: Knobs):
    x_hat, gamma, inv_std, axis, mu = cache  # x_hat (N, D), inv_std (1, D)
    dbeta = dout.sum(axis=0)  # (D,)
    dgamma = (dout * (x_hat / inv_std + mu if k.dgamma_uses_x else x_hat)).sum(axis=0)  # (D,)
    dx_hat = dout if k.dx_no_gamma else dout * gamma  # (N, D)
    reduce = np.sum if k.dx_sum_not_mean else np.mean
    dx = dx_hat
    if not k.no_mean_path:
        dx = dx - reduce(dx_hat, axis=axis, keepdims=True)
    if not k.no_var_path:
        dx = dx - x_hat * reduce(dx_hat * x_hat, axis=axis, keepdims=True)
    dx = dx * inv_std
    if k.swap_dgamma_dbeta:
        dgamma, dbeta = dbeta, dgamma
    return _out(dx, dout, k), _out(dgamma, dout, k), _out(dbeta, dout, k)


def _to_rows(x, k: Knobs):
    N, C, H, W = x.shape
    if k.spatial_no_transpose:
        return x.reshape(-1, C)
    return x.transpose(0, 2, 3, 1).reshape(-1, C)


def _from_rows(y, shape, k: Knobs):
    N, C, H, W = shape
    if k.spatial_no_transpose:
        return y.reshape(N, C, H, W)
    return y.reshape(N, H, W, C).transpose(0, 3, 1, 2)


def spatial_bn_forward(x, gamma, beta, bn_param, k: Knobs):
    out, cache = bn_forward(_to_rows(x, k), gamma, beta, bn_param, k)
    return _from_rows(out, x.shape, k), (cache, x.shape)


def spatial_bn_backward(dout, cache, k: Knobs):
    cache, shape = cache
    dx, dgamma, dbeta = bn_backward(_to_rows(dout, k), cache, k)
    return _from_rows(dx, shape, k), dgamma, dbeta


def ln_forward(x, gamma, beta, ln_param, k: Knobs):
    # layer norm = batch norm's statistics taken over the other axis; wrong_axis means over the batch
    eps = ln_param.get("eps", 1e-5)
    axis = 0 if k.wrong_axis else 1
    x_hat, mu, var, inv_std = _normalize(x, axis, eps, replace(k, wrong_axis=False))
    out = gamma * x_hat + beta
    return _out(out, x, k), (x_hat, gamma, inv_std, axis, mu)


def ln_backward(dout, cache, k: Knobs):
    return bn_backward(dout, cache, replace(k, wrong_axis=False))


def _groups(x, G, k: Knobs):
    N, C, H, W = x.shape
    if k.per_channel:
        return x.reshape(N, C, H * W), C
    if k.group_strided:
        return x.reshape(N, C // G, G, H * W).transpose(0, 2, 1, 3).reshape(N, G, -1), G
    return x.reshape(N, G, -1), G


def _ungroup(y, shape, G, k: Knobs):
    N, C, H, W = shape
    if k.group_strided and not k.per_channel:
        return y.reshape(N, G, C // G, H * W).transpose(0, 2, 1, 3).reshape(shape)
    return y.reshape(shape)


def gn_forward(x, gamma, beta, G, gn_param, k: Knobs):
    eps = gn_param.get("eps", 1e-5)
    xg, g = _groups(x, G, k)  # (N, G, C/G*H*W)
    x_hat_g, mu, var, inv_std = _normalize(xg, 2, eps, k)
    x_hat = _ungroup(x_hat_g, x.shape, g, k)
    out = gamma * x_hat + beta
    return _out(out, x, k), (x_hat, gamma, inv_std, G)


def gn_backward(dout, cache, k: Knobs):
    x_hat, gamma, inv_std, G = cache  # x_hat (N, C, H, W), inv_std (N, G, 1)
    dbeta = dout.sum(axis=(0, 2, 3), keepdims=True)  # (1, C, 1, 1)
    dgamma = (dout * x_hat).sum(axis=(0, 2, 3), keepdims=True)
    dx_hat_g, g = _groups(dout if k.dx_no_gamma else dout * gamma, G, k)
    x_hat_g, _ = _groups(x_hat, G, k)
    dx = dx_hat_g
    if not k.no_mean_path:
        dx = dx - dx_hat_g.mean(axis=2, keepdims=True)
    if not k.no_var_path:
        dx = dx - x_hat_g * (dx_hat_g * x_hat_g).mean(axis=2, keepdims=True)
    dx = _ungroup(dx * inv_std, dout.shape, g, k)
    if k.swap_dgamma_dbeta:
        dgamma, dbeta = dbeta, dgamma
    return _out(dx, dout, k), _out(dgamma, dout, k), _out(dbeta, dout, k)


def fold(w, b, gamma, beta, running_mean, running_var, eps, k: Knobs):
    # w (F, C, HH, WW), b (F,): conv followed by test-mode BN, as one conv
    denom = running_var + (0 if k.eps_missing else eps)
    scale = gamma / (denom if k.std_as_running_var else np.sqrt(denom))  # (F,)
    if k.wrong_axis:  # scales input channels instead of output channels
        w_f = (
            w * scale.reshape(1, -1, 1, 1)[:, : w.shape[1]]
            if w.shape[1] == scale.size
            else w * scale.mean()
        )
    else:
        w_f = w * scale.reshape(-1, 1, 1, 1)
    b_f = beta + (b - (0 if k.no_mean_path else running_mean)) * (1 if k.dx_no_gamma else scale)
    return _out(w_f, w, k), _out(b_f, b, k)


def namespace(k: Knobs) -> SimpleNamespace:
    """The CS231n entry points with these knobs, shaped like a submission module."""
    return SimpleNamespace(
        batchnorm_forward=lambda x, g, b, p: bn_forward(x, g, b, p, k),
        batchnorm_backward=lambda d, c: bn_backward(d, c, k),
        batchnorm_backward_alt=lambda d, c: bn_backward(d, c, k),
        spatial_batchnorm_forward=lambda x, g, b, p: spatial_bn_forward(x, g, b, p, k),
        spatial_batchnorm_backward=lambda d, c: spatial_bn_backward(d, c, k),
        layernorm_forward=lambda x, g, b, p: ln_forward(x, g, b, p, k),
        layernorm_backward=lambda d, c: ln_backward(d, c, k),
        spatial_groupnorm_forward=lambda x, g, b, G, p: gn_forward(x, g, b, G, p, k),
        spatial_groupnorm_backward=lambda d, c: gn_backward(d, c, k),
        fold_bn_into_conv=lambda w, b, g, be, rm, rv, eps: fold(w, b, g, be, rm, rv, eps, k),
    )


# ---------------------------------------------------------------------------- numpy-fix: a layer


def fix_namespace(k: Knobs) -> SimpleNamespace:
    """``BatchNorm``/``Model`` classes of the bn-inference-fix exercise with these knobs."""

    class BatchNorm:
        def __init__(self, gamma, beta, eps=1e-5, momentum=0.9):
            self.gamma, self.beta, self.eps, self.momentum = gamma, beta, eps, momentum
            D = gamma.shape[0]
            self.running_mean = np.zeros(D, dtype=gamma.dtype)
            self.running_var = np.ones(D, dtype=gamma.dtype)

        def forward(self, x, train):
            p = {
                "mode": "train" if train else "test",
                "eps": self.eps,
                "momentum": self.momentum,
                "running_mean": self.running_mean,
                "running_var": self.running_var,
            }
            out, _ = bn_forward(x, self.gamma, self.beta, p, k)
            self.running_mean, self.running_var = p["running_mean"], p["running_var"]
            return out

    class Model:
        def __init__(self, W1, b1, gamma, beta, W2, b2, eps=1e-5, momentum=0.9):
            self.W1, self.b1, self.W2, self.b2 = W1, b1, W2, b2
            self.bn = BatchNorm(gamma, beta, eps=eps, momentum=momentum)

        def forward(self, x, train):
            h = np.maximum(self.bn.forward(x @ self.W1 + self.b1, train), 0)
            return h @ self.W2 + self.b2

    return SimpleNamespace(BatchNorm=BatchNorm, Model=Model)


# ---------------------------------------------------------------------------- sync BN statistics


@dataclass(frozen=True)
class MergeKnobs:
    unweighted_mean: bool = False  # plain average of the device means
    within_only: bool = False  # average of device variances, no between-device spread
    one_pass_var: bool = False  # E[x^2] - E[x]^2 from the merged moments
    keep_empty: bool = False  # empty shards (count 0, NaN rows) not dropped


def merge_stats(counts, means, variances, k: MergeKnobs):
    n_k = np.asarray(counts, dtype=np.float64)  # (K,)
    if not k.keep_empty:
        seen = n_k > 0
        n_k, means, variances = n_k[seen], means[seen], variances[seen]
    n = n_k.sum()
    w = n_k[:, None] / n  # (K, 1)
    mean = means.mean(axis=0) if k.unweighted_mean else (w * means).sum(axis=0)  # (C,)
    if k.within_only:
        var = (w * variances).sum(axis=0)
    elif k.one_pass_var:
        var = (w * (variances + means**2)).sum(axis=0) - mean**2
    else:
        var = (w * (variances + (means - mean) ** 2)).sum(axis=0)
    return mean.astype(means.dtype, copy=False), var.astype(variances.dtype, copy=False)


def merge_namespace(k: MergeKnobs) -> SimpleNamespace:
    return SimpleNamespace(merge_batch_stats=lambda c, m, v: merge_stats(c, m, v, k))
