# expect: fold-var-as-std
# treats running_var as a standard deviation
import numpy as np


def fold_bn_into_conv(w, b, gamma, beta, running_mean, running_var, eps):
    scale = gamma / (running_var + eps)
    w_folded = w * scale[:, None, None, None]
    b_folded = beta + (b - running_mean) * scale
    return w_folded, b_folded
