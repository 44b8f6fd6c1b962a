"""Shared pieces of the reference tests: data with hard cases, and tolerances that say why.

Ground truth is PyTorch in float64. Our float64 results must match it to ~1e-10 relative to
the magnitudes involved; our float32 results (computed natively in float32) must match it
within a bound proportional to float32's unit roundoff times the problem's condition.
"""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

DTYPES = (np.float32, np.float64)

# Unit roundoff per dtype.
U = {np.dtype(np.float32): float(np.finfo(np.float32).eps), np.dtype(np.float64): 2.0**-52}

# Offsets and spreads exercise the numerically hard regime: 1e4 + 1e-2 * noise loses ~6
# digits in a one-pass variance (E[x^2] - E[x]^2) and stays exact in the two-pass one.
offsets = st.sampled_from([0.0, 0.0, 3.0, -50.0, 1e4])
spreads = st.sampled_from([1.0, 1.0, 1e-2, 10.0])
eps_values = st.sampled_from([1e-5, 1e-3, 1e-1, 1e-8])
seeds = st.integers(0, 2**32 - 1)


def make_data(
    seed: int,
    shape: tuple[int, ...],
    offset: float,
    spread: float,
    feature_axis: int | None = None,
    zero_var_feature: bool = False,
) -> np.ndarray:
    """float64 data offset + spread * N(0, 1); optionally feature 0 is constant."""
    rng = np.random.default_rng(seed)
    x = offset + spread * rng.standard_normal(shape)
    if zero_var_feature and feature_axis is not None:
        index = [slice(None)] * len(shape)
        index[feature_axis] = 0
        x[tuple(index)] = offset + 0.5
    return x


def params(seed: int, size: int) -> tuple[np.ndarray, np.ndarray]:
    """float64 gamma and beta of shape (size,), gamma kept away from 0."""
    rng = np.random.default_rng(seed + 1)
    gamma = rng.uniform(0.5, 2.0, size) * rng.choice([-1.0, 1.0], size)
    beta = rng.standard_normal(size)
    return gamma, beta


def atol_for(dtype: np.dtype, scale: float, n_terms: int = 1) -> float:
    """Absolute tolerance: 64 * u * scale * sqrt-ish growth of a sum of n_terms.

    ``scale`` is the magnitude the rounding errors are relative to (e.g. |gamma| times the
    condition number max|x - mu| / std for a normalized output). The factor 64 covers the
    handful of roundings per element; n_terms covers error growth in reductions (NumPy's
    pairwise summation grows like log n; a bound linear in sqrt(n) is safe and still far
    below any real bug, which shows up at 1e-5 relative or worse).
    """
    return 64.0 * U[np.dtype(dtype)] * scale * max(1.0, float(n_terms) ** 0.5)


def assert_close(
    actual: np.ndarray, expected: np.ndarray, atol: float | np.ndarray, what: str
) -> None:
    """|actual - expected| <= atol elementwise; ``atol`` may broadcast (per-feature bounds).

    No rtol: atol already scales with the magnitudes involved (per feature where the
    condition differs between features, so a constant feature's loose bound does not
    loosen the others).
    """
    actual = np.asarray(actual)
    expected = np.asarray(expected, dtype=np.float64)
    assert actual.shape == expected.shape, f"{what}: shape {actual.shape} != {expected.shape}"
    err = np.abs(actual.astype(np.float64) - expected)
    bound = np.broadcast_to(np.asarray(atol, dtype=np.float64), err.shape)
    bad = ~(err <= bound)  # also catches NaN
    if bad.any():
        i = np.unravel_index(np.argmax(np.where(bad, err - bound, -np.inf)), err.shape)
        raise AssertionError(
            f"{what}: {int(bad.sum())}/{err.size} elements off; worst at {i}: "
            f"actual {actual[i]!r}, expected {expected[i]!r}, error {err[i]:.3g} > {bound[i]:.3g}"
        )


def norm_bounds(
    x: np.ndarray,
    gamma: np.ndarray,
    beta: np.ndarray,
    dout: np.ndarray,
    eps: float,
    dtype: np.dtype,
    norm_axes: tuple[int, ...],
) -> dict[str, np.ndarray | float]:
    """Error bounds for a normalization layer computed in ``dtype``, against float64 truth.

    Rounding errors in x - mu are about u * max|x|; dividing by std = sqrt(var + eps)
    amplifies them by the group's condition number kappa = max|x| / std. That is a real
    property of float arithmetic, not slack: 1e4 + 1e-2 * noise in float32 has kappa ~ 1e6
    and only ~1 correct digit in x_hat, while the same data in float64 keeps ~10.

    Bounds for out and dx are per normalization group (they broadcast against x); those for
    dgamma and dbeta are per feature when the layer normalizes over every axis but the
    channel axis (batch norm), else scalars.
    """
    x = np.asarray(x, dtype=np.float64)
    mu = x.mean(axis=norm_axes, keepdims=True)
    std = np.sqrt(((x - mu) ** 2).mean(axis=norm_axes, keepdims=True) + eps)
    kappa = np.abs(x).max(axis=norm_axes, keepdims=True) / std
    x_hat_max = (np.abs(x - mu) / std).max(axis=norm_axes, keepdims=True)
    g = float(np.abs(gamma).max())
    b = float(np.abs(beta).max())
    d = float(np.abs(dout).max())
    n = int(np.prod([x.shape[a] for a in norm_axes]))
    m = x.size // np.asarray(gamma).size  # terms summed into each dgamma / dbeta

    bounds: dict[str, np.ndarray | float] = {
        "out": atol_for(dtype, g * (1 + x_hat_max) * (1 + kappa) + b, n),
        "dx": atol_for(dtype, g / std * d * (1 + x_hat_max) ** 2 * (1 + kappa), n),
        "dbeta": atol_for(dtype, d * m, m),
    }
    dgamma = atol_for(dtype, d * m * (1 + x_hat_max) * (1 + kappa), m)
    if set(norm_axes) == set(range(x.ndim)) - {1}:  # batch norm: axis 1 is the feature
        bounds["dgamma"] = dgamma.reshape(-1)  # per feature, shape of gamma (C,) / (D,)
    else:
        bounds["dgamma"] = float(dgamma.max())
    return bounds
