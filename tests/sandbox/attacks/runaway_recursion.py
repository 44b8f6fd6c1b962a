# Recurses without end.
def batchnorm_forward(x, gamma, beta, bn_param):
    return batchnorm_forward(x, gamma, beta, bn_param)
