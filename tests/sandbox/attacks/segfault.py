# Crashes the interpreter: reads address 0.
import numpy as np


def batchnorm_forward(x, gamma, beta, bn_param):
    return np.ctypeslib.ctypes.string_at(0), None
