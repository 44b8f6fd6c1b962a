# Ignores SIGTERM (and SIGINT, SIGHUP) through libc, then spins.
import numpy as np

libc = np.ctypeslib.ctypes.CDLL(None)
for sig in (1, 2, 15):
    libc.signal(sig, np.ctypeslib.ctypes.c_void_p(1))  # SIG_IGN


def batchnorm_forward(x, gamma, beta, bn_param):
    while True:
        pass
