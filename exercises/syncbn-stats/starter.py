import numpy as np


def merge_batch_stats(counts, means, variances):
    """Combine the batch statistics computed on K devices into those of the whole batch.

    Inputs:
    - counts: array of shape (K,): how many values device k saw for each channel
      (N_k * H * W for convolutions); may differ between devices, and may be 0
    - means: array of shape (K, C): the per-channel mean on each device
    - variances: array of shape (K, C): the per-channel *biased* variance on each device

    A device with count 0 saw nothing: ignore it (its rows of means and variances may be NaN).
    At least one device has a positive count.

    Returns a tuple of:
    - mean: array of shape (C,), the mean of all the values of each channel
    - var: array of shape (C,), their biased variance
    Both with the dtypes of means and variances. Do not modify the inputs.
    """
    raise NotImplementedError("merge_batch_stats")
