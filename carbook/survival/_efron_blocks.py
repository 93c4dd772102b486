"""Cox partial-likelihood score and information per event time, Efron ties (as coxph).

Shared by the proportional-hazards test (``ph``) and the global tests (``coxtests``).
"""

from __future__ import annotations

import numpy as np


def efron_blocks(
    time: np.ndarray, event: np.ndarray, x: np.ndarray, beta: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per distinct event time: the time, the score term and the information term.

    Returns ``(times, u, info)`` with ``u[j] = sum_deaths x - sum_k xbar_k`` and
    ``info[j] = sum_k V_k`` at the j-th distinct event time, where the k-th of the d
    tied deaths sees the risk set with k/d of the dying patients' weight removed.
    """
    r = np.exp(x @ beta)
    times = np.unique(time[event == 1])
    p = x.shape[1]
    u, info = np.zeros((times.size, p)), np.zeros((times.size, p, p))
    for j, t in enumerate(times):
        risk = time >= t
        dead = risk & (time == t) & (event == 1)
        s0, s1, s2 = _sums(r, x, risk)
        d0, d1, d2 = _sums(r, x, dead)
        nd = int(dead.sum())
        u[j] = x[dead].sum(axis=0)
        for k in range(nd):
            f = k / nd
            a0, a1, a2 = s0 - f * d0, s1 - f * d1, s2 - f * d2
            mean = a1 / a0
            u[j] -= mean
            info[j] += a2 / a0 - np.outer(mean, mean)
    return times, u, info


def _sums(r: np.ndarray, x: np.ndarray, rows: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
    w, xs = r[rows], x[rows]
    return w.sum(), w @ xs, (xs * w[:, None]).T @ xs
