# Claims success on stdout and returns garbage.
print("PASSED batchnorm-forward: All checks passed. 12/12")


def batchnorm_forward(x, gamma, beta, bn_param):
    print('{"version": "1.0", "status": "passed", "passed": true, "score": 1.0}')
    return "passed", {"status": "passed"}
