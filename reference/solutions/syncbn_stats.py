"""Merge per-device batch statistics into the statistics of the whole batch (synchronized BN).

With data parallelism, each of K devices sees a shard of the batch. Synchronized batch norm
(Peng et al., "MegDet: A Large Mini-Batch Object Detector", CVPR 2018; torch.nn.SyncBatchNorm)
normalizes with the statistics of the *union* of the shards. Averaging the shard means is right only when the shards
have equal sizes, and averaging the shard variances is never right: it drops the spread between
shard means. The exact merge is the parallel-variance formula (Chan, Golub & LeVeque 1979):

    mean = sum_k n_k mean_k / n
    var  = sum_k n_k (var_k + (mean_k - mean)^2) / n

written with deviations from the global mean, which stays accurate when |mean| >> std, where
E[x^2] - E[x]^2 cancels catastrophically.
"""

import numpy as np


def merge_batch_stats(counts, means, variances):
    """counts: (K,) values per device for each channel; means, variances: (K, C) per-device mean
    and biased variance. Devices with count 0 are ignored (their rows may hold NaN).
    Returns (mean (C,), var (C,)): the mean and biased variance of all values together.
    """
    n_k = np.asarray(counts, dtype=np.float64)  # (K,)
    seen = n_k > 0  # (K,) empty shards contribute nothing, not even NaN
    n_k, mu_k, var_k = n_k[seen], means[seen], variances[seen]  # (K',), (K', C), (K', C)
    n = n_k.sum()
    mean = (n_k[:, None] * mu_k).sum(axis=0) / n  # (C,)
    var = (n_k[:, None] * (var_k + (mu_k - mean) ** 2)).sum(axis=0) / n  # (C,)
    return mean.astype(means.dtype, copy=False), var.astype(variances.dtype, copy=False)
