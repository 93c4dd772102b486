"""Place the post-progression records on Figure 1's records: an exact integer program.

A search (:mod:`.postsearch`) finds an *order* of the 38 records after progression that
nearly prints the block; what it cannot do is land a time on a printed value. The
numbers of the block depend only on that order (Cox models, the 1-year landmark, the
reverse-KM follow-up), on which side of 12 months and of every first salvage each time
lies (the landmark and the time-dependent salvage model), and on the times at which
the printed medians, their limits and the follow-up are read (the anchors). So the
times can be *placed*: keep the order and the sides, put each anchor in its printed
rounding interval, and choose the rest freely.

Here they are placed on the skeleton's progressed records (:func:`.skeleton.records`,
on which R prints Figure 1): record ``r`` gives one patient ``t_last_r`` months from
infusion to death or last contact, the patient's time from progression is
``t_last_r - t_rr``, and the ``t_rr`` keep the model's rules (the refractory at 0.8-1.2
months; 29 relapses printing the median and range 5.5 (1.3-24), all but the latest
before 12 months). The one progressed record alive after 36 months may take any slot
of the follow-up tail (the patients in the tail exchange slots, so every Figure 1
number stays). A mixed-integer linear program in hundredths of a month
(``scipy.optimize.milp``, HiGHS) finds the times or proves that this order admits none.
SYNTHETIC: a construction, not an estimate about the study's patients.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy.optimize import Bounds, LinearConstraint, milp

from carbook.data import load_counts
from carbook.published import decimals, load_published, printed_interval
from carbook.studies.wudhikarn2021 import figure1, model, post, postwitness, skeleton

__all__ = [
    "anchors",
    "check_records",
    "hundredths",
    "place",
    "table_rules",
    "ttr_score",
    "ttr_terms",
]

_BIG = 10_000  # hundredths of a month: above every time
#: median claims, read at a death of a group (None: all 38)
_READ = {
    "os_post_prog_median_ci": None,
    "os_cr_salvage_median": "cr",
    "os_nocr_salvage_median": "no_cr",
}


def hundredths(text: str) -> tuple[int, int]:
    """The 0.01-month grid points that print as ``text`` (closed, in hundredths).

    A half-way point (7.45 for "7.5") is left out: R rounds it half-even (``round(1.25,
    1)`` is 1.2), the registry half-up, and a point inside prints the same under both.

    Examples
    --------
    >>> hundredths("4.14"), hundredths("7.5"), hundredths("20")
    ((414, 414), (746, 754), (1951, 2049))
    """
    lo, hi = printed_interval(text)
    first = math.ceil(round(lo * 100, 6))
    return first + (decimals(text) < 2), math.ceil(round(hi * 100, 6)) - 1


def anchors(w: pd.DataFrame) -> dict[int, tuple[int, int]]:
    """Row of ``w`` -> the grid points its time must take: where a printed time is read.

    A median or limit is read at the death where its curve first reaches 0.5; the
    follow-up at the censoring where the reverse KM does. A value read between two
    times (R's midpoint rule) has no anchor.

    Examples
    --------
    >>> a = anchors(postwitness.witness())
    >>> sorted(a.values())[:2]
    [(356, 364), (414, 414)]
    """
    reg = load_published("wudhikarn2021").set_index("id")
    got = postwitness.values(w)
    out: dict[int, tuple[int, int]] = {}
    reads = [(c, k, g, 1) for c, g in _READ.items() for k in range(3)]
    for claim, k, group, dead in [*reads, ("followup_post_prog_median", 0, None, 0)]:
        text = str(reg.loc[claim, ("value", "low", "high")[k]])
        x = got[claim][k] if k < len(got[claim]) else np.nan
        if text in ("", "nan") or not np.isfinite(x):
            continue
        rows = (w["t_post"] == x) & (w["dead"] == dead)
        if group is not None:
            rows &= w["group"] == group
        for i in np.flatnonzero(rows):
            lo, hi = hundredths(text)
            old = out.get(int(i), (lo, hi))
            out[int(i)] = (max(lo, old[0]), min(hi, old[1]))
    return out


class _Program:
    """Variables by name, bounds and rows of a MILP, in hundredths of a month."""

    def __init__(self, sizes: dict[str, int]) -> None:
        self.var, n = {}, 0
        for name, size in sizes.items():
            self.var[name] = np.arange(n, n + size)
            n += size
        self.lb, self.ub = np.zeros(n), np.full(n, float(_BIG))
        self.obj = np.zeros(n)  # none: any feasible point
        self.rows: list[tuple[dict[int, float], float, float]] = []

    def add(self, coefs: dict[int, float], lo: float, hi: float) -> None:
        self.rows.append((coefs, lo, hi))

    def solve(self, time_limit: float, nodes: int | None = None) -> np.ndarray | None:
        a = np.zeros((len(self.rows), self.lb.size))
        for r, (coefs, _, _) in enumerate(self.rows):
            for i, c in coefs.items():
                a[r, i] += c
        lo = [r[1] for r in self.rows]
        hi = [r[2] for r in self.rows]
        options = {"time_limit": time_limit} | ({"node_limit": nodes} if nodes else {})
        res = milp(
            self.obj,
            constraints=LinearConstraint(a, lo, hi),
            integrality=np.ones(self.lb.size),
            bounds=Bounds(self.lb, self.ub),
            options=options,
        )
        if res.status == 2:  # HiGHS: infeasible
            return None
        if res.x is None:
            raise RuntimeError(f"the placement stopped without an answer: {res.message}")
        return np.round(res.x)


def _products(m: _Program, pairs: list[tuple[int, int]]) -> None:
    """Y = x * t_rr and q = x * t_last, exact for binary x (McCormick)."""
    for p, (_, r) in enumerate(pairs):
        x = m.var["x"][p]
        for prod, var in (("y", "u"), ("q", "L")):
            y, v = m.var[prod][p], m.var[var][r]
            m.add({y: 1, x: -_BIG}, -np.inf, 0)
            m.add({y: 1, v: -1}, -np.inf, 0)
            m.add({y: 1, v: -1, x: -_BIG}, -_BIG, np.inf)


def _relapses() -> tuple[dict[str, tuple[int, int]], int, str]:
    """Grid points of the printed relapse median, min and max; the refractory count; text."""
    reg = load_published("wudhikarn2021").set_index("id").loc["relapse_time_median"]
    counts = load_counts("wudhikarn2021").set_index("event")["value"]
    grid = {k: hundredths(str(reg[k])) for k in ("value", "low", "high")}
    return (
        grid,
        int(counts["progressed_refractory"]),
        f"{reg['value']} ({reg['low']}-{reg['high']})",
    )


def _relapse_rules(m: _Program, n: int) -> None:
    """The refractory in :data:`.model.REFRACTORY`; relapses printing the median and range."""
    grid, n_ref, _ = _relapses()
    med, low = grid["value"], grid["low"]
    top = round(model.relapse_anchors()[2] * 100)  # the latest: the printed maximum exactly
    before = round(skeleton.RR_BEFORE * 100) - 1
    ref = [round(v * 100) for v in model.REFRACTORY]
    ix = m.var
    for r in range(n):
        u, z, top_r = ix["u"][r], ix["z"][r], ix["top"][r]
        a, b, c = ix["a"][r], ix["b"][r], ix["c"][r]
        m.add({u: 1, z: _BIG}, -np.inf, ref[1] + _BIG)  # refractory: u <= 1.2
        m.add({u: 1, z: low[0] - ref[0]}, low[0], np.inf)  # u >= 0.8, or >= min relapse
        m.add({u: 1, top_r: before - top}, -np.inf, before)  # < 12, or the latest
        m.add({u: 1, top_r: -top}, 0, np.inf)  # the latest: exactly 24
        for flag in (top_r, a, b, c):
            m.add({flag: 1, z: 1}, 0, 1)  # relapse flags only on relapses
        m.add({u: 1, a: _BIG}, -np.inf, med[1] + _BIG)  # a: at most the median's top
        m.add({u: 1, b: -med[0]}, 0, np.inf)  # b: at least the median's bottom
        m.add({u: 1, c: _BIG}, -np.inf, low[1] + _BIG)  # c: prints as the minimum
    m.add({i: 1 for i in ix["z"]}, n_ref, n_ref)
    m.add({i: 1 for i in ix["top"]}, 1, 1)
    n_rel = n - n_ref  # an odd count: the middle one is the median
    for flag, least in (("a", n_rel // 2 + 1), ("b", n_rel // 2 + 1), ("c", 1)):
        m.add({i: 1 for i in ix[flag]}, least, n_rel)


def _time_rules(m: _Program, w: pd.DataFrame, fixed: dict[int, tuple[int, int]]) -> None:
    """Order, ties, sides of 12 months and of each salvage, anchors, the CR rules."""
    t = np.round(w["t_post"].to_numpy() * 100).astype(int)
    v = m.var["v"]
    for k in range(len(w) - 1):
        m.add({v[k + 1]: 1, v[k]: -1}, *((0, 0) if t[k + 1] == t[k] else (1, np.inf)))
    cuts = {round(x * 100) for x in w["t_salvage"].dropna()} | {1200}
    cr = (w["group"] == "cr").to_numpy()
    salvage = np.round(w["t_salvage"].to_numpy() * 100)
    short, longest = (round(post.cr_min_post(part) * 100) for part in ("low", "high"))
    for k in range(len(w)):
        lo, hi = fixed.get(k, (5, _BIG))
        for s in cuts:  # same side of every cut (ties stay ties)
            if t[k] >= s:
                lo = max(lo, s + (t[k] > s))
            if t[k] <= s:
                hi = min(hi, s - (t[k] < s))
        if cr[k]:
            lo = max(lo, short, longest if k == np.flatnonzero(cr)[-1] else 0)
        if np.isfinite(salvage[k]):
            lo = max(lo, int(salvage[k]) + 1)
        m.lb[v[k]], m.ub[v[k]] = lo, hi


def table_rules() -> pd.DataFrame:
    """Per patient of Tables 4 and 5: what the record a patient takes must allow.

    ``dead`` (0/1), ``relapsed`` (Table 5: a relapse, not refractory), ``cr`` (a CR to
    salvage that a table prints), and, in hundredths of a month on the grid, ``rr_max``
    (latest progression: before the first dated treatment), ``last_min`` (earliest
    death or last contact: after the last) and ``salvage_end`` (the first salvage comes
    by the first dated treatment: ``t_rr + t_salvage <= salvage_end``). Every table
    patient received salvage.

    Examples
    --------
    >>> r = table_rules()
    >>> len(r), r.loc["MSK15", ["dead", "cr", "rr_max", "last_min"]].astype(int).tolist()
    (19, [0, 1, 4927, 4930])
    """
    f = post.table_facts()
    facts = model._facts().reindex(f.index)
    rr_max = f["first_tx"] - 0.01
    return pd.DataFrame(
        {
            "dead": facts["dead"].astype(int),
            "relapsed": facts["relapsed"].eq(1).fillna(False).astype(bool),
            "cr": f["cr"].astype(bool),
            "rr_max": np.floor(np.round(rr_max * 100, 6)).astype(int),
            "last_min": np.ceil(np.round((f["last_tx"] + 0.01) * 100, 6)).astype(int),
            "salvage_end": np.floor(np.round((rr_max + 0.01) * 100, 6)).astype(int),
        }
    )


def _fact_rules(
    m: _Program, w: pd.DataFrame, pairs: list[tuple[int, int]], rec_dead: np.ndarray
) -> None:
    """Each table patient takes one record that keeps the table's facts (``pick``)."""
    rules = table_rules()
    cr = (w["group"] == "cr").to_numpy()
    salvaged = (w["group"] != "none").to_numpy()
    start = np.nan_to_num(np.round(w["t_salvage"].to_numpy() * 100)).astype(int)
    ys = iter(m.var["pick"])
    taken: dict[int, dict[int, float]] = {}
    for _, f in rules.iterrows():
        mine = {}
        for r in np.flatnonzero(rec_dead == f["dead"]):
            y = next(ys)
            mine[y] = 1.0
            taken.setdefault(int(r), {})[y] = 1.0
            u, z, L = m.var["u"][r], m.var["z"][r], m.var["L"][r]
            m.add({u: 1, y: _BIG}, -np.inf, f["rr_max"] + _BIG)
            m.add({L: 1, y: -_BIG}, f["last_min"] - _BIG, np.inf)
            if f["relapsed"]:
                m.add({z: 1, y: 1}, -np.inf, 1)
            into = [p for p, (_, rr) in enumerate(pairs) if rr == r]
            need = cr if f["cr"] else salvaged
            m.add({y: -1} | {m.var["x"][p]: 1 for p in into if need[pairs[p][0]]}, 0, np.inf)
            late = {m.var["x"][p]: float(start[pairs[p][0]]) for p in into}
            m.add({u: 1, y: _BIG} | late, -np.inf, f["salvage_end"] + _BIG)
        m.add(mine, 1, 1)
    for coefs in taken.values():
        m.add(coefs, 0, 1)


def _n_fact_vars(rec_dead: np.ndarray) -> int:
    dead = table_rules()["dead"].to_numpy()
    return int(sum((rec_dead == d).sum() for d in dead))


def place(
    w: pd.DataFrame,
    time_limit: float = 300.0,
    facts: bool = False,
    ttr: tuple[float, float] | None = None,
    nodes: int | None = None,
) -> pd.DataFrame | None:
    """Times for records ``w`` (sorted by ``t_post``) on the skeleton's progressed records.

    Returns ``w`` with new ``t_post`` and the columns ``t_last``, ``t_rr`` and
    ``refractory``, or None when no placement keeps every rule (the order admits none).
    With ``facts``, the 19 patients of Tables 4 and 5 must each be able to take one of
    the records (:func:`table_rules`), as the calibration's start needs
    (:mod:`.poststart`). With ``ttr = (low, high)``, the time to progression must
    also lean as Table 3's HR for it does (:func:`ttr_terms`): its Breslow score at
    ``beta = 0`` lies in [``low``, ``high``] months, and the program looks for a small
    weighted spread of ``t_rr`` around the printed relapse median (a stand-in for the
    information). It stops after ``nodes`` branch-and-bound nodes (HiGHS'
    ``node_limit``) with the best placement found: not a proven minimum. The result is
    deterministic only if ``time_limit`` does not stop it first (:data:`.poststart.TTR`
    sets it to infinity).

    Examples
    --------
    >>> out = place(postwitness.witness())
    >>> out is not None and bool(postwitness.check(out)["prints as published"].all())
    True
    """
    w = w.sort_values("t_post", kind="stable").reset_index(drop=True)
    rec = skeleton.records()
    rec = rec[rec["progressed"] == 1].sort_values("t_last").reset_index(drop=True)
    n, tl = len(w), np.round(rec["t_last"].to_numpy() * 100).astype(int)
    wd, rd = w["dead"].to_numpy(), rec["dead"].to_numpy()
    pairs = [(k, r) for k in range(n) for r in range(n) if wd[k] == rd[r]]
    sizes = {"x": len(pairs), "y": len(pairs), "q": len(pairs), "v": n, "L": n}
    sizes["slot"] = len(figure1.OS_TAIL) - 1  # the tail's censorings (one tail record died)
    sizes["pick"] = _n_fact_vars(rd) if facts else 0
    sizes["e"] = n if ttr else 0
    m = _Program(sizes | {k: n for k in ("u", "z", "top", "a", "b", "c")})
    for name in ("x", "z", "top", "a", "b", "c", "slot", "pick"):
        m.ub[m.var[name]] = 1
    m.lb[m.var["L"]] = m.ub[m.var["L"]] = tl
    _tail_slot(m, rec, tl)
    for k in range(n):
        m.add({m.var["x"][p]: 1 for p, (kk, _) in enumerate(pairs) if kk == k}, 1, 1)
        m.add({m.var["x"][p]: 1 for p, (_, r) in enumerate(pairs) if r == k}, 1, 1)
        coefs = {m.var["v"][k]: 1.0}
        for p in (p for p, (kk, _) in enumerate(pairs) if kk == k):
            coefs |= {m.var["q"][p]: -1.0, m.var["y"][p]: 1.0}
        m.add(coefs, 0, 0)  # t_post = t_last - t_rr of the record taken
    _products(m, pairs)
    if facts:
        _fact_rules(m, w, pairs, rd)
    _relapse_rules(m, n)
    _time_rules(m, w, anchors(w))
    if ttr:
        _ttr_rules(m, w, pairs, ttr)
    x = m.solve(time_limit, nodes)
    if x is None:
        return None
    take = {k: r for p, (k, r) in enumerate(pairs) if x[m.var["x"][p]] > 0.5}
    r = np.array([take[k] for k in range(n)])
    return w.assign(
        t_post=x[m.var["v"]] / 100,
        t_last=x[m.var["L"]][r] / 100,
        t_rr=x[m.var["u"]][r] / 100,
        refractory=x[m.var["z"]][r].astype(int),
    )


def ttr_terms(t_post: np.ndarray, dead: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per record: its weight in the Cox score of a covariate at ``beta = 0``, and at risk.

    For deaths at times ``t_j`` with risk sets ``R_j``, a record ``k`` has ``at_risk_k =
    sum over deaths j with t_j <= t_k of 1/|R_j|`` and score weight ``dead_k -
    at_risk_k``; the score of a covariate ``x`` is ``sum_k (dead_k - at_risk_k) x_k``,
    linear in ``x`` once the order of the times is fixed. This is Breslow's score
    (``coxph(..., ties = "breslow")``); R's default, Efron, differs where deaths tie.
    Its sign is the sign of the fitted log HR, so a negative score leans as Table 3's
    HR 0.94 for the time to progression does; the window on it is a device of the
    placement, and R's fit decides what prints. Records long at risk weigh most in the
    information (the variance of ``x`` within the risk sets), so ``sum_k at_risk_k |x_k
    - m|`` is a linear stand-in for it.

    Examples
    --------
    >>> c, r = ttr_terms(np.array([1.0, 2.0, 3.0]), np.array([1, 0, 1]))
    >>> c.round(3).tolist(), r.round(3).tolist()
    ([0.667, -0.333, -0.333], [0.333, 0.333, 1.333])
    """
    t, d = np.round(np.asarray(t_post, float) * 100), np.asarray(dead, int)  # ties: grid
    deaths = np.flatnonzero(d == 1)
    size = np.array([(t >= t[j]).sum() for j in deaths])
    at_risk = np.array([(1 / size[t[deaths] <= tk]).sum() for tk in t])
    return d - at_risk, at_risk


def ttr_score(w: pd.DataFrame) -> float:
    """Breslow's Cox score at ``beta = 0`` of ``t_rr`` for records ``w`` (:func:`ttr_terms`).

    Examples
    --------
    >>> round(ttr_score(postwitness.witness()), 2)
    -15.42
    """
    weight, _ = ttr_terms(w["t_post"].to_numpy(), w["dead"].to_numpy())
    return float(weight @ w["t_rr"].to_numpy(float))


def _ttr_rules(
    m: _Program, w: pd.DataFrame, pairs: list[tuple[int, int]], ttr: tuple[float, float]
) -> None:
    """The score of ``t_rr`` in [low, high]; a small weighted spread (the objective)."""
    low, high = (round(v * 100) for v in ttr)
    score, at_risk = ttr_terms(w["t_post"].to_numpy(), w["dead"].to_numpy())
    centre = round(model.relapse_anchors()[0] * 100)  # the printed relapse median
    y = m.var["y"]
    m.add({y[p]: score[k] for p, (k, _) in enumerate(pairs)}, low, high)
    for k in range(len(w)):
        rr = {y[p]: 1.0 for p, (kk, _) in enumerate(pairs) if kk == k}  # t_rr of record k
        e = m.var["e"][k]
        m.add({e: 1.0} | {i: -1.0 for i in rr}, -centre, np.inf)
        m.add({e: 1.0} | rr, centre, np.inf)
    m.obj[m.var["e"]] = at_risk


def _tail_slot(m: _Program, rec: pd.DataFrame, tl: np.ndarray) -> None:
    """The progressed record alive after 36 months may take any slot of the tail."""
    alive = np.flatnonzero((tl > figure1.HORIZON * 100) & (rec["dead"].to_numpy() == 0))
    if len(alive) != 1:
        raise ValueError("the skeleton should have one progressed record alive after 36 months")
    dead_tail = rec.loc[(tl > figure1.HORIZON * 100) & (rec["dead"] == 1), "t_last"]
    slots = [round(s * 100) for s in figure1.OS_TAIL if s not in set(dead_tail)]
    m.lb[m.var["L"][alive[0]]], m.ub[m.var["L"][alive[0]]] = min(slots), max(slots)
    m.add({i: 1 for i in m.var["slot"]}, 1, 1)
    m.add(
        {m.var["L"][alive[0]]: 1} | {i: -s for i, s in zip(m.var["slot"], slots, strict=True)}, 0, 0
    )


def check_records(w: pd.DataFrame) -> None:
    """Raise ``ValueError`` unless ``w`` sits on Figure 1's records by the model's rules.

    ``t_post = t_last - t_rr``; the (``t_last``, ``dead``) are the skeleton's progressed
    records, the one alive after 36 months in a slot of the follow-up tail; the
    refractory (``counts.csv``) progress at :data:`.model.REFRACTORY` months; the
    relapses print the published median and range, all but the latest before
    :data:`.skeleton.RR_BEFORE` months.

    Examples
    --------
    >>> check_records(postwitness.witness())
    """
    rec = skeleton.records()
    rec = rec[rec["progressed"] == 1]
    if not np.allclose(w["t_post"], w["t_last"] - w["t_rr"], atol=1e-6):
        raise ValueError("t_post must be t_last - t_rr on every row")
    tail = (w["t_last"] > figure1.HORIZON) & (w["dead"] == 0)
    got = sorted(zip(w.loc[~tail, "t_last"].round(2), w.loc[~tail, "dead"], strict=True))
    keep = ~((rec["t_last"] > figure1.HORIZON) & (rec["dead"] == 0))
    want = sorted(zip(rec.loc[keep, "t_last"].round(2), rec.loc[keep, "dead"], strict=True))
    slots = set(figure1.OS_TAIL) - set(rec.loc[rec["dead"] == 1, "t_last"])
    if got != want or tail.sum() != 1 or w.loc[tail, "t_last"].iloc[0] not in slots:
        raise ValueError("the records are not the skeleton's progressed records")
    grid, n_ref, printed = _relapses()
    ref = w["refractory"] == 1
    lo, hi = model.REFRACTORY
    if ref.sum() != n_ref or not w.loc[ref, "t_rr"].between(lo, hi).all():
        raise ValueError(f"{n_ref} refractory must progress at {lo}-{hi} months")
    rel = np.sort(w.loc[~ref, "t_rr"].to_numpy())
    stats = {"value": np.median(rel), "low": rel[0], "high": rel[-1]}
    inside = all(grid[k][0] <= round(v * 100) <= grid[k][1] for k, v in stats.items())
    if not inside or (rel[:-1] >= skeleton.RR_BEFORE).any():
        raise ValueError(f"the relapse times {stats} do not print {printed}")
