"""A continuous column placed by a walk over its values alone (reconstruct.blockplace)."""

import numpy as np
import pandas as pd
import pytest
from helpers import placement_start

from carbook.reconstruct import blockplace
from carbook.reconstruct.blockplace import block_move, walk
from carbook.reconstruct.construction import apply_changes, reads
from carbook.reconstruct.search import _judge
from carbook.reconstruct.spec import load_spec
from carbook.reconstruct.targets import Evaluator, met_key
from carbook.studies.wudhikarn2021 import model
from carbook.studies.wudhikarn2021.endpoints import ENDPOINTS

STUDY = "wudhikarn2021"


def _cohort(seed: int = 1):
    """A built (not calibrated) cohort and its model: what the placements start from."""
    return placement_start(seed)


def _summary(c: pd.DataFrame, col: str) -> pd.DataFrame:
    given = c[c["steroid"] == 1]
    return given.groupby("stratum")[col].agg(["median", "min", "max", "count"])


@pytest.mark.parametrize("col", model.BLOCKS)
def test_the_walk_keeps_each_stratum_median_and_range_and_touches_only_its_column(col):
    spec = load_spec(STUDY)
    c = _cohort()[0].copy()
    readers = [t for t in spec.targets if col in reads(spec, t)]
    ev = Evaluator(readers, ENDPOINTS)
    start = c.copy()
    best = walk(spec, c, col, ev, np.random.default_rng(0), steps=300)
    after = start.copy()
    after[col] = best
    pd.testing.assert_frame_equal(_summary(start, col), _summary(after, col))
    others = [k for k in start.columns if k != col]
    pd.testing.assert_frame_equal(start[others], c[others])  # the walk moved no other column
    pd.testing.assert_series_equal(
        after.loc[after["steroid"] == 0, col], start.loc[start["steroid"] == 0, col]
    )


@pytest.mark.parametrize("col", model.BLOCKS)
def test_a_placement_is_deterministic_and_kept_by_the_search(col):
    spec = load_spec(STUDY)
    c, m = _cohort()
    move = m.place[f"walk_{col}"]
    ch = move(c.copy(), None)
    assert ch == move(c.copy(), None)
    if not ch:
        pytest.skip(f"nothing better for {col} on this start")
    work = c.copy()
    evaluator, protect, groups = _judge(spec, m, work)
    key, was = met_key(evaluator, work, groups), evaluator.met.copy()
    apply_changes(spec, work, ch)
    new = met_key(evaluator, work, groups)
    assert new > key and new[0] >= key[0] and new[1] >= key[1]
    assert not (was & ~evaluator.met & protect).any()
    pd.testing.assert_frame_equal(_summary(c, col), _summary(work, col))


@pytest.mark.parametrize("col", ["steroid_days", "steroid_dose"])
def test_the_walk_meets_more_of_its_columns_printed_parts_than_the_built_start(col):
    """SYNTHETIC: on the built seed-1 cohort, before any search."""
    spec = load_spec(STUDY)
    c = _cohort()[0].copy()
    ev = Evaluator([t for t in spec.targets if col in reads(spec, t)], ENDPOINTS)
    ev.loss(c)
    before = int(ev.met.sum())
    after = c.copy()
    after[col] = walk(spec, c, col, ev, np.random.default_rng(blockplace.SEED))
    ev.loss(after)
    assert int(ev.met.sum()) > before


def test_bad_arguments_are_named():
    spec = load_spec(STUDY)
    with pytest.raises(ValueError, match="steps"):
        block_move(spec, ENDPOINTS, "steroid_dose", steps=0)
    with pytest.raises(ValueError, match="'male' has no printed median"):
        block_move(spec, ENDPOINTS, "male")
    c = _cohort()[0].drop(columns="stratum")
    with pytest.raises(ValueError, match="stratum"):
        block_move(spec, ENDPOINTS, "steroid_dose")(c, None)
    few = _cohort()[0].copy()
    few["steroid"] = 0
    few.loc[[0, 1], "steroid"] = 1  # two values at most in a stratum: nothing can move
    with pytest.raises(ValueError, match="no stratum has more than 2 values"):
        block_move(spec, ENDPOINTS, "steroid_dose")(few, None)


def test_the_module_constants_are_the_documented_ones():
    assert (blockplace.STEPS, blockplace.T0, blockplace.WEIGHT) == (2000, 2.0, 5.0)
    assert blockplace.SEED == 20261203
