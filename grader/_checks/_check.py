"""A check: a scenario, what to compare, its points; evaluated against the reference.

``prepare`` runs the reference (in the check's dtype, and in float32 and float64 to measure the
tolerance) while the sandbox is still running the submission; ``evaluate`` compares.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from grader._checks._compare import Mismatch, Tolerance, compare, derive, unchanged
from grader._checks._scenario import Output, PlanBuilder, Scenario, pick, run_local
from grader._sandbox import StepResult, SubmissionError

FD_RTOL = 1e-6  # central differences in float64 with h = 1e-6·scale: error ~1e-9 relative


@dataclass
class Outcome:
    passed: bool
    mismatches: list[Mismatch] = field(default_factory=list)
    error: SubmissionError | None = None  # the submission raised during this check
    skipped: bool = False  # not run: the sandbox ended before this check's calls
    diagnosis: str | None = None
    tolerance: str = ""


@dataclass
class Check:
    id: str
    title: str  # English; translated through grader._i18n
    points: float
    scenario: Scenario
    optional_fn: str | None = None  # an optional entry point: not defining it is no failure
    shape_check: bool = False  # fails alone when a solution hard-codes the example shape
    ref: dict[str, StepResult] = field(default_factory=dict)
    tols: dict[str, Tolerance] = field(default_factory=dict)
    fd: list[tuple[str, str, Path_, np.ndarray, Callable[[], float]]] = field(default_factory=list)
    fd_want: list[float] = field(default_factory=list)

    def add_fd(
        self, label: str, step: str, path: tuple[Any, ...], v: np.ndarray, want: Callable[[], float]
    ) -> None:
        """Directional derivative check: sum(got * v) against a finite difference ``want()``."""
        self.fd.append((label, step, path, v, want))

    # ---- trusted side, before the submission's results are in
    def prepare(self, module: Any, arrays: dict[str, np.ndarray]) -> None:
        steps = self.scenario.steps
        self.ref = run_local(steps, arrays, module)
        values = [o for o in self.scenario.outputs if o.kind == "value"]
        if values:
            r32 = run_local(steps, arrays, module, cast=np.float32)
            r64 = run_local(steps, arrays, module, cast=np.float64)
            for o in values:
                try:
                    want = np.asarray(pick(self.ref.get(o.step), o.path))
                except (LookupError, TypeError):
                    continue
                self.tols[o.label] = derive(want, _try(r32, o), _try(r64, o))
        self.fd_want = [f[4]() for f in self.fd]

    # ---- after the run
    def evaluate(self, got: dict[str, StepResult]) -> Outcome:
        out = Outcome(passed=True)
        for o in self.scenario.outputs:
            step = got.get(o.step)
            if o.kind == "raises":
                want = self.ref.get(o.step)
                expected = want.error.type if want is not None and want.error else "an exception"
                if step is None or step.skipped:
                    self._no_result(out, step)
                elif step.ok or step.error is None or step.error.type != expected:
                    what = "returned normally" if step.ok else f"raised {step.error.type}"
                    out.mismatches.append(
                        Mismatch(o.label, "raises", f"{what}, expected {expected}")
                    )
                continue
            if step is None or not step.ok:
                self._no_result(out, step)
                continue
            try:
                value = pick(step, o.path)
            except (LookupError, TypeError, IndexError):
                out.mismatches.append(Mismatch(o.label, "missing", _missing(o)))
                continue
            if o.kind == "input":
                m = unchanged(o.label, value, o.extra)
            elif o.kind == "exact":
                want = pick(self.ref[o.step], o.path)
                m = (
                    None
                    if _plain_equal(value, want)
                    else Mismatch(o.label, "exact", f"{_show(value)}, expected {_show(want)}")
                )
            else:
                want = pick(self.ref[o.step], o.path)
                m = compare(o.label, value, want, self.tols.get(o.label))
            if m is not None:
                out.mismatches.append(m)
        for (label, step_id, path, v, _), want in zip(self.fd, self.fd_want, strict=True):
            step = got.get(step_id)
            if step is None or not step.ok:
                self._no_result(out, step)
                continue
            try:
                g = pick(step, path)
                d = float(np.sum(np.asarray(g, dtype=np.float64) * v))
            except (LookupError, TypeError, ValueError, IndexError):
                out.mismatches.append(Mismatch(label, "missing", "no gradient of that shape"))
                continue
            atol = FD_RTOL * max(1.0, abs(want))
            if not abs(d - want) <= atol:
                out.mismatches.append(
                    Mismatch(
                        label,
                        "value",
                        "finite differences disagree",
                        None,
                        d,
                        want,
                        abs(d - want),
                        abs(d - want) / max(abs(want), 1e-300),
                        atol,
                    )
                )
        if out.error is not None or out.skipped:
            out.mismatches = [m for m in out.mismatches if m.kind != "missing"]

        out.passed = not out.mismatches and out.error is None and not out.skipped
        labels = [m.label for m in out.mismatches if m.label in self.tols]
        if labels:
            out.tolerance = self.tols[labels[0]].describe()
        return out

    @staticmethod
    def _no_result(out: Outcome, step: StepResult | None) -> None:
        if step is not None and step.error is not None:
            out.error = out.error or step.error
        elif out.error is None:
            out.skipped = True


Path_ = tuple[Any, ...]


def _try(results: dict[str, StepResult], o: Output) -> Any:
    try:
        v = pick(results.get(o.step), o.path)
        return np.asarray(v) if not isinstance(v, np.ndarray) else v
    except (LookupError, TypeError):
        return None


def _plain_equal(a: Any, b: Any) -> bool:
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return (
            isinstance(a, np.ndarray)
            and isinstance(b, np.ndarray)
            and a.shape == b.shape
            and bool(np.all(a == b))
        )
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_plain_equal(a[k], b[k]) for k in a)
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return len(a) == len(b) and all(_plain_equal(x, y) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) and a == b


def _show(v: Any) -> str:
    if isinstance(v, dict):
        return "keys " + ", ".join(sorted(v))
    text = repr(v)
    return text if len(text) < 120 else text[:117] + "..."


def _missing(o: Output) -> str:
    where = "returned value" if o.path[:1] == ("ret",) else "argument"
    return f"the {where} has no '{o.label}'"


@dataclass
class Suite:
    """All checks of one grading run, sharing one plan (one sandbox run)."""

    builder: PlanBuilder = field(default_factory=PlanBuilder)
    checks: list[Check] = field(default_factory=list)

    def check(self, id: str, title: str, points: float = 1.0) -> Check:
        c = Check(id, title, points, Scenario(self.builder, id))
        self.checks.append(c)
        return c

    def prepare(self, spec: Any, plan: Any) -> None:
        """Compute every check's expected outputs with the exercise's reference, on ``plan``'s inputs."""
        from mlprep._errors import GradingError

        try:
            module = spec.reference()
        except ImportError as exc:
            raise GradingError(f"the reference implementation is not available ({exc})") from None
        for check in self.checks:
            check.prepare(module, plan.arrays)
