# expect: torch-train-forced-after
# forces training mode afterwards
import torch


def evaluate(model, batches):
    model.eval()
    with torch.no_grad():
        outs = [model(x) for x in batches]
    model.train()
    return outs
