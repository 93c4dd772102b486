"""Gray's test of equal cumulative incidence curves between groups.

lifelines has no Gray's test. This is the K-sample test of Gray (1988, Ann Stat
16:1141), with the score and variance computed as ``cmprsk::cuminc`` computes them
(its ``Tests`` table), and tested against R in ``tests/r/methods_reference.R``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

__all__ = ["gray_test"]


def gray_test(
    time: object, status: object, group: object, rho: float = 0.0, cens_code: int = 0
) -> pd.DataFrame:
    """Gray's K-sample test for each cause, as ``cmprsk::cuminc(time, status, group)$Tests``.

    Parameters
    ----------
    time : array-like
        Follow-up times.
    status : array-like
        ``cens_code`` for censored, any other value names a cause.
    group : array-like
        Group labels (at least two distinct).
    rho : float
        Power of the weight (1 - F(t-))**rho, as ``cuminc``'s ``rho``.
    cens_code : int
        The censoring code.

    Returns
    -------
    pandas.DataFrame
        Indexed by cause: ``stat``, ``pv``, ``df``.

    Raises
    ------
    ValueError
        If lengths differ, times are negative or missing, or there is one group.

    Notes
    -----
    Like ``cuminc``, the test compares subdistribution hazards with a weighted
    log-rank-type score; strata are not supported here.

    Examples
    --------
    >>> gray_test([1, 2, 3, 4, 5, 6], [1, 2, 1, 0, 1, 2], [0, 0, 0, 1, 1, 1]).round(3)
            stat     pv  df
    cause
    1      2.165  0.141   1
    2      0.941  0.332   1
    """
    t, s, g = (np.asarray(a).ravel() for a in (time, status, group))
    if not t.size == s.size == g.size:
        raise ValueError(
            f"time, status and group must have equal length: {t.size}, {s.size}, {g.size}"
        )
    t = t.astype(float)
    if not np.isfinite(t).all() or (t < 0).any():
        raise ValueError("time must be finite and non-negative")
    labels, gi = np.unique(g, return_inverse=True)
    if labels.size < 2:
        raise ValueError("group must have at least two distinct values")
    order = np.argsort(t, kind="stable")
    t, s, gi = t[order], s[order], gi[order]
    rows = {}
    for cause in np.unique(s[s != cens_code]):
        m = np.where(s == cens_code, 0, np.where(s == cause, 1, 2))
        score, var = _score_and_variance(t, m, gi, labels.size, rho)
        stat = float(score @ np.linalg.solve(var, score))
        rows[cause] = {
            "stat": stat,
            "pv": stats.chi2.sf(stat, labels.size - 1),
            "df": labels.size - 1,
        }
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("cause")


@dataclass
class _State:
    """Left-continuous per-group quantities, updated time by time."""

    ng: int
    rs: np.ndarray  # risk set size per group
    skm: np.ndarray = field(init=False)  # all-cause Kaplan-Meier per group, S(t-)
    f1: np.ndarray = field(init=False)  # cumulative incidence of the cause per group, F(t-)
    f: float = 0.0  # pooled incidence estimate used in the weights, F(t-)

    def __post_init__(self) -> None:
        self.skm = np.ones(self.ng)
        self.f1 = np.zeros(self.ng)


def _score_and_variance(
    t: np.ndarray, m: np.ndarray, g: np.ndarray, ng: int, rho: float
) -> tuple[np.ndarray, np.ndarray]:
    st = _State(ng, np.bincount(g, minlength=ng).astype(float))
    k = ng - 1
    score, v = np.zeros(k), np.zeros((k, k))
    c, v2, v3 = np.zeros((ng, ng)), np.zeros((k, ng)), np.zeros(ng)
    for time in np.unique(t):
        at = t == time
        d = np.array([np.bincount(g[at & (m == j)], minlength=ng) for j in (0, 1, 2)], float)
        if d[1].sum() + d[2].sum() > 0:
            score_t, v_t, v2_t, v3_t = _one_time(st, d, c, rho)
            score += score_t[:k]
            v += v_t
            v2 += v2_t
            v3 += v3_t
        st.rs = st.rs - d.sum(axis=0)
    v += (c[:k] * v3) @ c[:k].T + c[:k] @ v2.T + v2 @ c[:k].T
    return score, v


def _one_time(
    st: _State, d: np.ndarray, c: np.ndarray, rho: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Contributions at one distinct time; updates ``st`` and ``c`` in place."""
    alive = st.rs > 0
    nd1, nd2 = d[1].sum(), d[2].sum()
    rs, skmm, f1m, fm = st.rs, st.skm.copy(), st.f1.copy(), st.f
    with np.errstate(divide="ignore", invalid="ignore"):
        skm = np.where(alive, skmm * (rs - d[1] - d[2]) / rs, skmm)
        st.f1 = np.where(alive, f1m + skmm * d[1] / rs, f1m)
        w = np.where(alive, rs / skmm, 0.0)  # in Gray's notation, h_r
    tr = w.sum()
    tq = (w * (1 - f1m)).sum()
    f = fm + nd1 / tr
    fb = (1 - fm) ** rho
    a = fb * (np.diag(w) - np.outer(w, w) / tr)
    c += a * nd1 / (tr * (1 - fm))
    score = np.where(alive, fb * (d[1] - nd1 * w * (1 - f1m) / tq), 0.0)
    k = st.ng - 1
    v, v2, v3 = np.zeros((k, k)), np.zeros((k, st.ng)), np.zeros(st.ng)
    if nd1 > 0:
        t4 = np.where(skm > 0, 1 - (1 - f) / np.where(skm > 0, skm, 1), 1.0)
        t5 = 1 - (nd1 - 1) / (tr * skmm - 1) if nd1 > 1 else np.ones(st.ng)
        t3 = np.where(alive, t5 * skmm * nd1 / (tr * np.where(alive, rs, 1)), 0.0)
        b = a[:k] - t4 * c[:k]
        v3 += t4**2 * t3
        v2 += b * t4 * t3
        v += (b * t3) @ b.T
    if nd2 > 0:
        ok = (skm > 0) & (d[2] > 0)
        t4 = np.where(ok, (1 - f) / np.where(ok, skm, 1), 0.0)
        with np.errstate(divide="ignore", invalid="ignore"):
            t5 = np.where(d[2] > 1, 1 - (d[2] - 1) / (rs - 1), 1.0)
        t3 = np.where(ok, t5 * skmm**2 * d[2] / np.where(ok, rs, 1) ** 2, 0.0)
        b = t4 * c[:k]
        v3 += t4**2 * t3
        v2 -= b * t4 * t3
        v += (b * t3) @ b.T
    st.skm, st.f = skm, f
    return score, v, v2, v3
