# Sleeps (off the CPU, so no CPU limit fires) while being imported.
import numpy as np

np.ctypeslib.ctypes.CDLL(None).sleep(3600)


def batchnorm_forward(x, gamma, beta, bn_param):
    return x, None
