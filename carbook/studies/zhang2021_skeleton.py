"""Zhang 2021: the survival skeleton, placed from the printed numbers, then jittered.

A Kaplan-Meier estimate at 12 months and its Greenwood variance depend only on the
order of events and censorings before 12 months, not on their exact times. So the
1-year targets fix *counts* in three blocks: events before the first censoring
(``early``), censorings (``censored``: survivors followed less than 12 months) and
events after them (``late``). With ``e`` early events and ``k`` late events among
``n``, around ``a`` censorings,

    S = (n - e) / n * (n - e - a - k) / (n - e - a),
    G = 1/(n - e) - 1/n + 1/(n - e - a - k) - 1/(n - e - a)

(Greenwood's sum telescopes over consecutive events), and R's ``survfit(...,
conf.type = "plain")`` interval is S -/+ z S sqrt(G). :func:`skeleton` finds the
block counts whose intervals print as published, for the 34 in CR (EFS and OS) and
then for all 43 (EFS), and checks them against the survivors' follow-up (median 18,
range 6-47): the survivors censored before 12 months must sit below the median.
:func:`build` places the times in windows that keep every block (the search then only
moves times inside their windows, so no printed number met by the skeleton is lost).

Everything here is SYNTHETIC and chosen *because it prints the published numbers*.
"""

from __future__ import annotations

from itertools import product

import numpy as np
import pandas as pd

from carbook.reconstruct.engine import Change, Model
from carbook.reconstruct.generic import endpoints
from carbook.reconstruct.spec import Spec

__all__ = ["block_interval", "build", "skeleton"]

Z = 1.959963984540054
STEP = 0.01  # months: times are written at two decimals


def block_interval(n: int, early: int, censored: int, late: int) -> tuple[float, float, float]:
    """S(t) and its plain 95% limits for the block pattern (early, censored, late) of ``n``.

    Matches R's ``summary(survfit(Surv(time, status) ~ 1, conf.type = "plain"),
    times = t)`` for any cohort with that order of exits before ``t`` (percent).

    Examples
    --------
    >>> [round(v, 2) for v in block_interval(34, 1, 15, 7)]
    [59.31, 37.18, 81.45]
    """
    if min(early, censored, late) < 0 or early + censored + late >= n:
        raise ValueError(f"blocks ({early}, {censored}, {late}) do not fit in n = {n}")
    r0, r1 = n - early, n - early - censored
    s = r0 / n * (r1 - late) / r1
    g = 1 / r0 - 1 / n + 1 / (r1 - late) - 1 / r1
    half = Z * s * float(np.sqrt(g))
    return 100 * s, 100 * max(s - half, 0.0), 100 * min(s + half, 1.0)


def _prints(values: tuple[float, float, float], iv: dict[str, tuple[float, float]]) -> bool:
    return all(
        iv[k][0] <= v < iv[k][1] for k, v in zip(("value", "low", "high"), values, strict=True)
    )


def _survivors_needed(censored: int, others: int, relapsed: int) -> int | None:
    """Fewest relapsed survivors so that ``censored`` survivors lie below the median.

    ``others``: survivors followed beyond 12 months without an event; ``relapsed``:
    how many relapsed patients could also be alive. With m survivors the lowest
    ``censored`` must end before the median's position ((m - 1) // 2, or m/2 - 1 when
    m is even, where two values average to the median).
    """
    for s in range(relapsed + 1):
        m = censored + others + s
        if censored <= ((m - 1) // 2 if m % 2 else m // 2 - 1):
            return s
    return None


def _skeleton(spec: Spec) -> dict[str, int]:
    n, n_cr = spec.strata["all"], int(spec.categorical["cr"]["all"]["1"])
    cr, everyone = (spec.target(c).intervals() for c in ("efs_1y_cr", "efs_1y"))
    for e, a, k in product(range(n_cr), repeat=3):  # fewest early events first
        if e + a + k >= n_cr or not _prints(block_interval(n_cr, e, a, k), cr):
            continue
        for j0, j1 in product(range(n - n_cr + 1), repeat=2):
            if j0 + j1 > n - n_cr or not _prints(block_interval(n, e + j0, a, k + j1), everyone):
                continue
            others = (n_cr - e - a - k) + (n - n_cr - j0 - j1)
            alive = _survivors_needed(a, others, j0 + j1)
            if alive is not None:
                return {"cr_early": e, "censored": a, "cr_late": k, "other_early": j0,
                        "other_late": j1, "relapsed_alive": alive}  # fmt: skip
    raise ValueError("no block pattern prints efs_1y_cr, efs_1y and the follow-up together")


def skeleton(spec: Spec) -> dict[str, int]:
    """Block counts that print EFS of all, EFS and OS of the CR subgroup, and follow-up.

    The first pattern found, in the order (CR: early, censored, late events; others:
    early, late events), with the fewest relapsed survivors the follow-up median
    needs (so as many relapsed patients as possible die before 12 months, which
    brings the 1-year OS of all subjects nearest to the printed 43%; that OS interval
    itself is proved unreachable: ``zhang2021_survival.os_width_proof``).

    Raises
    ------
    ValueError
        If no pattern prints them all.

    Examples
    --------
    >>> from carbook.reconstruct.spec import load_spec
    >>> skeleton(load_spec("zhang2021"))["censored"]
    15
    """
    return _skeleton(spec)


def _windows(spec: Spec) -> dict[str, tuple[float, float]]:
    """Time windows of each block, from the printed follow-up and the landmark."""
    fu = spec.target("fu_median").printed
    med, low, high = (float(fu[k]) for k in ("value", "low", "high"))
    land = float(spec.target("efs_1y").params["time"])
    split = round((low + land) / 2, 2)
    return {
        "early": (STEP, low - STEP),
        "censored": (low + STEP, split - STEP),
        "late": (split, land - STEP),
        "below": (land + STEP, med - STEP),
        "above": (med + STEP, high - STEP),
        "min": (low, low),
        "median": (med, med),
        "max": (high, high),
    }


def _rows(sk: dict[str, int], n: int, n_cr: int) -> list[dict[str, object]]:
    """One row per patient: CR flag, block of the first event, whether alive."""
    rows = []

    def add(count: int, cr: int, block: str, relapse: int, alive: bool) -> None:
        rows.extend({"cr": cr, "block": block, "relapse": relapse, "alive": alive}
                    for _ in range(count))  # fmt: skip

    add(sk["cr_early"], 1, "early", 1, False)
    add(sk["censored"], 1, "censored", 0, True)
    add(sk["cr_late"], 1, "late", 1, False)
    add(n_cr - sk["cr_early"] - sk["censored"] - sk["cr_late"], 1, "long", 0, True)
    others = [("early", sk["other_early"]), ("late", sk["other_late"])]
    relapsed = [block for block, count in others for _ in range(count)]
    for i, block in enumerate(relapsed):
        add(1, 0, block, 1, i < sk["relapsed_alive"])
    add(n - n_cr - len(relapsed), 0, "long", 0, True)
    return rows


def _survivor_windows(alive: pd.DataFrame, rng: np.random.Generator) -> list[str]:
    """Windows of the survivors followed beyond 12 months: below, at or above the median."""
    m, short = len(alive), int((alive["block"] == "censored").sum())
    mid = (m - 1) // 2 if m % 2 else m // 2 - 1
    long = ["below"] * (mid - short) + ["median"] * (1 if m % 2 else 2)
    long += ["above"] * (m - short - len(long) - 1) + ["max"]
    return list(rng.permutation(long))


def _assign(rows: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Each patient's window of last contact (``w_time``) and of first event (``w_event``)."""
    rows["w_event"] = np.where(rows["relapse"] == 1, rows["block"], "")
    rows["w_time"] = np.where(rows["alive"], "", rows["block"])
    short = rows.index[rows["alive"] & (rows["block"] == "censored")]
    if short.empty:
        raise ValueError("the skeleton censors nobody before 12 months: no survivor at the minimum")
    rows.loc[short, "w_time"] = "censored"
    rows.loc[short[0], "w_time"] = "min"
    long = rows.index[rows["alive"] & (rows["block"] != "censored")]
    rows.loc[long, "w_time"] = _survivor_windows(rows[rows["alive"]], rng)
    return rows


def _draw(window: tuple[float, float], floor: float, rng: np.random.Generator) -> float:
    lo, hi = max(window[0], floor), window[1]
    return float(np.round(rng.uniform(lo, hi) / STEP) * STEP) if hi > lo else lo


def _move(rows: pd.DataFrame, win: dict[str, tuple[float, float]]):
    """Redraw one patient's time (or first-event time) inside its window."""
    free = [
        (i, col, w)
        for i, (wt, we) in enumerate(zip(rows["w_time"], rows["w_event"], strict=True))
        for col, w in (("time", wt), ("t_event", we))
        if w and win[w][0] < win[w][1]
    ]

    relapsed = rows["relapse"].to_numpy() == 1

    def move(c: pd.DataFrame, r: np.random.Generator) -> list[Change]:
        i, col, w = free[int(r.integers(len(free)))]
        if col == "time":
            floor = float(c["t_event"].to_numpy()[i]) if relapsed[i] else 0.0
            new = _draw(win[w], floor, r)
            return [("time", i, new)] + ([] if relapsed[i] else [("t_event", i, new)])
        new = _draw((win[w][0], min(win[w][1], float(c["time"].to_numpy()[i]))), 0.0, r)
        return [("t_event", i, new)]

    return move


def build(spec: Spec, rng: np.random.Generator) -> tuple[pd.DataFrame, Model]:
    """The SYNTHETIC zhang2021 cohort placed on :func:`skeleton`, and its model.

    Columns as :func:`carbook.reconstruct.generic.build` (``cr``, ``time``, ``event``,
    ``relapse``, ``t_event``) with the same endpoints. A patient who relapsed and died
    dies in the same block (early deaths before the first censoring, late ones before
    12 months). Moves redraw one time inside its window; ``cr`` never moves.

    Examples
    --------
    >>> from carbook.reconstruct.spec import load_spec
    >>> c, m = build(load_spec("zhang2021"), np.random.default_rng(1))
    >>> len(c), int(c["cr"].sum()), sorted(m.moves)
    (43, 34, ['time'])
    """
    n, n_cr = spec.strata["all"], int(spec.categorical["cr"]["all"]["1"])
    rows = pd.DataFrame(_rows(skeleton(spec), n, n_cr))
    rows = _assign(rows.iloc[rng.permutation(n)].reset_index(drop=True), rng)
    win = _windows(spec)
    t_event = [_draw(win[w], 0.0, rng) if w else np.nan for w in rows["w_event"]]
    time = [
        _draw(win[w], 0.0 if np.isnan(te) else te, rng)
        for w, te in zip(rows["w_time"], t_event, strict=True)
    ]
    c = pd.DataFrame({"id": [f"P{i}" for i in range(1, n + 1)], "stratum": "all"})
    c["cr"] = rows["cr"].to_numpy()
    c["time"] = time
    c["event"] = (~rows["alive"]).astype(int).to_numpy()
    c["relapse"] = rows["relapse"].to_numpy()
    c["t_event"] = np.where(np.isnan(t_event), time, t_event)
    fixed = pd.DataFrame(False, index=c.index, columns=c.columns)
    fixed["cr"] = True
    model = Model(endpoints=endpoints(True), moves={"time": _move(rows, win)}, fixed=fixed)
    return c, model
