"""Small dense linear algebra that gives the same bits on every CPU.

numpy hands ``@``, ``np.linalg.solve``, ``inv`` and ``cholesky`` to OpenBLAS, which
picks a kernel for the CPU it runs on (SkylakeX, Haswell, Zen, Sandybridge, ...).
The kernels sum in different orders and fuse multiply-adds differently, so the same
Cox fit differs in its last bits from one machine to another. A calibration that
compares such numbers (a loss against a loss, a tie between two swaps) can then
take another path: measured on 2026-12-02, the committed seed-1 wudhikarn2021 cohort
came out different under ``OPENBLAS_CORETYPE`` SkylakeX, Haswell and Sandybridge,
and on the machine of the session before.

These functions use elementwise numpy operations in a fixed order and Python float
arithmetic (IEEE double, no fused multiply-add), so their results do not depend on
the BLAS kernel. (numpy's own ``exp`` and ``log`` also differ on CPUs with AVX-512;
:mod:`carbook._cpu` switches that code off.) They are meant for the few-covariate
models of the papers (a matrix of a handful of rows); the results agree with LAPACK's
to rounding.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["cholesky", "dot", "inv", "matvec", "quad", "solve"]


def matvec(x: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``x @ b`` for an (n, p) matrix and a p-vector, column by column.

    Examples
    --------
    >>> matvec(np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([1.0, -1.0])).tolist()
    [-1.0, -1.0]
    """
    x, b = np.asarray(x, float), np.asarray(b, float)
    if x.ndim != 2 or b.shape != (x.shape[1],):
        raise ValueError(f"matvec: shapes {x.shape} and {b.shape} do not conform")
    out = np.zeros(x.shape[0])
    for k in range(x.shape[1]):
        out = out + x[:, k] * b[k]
    return out


def dot(a: np.ndarray, b: np.ndarray) -> float:
    """``a @ b`` for two vectors, correctly rounded (``math.fsum`` of the products).

    Examples
    --------
    >>> dot(np.array([1e16, 1.0, -1e16]), np.array([1.0, 1.0, 1.0]))
    1.0
    """
    a, b = np.asarray(a, float), np.asarray(b, float)
    if a.ndim != 1 or a.shape != b.shape:
        raise ValueError(f"dot: shapes {a.shape} and {b.shape} do not conform")
    return _sum((a * b).tolist())


def _sum(values) -> float:
    """``math.fsum``, or numpy's inf or NaN where fsum would raise (an overflow, inf - inf).

    Examples
    --------
    >>> _sum([1e308, 1e308]), _sum([float("inf"), -float("inf")])
    (inf, nan)
    """
    values = list(values)
    try:
        return math.fsum(values)
    except (OverflowError, ValueError):
        with np.errstate(over="ignore", invalid="ignore"):
            return float(np.sum(np.array(values, dtype=float)))


def quad(b: np.ndarray, a: np.ndarray) -> float:
    """The quadratic form ``b @ a @ b``.

    Examples
    --------
    >>> quad(np.array([1.0, 2.0]), np.array([[2.0, 0.0], [0.0, 3.0]]))
    14.0
    """
    a = _square(a, "quad")
    return dot(np.asarray(b, float), np.array([dot(row, b) for row in a]))


def solve(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``np.linalg.solve(a, b)``: Gaussian elimination with partial pivoting.

    ``b`` is a vector or a matrix of right-hand sides (one per column).

    Raises
    ------
    numpy.linalg.LinAlgError
        If ``a`` is singular (a zero pivot), as ``np.linalg.solve``.

    Examples
    --------
    >>> solve(np.array([[2.0, 1.0], [1.0, 3.0]]), np.array([3.0, 5.0])).round(12).tolist()
    [0.8, 1.4]
    """
    m = _square(a, "solve").tolist()
    rhs = np.asarray(b, float)
    n = len(m)
    if rhs.ndim not in (1, 2) or rhs.shape[0] != n:
        raise ValueError(f"solve: b of shape {rhs.shape} does not conform to a ({n}, {n})")
    vector = rhs.ndim == 1
    if n == 0 or rhs.size == 0:
        return np.zeros(rhs.shape)
    r = rhs.reshape(n, -1).tolist()
    for k in range(n):
        piv = max(range(k, n), key=lambda i: abs(m[i][k]))
        if m[piv][k] == 0.0:  # NaN propagates, as in LAPACK
            raise np.linalg.LinAlgError("Singular matrix")
        m[k], m[piv], r[k], r[piv] = m[piv], m[k], r[piv], r[k]
        for i in range(k + 1, n):
            f = m[i][k] / m[k][k]
            m[i] = [m[i][j] - f * m[k][j] for j in range(n)]
            r[i] = [r[i][j] - f * r[k][j] for j in range(len(r[i]))]
    out = [[0.0] * len(r[0]) for _ in range(n)]
    for i in range(n - 1, -1, -1):
        for j in range(len(r[0])):
            acc = r[i][j] - _sum(m[i][k] * out[k][j] for k in range(i + 1, n))
            out[i][j] = acc / m[i][i]
    arr = np.array(out, dtype=float)
    return arr[:, 0] if vector else arr


def inv(a: np.ndarray) -> np.ndarray:
    """``np.linalg.inv(a)``, by :func:`solve` on the identity.

    Examples
    --------
    >>> inv(np.array([[4.0, 0.0], [0.0, 0.5]])).tolist()
    [[0.25, 0.0], [0.0, 2.0]]
    """
    a = _square(a, "inv")
    return solve(a, np.eye(a.shape[0]))


def cholesky(a: np.ndarray) -> np.ndarray:
    """The lower Cholesky factor, as ``np.linalg.cholesky``.

    Raises
    ------
    numpy.linalg.LinAlgError
        If ``a`` is not positive definite (a pivot that is not positive).

    Examples
    --------
    >>> cholesky(np.array([[4.0, 2.0], [2.0, 5.0]])).tolist()
    [[2.0, 0.0], [1.0, 2.0]]
    """
    a = _square(a, "cholesky")
    m, n = a.tolist(), a.shape[0]
    if n == 0:
        return np.zeros((0, 0))
    low = [[0.0] * n for _ in range(n)]
    for j in range(n):
        d = m[j][j] - _sum(low[j][k] ** 2 for k in range(j))
        if not d > 0.0:  # also NaN
            raise np.linalg.LinAlgError("Matrix is not positive definite")
        low[j][j] = math.sqrt(d)
        for i in range(j + 1, n):
            s = m[i][j] - _sum(low[i][k] * low[j][k] for k in range(j))
            low[i][j] = s / low[j][j]
    return np.array(low, dtype=float)


def _square(a: np.ndarray, name: str) -> np.ndarray:
    a = np.asarray(a, float)
    if a.ndim != 2 or a.shape[0] != a.shape[1]:
        raise ValueError(f"{name}: a must be a square matrix, got shape {a.shape}")
    return a
