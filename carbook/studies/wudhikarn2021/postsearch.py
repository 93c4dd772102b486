"""How :func:`.postwitness.witness` was found: an annealing search for an order.

State: the 38 progressed records (months from progression, died, group, months to
the first salvage). Moves: nudge one time (0.01-1 month), put one on a printed anchor
(within 0.02), draw one at random, or exchange two records' deaths, times or groups
(a group travels with its salvage time). A move must keep the rules that
:func:`.postwitness.witness` checks. The loss counts each printed part missed (one,
plus its distance: in months or percent, or ten times the log distance for an HR or
a P). Simulated annealing (linear cooling) keeps the best state. It finds an order;
:func:`.postplace.place` then places its times exactly, on Figure 1's records.

Run ``python -m carbook.studies.wudhikarn2021.postsearch SEED ITERATIONS OUT [LONGEST]``
(about 4 ms an iteration, with progress every 5,000); it starts from the committed
seed-1 cohort's block. The committed witness is ``3 150000 OUT 32.2``. SYNTHETIC: a
construction, not an estimate about the study's patients.
"""

from __future__ import annotations

import sys
from functools import cache

import numpy as np
import pandas as pd

from carbook.published import load_published, printed_interval
from carbook.reconstruct.run import load_cohort
from carbook.studies.wudhikarn2021 import post, postplace, postwitness
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


def feasible(state: State, longest: float | None = None) -> bool:
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
    return bool((sw[s] < t[s]).all())


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


def _propose(rng: np.random.Generator, state: State) -> State:
    t, e, g, sw = (a.copy() for a in state)
    k, i = rng.integers(6), rng.integers(t.size)
    if k == 0:
        step = rng.choice([-1, 1]) * rng.choice([0.01, 0.05, 0.2, 1.0])
        t[i] = round(max(0.01, t[i] + step), 2)
    elif k == 1:
        t[i] = round(float(rng.choice(ANCHORS)) + rng.integers(-2, 3) * 0.01, 2)
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
    state: State, seed: int, iterations: int, temp0: float = 2.0, longest: float | None = None
) -> State:
    """Simulated annealing from ``state``; the best state seen (``longest``: see :func:`feasible`).

    Examples
    --------
    >>> s = anneal(start(), 0, 20)
    iteration 0: 10 met, best 10
    >>> feasible(s)
    True
    """
    rng, todo = np.random.default_rng(seed), parts()
    met, loss = _evaluate(state, todo)
    best = (met, -loss, state)
    for it in range(iterations):
        temp = temp0 * (1 - it / iterations) + 0.01
        cand = _propose(rng, state)
        got = _evaluate(cand, todo) if feasible(cand, longest) else None
        if got is None:
            continue
        if got[1] <= loss or rng.random() < np.exp((loss - got[1]) / temp):
            state, (met, loss) = cand, got
            if (met, -loss) > best[:2]:
                best = (met, -loss, state)
        if it % 5000 == 0:
            print(f"iteration {it}: {met} met, best {best[0]}", flush=True)
    return best[2]


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
    """``SEED ITERATIONS OUT [LONGEST]``: search, place (:mod:`.postplace`), write ``OUT``."""
    seed, iterations, out = int(argv[0]), int(argv[1]), argv[2]
    longest = float(argv[3]) if len(argv) > 3 else None
    found = records(anneal(start(), seed, iterations, longest=longest))
    print(postwitness.check(found).to_string())
    placed = postplace.place(found)
    if placed is None:
        raise SystemExit("no placement on Figure 1's records keeps this order")
    print(postwitness.check(placed).to_string())
    placed.insert(2, "t_found", found["t_post"].to_numpy())  # the order's own times
    placed.to_csv(out, index=False)


if __name__ == "__main__":
    main(sys.argv[1:])
