# Never returns.
def batchnorm_forward(x, gamma, beta, bn_param):
    while True:
        pass
