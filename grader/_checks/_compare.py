"""Compare one output with the reference, and say how it differs.

Tolerance, per output: the reference is run on the same inputs in float32 and in float64; its own
float32 error ``e32 = max|ref32 - ref64|`` measures how hard the computation is on these inputs
(a large offset with a small spread makes it hard). The allowed absolute error is

    atol = max(SAFETY * e32 * eps(dtype) / eps(float32),  FLOOR[dtype] * max|expected|,  TINY)

i.e. 16x the reference's own error scaled to the dtype checked, but never below a floor relative
to the output's magnitude. Values pass when ``|got - want| <= atol`` everywhere (NaN only where
the reference has NaN).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from grader._sandbox import Bad, Opaque

SAFETY = 16.0
# Floors relative to max|expected|: ~32 ulp in float32; in float64 loose enough for any correct
# summation order, tight enough for eps placement (5e-6 at eps=1e-5) to show.
FLOOR = {np.dtype(np.float32): 4e-6, np.dtype(np.float64): 1e-10}
TINY = 1e-30


@dataclass(frozen=True)
class Tolerance:
    atol: float
    measured: float  # the reference's own float32 error on these inputs (before scaling)

    def describe(self) -> str:
        return f"|Δ| ≤ {self.atol:.1e}"


def derive(want: np.ndarray, want32: Any, want64: Any) -> Tolerance:
    dtype = want.dtype if want.dtype in FLOOR else np.dtype(np.float64)
    scale = float(np.nanmax(np.abs(want))) if want.size and np.isfinite(want).any() else 0.0
    measured = 0.0
    if (
        isinstance(want32, np.ndarray)
        and isinstance(want64, np.ndarray)
        and want32.shape == want64.shape
    ):
        with np.errstate(invalid="ignore", over="ignore"):
            d = np.abs(want32.astype(np.float64) - want64.astype(np.float64))
        measured = float(np.nanmax(d)) if d.size and np.isfinite(d).any() else 0.0
    ratio = np.finfo(dtype).eps / np.finfo(np.float32).eps
    atol = max(SAFETY * measured * ratio, FLOOR[dtype] * scale, TINY)
    return Tolerance(atol=float(atol), measured=measured)


@dataclass
class Mismatch:
    """How one output fails. ``kind``: missing | type | shape | dtype | nan | value | modified."""

    label: str
    kind: str
    detail: str = ""
    index: tuple[int, ...] | None = None
    got: float | None = None
    want: float | None = None
    abs_err: float | None = None
    rel_err: float | None = None
    atol: float | None = None


def _fmt_shape(a: np.ndarray) -> str:
    return str(tuple(int(n) for n in a.shape))


def describe_value(v: Any) -> str:
    if isinstance(v, Opaque):
        return f"a {v.type_name} object"
    if isinstance(v, Bad):
        return f"an unreadable value ({v.reason})"
    if isinstance(v, np.ndarray):
        return f"an array of shape {_fmt_shape(v)}"
    return f"a {type(v).__name__}"


def compare(label: str, got: Any, want: Any, tol: Tolerance | None) -> Mismatch | None:
    """None when ``got`` matches ``want``; else the first way it does not."""
    if not isinstance(want, np.ndarray):
        want = np.asarray(want)
    if isinstance(got, (float, int)) and not isinstance(got, bool) and want.ndim == 0:
        got = np.asarray(got, dtype=want.dtype)
    if not isinstance(got, np.ndarray):
        return Mismatch(label, "type", f"expected an array, got {describe_value(got)}")
    if got.shape != want.shape:
        return Mismatch(label, "shape", f"shape {_fmt_shape(got)}, expected {_fmt_shape(want)}")
    if got.dtype != want.dtype:
        m = _values(label, got, want, tol)
        dmm = Mismatch(label, "dtype", f"dtype {got.dtype}, expected {want.dtype}")
        if m is not None:
            dmm.detail += " (and the values differ)"
        return dmm
    return _values(label, got, want, tol)


def _values(
    label: str, got: np.ndarray, want: np.ndarray, tol: Tolerance | None
) -> Mismatch | None:
    if got.dtype.kind not in "biufc":
        return Mismatch(label, "type", f"dtype {got.dtype} is not numeric")
    g = got.astype(np.float64) if got.dtype.kind != "c" else got
    w = want.astype(np.float64) if want.dtype.kind != "c" else want
    nan_g, nan_w = ~np.isfinite(g), ~np.isfinite(w)
    bad_nan = nan_g & ~nan_w
    if bad_nan.any():
        idx = tuple(int(i) for i in np.argwhere(bad_nan)[0])
        return Mismatch(
            label,
            "nan",
            "non-finite values where the reference is finite",
            idx,
            got=float(np.real(g[idx])),
            want=float(np.real(w[idx])),
        )
    with np.errstate(invalid="ignore"):
        d = np.where(nan_w, 0.0, np.abs(g - w))
    atol = tol.atol if tol is not None else 0.0
    if d.size == 0 or float(d.max()) <= atol:
        return None
    flat = int(np.argmax(d))
    idx = tuple(int(i) for i in np.unravel_index(flat, d.shape))
    abs_err = float(d[idx])
    scale = float(np.max(np.abs(np.where(nan_w, 0.0, w)))) or 1.0
    return Mismatch(
        label,
        "value",
        "",
        idx or None,
        got=float(np.real(g[idx])),
        want=float(np.real(w[idx])),
        abs_err=abs_err,
        rel_err=abs_err / scale,
        atol=atol,
    )


def unchanged(label: str, got: Any, original: np.ndarray) -> Mismatch | None:
    """The argument as the submission left it must equal what was passed in, bit for bit."""
    if not isinstance(got, np.ndarray) or got.shape != original.shape:
        return Mismatch(label, "modified", "the array passed in was replaced or reshaped")
    same = (
        (got == original) | (np.isnan(got) & np.isnan(original))
        if got.dtype.kind == "f"
        else got == original
    )
    if bool(np.all(same)):
        return None
    idx = tuple(int(i) for i in np.argwhere(~same)[0])
    return Mismatch(
        label,
        "modified",
        "the array passed in was modified",
        idx or None,
        got=float(got[idx]),
        want=float(original[idx]),
    )
