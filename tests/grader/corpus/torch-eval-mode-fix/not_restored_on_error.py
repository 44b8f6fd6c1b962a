# expect: torch-not-restored-on-error
# restores the modes, but not when the model raises
import torch


def evaluate(model, batches):
    flags = [(m, m.training) for m in model.modules()]
    model.eval()
    with torch.no_grad():
        outs = [model(x) for x in batches]
    for m, t in flags:
        m.training = t
    return outs
