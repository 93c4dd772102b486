"""How :func:`.postwitness.witness` was found: an annealing search for an order.

State: the 38 progressed records (months from progression, died, group, months to
the first salvage). Moves: nudge one time (0.01-1 month), put one on a printed anchor
(within 0.02), draw one at random, or exchange two records' deaths, times or groups
(a group travels with its salvage time). A move must keep the rules that
:func:`.postwitness.witness` checks. The loss counts each printed part missed (one,
plus its distance: in months or percent, or ten times the log distance for an HR or
a P). Simulated annealing (linear cooling) keeps the best state. It finds an order;
:func:`.postplace.place` then places its times exactly, on Figure 1's records.

Run ``python -m carbook.studies.wudhikarn2021.postsearch SEED ITERATIONS OUT [LONGEST
[facts [TEMP [START]]]]`` (``-`` for the derived ``LONGEST``; about 4 ms an iteration,
13 with ``facts``; progress every 5,000). It starts from the committed seed-1 cohort's
block, or with ``facts`` from :func:`from_witness`. The committed witness is ``3 150000
OUT 32.2``, from the seed-1 cohort as committed at ``f445a89``; the start witness
(:mod:`.poststart`) is ``5 100000 OUT 32.2 facts 0.5``. SYNTHETIC: a construction, not
an estimate about the study's patients.
"""

from __future__ import annotations

import itertools
import sys
from functools import cache, lru_cache

import numpy as np
import pandas as pd
from scipy.optimize import linear_sum_assignment

from carbook.published import load_published, printed_interval
from carbook.reconstruct.run import load_cohort
from carbook.studies.wudhikarn2021 import (
    figure1,
    model,
    post,
    postplace,
    poststart,
    postwitness,
    skeleton,
)
from carbook.studies.wudhikarn2021.progression import progressed

__all__ = ["anneal", "feasible", "main", "parts", "records", "score", "start"]

State = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]
#: printed times a move may aim at: the medians and their limits, and the landmark
ANCHORS = (7.5, 4.14, 13.9, 16.2, 8.4, 4.6, 3.6, 12.0)
_PARTS = ("value", "low", "high")


def parts() -> list[tuple[str, int, tuple[float, float]]]:
    """(claim, position, rounding interval) of every printed part of the block.

    Examples
    --------
    >>> len(parts())
    20
    """
    reg = load_published("wudhikarn2021").set_index("id")
    out = []
    for claim in postwitness.values(postwitness.witness()):
        for k, part in enumerate(_PARTS):
            text = str(reg.loc[claim, part]) if part in reg else ""
            if text not in ("", "nan"):
                out.append((claim, k, printed_interval(text)))
    return out


def score(v: dict[str, tuple[float, ...]], todo: list) -> tuple[int, float]:
    """Printed parts met, and the loss (a miss: 1 plus its distance).

    Examples
    --------
    >>> score({"a": (1.0,)}, [("a", 0, (0.95, 1.05))])
    (1, 0.0)
    """
    met, loss = 0, 0.0
    for claim, k, (lo, hi) in todo:
        x = v[claim][k]
        if not np.isfinite(x):
            loss += 5
        elif lo <= x < hi:
            met += 1
        else:
            edge = lo if x < lo else hi
            d = abs(x - edge)
            if claim.endswith(("_hr", "_p")):
                d = 10 * abs(np.log(max(x, 1e-9)) - np.log(max(edge, 1e-9)))
            loss += 1 + d
    return met, loss


@cache
def _cr_bounds(longest: float | None) -> tuple[float, float]:
    return post.cr_min_post(), longest or post.cr_min_post("high")


@cache
def _fact_arrays() -> dict[str, np.ndarray]:
    """Table 4-5 patients' rules in months, for :func:`facts_fit`."""
    r = postplace.table_rules()
    low, top = postplace._relapses()[0]["low"][0] / 100, model.relapse_anchors()[2]
    rr_min = np.where(r["relapsed"], low, model.REFRACTORY[0])
    return {
        "dead": r["dead"].to_numpy(),
        "cr": r["cr"].to_numpy(),
        "post_min": (r["last_min"] / 100 - np.minimum(r["rr_max"] / 100, top)).to_numpy(),
        "salvage_max": r["salvage_end"].to_numpy() / 100 - rr_min,
    }


def facts_fit(state: State) -> bool:
    """Whether each patient of Tables 4-5 can take a record of its own (necessary only).

    A patient needs a record with the table's alive or dead, a salvage (a CR where the
    table prints one), a survival after progression that can reach the last dated
    treatment (progression is at most the printed maximum, 24 months, and before the
    first treatment), and a first salvage early enough to come before that
    treatment. :func:`.postplace.place` then decides exactly.

    Examples
    --------
    >>> facts_fit(start())
    True
    """
    t, e, g, sw = state
    f = _fact_arrays()
    ok = (f["dead"][:, None] == e[None, :]) & (g[None, :] > 0)
    ok &= ~f["cr"][:, None] | (g[None, :] == 1)
    ok &= t[None, :] >= f["post_min"][:, None] - 1e-9
    ok &= np.nan_to_num(sw, nan=np.inf)[None, :] <= f["salvage_max"][:, None] + 1e-9
    rows, cols = linear_sum_assignment(~ok)
    return bool(ok[rows, cols].all())


@cache
def _alive_records() -> tuple[np.ndarray, tuple[float, ...], float, pd.DataFrame]:
    """Living records of Figure 1, free tail slots, relapse minimum, living table rules."""
    rec = skeleton.records()
    rec = rec[rec["progressed"] == 1]
    dead_tail = set(rec.loc[rec["dead"] == 1, "t_last"].round(2))
    slots = tuple(s for s in figure1.OS_TAIL if s not in dead_tail)
    low = postplace._relapses()[0]["low"][0] / 100
    r = postplace.table_rules()
    return rec.loc[rec["dead"] == 0, "t_last"].to_numpy(float), slots, low, r[r["dead"] == 0]


def _progression_ok(rr: np.ndarray, low: float, relapse: bool = False) -> np.ndarray:
    """Times to progression the placement allows.

    A relapse (the printed minimum to :data:`.skeleton.RR_BEFORE`, or the printed
    maximum, 24 exactly), or refractory (:data:`.model.REFRACTORY`).
    """
    eps, top = 1e-9, model.relapse_anchors()[2]
    ok = (rr >= low - eps) & (rr < skeleton.RR_BEFORE - eps) | (np.abs(rr - top) < eps)
    return (
        ok
        if relapse
        else ok | (rr >= model.REFRACTORY[0] - eps) & (rr <= model.REFRACTORY[1] + eps)
    )


def _patient_fits(rr: np.ndarray, t_last: np.ndarray, g: np.ndarray, sw: np.ndarray) -> list:
    """For each living table patient: which (record, Figure 1 record) pairs it can take."""
    _, _, low, rules = _alive_records()
    base = _progression_ok(rr, low)
    out = []
    for _, f in rules.iterrows():
        ok = base & (rr <= f["rr_max"] / 100 + 1e-9) & (t_last >= f["last_min"] / 100 - 1e-9)
        ok &= (rr + sw[:, None] <= f["salvage_end"] / 100 + 1e-9) & (g[:, None] > 0)
        ok &= (g[:, None] == 1) if f["cr"] else True
        out.append(ok & _progression_ok(rr, low, True) if f["relapsed"] else ok)
    return out


@lru_cache(maxsize=100_000)
def _alive_fit(t: tuple, g: tuple, sw: tuple) -> bool:
    tl, slots, low, _ = _alive_records()
    t_post, g_, sw_ = np.array(t), np.array(g), np.nan_to_num(np.array(sw), nan=np.inf)
    tail = int(np.argmax(tl))
    base, fits = None, None
    for slot in slots:  # the tail's record may take any free slot: OR over them
        t_last = tl.copy()
        t_last[tail] = slot
        rr = t_last[None, :] - t_post[:, None]
        b, f = _progression_ok(rr, low), _patient_fits(rr, t_last[None, :], g_, sw_)
        base = b if base is None else base | b
        fits = f if fits is None else [x | y for x, y in zip(fits, f, strict=True)]
    for ks in itertools.product(*[np.flatnonzero(f.any(axis=1)) for f in fits]):
        if len(set(ks)) < len(ks):
            continue
        allow = base.copy()
        for f, k in zip(fits, ks, strict=True):
            allow[k] = f[k]
        rows, cols = linear_sum_assignment(~allow)
        if allow[rows, cols].all():
            return True
    return False


def alive_fit(state: State) -> bool:
    """Whether the living records sit on Figure 1's living records, table patients kept.

    Each living record must take a living progressed record of Figure 1 (the one alive
    after 36 months in a free slot of the tail) at a time to progression the placement
    allows (:func:`_progression_ok`), and the living patients of Tables 4-5 (MSK15,
    MSK36, MSK39, MSK44) each one of them by their rules (:func:`.postplace.table_rules`),
    at the state's own times. :func:`.postplace.place` may still move a time by a
    little; this guides the search, the placement decides.

    Examples
    --------
    >>> alive_fit(from_witness(str(postwitness.PATH))), alive_fit(from_witness())
    (False, True)
    """
    t, e, g, sw = state
    k = np.flatnonzero(e == 0)
    return _alive_fit(tuple(t[k].round(2)), tuple(g[k]), tuple(sw[k]))


def feasible(state: State, longest: float | None = None, facts: bool = False) -> bool:
    """The rules :func:`.postwitness.witness` checks, on a search state.

    ``longest``: the shortest survival after progression of the longest CR; None for
    ``post.cr_min_post("high")`` (the committed witness was searched with 32.2,
    a stricter bound typed before that one was derived).

    Examples
    --------
    >>> feasible(start())
    True
    """
    t, _, g, sw = state
    shortest, longest = _cr_bounds(longest)
    if (t <= 0).any() or (t[g == 1] < shortest).any() or t[g == 1].max() < longest:
        return False
    s = g > 0
    return bool((sw[s] < t[s]).all()) and (not facts or (facts_fit(state) and alive_fit(state)))


def start() -> State:
    """The committed seed-1 cohort's 38 progressed records.

    Examples
    --------
    >>> [len(a) for a in start()]
    [38, 38, 38, 38]
    """
    d = progressed(load_cohort("wudhikarn2021"))
    g = np.where(d["salvaged"] == 0, 0, np.where(d["salvage_cr"] == 1, 1, 2))
    arrays = (d["time"].to_numpy(float), d["event"].to_numpy(int), g)
    return (*arrays, d["t_salvage"].to_numpy(float))


@cache
def _followup() -> float:
    """The printed median follow-up after progression (an aim of the search with facts)."""
    return float(
        load_published("wudhikarn2021").set_index("id").loc["followup_post_prog_median", "value"]
    )


def _propose(rng: np.random.Generator, state: State, anchors: tuple[float, ...] = ANCHORS) -> State:
    t, e, g, sw = (a.copy() for a in state)
    k, i = rng.integers(6), rng.integers(t.size)
    if k == 0:
        step = rng.choice([-1, 1]) * rng.choice([0.01, 0.05, 0.2, 1.0])
        t[i] = round(max(0.01, t[i] + step), 2)
    elif k == 1:
        t[i] = round(float(rng.choice(anchors)) + rng.integers(-2, 3) * 0.01, 2)
    elif k == 5:
        t[i] = round(float(rng.uniform(0.05, 40)), 2)
    else:
        j = rng.integers(t.size)
        for a in {2: (e,), 3: (g, sw), 4: (t,)}[int(k)]:
            a[i], a[j] = a[j], a[i]
    return t, e, g, sw


def _evaluate(state: State, todo: list) -> tuple[int, float] | None:
    try:
        return score(postwitness.values_arrays(*state), todo)
    except (ValueError, FloatingPointError):
        return None


def anneal(
    state: State,
    seed: int,
    iterations: int,
    temp0: float = 2.0,
    longest: float | None = None,
    facts: bool = False,
) -> State:
    """Simulated annealing from ``state``; the best state seen.

    ``longest`` and ``facts``: see :func:`feasible`.

    Examples
    --------
    >>> s = anneal(start(), 0, 20)
    iteration 0: 18 met, best 18
    >>> feasible(s)
    True
    """
    rng, todo = np.random.default_rng(seed), parts()
    aims = (*ANCHORS, _followup()) if facts else ANCHORS
    met, loss = _evaluate(state, todo)
    best = (met, -loss, state)
    for it in range(iterations):
        temp = temp0 * (1 - it / iterations) + 0.01
        cand = _propose(rng, state, aims)
        got = _evaluate(cand, todo) if feasible(cand, longest, facts) else None
        if got is None:
            continue
        if got[1] <= loss or rng.random() < np.exp((loss - got[1]) / temp):
            state, (met, loss) = cand, got
            if (met, -loss) > best[:2]:
                best = (met, -loss, state)
        if it % 5000 == 0:
            print(f"iteration {it}: {met} met, best {best[0]}", flush=True)
    return best[2]


def from_witness(path: str | None = None) -> State:
    """The committed witness's records, its latest living CR at 26 months, its first at 10.

    Tables 4-5 print one patient (MSK15) alive, with a CR to salvage, 49.3 months after
    infusion: progressed by 24 months, that patient lives at least 25.3 months after
    progression, longer than any living CR of the first witness (searched without the
    tables' facts). Another (MSK39) progressed by 1.8 months and reached a CR alive:
    its record must end on a living record of Figure 1 (11.05 months or later), about
    10 months after progression, not 2.9. The search with facts starts here.

    Examples
    --------
    >>> s = from_witness()
    >>> facts_fit(s), alive_fit(s)
    (True, True)
    """
    w = postwitness.witness(postwitness.PATH if path is None else path)
    g = w["group"].map({k: i for i, k in enumerate(postwitness.GROUPS)}).to_numpy()
    t = w["t_post"].to_numpy(float).copy()
    if path is None:  # with ``path``: a later search's witness, as it is
        alive_cr = np.flatnonzero((w["dead"] == 0).to_numpy() & (g == 1))
        t[alive_cr[np.argmax(t[alive_cr])]] = 26.0
        t[alive_cr[np.argmin(t[alive_cr])]] = 10.0
    return t, w["dead"].to_numpy(int), g, w["t_salvage"].to_numpy(float)


def records(state: State) -> pd.DataFrame:
    """A search state as the witness file's first columns, sorted by time.

    Examples
    --------
    >>> list(records(start()).columns)
    ['synthetic', 't_post', 'dead', 'group', 't_salvage']
    """
    t, e, g, sw = state
    w = pd.DataFrame({"synthetic": "SYNTHETIC", "t_post": t, "dead": e.astype(int)})
    w["group"] = np.array(list(postwitness.GROUPS))[g.astype(int)]
    w["t_salvage"] = np.where(g > 0, sw, np.nan)
    return w.sort_values(["t_post", "group"], kind="stable").reset_index(drop=True)


def main(argv: list[str]) -> None:
    """``SEED ITERATIONS OUT [LONGEST [facts [TEMP [START]]]]``: search, place, write ``OUT``.

    With ``facts`` the search starts from :func:`from_witness` (``START``: a witness file
    to start from instead) and keeps :func:`facts_fit` and :func:`alive_fit`; the
    placement (:func:`.postplace.place`) then keeps the facts of Tables 4-5 exactly and
    leans the time to progression as Table 3 prints it (:data:`.poststart.TTR`).
    """
    seed, iterations, out = int(argv[0]), int(argv[1]), argv[2]
    longest = float(argv[3]) if len(argv) > 3 and argv[3] != "-" else None
    facts = len(argv) > 4 and argv[4] == "facts"
    temp0 = float(argv[5]) if len(argv) > 5 else 2.0
    first = from_witness(argv[6] if len(argv) > 6 else None) if facts else start()
    found = records(anneal(first, seed, iterations, temp0, longest, facts))
    print(postwitness.check(found).to_string())
    placed = postplace.place(found, facts=facts, **(poststart.TTR if facts else {}))
    if placed is None:
        found.to_csv(f"{out}.order.csv", index=False)
        raise SystemExit(f"no placement on Figure 1's records keeps this order ({out}.order.csv)")
    print(postwitness.check(placed).to_string())
    placed.insert(2, "t_found", found["t_post"].to_numpy())  # the order's own times
    placed.to_csv(out, index=False)


if __name__ == "__main__":
    main(sys.argv[1:])
