"""Univariate Cox batches that refit only the columns not seen with the same times.

:func:`carbook.survival.cox_batch_arrays` fits one ``coxph`` per column in one
vectorised Newton-Raphson. Each column's iterations read that column alone, so a
column's results depend on the times and on the column only, with two exceptions
that this module avoids rather than copies:

- numpy sums a batch of one column in another order (pairwise) than a batch of
  several (row by row): a batch of one is always fitted whole, and a refit of one
  column is padded with a second;
- when some column does not converge, R's stopping point is looked for on every
  column (``_efron._r_stop``), which may flag a converged one: a batch with a
  column that did not converge (neither converged nor aliased) is fitted whole.

The search evaluates many cohorts whose times are unchanged while one covariate
moved; the other columns are then looked up. Tested against fitting the whole
batch (``tests/test_fast_paths.py``), equal bit for bit.
"""

from __future__ import annotations

import numpy as np

from carbook import survival as sv
from carbook.reconstruct.recent import MISSING, Recent

__all__ = ["CoxColumns"]

#: the per-column results of :func:`carbook.survival.cox_batch_arrays`
KEYS = (
    "coef", "se", "hr", "lower", "upper", "p", "loglik", "converged", "p_wald", "p_lr",
    "p_score", "loglik0", "infinite", "aliased",
)  # fmt: skip


class CoxColumns:
    """:func:`carbook.survival.cox_batch_arrays`, remembering each column's results.

    Parameters
    ----------
    size : int
        Columns remembered (the most recently used are kept).

    Examples
    --------
    >>> t, e = np.array([1.0, 2, 3, 4, 5, 6]), np.array([1, 1, 1, 1, 0, 1])
    >>> x = np.array([[0.0, 1, 0, 1, 1, 0], [1.0, 1, 0, 0, 1, 0]]).T
    >>> fits = CoxColumns(100)
    >>> a = fits(t, e, x)
    >>> x[0, 1] = 0.0  # one column moves: only it is refitted (with a second one)
    >>> b = fits(t, e, x)
    >>> bool(a["coef"][0] == b["coef"][0]), fits.fitted
    (True, 4)
    """

    def __init__(self, size: int) -> None:
        self.fitted = 0  # columns fitted (not looked up), padding included
        self._store = Recent(size)

    def __call__(self, t: np.ndarray, e: np.ndarray, xv: np.ndarray) -> dict[str, np.ndarray]:
        """The dictionary of ``cox_batch_arrays(t, e, xv)`` (``xv`` float, (n, p))."""
        p = xv.shape[1]
        if p < 2:
            self.fitted += p
            return sv.cox_batch_arrays(t, e, xv)
        times = (t.dtype.str + e.dtype.str).encode() + t.tobytes(), e.tobytes()
        keys = [(*times, xv[:, j].tobytes()) for j in range(p)]
        rows = [self._store.get(k) for k in keys]
        missing = [j for j, row in enumerate(rows) if row is MISSING]
        if missing:
            cols = missing if len(missing) > 1 else sorted({missing[0], 0 if missing[0] else 1})
            fit = sv.cox_batch_arrays(t, e, np.ascontiguousarray(xv[:, cols]))
            self.fitted += len(cols)
            if not (fit["converged"] | fit["aliased"]).all():  # R's stop rule reads all columns
                self.fitted += p
                return sv.cox_batch_arrays(t, e, xv)
            for i, j in enumerate(cols):
                rows[j] = {k: fit[k][i] for k in KEYS}
        for key, row in zip(keys, rows, strict=True):
            self._store.put(key, row)
        return {k: np.array([row[k] for row in rows]) for k in KEYS}
