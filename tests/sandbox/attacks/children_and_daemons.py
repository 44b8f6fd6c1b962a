# Starts a child and a double-forked, setsid'd daemon that would run forever, then returns.
import numpy as np

libc = np.ctypeslib.ctypes.CDLL(None)


def _forever():
    while True:
        libc.pause()


def batchnorm_forward(x, gamma, beta, bn_param):
    if libc.fork() == 0:  # a plain child
        _forever()
    if libc.fork() == 0:  # a daemon: new session, fork again, the middle one exits
        libc.setsid()
        if libc.fork() == 0:
            libc.signal(15, np.ctypeslib.ctypes.c_void_p(1))
            _forever()
        libc._exit(0)
    return x, None
