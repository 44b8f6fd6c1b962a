"""Trusted driver, run inside the sandbox: call the submission as the plan says, write outputs.

Standalone (stdlib + numpy; torch imported only when a plan uses tensors), copied next to the
harness. The plan is JSON written by the grader; values in it are literals or tagged objects:

    {"$a": "x0"}                  a fresh copy of job/in/x0.npy (fresh per use: calls never share)
    {"$t": "x0", "grad": true}    the same array as a torch tensor (torch exercises)
    {"$l": [...]} / {"$tu": [...]} / {"$d": {...}}   list / tuple / dict
    {"$s": "step", "i": [0]}      the value an earlier step produced (e.g. a forward's cache)

Steps: ``call`` a function, ``new`` an instance, ``method`` on an earlier object, ``attr`` to read
(dotted) attributes, ``setattr``, and for torch ``backward``/``grad``/``state``/``mode``. After each
step the return value and, when asked, the arguments as they are after the call (to see whether
the submission changed its inputs) are written as .npy files and a manifest entry.
"""

import time

import numpy as np

MAX_ARRAYS = 2000
MAX_DEPTH = 6
MAX_ITEMS = 64


class Out:
    """Encodes results: arrays appended as .npy records to out/arrays.npys (allow_pickle=False),
    addressed by byte offset; structure goes to JSON. One file, not one per array: opening
    hundreds of small files cost more than the calls themselves."""

    def __init__(self, path="out/arrays.npys"):
        self.f = open(path, "wb")  # noqa: SIM115 - closed by close()
        self.n = 0

    def save(self, arr, tag):
        if self.n >= MAX_ARRAYS:
            return {"$bad": "too many arrays"}
        if arr.dtype.hasobject:
            return {"$bad": "object array"}
        self.n += 1
        at = self.f.tell()
        np.lib.format.write_array(self.f, arr, allow_pickle=False)
        return {tag: at}

    def flush(self):
        self.f.flush()

    def close(self):
        self.f.close()

    def enc(self, v, depth=0):
        if depth > MAX_DEPTH:
            return {"$bad": "nested too deep"}
        if v is None or isinstance(v, (bool, int, float, str)):
            if isinstance(v, int) and not isinstance(v, bool) and abs(v) > 2**62:
                return {"$bad": "huge int"}
            if isinstance(v, float) and v != v:
                return {"$f": "nan"}
            if isinstance(v, float) and v in (float("inf"), float("-inf")):
                return {"$f": "inf" if v > 0 else "-inf"}
            return v[:200] if isinstance(v, str) else v
        if isinstance(v, np.ndarray):
            return self.save(v, "$a")
        if isinstance(v, np.generic):
            return self.save(np.asarray(v), "$a")
        if isinstance(v, (list, tuple)):
            tag = "$l" if isinstance(v, list) else "$tu"
            return {tag: [self.enc(x, depth + 1) for x in list(v)[:MAX_ITEMS]]}
        if isinstance(v, dict):
            items = list(v.items())[:MAX_ITEMS]
            return {"$d": {str(k)[:80]: self.enc(x, depth + 1) for k, x in items}}
        if type(v).__module__.startswith("torch") and type(v).__name__ in ("Tensor", "Parameter"):
            t = v.detach().cpu()
            res = self.save(t.numpy(), "$t")
            res["rg"] = bool(v.requires_grad)
            res["dtype"] = str(v.dtype)
            return res
        return {"$o": type(v).__name__[:80]}


class Inputs:
    """The plan's input arrays: one .npy record per array in job/in.npys, read once."""

    def __init__(self, offsets, path="job/in.npys"):
        import io

        with open(path, "rb") as f:
            self.blob = io.BytesIO(f.read())
        self.offsets = offsets

    def __call__(self, name):
        self.blob.seek(self.offsets[name])
        return np.lib.format.read_array(self.blob, allow_pickle=False)  # a fresh array each time


class Runner:
    """Executes steps against ``module``; the grader reuses it to run the reference the same way."""

    def __init__(self, module, load):
        self.module = module
        self.load = load  # array name -> a fresh array
        self.slots = {}

    def dec(self, v):
        if isinstance(v, list):
            return [self.dec(x) for x in v]
        if not isinstance(v, dict):
            return v
        if "$a" in v:
            return self.load(v["$a"])
        if "$t" in v:
            import torch

            return torch.from_numpy(self.load(v["$t"])).requires_grad_(bool(v.get("grad")))
        if "$l" in v:
            return [self.dec(x) for x in v["$l"]]
        if "$tu" in v:
            return tuple(self.dec(x) for x in v["$tu"])
        if "$d" in v:
            return {k: self.dec(x) for k, x in v["$d"].items()}
        if "$s" in v:
            val = self.slots[v["$s"]]
            for i in v.get("i", []):
                val = val[i]
            return val
        return v

    def step(self, s):
        op = s["op"]
        args = [self.dec(a) for a in s.get("args", [])]
        kwargs = {k: self.dec(a) for k, a in s.get("kwargs", {}).items()}
        if op == "value":  # a value later steps share, e.g. one bn_param dict across calls
            ret = args[0]
        elif op == "call":
            ret = getattr(self.module, s["fn"])(*args, **kwargs)
        elif op == "new":
            ret = getattr(self.module, s["cls"])(*args, **kwargs)
        elif op == "method":
            ret = getattr(self.dec({"$s": s["obj"]}), s["name"])(*args, **kwargs)
        elif op == "attr":  # dotted attribute of an earlier value, optionally indexed first
            ret = self.dec({"$s": s["obj"], "i": s.get("i", [])})
            for part in s["name"].split("."):
                ret = getattr(ret, part)
        elif op == "get":  # a module-level name itself, e.g. an autograd.Function class
            ret = getattr(self.module, s["name"])
        elif op == "keys":  # torch: a module's state_dict keys, in order
            ret = list(self.dec({"$s": s["obj"]}).state_dict().keys())
        elif op == "modes":  # torch: the training flag of every submodule, in order
            ret = [bool(m.training) for m in self.dec({"$s": s["obj"]}).modules()]
        elif op == "torch_model":  # torch: a trusted model built from the plan (see build_model)
            ret = build_model(s["layers"], args)
        elif op == "setitem":
            self.dec({"$s": s["obj"]})[s["key"]] = args[0]
            ret = None
        elif op == "setattr":
            setattr(self.dec({"$s": s["obj"]}), s["name"], args[0])
            ret = None
        elif op == "backward":  # torch: y.backward(dout)
            y = self.dec(s["of"])
            y.backward(args[0])
            ret = None
        elif op == "grad":  # torch: .grad of tensors passed to earlier steps
            ret = [None if t.grad is None else t.grad for t in (self.dec(a) for a in s["of"])]
        elif op == "state":  # torch: a module's state_dict, tensors only
            sd = self.dec({"$s": s["obj"]}).state_dict()
            ret = {k: t for k, t in sd.items()}
        elif op == "mode":  # torch: module.training
            ret = bool(self.dec({"$s": s["obj"]}).training)
        else:
            raise ValueError(f"unknown op {op}")
        self.slots[s["id"]] = ret
        return ret, args, kwargs


def build_model(layers, arrays):
    """A small trusted torch model: ``layers`` names each layer, ``arrays`` its state in order.

    Layers: conv C_in C_out k | bn2d C | bn1d C | relu | flatten | dropout p | linear I O |
    raise_on N (raises RuntimeError on a batch of N samples: the model that fails midway).
    """
    import torch
    from torch import nn

    class RaiseOn(nn.Module):
        def __init__(self, n):
            super().__init__()
            self.n = n

        def forward(self, x):
            if x.shape[0] == self.n:
                raise RuntimeError(f"this model fails on a batch of {self.n}")
            return x

    mods = []
    for spec in layers:
        name, *p = spec.split()
        if name == "conv":
            mods.append(nn.Conv2d(int(p[0]), int(p[1]), int(p[2]), padding=1))
        elif name == "bn2d":
            mods.append(nn.BatchNorm2d(int(p[0])))
        elif name == "bn1d":
            mods.append(nn.BatchNorm1d(int(p[0])))
        elif name == "relu":
            mods.append(nn.ReLU())
        elif name == "flatten":
            mods.append(nn.Flatten())
        elif name == "dropout":
            mods.append(nn.Dropout(float(p[0])))
        elif name == "linear":
            mods.append(nn.Linear(int(p[0]), int(p[1])))
        elif name == "raise_on":
            mods.append(RaiseOn(int(p[0])))
    model = nn.Sequential(*mods).double()
    if arrays[0]:  # the grader's weights and running statistics, in state_dict order
        with torch.no_grad():
            for t, arr in zip(model.state_dict().values(), arrays[0], strict=True):
                t.copy_(torch.from_numpy(np.asarray(arr)))
    for i in arrays[1]:  # submodules to leave in eval mode (frozen batch norm)
        model[i].eval()
    if arrays[2]:
        model.eval()
    return model


def _refs(v, acc):
    if isinstance(v, list):
        for x in v:
            _refs(x, acc)
    elif isinstance(v, dict):
        if "$s" in v:
            acc.add(v["$s"])
        for x in v.values():
            _refs(x, acc)
    return acc


def run(plan, module, record, on_error):
    """Run every step; a step whose inputs come from a failed step is skipped, not run.

    ``record(step_id, entry)`` writes each result as soon as it exists (a timeout keeps them).
    """
    runner = Runner(module, Inputs(plan["arrays"]))
    out = Out()
    results = {}
    for s in plan["steps"]:
        if results:
            out.flush()  # the arrays first, then the entry that points at them
            record(*results.popitem())
        needed = _refs([s.get("args", []), s.get("kwargs", {}), s.get("of")], set())
        if "obj" in s:
            needed.add(s["obj"])
        if not needed <= runner.slots.keys():
            results[s["id"]] = {"ok": False, "skipped": True}
            continue
        t0 = time.perf_counter()
        try:
            ret, args, kwargs = runner.step(s)
        except Exception as exc:  # noqa: BLE001 - the learner's code may raise anything
            results[s["id"]] = {"ok": False, "error": on_error(exc)}
        except SystemExit as exc:  # sys.exit() in a submission is a failure of that call
            results[s["id"]] = {"ok": False, "error": on_error(exc)}
        else:
            entry = {"ok": True, "ret": out.enc(ret), "time_s": time.perf_counter() - t0}
            if s.get("report_args"):
                entry["args"] = [out.enc(a) for a in args]
                entry["kwargs"] = {k: out.enc(v) for k, v in kwargs.items()}
            results[s["id"]] = entry
    out.flush()
    if results:
        record(*results.popitem())
    out.close()
