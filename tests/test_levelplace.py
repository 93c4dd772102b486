"""Placement of a categorical column read by several 0/1 HRs (carbook.reconstruct.levelplace)."""

from itertools import permutations
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from carbook.reconstruct.binarycox import risk_sets
from carbook.reconstruct.construction import apply_changes, derive
from carbook.reconstruct.covariates import FastTarget
from carbook.reconstruct.levelplace import _score, descents, level_move, level_tables
from carbook.reconstruct.proofs import proofs
from carbook.reconstruct.run import load_cohort
from carbook.reconstruct.spec import load_spec
from carbook.reconstruct.targets import Evaluator, claim_units, inconsistent_p_targets, met_key
from carbook.studies.wudhikarn2021 import model
from carbook.studies.wudhikarn2021.endpoints import ENDPOINTS
from carbook.studies.wudhikarn2021.figure1 import study_proofs

SPEC = load_spec("wudhikarn2021")
#: the seed-1 cohort of 0b42cfa (SYNTHETIC), prior immunotherapy as one column
FIXTURE = Path(__file__).parent / "fixtures" / "walk"
NAN4 = np.full(4, np.nan)


def _target(claim: str, time, died, keep, lo: float, hi: float) -> FastTarget:
    """A target on the HR alone, printed in [lo, hi), over rows ``keep``."""
    lo_, hi_ = NAN4.copy(), NAN4.copy()
    lo_[0], hi_[0] = lo, hi
    rs = risk_sets(np.asarray(time, float)[keep], np.asarray(died, float)[keep])
    return FastTarget(claim, claim, keep, rs, lo_, hi_, lo_, hi_, np.ones(4))


def test_level_tables_read_each_covariate_from_the_levels():
    tables = level_tables(
        SPEC, "prior_immuno", ["both", "none"], ["prior_ino", "prior_blin_or_ino"]
    )
    assert tables.tolist() == [[1.0, 0.0], [1.0, 0.0]]
    with pytest.raises(ValueError, match="'age_gt40' is not derived from column 'prior_immuno'"):
        level_tables(SPEC, "prior_immuno", ["none"], ["age_gt40"])


@given(st.integers(0, 2**32 - 1), st.integers(0, 3))
@settings(max_examples=25, deadline=None)
def test_descents_permute_within_groups_and_rank_best_first(seed, starts):
    gen = np.random.default_rng(seed)
    n = 12
    time, died = gen.permutation(np.arange(1.0, n + 1)), (gen.random(n) < 0.7).astype(float)
    died[0] = 1.0
    codes = gen.integers(0, 3, n)
    tables = np.array([[0.0, 1.0, 1.0], [0.0, 0.0, 1.0]])
    fts = (
        _target("a", time, died, np.ones(n, bool), 1.5, 3.0),
        _target("b", time, died, np.arange(n) < 8, 0.3, 0.6),
    )
    groups = (np.arange(0, 5), np.arange(5, 10))  # rows 10 and 11 never move
    ends = descents(fts, tables, codes, groups, np.random.default_rng(seed), starts)
    for _, _, end in ends:
        assert (end[10:] == codes[10:]).all()
        for rows in groups:
            assert sorted(end[rows]) == sorted(codes[rows])
    for met, loss, end in ends:  # each end scored as it is
        got = _score(fts, tables, end[:, None])
        assert (met, loss) == pytest.approx((got[0][0], got[1][0]))


def test_a_descent_from_the_own_arrangement_alone_only_improves_it():
    gen = np.random.default_rng(5)
    time, died = gen.permutation(np.arange(1.0, 13.0)), np.ones(12)
    codes, tables = gen.integers(0, 3, 12), np.array([[0.0, 1.0, 1.0]])
    fts = (_target("a", time, died, np.ones(12, bool), 2.5, 3.0),)
    (end,) = descents(fts, tables, codes, (np.arange(12),), np.random.default_rng(0), 0)
    met0, loss0 = (v[0] for v in _score(fts, tables, codes[:, None]))
    assert (end[0], -end[1]) > (met0, -loss0)  # this start is far from an HR in [2.5, 3)
    assert sorted(end[2]) == sorted(codes)


def test_descents_reach_the_best_arrangement_of_a_small_problem():
    time = np.arange(1.0, 9.0)
    died = np.array([1, 1, 1, 1, 1, 1, 0, 0.0])
    codes = np.array([0, 0, 0, 1, 1, 2, 2, 2])
    tables = np.array([[0.0, 1.0, 1.0], [0.0, 0.0, 1.0]])
    fts = (
        _target("a", time, died, np.ones(8, bool), 2.0, 4.0),
        _target("b", time, died, np.ones(8, bool), 2.0, 4.0),
    )
    every = np.array(sorted(set(permutations(codes.tolist()))))  # 560 arrangements
    met = _score(fts, tables, every.T)[0]
    assert len(every) == 560 and (met == 2).sum() == 4  # both HRs: 4 of them
    ends = descents(fts, tables, codes, (np.arange(8),), np.random.default_rng(1), 10)
    assert ends[0][0] == 2 and any((ends[0][2] == e).all() for e in every[met == 2])


def _fixture() -> tuple[pd.DataFrame, np.ndarray]:
    """The fixture cohort, its free prior immunotherapy scrambled within strata."""
    c = load_cohort("wudhikarn2021", 1, FIXTURE)
    c["stratum"] = np.where(c["progressed"] == 1, "progressed", "not_progressed")
    free = model.cohort_facts(c)["prior_immuno"].isna().to_numpy()
    gen = np.random.default_rng(3)
    for s in ("progressed", "not_progressed"):
        rows = np.flatnonzero(free & (c["stratum"] == s).to_numpy())
        c.loc[rows, "prior_immuno"] = gen.permutation(c.loc[rows, "prior_immuno"].to_numpy())
    derive(SPEC, c)
    return c, free


def test_level_move_keeps_margins_facts_and_meets_more():
    c, free = _fixture()
    move = level_move(SPEC, ENDPOINTS, *model.LEVELS, (), study_proofs(SPEC), free)
    changes = move(c.copy(), None)
    assert changes, "the fixture cohort has an arrangement the search would keep"
    assert all(col == "prior_immuno" and free[i] for col, i, _ in changes)
    after = c.copy()
    apply_changes(SPEC, after, changes)  # and rederive the three covariates
    by = ["stratum", "prior_immuno"]
    assert after.groupby(by).size().equals(c.groupby(by).size())
    excluded = proofs(SPEC.targets, c, ENDPOINTS, study_proofs(SPEC))  # the search's judge
    ev = Evaluator(SPEC.targets, ENDPOINTS, excluded, inconsistent_p_targets(SPEC.targets))
    units = claim_units(ev.parts)
    before = met_key(ev, c, units)  # printed parts, whole claims, minus the loss
    after_key = met_key(ev, after, units)
    assert after_key > before and after_key[:2] >= before[:2]


def test_level_move_names_what_it_lacks():
    c, free = _fixture()
    move = level_move(SPEC, ENDPOINTS, *model.LEVELS, free=free[:-1])
    with pytest.raises(ValueError, match="free has shape"):
        move(c, None)
    with pytest.raises(ValueError, match="no 'stratum' column"):
        level_move(SPEC, ENDPOINTS, *model.LEVELS)(c.drop(columns="stratum"), None)
    gap = c.copy()
    gap.loc[3, "prior_immuno"] = None
    with pytest.raises(ValueError, match=r"column 'prior_immuno' has missing values at rows \[3\]"):
        level_move(SPEC, ENDPOINTS, *model.LEVELS)(gap, None)
    with pytest.raises(ValueError, match="fig1_os_median is a 'km_median' target"):
        level_move(SPEC, ENDPOINTS, "prior_immuno", ("fig1_os_median",))
