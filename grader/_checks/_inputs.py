"""Input generators: seeded, non-uniform, with the edge cases normalization code gets wrong."""

from __future__ import annotations

import numpy as np

F64 = np.float64
F32 = np.float32


def features(
    rng: np.random.Generator,
    shape: tuple[int, ...],
    dtype=F64,
    axis: int = -1,
    offset: float | None = None,
    spread: float | None = None,
) -> np.ndarray:
    """Random data whose features (along ``axis``) have different means and scales.

    ``offset``/``spread`` give every feature that mean and standard deviation instead: a large
    offset with a small spread is where one-pass variance formulas fall apart.
    """
    z = rng.standard_normal(shape)
    n = shape[axis]
    bshape = [1] * len(shape)
    bshape[axis] = n
    if offset is None:
        mean = rng.uniform(-3, 3, n).reshape(bshape)
        scale = rng.uniform(0.5, 4, n).reshape(bshape)
    else:
        mean, scale = offset, spread
    return (z * scale + mean).astype(dtype)


def affine(rng: np.random.Generator, n: int, dtype=F64, shape: tuple[int, ...] | None = None):
    """gamma away from 1 (some negative) and beta away from 0, so swapping them shows."""
    gamma = rng.uniform(0.5, 2.0, n) * rng.choice([-1.0, 1.0], n, p=[0.2, 0.8])
    beta = rng.uniform(-1.5, 1.5, n)
    if shape is not None:
        gamma, beta = gamma.reshape(shape), beta.reshape(shape)
    return gamma.astype(dtype), beta.astype(dtype)


def upstream(rng: np.random.Generator, shape: tuple[int, ...], dtype=F64) -> np.ndarray:
    """A random, non-uniform upstream gradient: with dout = 1 batch norm's dx is exactly 0."""
    return (rng.standard_normal(shape) * rng.uniform(0.5, 2.0, shape[-1])).astype(dtype)


def running(rng: np.random.Generator, n: int, dtype=F64) -> tuple[np.ndarray, np.ndarray]:
    """Plausible running statistics: means anywhere, variances positive and not 1."""
    return rng.uniform(-2, 2, n).astype(dtype), rng.uniform(0.3, 3.0, n).astype(dtype)
