"""Moves that aim at a printed part: snapping an event onto a printed time, aimed swaps."""

import numpy as np
import pandas as pd

from carbook.reconstruct.engine import derive
from carbook.reconstruct.search import _aimed_swap_move
from carbook.reconstruct.spec import load_spec
from carbook.studies.wudhikarn2021 import model
from carbook.studies.wudhikarn2021.endpoints import ENDPOINTS
from carbook.studies.wudhikarn2021.post import _bounds, feasible
from carbook.studies.wudhikarn2021.snap import printed_times, snap_move

SPEC = load_spec("wudhikarn2021")


def _cohort(seed: int = 1) -> pd.DataFrame:
    cohort = model.build(SPEC, np.random.default_rng(seed))[0]
    derive(SPEC, cohort)
    return cohort


def _apply(cohort: pd.DataFrame, changes: list) -> None:
    for col, i, value in changes:
        cohort.loc[i, col] = value


def test_snap_puts_an_event_exactly_on_a_printed_time_and_keeps_counts():
    cohort = _cohort()
    bounds = _bounds(cohort)
    snap = snap_move(SPEC, lambda c, i, a, b: feasible(c, bounds, i, a, b), 115.0)
    rng = np.random.default_rng(0)
    deaths, hits = int(cohort["dead"].sum()), 0
    for _ in range(60):
        changes = snap(cohort, rng)
        if not changes:
            continue
        _apply(cohort, changes)
        rows = {i for _, i, _ in changes}
        assert len(rows) == 1
        i = rows.pop()
        times = [round(float(ENDPOINTS[ep](cohort)[0][i]), 2) for ep in ("os", "os_post")]
        assert {t for _, _, t in printed_times(SPEC)} & set(times)
        hits += 1
    assert hits > 10
    assert int(cohort["dead"].sum()) == deaths  # only times move
    prog = cohort["progressed"] == 1
    assert np.allclose(
        cohort.loc[prog, "t_rr"] + cohort.loc[prog, "t_post"], cohort.loc[prog, "t_last"]
    )


def test_aimed_swap_trades_a_covariate_between_an_early_and_a_late_event():
    cohort = _cohort()
    fixed = pd.DataFrame(False, index=cohort.index, columns=cohort.columns)
    move = _aimed_swap_move(["male"], [ENDPOINTS["rr"]], "stratum", fixed, {})
    rng = np.random.default_rng(2)
    time, status = ENDPOINTS["rr"](cohort)
    events = np.sort(time[status == 1])
    third = len(events) // 3
    done = 0
    for _ in range(30):
        changes = move(cohort, rng)
        if not changes:
            continue
        (_, i, vi), (_, j, vj) = changes
        assert cohort.loc[i, "stratum"] == cohort.loc[j, "stratum"]
        assert (vi, vj) == (cohort.loc[j, "male"], cohort.loc[i, "male"]) and vi != vj
        assert time[i] <= events[third - 1] and time[j] >= events[-third]
        done += 1
    assert done > 5
