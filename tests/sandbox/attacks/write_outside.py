# Writes into the project's files, a canary directory, /tmp and $HOME.
TARGETS = __TARGETS__  # filled in by the test: paths outside the submission's directory

for path in TARGETS:
    try:
        with open(path, "a") as f:
            f.write("\n# written by a submission\n")
        print("WROTE:", path)
    except OSError as exc:
        print("refused:", path, exc)


def batchnorm_forward(x, gamma, beta, bn_param):
    return x, None
