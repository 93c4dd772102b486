"""Shared pieces of the table tests: the result type and input checks."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class TestResult:
    """Result of a hypothesis test, in R's vocabulary.

    Attributes
    ----------
    method : str
        The R call the result matches, e.g. ``"fisher.test"``.
    statistic : float
        Test statistic (NaN for exact tests that have none).
    pvalue : float
        Two-sided P value.
    """

    __test__ = False  # not a pytest test class, despite the name

    method: str
    statistic: float
    pvalue: float


def check_count(x: int, name: str) -> int:
    if isinstance(x, bool) or not float(x).is_integer():
        raise ValueError(f"{name} must be a whole number, got {x!r}")
    if x < 0:
        raise ValueError(f"{name} must be non-negative, got {x!r}")
    return int(x)


def as_table(table: object, name: str = "table") -> np.ndarray:
    arr = np.asarray(table, dtype=float)
    if arr.ndim != 2 or min(arr.shape) < 2:
        raise ValueError(f"{name} must be a 2-D table with at least 2 rows and 2 columns")
    if np.isnan(arr).any():
        raise ValueError(f"{name} contains NaN")
    if (arr < 0).any():
        raise ValueError(f"{name} contains negative counts")
    if not np.all(arr == np.round(arr)):
        raise ValueError(f"{name} must hold whole-number counts")
    if (arr.sum(axis=0) == 0).any() or (arr.sum(axis=1) == 0).any():
        raise ValueError(f"{name} has an empty row or column")
    return arr.astype(int)


def check_sample(values: object, name: str) -> np.ndarray:
    arr = np.asarray(values, dtype=float).ravel()
    if arr.size == 0:
        raise ValueError(f"{name} must not be empty")
    if not np.isfinite(arr).all():
        raise ValueError(f"{name} contains NaN or infinite values")
    return arr
