# expect: torch-outputs-keep-grad
# forgets torch.no_grad
import torch


def evaluate(model, batches):
    flags = {m: m.training for m in model.modules()}
    model.eval()
    try:
        outputs = []
        for x in batches:
            outputs.append(model(x))
        return outputs
    finally:
        for m, was_training in flags.items():
            m.training = was_training
