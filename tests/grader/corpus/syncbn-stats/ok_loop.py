# expect: pass
# loops over devices, float64 accumulators
import numpy as np


def merge_batch_stats(counts, means, variances):
    total = 0.0
    acc = np.zeros(means.shape[1])
    for n, m in zip(counts, means):
        if n:
            total += n
            acc += n * m.astype(np.float64)
    mean = acc / total
    var = np.zeros(means.shape[1])
    for n, m, v in zip(counts, means, variances):
        if n:
            var += n * (v + (m - mean) ** 2)
    return mean.astype(means.dtype), (var / total).astype(variances.dtype)
