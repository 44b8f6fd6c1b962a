"""Evaluate a PyTorch model without disturbing it.

Three classic bugs in evaluation loops, all about batch normalization's two modes (PyTorch docs,
torch.nn.BatchNorm2d and torch.nn.Module.eval):
- without ``model.eval()``, batch norm normalizes with each validation batch's statistics, so
  outputs depend on the batch, a batch of one raises ("Expected more than 1 value per channel"),
  and dropout stays on;
- in training mode every forward pass also updates running_mean / running_var /
  num_batches_tracked, so validating silently changes the model;
- forcing ``model.train()`` afterwards is wrong too: the caller's model may have been in eval
  mode, or may keep some submodules (e.g. frozen batch-norm layers when fine-tuning) in eval mode
  while the rest trains. Every module's own flag must be restored.
``torch.no_grad()`` keeps the outputs free of autograd history (and saves memory).
"""

import torch


def evaluate(model, batches):
    """Run model on each batch in inference mode and return the outputs, in order.

    model: torch.nn.Module; batches: an iterable of input tensors. Returns a list of output
    tensors that do not require grad. The model's parameters and buffers are unchanged and every
    submodule's train/eval flag is as it was before the call, even if the model raises.
    """
    modes = [(module, module.training) for module in model.modules()]
    model.eval()
    try:
        with torch.no_grad():
            return [model(x) for x in batches]
    finally:
        for module, training in modes:
            module.training = training
