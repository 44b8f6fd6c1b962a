# Returns strings, nested lists and a huge int instead of arrays.
def batchnorm_forward(x, gamma, beta, bn_param):
    bn_param["running_mean"] = "zeros"
    return [[["deep"] * 3] * 3], 10**100
