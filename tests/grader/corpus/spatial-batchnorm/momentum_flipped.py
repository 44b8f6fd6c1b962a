# expect: momentum-flipped
# momentum weights the new batch
import numpy as np


def spatial_batchnorm_forward(x, gamma, beta, bn_param):
    mode = bn_param["mode"]
    eps = bn_param.get("eps", 1e-5)
    momentum = bn_param.get("momentum", 0.9)
    N, C, H, W = x.shape
    running_mean = bn_param.get("running_mean", np.zeros(C, dtype=x.dtype))
    running_var = bn_param.get("running_var", np.zeros(C, dtype=x.dtype))
    rows = x.transpose(0, 2, 3, 1).reshape(-1, C)
    cache = None
    if mode == "train":
        mu = rows.mean(axis=0)
        var = rows.var(axis=0)
        std = np.sqrt(var + eps)
        x_hat = (rows - mu) / std
        running_mean = (1 - momentum) * running_mean + momentum * mu
        running_var = (1 - momentum) * running_var + momentum * var
        cache = (x_hat, gamma, std)
    else:
        x_hat = (rows - running_mean) / np.sqrt(running_var + eps)
    out = (gamma * x_hat + beta).reshape(N, H, W, C).transpose(0, 3, 1, 2)
    bn_param["running_mean"] = running_mean
    bn_param["running_var"] = running_var
    return out, cache


def spatial_batchnorm_backward(dout, cache):
    x_hat, gamma, std = cache
    N, C, H, W = dout.shape
    d = dout.transpose(0, 2, 3, 1).reshape(-1, C)
    dbeta = d.sum(axis=0)
    dgamma = (d * x_hat).sum(axis=0)
    dx_hat = d * gamma
    dx = (dx_hat - dx_hat.mean(axis=0) - x_hat * (dx_hat * x_hat).mean(axis=0)) / std
    return dx.reshape(N, H, W, C).transpose(0, 3, 1, 2), dgamma, dbeta
