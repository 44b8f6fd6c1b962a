"""A scenario: calls described once, run twice (submission in the sandbox, reference here).

A spec builds each check's calls with ``Scenario``; the steps go into the sandbox plan, and the
same steps run on the trusted side against the reference (and, to diagnose a failure, against
known-wrong variants) with the very driver the sandbox uses, so both sides see identical calls.
Outputs to compare are named by a path into ``{"ret": value, "args": [...]}`` after each call.
"""

from __future__ import annotations

import copy
import sys
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from grader._sandbox import Plan, StepResult, SubmissionError
from grader._sandbox._decode import Opaque
from grader._sandbox._driver import Runner

Path = tuple[Any, ...]  # e.g. ("ret", 0) or ("args", 3, "running_mean")


@dataclass(frozen=True)
class Output:
    """One compared value: which step, where in it, how it is named to the learner."""

    label: str  # "out", "dx", "bn_param['running_mean']"
    step: str
    path: Path
    kind: str = "value"  # value | input (must equal the array passed in) | fd (finite differences)
    extra: Any = None  # kind-specific data (the original array for "input")


@dataclass
class PlanBuilder:
    """Collects every check's steps and arrays into one plan."""

    steps: list[dict[str, Any]] = field(default_factory=list)
    arrays: dict[str, np.ndarray] = field(default_factory=dict)

    def plan(self) -> Plan:
        return Plan(self.steps, self.arrays)


class Scenario:
    def __init__(self, builder: PlanBuilder, prefix: str):
        self.b = builder
        self.prefix = prefix
        self.steps: list[dict[str, Any]] = []
        self.outputs: list[Output] = []
        self._n = 0

    # ---- values
    def arr(self, a: np.ndarray) -> dict[str, str]:
        name = f"a{len(self.b.arrays)}"
        self.b.arrays[name] = a
        return {"$a": name}

    def tensor(self, a: np.ndarray, grad: bool = False) -> dict[str, Any]:
        return {"$t": self.arr(a)["$a"], "grad": grad}

    @staticmethod
    def dict_(**items: Any) -> dict[str, Any]:
        return {"$d": items}

    @staticmethod
    def tuple_(*items: Any) -> dict[str, Any]:
        return {"$tu": list(items)}

    @staticmethod
    def ref(step: str, *index: Any) -> dict[str, Any]:
        return {"$s": step, "i": list(index)}

    # ---- steps
    def _add(self, op: str, **fields: Any) -> str:
        sid = f"{self.prefix}.{self._n}"
        self._n += 1
        step = {"id": sid, "op": op, **fields}
        self.steps.append(step)
        self.b.steps.append(step)
        return sid

    def value(self, v: Any) -> str:
        return self._add("value", args=[v])

    def call(self, fn: str, *args: Any, report_args: bool = True, **kwargs: Any) -> str:
        return self._add("call", fn=fn, args=list(args), kwargs=kwargs, report_args=report_args)

    def new(self, cls: str, *args: Any, **kwargs: Any) -> str:
        return self._add("new", cls=cls, args=list(args), kwargs=kwargs)

    def method(self, obj: str, name: str, *args: Any, report_args: bool = True, **kw: Any) -> str:
        return self._add(
            "method", obj=obj, name=name, args=list(args), kwargs=kw, report_args=report_args
        )

    def attr(self, obj: str, name: str) -> str:
        return self._add("attr", obj=obj, name=name)

    def op(self, op: str, **fields: Any) -> str:
        return self._add(op, **fields)

    # ---- what to compare
    def compare(self, label: str, step: str, *path: Any) -> None:
        self.outputs.append(Output(label, step, path))

    def unchanged(self, label: str, step: str, arg: int, original: np.ndarray) -> None:
        self.outputs.append(Output(label, step, ("args", arg), kind="input", extra=original))

    def same(self, label: str, step: str, *path: Any) -> None:
        """Plain data (keys, flags, lists) that must equal the reference's exactly."""
        self.outputs.append(Output(label, step, path, kind="exact"))

    def raises(self, label: str, step: str) -> None:
        """The call must raise the same exception type as the reference does."""
        self.outputs.append(Output(label, step, (), kind="raises"))


def _plain(v: Any, depth: int = 0) -> Any:
    """A deep copy with torch tensors as NumPy arrays (torch only if it is already loaded)."""
    if depth > 8:
        return None
    if isinstance(v, np.ndarray):
        return v.copy()
    if isinstance(v, tuple):
        return tuple(_plain(x, depth + 1) for x in v)
    if isinstance(v, list):
        return [_plain(x, depth + 1) for x in v]
    if isinstance(v, dict):
        return {str(k): _plain(x, depth + 1) for k, x in v.items()}
    torch = sys.modules.get("torch")
    if torch is not None and isinstance(v, torch.Tensor):
        return v.detach().cpu().numpy().copy()
    if v is None or isinstance(v, bool | int | float | str | np.generic):
        return v
    return copy.deepcopy(v) if type(v).__module__ == "builtins" else Opaque(type(v).__name__)


def pick(step: StepResult | None, path: Path) -> Any:
    """Follow ``path`` into a step's result; raises LookupError/TypeError when it is not there."""
    if step is None or not step.ok:
        raise LookupError("no result")
    val: Any = {"ret": step.ret, "args": step.args}
    for p in path:
        if isinstance(val, dict) and not isinstance(p, str) and p not in val:
            raise LookupError(p)
        val = val[p]
    return val


def run_local(
    steps: list[dict[str, Any]], arrays: dict[str, np.ndarray], module: Any, cast: Any = None
) -> dict[str, StepResult]:
    """Run steps in this process against a trusted module (reference or variant).

    ``cast`` (a dtype) runs the same calls on inputs cast to it: how tolerances are measured.
    Exceptions become failed steps, as in the sandbox.
    """

    def load(name: str) -> np.ndarray:
        a = arrays[name]
        if cast is not None and a.dtype.kind == "f":
            return a.astype(cast)
        return a.copy()

    runner = Runner(module, load=load)
    out: dict[str, StepResult] = {}
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")  # variants divide by zero on purpose
        for s in steps:
            _run_step(runner, s, out)
    return out


def _run_step(runner: Runner, s: dict[str, Any], out: dict[str, StepResult]) -> None:
    try:
        ret, args, kwargs = runner.step(s)
    except Exception as exc:  # noqa: BLE001 - a variant may fail where the learner's did
        out[s["id"]] = StepResult(ok=False, error=SubmissionError(type(exc).__name__, str(exc)))
        return
    # snapshot, as the sandbox does when it writes a step's outputs: later steps may mutate
    # a shared dict (bn_param) or array; tensors become arrays, as they do in the sandbox
    out[s["id"]] = StepResult(ok=True, ret=_plain(ret), args=_plain(args), kwargs=kwargs)
