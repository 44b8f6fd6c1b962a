import torch


def evaluate(model, batches):
    """Run model on every batch and return the list of outputs, in order.

    Called during training (for example once per epoch, on the validation set) and again for
    the final test run.
    """
    outputs = []
    for x in batches:
        out = model(x)
        outputs.append(out)
    model.train()  # back to training
    return outputs
