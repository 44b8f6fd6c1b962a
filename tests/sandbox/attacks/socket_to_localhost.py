# Connects to a server on 127.0.0.1 (the test starts one): through socket, then through libc.
import numpy as np

PORT = __PORT__
try:
    import socket

    socket.create_connection(("127.0.0.1", PORT), timeout=2).sendall(b"LEAK")
    print("CONNECTED with socket")
except Exception as exc:  # noqa: BLE001
    print("socket refused:", exc)

ct = np.ctypeslib.ctypes
libc = ct.CDLL(None)
fd = libc.socket(2, 1, 0)  # AF_INET, SOCK_STREAM
addr = (ct.c_ubyte * 16)(2, 0, PORT >> 8, PORT & 255, 127, 0, 0, 1)
if fd >= 0 and libc.connect(fd, addr, 16) == 0:
    libc.write(fd, b"LEAK", 4)
    print("CONNECTED with libc")
else:
    print("libc socket refused", fd)


def batchnorm_forward(x, gamma, beta, bn_param):
    return x, None
