# Returns None.
def batchnorm_forward(x, gamma, beta, bn_param):
    return None
