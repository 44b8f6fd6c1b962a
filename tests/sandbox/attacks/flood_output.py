# Writes 64 MiB to stdout and to stderr, from Python and straight through the fds.
import numpy as np

libc = np.ctypeslib.ctypes.CDLL(None)
chunk = b"flood " * 10_000


def batchnorm_forward(x, gamma, beta, bn_param):
    for _ in range(1000):
        print(chunk.decode())
        libc.write(1, chunk, len(chunk))
        libc.write(2, chunk, len(chunk))
    return x, None
