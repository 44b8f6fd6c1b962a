# expect: syncbn-unweighted-mean
# plain average of the means
import numpy as np


def merge_batch_stats(counts, means, variances):
    n_k = np.asarray(counts, dtype=np.float64)
    keep = n_k > 0
    n_k, means_k, vars_k = n_k[keep], means[keep], variances[keep]
    n = n_k.sum()
    w = (n_k / n)[:, None]
    mean = means_k.mean(axis=0)
    var = (w * (vars_k + (means_k - mean) ** 2)).sum(axis=0)
    return mean.astype(means.dtype), var.astype(variances.dtype)
