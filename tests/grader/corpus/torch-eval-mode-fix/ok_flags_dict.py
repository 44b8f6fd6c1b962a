# expect: pass
# saves the flags in a dict, restores them in finally
import torch


def evaluate(model, batches):
    flags = {m: m.training for m in model.modules()}
    model.eval()
    try:
        outputs = []
        with torch.no_grad():
            for x in batches:
                outputs.append(model(x))
        return outputs
    finally:
        for m, was_training in flags.items():
            m.training = was_training
