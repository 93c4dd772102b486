"""The two-group log-rank test in numpy, as R's ``survdiff`` (``rho = 0``).

lifelines' ``logrank_test`` computes the same statistic (both are checked against
``survdiff`` in the parity suite); this version has no per-call overhead, for the
cohort reconstruction, which evaluates it thousands of times.
"""

from __future__ import annotations

import numpy as np
from scipy import special

__all__ = ["logrank_arrays"]


def logrank_arrays(
    time: np.ndarray, event: np.ndarray, group: np.ndarray
) -> tuple[float, float, float]:
    """Log-rank chi-square (1 df), P and observed minus expected events of group 1.

    Matches R's ``survdiff(Surv(time, event) ~ group)``: ``$chisq`` and
    ``pchisq(chisq, 1, lower.tail = FALSE)``; tied event times use the
    hypergeometric variance ``n1 n0 d (n - d) / (n^2 (n - 1))``.

    Parameters
    ----------
    time : numpy.ndarray
        Follow-up times.
    event : numpy.ndarray
        1 = event, 0 = censored.
    group : numpy.ndarray
        1 or 0 for the two groups.

    Returns
    -------
    tuple of float
        ``(chisq, p, o_minus_e)``: ``o_minus_e`` (``survdiff``'s ``obs - exp`` of
        group 1) is negative when group 1 has fewer events than expected (better
        survival); all NaN when there is no event or no variance.

    Raises
    ------
    ValueError
        If the arrays differ in length, or ``event`` or ``group`` is not 0/1.

    Examples
    --------
    >>> t = np.array([6, 6, 6, 7, 10, 13, 16, 22, 23, 1, 1, 2, 2, 3, 4, 4, 5, 5, 8.0])
    >>> e = np.array([1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1])
    >>> g = np.array([1] * 9 + [0] * 10)
    >>> chisq, p, o_minus_e = logrank_arrays(t, e, g)
    >>> round(chisq, 4), round(p, 6)  # lifelines' logrank_test gives the same
    (13.85, 0.000198)
    >>> bool(o_minus_e < 0)  # group 1 dies later
    True
    """
    time, event, group = (np.asarray(a, dtype=float) for a in (time, event, group))
    if not len(time) == len(event) == len(group):
        raise ValueError("time, event and group must have the same length")
    for name, arr in (("event", event), ("group", group)):
        if not np.isin(arr, (0, 1)).all():
            raise ValueError(f"{name} must be 0 or 1")
    times = np.unique(time[event == 1])
    nan = float("nan")
    if len(times) == 0:
        return nan, nan, nan
    at_risk = time[None, :] >= times[:, None]
    dies = (time[None, :] == times[:, None]) & (event[None, :] == 1)
    n, n1 = at_risk.sum(axis=1), (at_risk & (group == 1)).sum(axis=1)
    d, d1 = dies.sum(axis=1), (dies & (group == 1)).sum(axis=1)
    o_minus_e = float((d1 - n1 * d / n).sum())
    with np.errstate(invalid="ignore", divide="ignore"):
        v = np.where(n > 1, n1 * (n - n1) * d * (n - d) / (n**2 * (n - 1)), 0.0)
    var = float(v.sum())
    if var <= 0:
        return nan, nan, nan
    chisq = o_minus_e**2 / var
    return chisq, float(special.chdtrc(1, chisq)), o_minus_e
