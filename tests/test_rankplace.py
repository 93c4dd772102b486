"""Placing a continuous covariate by rank (carbook.reconstruct.rankplace)."""

from functools import cache
from itertools import combinations
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import spearmanr

from carbook.reconstruct import rankplace
from carbook.reconstruct.construction import apply_changes, reads
from carbook.reconstruct.proofs import proofs
from carbook.reconstruct.rankplace import drivers, rank_move, ranked
from carbook.reconstruct.run import load_cohort
from carbook.reconstruct.spec import Target, load_spec
from carbook.reconstruct.targets import Evaluator, inconsistent_p_targets
from carbook.studies.wudhikarn2021 import post
from carbook.studies.wudhikarn2021.endpoints import ENDPOINTS
from carbook.studies.wudhikarn2021.figure1 import study_proofs

STUDY = "wudhikarn2021"
#: the seed-1 cohort of 0b42cfa (SYNTHETIC), so that regenerations do not move the test
FIXTURE = Path(__file__).parent / "fixtures" / "walk"


@given(
    st.lists(st.integers(0, 100), min_size=1, max_size=40).flatmap(
        lambda v: st.tuples(
            st.just(v),
            st.lists(st.floats(-5, 5, allow_nan=False), min_size=len(v), max_size=len(v)),
        )
    )
)
@settings(max_examples=200, deadline=None)
def test_ranked_keeps_the_values_and_follows_the_score(pair):
    values, score = np.array(pair[0], float), np.array(pair[1])
    out = ranked(values, score)
    assert sorted(out) == sorted(values)  # median and range stay
    order = np.argsort(score, kind="stable")
    assert (np.diff(out[order]) >= 0).all()


def test_drivers_rank_events_first_then_censored_and_standardise():
    c = pd.DataFrame({"t": [5.0, 1.0, 3.0, 2.0], "d": [1, 0, 1, 1], "z": [1, 1, 1, 1]})
    t = Target("h", "cox_mv", {"endpoint": "e", "covariates": ["x", "z"], "term": "x"}, {})
    ends = {"e": lambda c: (c["t"].to_numpy(float), c["d"].to_numpy(int))}
    z = drivers([t], ends, c, np.arange(4))
    # events by time (2, 3, 5), then the censored 1: ranks 3, 4, 2, 1
    assert np.argsort(z[:, 0]).tolist() == [3, 2, 0, 1]
    assert z[:, 0].mean() == pytest.approx(0) and z[:, 0].std() == pytest.approx(1)
    assert (z[:, 1] == 0).all()  # a constant covariate drives nothing


@cache
def _spec():
    return load_spec(STUDY)


def _cohort():
    c = load_cohort(STUDY, 1, FIXTURE)
    c["stratum"] = np.where(c["progressed"] == 1, "progressed", "not_progressed")
    return c


def _blast_parts(spec, cohort):
    targets = [t for t in spec.targets if "blasts" in reads(spec, t)]
    excluded = proofs(spec.targets, cohort, ENDPOINTS, study_proofs(spec))
    ev = Evaluator(targets, ENDPOINTS, excluded, inconsistent_p_targets(targets))
    return ev.report(cohort)


def test_blast_placement_meets_more_and_keeps_median_range_and_other_columns():
    spec = _spec()
    cohort = _cohort()
    before = _blast_parts(spec, cohort)
    rows = post.marrow_rows(cohort)
    kept = cohort.drop(columns="blasts").copy()
    values = np.sort(cohort["blasts"].to_numpy()[rows])
    move = rank_move(spec, ENDPOINTS, "blasts", post.marrow_rows, study_proofs(spec))
    changes = move(cohort, None)
    assert changes and {col for col, _, _ in changes} == {"blasts"}
    assert {i for _, i, _ in changes} <= set(rows.tolist())
    assert changes == move(cohort, None)  # its own generator: the same every call
    apply_changes(spec, cohort, changes)
    after = _blast_parts(spec, cohort)
    assert after["within"].sum() > before["within"].sum()
    assert (np.sort(cohort["blasts"].to_numpy()[rows]) == values).all()
    pd.testing.assert_frame_equal(cohort.drop(columns="blasts"), kept)


def test_rank_move_refuses_a_column_no_target_reads_and_no_draws():
    spec = _spec()
    with pytest.raises(ValueError, match="no target reads column 'nothing'"):
        rank_move(spec, ENDPOINTS, "nothing", post.marrow_rows)
    with pytest.raises(ValueError, match="draws must be at least 1"):
        rank_move(spec, ENDPOINTS, "blasts", post.marrow_rows, draws=0)


def test_rank_move_leaves_fewer_than_three_rows_alone():
    spec = _spec()
    cohort = _cohort()
    move = rank_move(spec, ENDPOINTS, "blasts", lambda c: np.array([0, 1]), draws=5)
    assert move(cohort, None) == []


def test_the_drivers_of_blasts_include_its_current_order():
    """Documented behaviour: blasts sits in the bridging and time-to-relapse rows' model."""
    spec, cohort = _spec(), _cohort()
    targets = [t for t in spec.targets if "blasts" in reads(spec, t)]
    rows = post.marrow_rows(cohort)
    z = drivers(targets, ENDPOINTS, cohort, rows)
    assert z.shape == (len(rows), 4)  # deaths after progression, time to relapse, blasts, bridging
    current = cohort["blasts"].to_numpy()[rows]
    assert spearmanr(z[:, 2], current).statistic == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        (lambda c: np.array([True] * 3), "integer row positions"),
        (lambda c: np.array([1, 1, 2]), "distinct positions"),
        (lambda c: np.array([0, 1, 99]), "distinct positions"),
        (lambda c: np.arange(3), "has no value on rows"),  # no blasts: not progressed
    ],
)
def test_rank_move_names_bad_rows_and_missing_values(rows, message):
    spec, cohort = _spec(), _cohort()
    assert cohort["blasts"].iloc[:3].isna().any()
    move = rank_move(spec, ENDPOINTS, "blasts", rows, draws=1)
    with pytest.raises(ValueError, match=message):
        move(cohort, None)


class _Stub:
    """Parts: a (x0 is 0); b (x3 is 0, x1 and x2 are not, one never met); c (x3 is 0, one never)."""

    parts = pd.DataFrame(
        {
            "claim": ["a", "b", "b", "b", "b", "c", "c"],
            "part": ["value", *["low"] * 4, "value", "low"],
        }
    )

    def loss(self, cohort):
        x = cohort["x"].to_numpy()
        self.met = np.array([x[0] == 0, x[3] == 0, x[1] != 0, x[2] != 0, False, x[3] == 0, False])
        return 0.0


def test_a_draw_that_meets_more_parts_but_fewer_whole_claims_is_refused():
    """From (3 parts, claim a whole), x3 = 0 meets 4 parts and no whole claim: refused."""
    c = pd.DataFrame({"x": [0.0, 1.0, 2.0, 3.0]})
    at, values = np.arange(4), c["x"].to_numpy()
    scoring = (_Stub(), lambda c: None)
    z = np.zeros((4, 0))
    draws = [rankplace._best(c, "x", at, values, z, scoring, 1, seed) for seed in range(40)]
    assert all((d == values).all() for d in draws)  # the start is the only one that holds
    assert any(_met_without_floor(seed) for seed in range(40))  # a refused draw was drawn


def _met_without_floor(seed):
    """Whether the draw of ``seed`` puts 0 last (4 parts, no whole claim)."""
    gen = np.random.default_rng(seed)
    gen.uniform(-1.0, 1.0, 0)
    score = gen.normal(0.0, gen.uniform(0.1, 2.0), 4)
    return ranked(np.arange(4.0), score)[3] == 0


def test_blast_swaps_exchange_two_different_values_between_marrow_rows():
    c = _cohort()
    swaps = list(post.pairs(c)["swap_blasts"](c))
    rows = sorted(post.marrow_rows(c).tolist())
    b = c["blasts"].to_numpy()
    expected = [(i, j) for i, j in combinations(rows, 2) if b[i] != b[j]]
    assert len(swaps) == len(expected) > 0
    for (col_i, i, vi), (col_j, j, vj) in swaps:
        assert col_i == col_j == "blasts" and (i, j) in expected
        assert (vi, vj) == (b[j], b[i])
