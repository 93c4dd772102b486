"""Which start-witness records the 12 given blinatumomab or inotuzumab take.

Table 3 prints the time-dependent HR of blinatumomab or inotuzumab as salvage, 1.41
(0.60-3.33), P .43. The exposure starts on the day Table 4 dates (months after the
first CAR T); the months after progression follow from the record's progression. With
the start witness (:mod:`.poststart`) the multiset of records is fixed, so this HR
reads only which record each of the 12 exposed patients holds. The facts of Tables 4
and 5 allow few: :func:`assignments` lists every choice of distinct records the facts
allow that leaves a record, allowed by the facts, for every other patient, and scores
each on the printed parts by the scorecard's rules (a P is met by the Wald,
likelihood-ratio or score test: :func:`carbook.reconstruct.targets.closest_p`). It is
exhaustive: what it does not find, no assignment of this witness's records prints.
SYNTHETIC: the records are a construction, not the study's patients.
"""

from __future__ import annotations

from functools import cache, lru_cache

import numpy as np
import pandas as pd
from scipy.optimize import linear_sum_assignment

from carbook.published import load_published, printed_interval
from carbook.reconstruct.targets import COX_P_TESTS, closest_p
from carbook.survival.cox_td import cox_switch

__all__ = ["CLAIMS", "SELECTED", "assignments", "best", "inside", "intervals", "pick"]

#: the printed claims the exposed patients' records decide (the P's part is scored
#: under the HR's claim, as the evaluator's report does)
CLAIMS = ("t3_blin_ino_salv_hr", "t3_blin_ino_salv_p")
#: the scorecard's note beside :data:`CLAIMS`
SELECTED = (
    "records of the 12 given blinatumomab or inotuzumab: one of the allowed choices "
    "of start-witness records, chosen because it meets the most of Table 3's "
    "time-dependent HR and its P"
)
_VALUES = ("hr", "lower", "upper", "p")


@cache
def intervals() -> tuple[tuple[float, float], ...]:
    """Rounding intervals of the printed HR, its limits and its P.

    Examples
    --------
    >>> [tuple(round(x, 3) for x in iv) for iv in intervals()][0]
    (1.405, 1.415)
    """
    reg = load_published("wudhikarn2021").set_index("id")
    hr, p = reg.loc[CLAIMS[0]], reg.loc[CLAIMS[1]]
    limits = [printed_interval(str(hr[k])) for k in ("value", "low", "high")]
    return (*limits, printed_interval(str(p["value"])))


def _choices(ok: np.ndarray, exposed: np.ndarray) -> list[tuple[int, ...]]:
    """Distinct records for the exposed rows that leave every row a record it may take.

    A row that may take any record never blocks (``ok`` is square: as many records as
    rows), so only the other rows are matched; the answer, cached, is then the same for
    every cohort whose constrained patients are the same.
    """
    keep = ~ok.all(axis=1) | exposed
    key = (ok[keep].tobytes(), int(keep.sum()), ok.shape[1], exposed[keep].tobytes())
    return list(_choices_of(*key))


@lru_cache(maxsize=8)
def _choices_of(ok_bytes: bytes, n: int, m: int, exposed_bytes: bytes) -> tuple:
    """:func:`_choices` on the constrained rows (bytes: a hashable cache key)."""
    ok = np.frombuffer(ok_bytes, dtype=bool).reshape(n, m)
    rows = np.flatnonzero(np.frombuffer(exposed_bytes, dtype=bool))
    out: list[tuple[int, ...]] = []

    def extend(combo: list[int]) -> None:  # backtracking: a used record is skipped
        if len(combo) == len(rows):
            if _completes(ok, rows, combo):
                out.append(tuple(combo))
            return
        for r in np.flatnonzero(ok[rows[len(combo)]]):
            if int(r) not in combo:
                extend([*combo, int(r)])

    extend([])
    return tuple(out)


def _completes(ok: np.ndarray, rows: np.ndarray, combo: list[int]) -> bool:
    """Whether the other rows can still each take a record of their own."""
    sub = ok.copy()
    sub[rows, :], sub[:, combo] = False, False
    sub[rows, combo] = True
    r, k = linear_sum_assignment(~sub)
    return bool(sub[r, k].all())


def _values(fit: dict) -> tuple[float, ...]:
    """(HR, limits, P) of a fit, and the P's test: the P as the scorecard reads it."""
    test, p = closest_p({k: float(fit[k]) for k in COX_P_TESTS}, *intervals()[3])
    return float(fit["hr"]), float(fit["lower"]), float(fit["upper"]), p, test


def inside(table: pd.DataFrame) -> pd.DataFrame:
    """Per choice and printed part (``hr``, ``lower``, ``upper``, ``p``): printed as published.

    Examples
    --------
    >>> t = pd.DataFrame({"hr": [1.41, 1.2], "lower": [0.6, 0.6], "upper": [3.2, 3.33],
    ...                   "p": [0.43, 0.5]})
    >>> inside(t).sum(axis=1).tolist()
    [3, 2]
    """
    return pd.DataFrame(
        {
            k: table[k].between(lo, hi, inclusive="left")
            for k, (lo, hi) in zip(_VALUES, intervals(), strict=True)
        }
    )


def assignments(
    ok: np.ndarray, switch_at: np.ndarray, t_rr: np.ndarray, t_post: np.ndarray, dead: np.ndarray
) -> pd.DataFrame:
    """Every allowed choice of the exposed patients' records, with the HR it prints.

    Parameters
    ----------
    ok : (n, n) bool array
        Which patient (row) may take which record (column): :func:`.poststart.allowed`.
    switch_at : (n,) array
        Months from the first CAR T to the exposure (NaN: never exposed).
    t_rr, t_post, dead : (n,) arrays
        Each record's months to progression, months after it, and death (0/1).

    Returns
    -------
    pandas.DataFrame
        One row per choice: ``records`` (the record of each exposed patient, in row
        order); ``hr``, ``lower``, ``upper`` (R's ``coxph(Surv(start, stop, event) ~
        x)`` on the counting-process data, Efron ties, Wald CI:
        :func:`carbook.survival.cox_td.cox_switch`); ``p`` and ``p_test``, the Wald,
        likelihood-ratio or score P nearest the printed one, as the scorecard reads
        it; ``met``, the printed parts met (of 4), and ``claims``, the claims met
        (the HR with both limits, and the P: of 2).

    Raises
    ------
    ValueError
        If ``ok`` is not square, or an array's length is not ``ok``'s.

    Examples
    --------
    Two patients, two records; only the first patient is exposed, one month after
    the first CAR T:

    >>> ok = np.ones((2, 2), bool)
    >>> a = assignments(ok, np.array([1.0, np.nan]), np.array([0.5, 0.5]),
    ...                 np.array([3.0, 2.0]), np.array([1, 1]))
    >>> a["records"].tolist(), int(a["met"].max())
    ([(0,), (1,)], 0)
    """
    ok = np.asarray(ok, dtype=bool)
    n = len(ok)
    if ok.ndim != 2 or ok.shape[1] != n:
        raise ValueError(f"ok must be square (patients x records), got shape {ok.shape}")
    if not len(switch_at) == len(t_rr) == len(t_post) == len(dead) == n:
        raise ValueError(f"switch_at, t_rr, t_post and dead need {n} values each")
    exposed = np.isfinite(switch_at)
    rows = []
    for combo in _choices(ok, exposed):
        rec = np.concatenate([combo, np.setdiff1d(np.arange(n), combo)])  # others: moot
        switch = np.full(n, np.nan)
        switch[: len(combo)] = np.round(switch_at[exposed] - t_rr[list(combo)], 2)
        rows.append((combo, *_values(cox_switch(t_post[rec], dead[rec], switch))))
    out = pd.DataFrame(rows, columns=["records", *_VALUES, "p_test"])
    met = inside(out)
    out["met"] = met.sum(axis=1).astype(int)
    out["claims"] = met[["hr", "lower", "upper"]].all(axis=1).astype(int) + met["p"].astype(int)
    return out


def best(table: pd.DataFrame) -> pd.DataFrame:
    """The choices that meet the most claims, then the most printed parts, in order.

    Examples
    --------
    >>> t = pd.DataFrame({"records": [(0,), (1,), (2,)], "claims": [1, 0, 1], "met": [2, 3, 2]})
    >>> best(t)["records"].tolist()
    [(0,), (2,)]
    """
    rank = table["claims"] * 5 + table["met"]  # at most 4 parts: claims decide first
    return table[rank == rank.max()]


def pick(table: pd.DataFrame, rng: np.random.Generator) -> tuple[int, ...] | None:
    """One of the :func:`best` choices, at random.

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`assignments` (``records``, ``claims``, ``met``).
    rng : numpy.random.Generator
        Draws one among the best.

    Returns
    -------
    tuple of int or None
        The records of the exposed patients; None if ``table`` is empty.

    Examples
    --------
    >>> t = pd.DataFrame({"records": [(0,), (1,), (2,)], "claims": [1, 0, 1], "met": [2, 3, 2]})
    >>> pick(t, np.random.default_rng(0)) in [(0,), (2,)]
    True
    """
    if table.empty:
        return None
    top = best(table)
    return top["records"].iloc[int(rng.integers(len(top)))]
