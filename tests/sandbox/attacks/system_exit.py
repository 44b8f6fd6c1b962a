# SystemExit(0) at import and inside the function: neither is a success.
raise SystemExit(0)


def batchnorm_forward(x, gamma, beta, bn_param):
    raise SystemExit(0)
