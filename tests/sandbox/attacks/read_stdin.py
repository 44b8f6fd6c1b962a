# Waits for input that never comes (stdin is closed).
data = open(0, closefd=False).read()
line = input("answer: ")


def batchnorm_forward(x, gamma, beta, bn_param):
    return x, None
