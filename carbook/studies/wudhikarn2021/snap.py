"""A move that aims at a printed time: snap the nearest event exactly onto it.

A Kaplan-Meier median and the bounds of its interval are, under R's quantile rule,
event times (or the midpoint of two): a printed 9.11 months is met only when some
event sits in [9.105, 9.115). Random moves on the 0.01-month grid almost never land
there, so this move takes one printed median or bound of an OS, EFS or post-
progression survival target, finds an event of that endpoint's population near it,
and sets that event's time to the printed value. Whether the snapped event then *is*
the crossing one is left to the search's acceptance (the move is rejected if it
loses more than it gains, and from the joint phase on if it loses any met number).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from carbook.reconstruct.engine import Change
from carbook.reconstruct.spec import Spec
from carbook.studies.wudhikarn2021.endpoints import ENDPOINTS

__all__ = ["printed_times", "snap_move"]

#: endpoints whose event times the move can set without breaking a published margin
#: (relapse times keep the published median and range: EFS snaps only deaths)
SNAPPABLE = ("os", "os_post", "efs")


def printed_times(spec: Spec) -> list[tuple[str, str | None, float]]:
    """(endpoint, population, time) of every printed KM median and median bound.

    Examples
    --------
    >>> from carbook.reconstruct.spec import load_spec
    >>> times = printed_times(load_spec("wudhikarn2021"))
    >>> ("os", None, 9.11) in times and ("os", None, 23.34) in times
    True
    """
    out = []
    for t in spec.targets:
        ep = t.params["endpoint"] if t.kind == "km_median" else None
        if ep not in SNAPPABLE or float(t.params.get("scale", 1.0)) != 1.0:
            continue
        for text in t.printed.values():
            try:
                value = round(float(text), 2)
            except ValueError:  # e.g. "NR": nothing to place
                continue
            out.append((str(ep), t.params.get("where"), value))
    return sorted(set(out), key=lambda x: (x[0], str(x[1]), x[2]))


def _changes(c: pd.DataFrame, i: int, endpoint: str, at: float, ok: Callable) -> list[Change]:
    """Changes that put row ``i``'s event of ``endpoint`` at time ``at`` (or none)."""
    progressed = c.loc[i, "progressed"] == 1
    if endpoint == "os_post" or (endpoint == "os" and progressed):
        t_rr = c.loc[i, "t_rr"]
        post = at if endpoint == "os_post" else round(at - t_rr, 2)
        last = round(t_rr + post, 2)
        if post < 0.05 or not ok(c, i, t_rr, last):
            return []
        return [("t_post", i, post), ("t_last", i, last)]
    if progressed or c.loc[i, "response"] != "cr":
        return []  # relapse times keep their published median and range
    return [("t_last", i, at)]


def snap_move(spec: Spec, ok: Callable, max_time: float) -> Callable:
    """The move: one printed time, an event near it (one of the 3 nearest) put on it.

    ``ok(cohort, row, t_rr, t_last)`` says whether new times keep the dated facts;
    no time goes beyond ``max_time`` (the study window).
    """
    times = printed_times(spec)

    def snap(c: pd.DataFrame, rng: np.random.Generator) -> list[Change]:
        if not times:
            return []
        endpoint, where, at = times[rng.integers(len(times))]
        if at > max_time:
            return []
        time, status = ENDPOINTS[endpoint](c)
        pick = np.isfinite(time) & (status == 1) & (np.round(time, 2) != at)
        if where is not None:
            pick &= c[where].to_numpy() == 1
        rows = np.flatnonzero(pick)
        if not len(rows):
            return []
        near = rows[np.argsort(np.abs(time[rows] - at), kind="stable")[:3]]
        return _changes(c, int(c.index[near[rng.integers(len(near))]]), endpoint, at, ok)

    return snap
