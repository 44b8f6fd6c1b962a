# expect: inplace-input
# scales the caller's weights in place
import numpy as np


def fold_bn_into_conv(w, b, gamma, beta, running_mean, running_var, eps):
    scale = gamma / np.sqrt(running_var + eps)
    w_folded = w
    w_folded *= scale[:, None, None, None]
    b_folded = beta + (b - running_mean) * scale
    return w_folded, b_folded
