"""Which start-witness records the 12 given blinatumomab or inotuzumab take.

Table 3 prints the time-dependent HR of blinatumomab or inotuzumab as salvage, 1.41
(0.60-3.33), P .43. The exposure starts on the day Table 4 dates (months after the
first CAR T); the months after progression follow from the record's progression. With
the start witness (:mod:`.poststart`) the multiset of records is fixed, so this HR
reads only which record each of the 12 exposed patients holds. Table 4's facts allow
few: :func:`assignments` lists every choice of distinct records the facts allow and
that leaves a record, allowed by the facts, for every other patient, and scores each
on the printed parts. It is exhaustive: what it does not find, no assignment of this
witness's records prints. SYNTHETIC: the records are a construction, not the
study's patients.
"""

from __future__ import annotations

import itertools
from functools import cache, lru_cache

import numpy as np
import pandas as pd
from scipy.optimize import linear_sum_assignment

from carbook.published import load_published, printed_interval
from carbook.survival.cox_td import cox_switch

__all__ = ["CLAIMS", "SELECTED", "assignments", "intervals", "pick"]

#: the printed claims the exposed patients' records decide
CLAIMS = ("t3_blin_ino_salv_hr", "t3_blin_ino_salv_p")
#: the scorecard's note beside :data:`CLAIMS`
SELECTED = (
    "records of the 12 given blinatumomab or inotuzumab: one of the allowed choices "
    "of start-witness records that meet the most of Table 3's time-dependent HR, "
    "chosen because they do"
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

    A row that may take any record never blocks (there are as many records as rows),
    so only the other rows are matched; the answer, cached, is then the same for
    every cohort whose constrained patients are the same.
    """
    keep = ~ok.all(axis=1)
    if not (keep | ~exposed).all():  # an exposed row free of every fact: keep it too
        keep |= exposed
    return list(
        _choices_of(ok[keep].tobytes(), int(keep.sum()), ok.shape[1], exposed[keep].tobytes())
    )


@lru_cache(maxsize=8)
def _choices_of(ok_bytes: bytes, n: int, m: int, exposed_bytes: bytes) -> tuple:
    ok = np.frombuffer(ok_bytes, dtype=bool).reshape(n, m)
    rows = np.flatnonzero(np.frombuffer(exposed_bytes, dtype=bool))
    out = []
    for combo in itertools.product(*(np.flatnonzero(ok[i]) for i in rows)):
        if len(set(combo)) < len(combo):
            continue
        sub = ok.copy()
        sub[rows, :], sub[:, list(combo)] = False, False
        sub[rows, list(combo)] = True
        r, k = linear_sum_assignment(~sub)
        if sub[r, k].all():
            out.append(tuple(int(x) for x in combo))
    return tuple(out)


def assignments(
    ok: np.ndarray, switch_at: np.ndarray, t_rr: np.ndarray, t_post: np.ndarray, dead: np.ndarray
) -> pd.DataFrame:
    """Every allowed choice of the exposed patients' records, with the HR it prints.

    Parameters
    ----------
    ok : (patients, records) bool array
        Which patient may take which record (:func:`.poststart.allowed`).
    switch_at : (patients,) array
        Months from the first CAR T to the exposure (NaN: never exposed).
    t_rr, t_post, dead : (records,) arrays
        Each record's months to progression, months after it, and death.

    Returns
    -------
    pandas.DataFrame
        One row per choice: ``records`` (the record of each exposed patient, in row
        order), ``hr``, ``lower``, ``upper``, ``p`` (R's ``coxph(Surv(start, stop,
        event) ~ x)`` on the counting-process data, Efron ties, Wald CI and P:
        :func:`carbook.survival.cox_td.cox_switch`) and ``met``, the printed parts of
        :data:`CLAIMS` it meets.

    Raises
    ------
    ValueError
        If the arrays' lengths disagree with ``ok``.

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
    n, m = ok.shape
    if len(switch_at) != n or not len(t_rr) == len(t_post) == len(dead) == m:
        raise ValueError(f"switch_at needs {n} patients and t_rr, t_post, dead {m} records")
    exposed = np.isfinite(switch_at)
    rows = []
    for combo in _choices(ok, exposed):
        held = np.setdiff1d(np.arange(m), combo)  # the unexposed hold the rest: order is moot
        rec = np.concatenate([combo, held])
        switch = np.full(m, np.nan)
        switch[: len(combo)] = np.round(switch_at[exposed] - t_rr[list(combo)], 2)
        fit = cox_switch(t_post[rec], dead[rec], switch)
        vals = tuple(float(fit[k]) for k in _VALUES)
        met = sum(lo <= v < hi for v, (lo, hi) in zip(vals, intervals(), strict=True))
        rows.append((combo, *vals, met))
    return pd.DataFrame(rows, columns=["records", *_VALUES, "met"])


def pick(table: pd.DataFrame, rng: np.random.Generator) -> tuple[int, ...] | None:
    """One of the choices that meet the most printed parts, at random; None if none.

    Examples
    --------
    >>> t = pd.DataFrame({"records": [(0,), (1,), (2,)], "met": [1, 0, 1]})
    >>> pick(t, np.random.default_rng(0)) in [(0,), (2,)]
    True
    """
    if table.empty:
        return None
    best = table.index[table["met"] == table["met"].max()]
    return table["records"].loc[best[int(rng.integers(len(best)))]]
