"""A 0/1 covariate read by HRs on nested populations, placed in turn (reconstruct.nestedplace)."""

import numpy as np
import pandas as pd
import pytest
from helpers import placement_start

from carbook.reconstruct import nestedplace
from carbook.reconstruct.binarycox import risk_sets
from carbook.reconstruct.construction import apply_changes
from carbook.reconstruct.covariates import FastTarget, score
from carbook.reconstruct.nestedplace import (
    base_changes,
    inner_solutions,
    joint_descents,
    nested_move,
    outer_best,
)
from carbook.reconstruct.search import _judge
from carbook.reconstruct.spec import load_spec
from carbook.reconstruct.targets import met_key
from carbook.studies.wudhikarn2021 import model
from carbook.studies.wudhikarn2021.endpoints import ENDPOINTS

STUDY = "wudhikarn2021"
NAN = np.full(3, np.nan)


def _ft(t, d, lo, hi, keep=None) -> FastTarget:
    keep = np.ones(len(t), bool) if keep is None else keep
    lo, hi = np.array([lo, *NAN]), np.array([hi, *NAN])
    return FastTarget("demo", "x", keep, risk_sets(t[keep], d[keep]), lo, hi, lo, hi, np.ones(4))


def _score(ft: FastTarget, x: np.ndarray):
    with np.errstate(over="ignore"):  # an infinite HR (monotone likelihood) scores as a miss
        return score(ft, x)


def _cohort(seed: int = 1):
    """A built (not calibrated) cohort and its model: what the placements start from."""
    return placement_start(seed)


def test_every_inner_solution_meets_the_target_and_keeps_the_count():
    gen = np.random.default_rng(3)
    t, d = np.arange(1.0, 21.0), (np.arange(20) % 4 != 3).astype(float)
    ft = _ft(t, d, 1.5, 3.0)
    x = np.zeros(20)
    x[:6] = 1
    sols = inner_solutions(ft, x, np.arange(20), gen, 20)
    assert sols
    assert len({s.tobytes() for s in sols}) == len(sols)
    for s in sols:
        assert s.sum() == 6
        assert _score(ft, s[:, None])[0].all()
    assert not _score(ft, x[:, None])[0][0, 0]  # the start missed (carriers died first)


def test_the_walk_towards_the_outer_target_keeps_the_inner_one_met_and_helps_the_outer():
    t, d = np.arange(1.0, 21.0), (np.arange(20) % 4 != 3).astype(float)
    inner = _ft(t, d, 1.5, 3.0)
    outer = _ft(t, d, 1.5, 1.6)  # same rows here: only the walk's aim differs
    x = np.zeros(20)
    x[:6] = 1
    rows = np.arange(20)
    plain = inner_solutions(inner, x, rows, np.random.default_rng(3), 20)
    walked = inner_solutions(inner, x, rows, np.random.default_rng(3), 20, then=outer)
    assert all(_score(inner, s[:, None])[0].all() for s in walked)
    best = min(_score(outer, np.column_stack(plain))[1])
    assert min(_score(outer, np.column_stack(walked))[1]) <= best
    assert {s.tobytes() for s in plain} <= {s.tobytes() for s in walked}


def test_rows_outside_the_inner_group_never_move():
    t, d = np.arange(1.0, 13.0), np.ones(12)
    ft = _ft(t, d, 0.2, 0.6)
    x = np.array([1.0, 1, 1, 0, 0, 0, 1, 0, 1, 0, 0, 0])
    rows = np.arange(6)
    for s in inner_solutions(ft, x, rows, np.random.default_rng(0), 10):
        assert (s[6:] == x[6:]).all() and s[rows].sum() == x[rows].sum()


def test_an_impossible_inner_target_gives_no_solution():
    t, d = np.arange(1.0, 9.0), np.ones(8)
    ft = _ft(t, d, 50.0, 60.0)  # one carrier of 8 deaths cannot reach an HR of 50
    x = np.array([1.0, 0, 0, 0, 0, 0, 0, 0])
    assert inner_solutions(ft, x, np.arange(8), np.random.default_rng(0), 5) == []


def _nested_pair():
    """An inner target on rows 0-11 that no arrangement meets, an outer one on all 20."""
    t, d = np.arange(1.0, 21.0), (np.arange(20) % 4 != 3).astype(float)
    keep = np.arange(20) < 12
    inner = _ft(t, d, 50.0, 60.0, keep)  # 4 carriers of 12 cannot reach an HR of 50
    outer = _ft(t, d, 1.5, 3.0)
    x = np.zeros(20)
    x[[8, 9, 10, 11, 18, 19]] = 1  # carriers die last: an HR far below 1.5
    return inner, outer, x, (np.arange(12), np.arange(12, 20))


def test_joint_descents_meet_the_outer_target_when_the_inner_one_is_out_of_reach():
    inner, outer, x, groups = _nested_pair()
    assert inner_solutions(inner, x, groups[0], np.random.default_rng(0), 20) == []
    assert not _score(outer, x[:, None])[0][0, 0]
    ends = joint_descents((inner, outer), x, groups, np.random.default_rng(0), 5)
    parts, _, best = ends[0]
    assert _score(outer, best[:, None])[0][0, 0] and parts == 1
    assert [e[:2] for e in ends] == sorted([e[:2] for e in ends], key=lambda e: (-e[0], e[1]))
    assert len({e[2].tobytes() for e in ends}) == len(ends)


def test_joint_descents_keep_each_groups_count_and_leave_other_rows_alone():
    inner, outer, x, groups = _nested_pair()
    x[15] = 1.0  # rows 16 and 17 stay out of every group
    groups = (groups[0], np.array([12, 13, 14, 15, 18, 19]))
    for _, _, end in joint_descents((inner, outer), x, groups, np.random.default_rng(1), 8):
        assert [end[g].sum() for g in groups] == [x[g].sum() for g in groups]
        assert (end[16:18] == x[16:18]).all()


def test_joint_descents_repeat_with_the_generator_and_never_end_worse_than_the_start():
    inner, outer, x, groups = _nested_pair()
    a = joint_descents((inner, outer), x, groups, np.random.default_rng(4), 6)
    b = joint_descents((inner, outer), x, groups, np.random.default_rng(4), 6)
    assert [(p, lo, e.tobytes()) for p, lo, e in a] == [(p, lo, e.tobytes()) for p, lo, e in b]
    alone = joint_descents((inner, outer), x, groups, np.random.default_rng(4), 0)
    assert len(alone) == 1  # no random start: one descent, from x itself
    met = sum(int(_score(ft, x[:, None])[0][0, 0]) for ft in (inner, outer))  # printed
    loss = sum(_score(ft, x[:, None])[1][0] for ft in (inner, outer))
    assert (alone[0][0], -alone[0][1]) >= (met, -loss)  # parts met first, then loss


def test_the_outer_enumeration_matches_brute_force_over_rows():
    """Counting ones per equivalence class loses no arrangement (checked on every one)."""
    from itertools import combinations

    from carbook.reconstruct.binarycox import equivalence_classes

    t = np.array([1.0, 2, 2, 3, 4, 5, 5, 6, 7, 8])
    d = np.array([1, 1, 1, 0, 1, 0, 0, 1, 0, 0.0])
    ft = _ft(t, d, 0.8, 1.2)
    x = np.array([1.0, 0, 1, 0, 1, 0, 1, 0, 0, 1])
    rows = np.arange(3, 10)
    labels = equivalence_classes(t, d)[rows]
    best = outer_best(ft, x, rows, labels, top=1)[0]
    brute = []
    for ones in combinations(rows, int(x[rows].sum())):
        y = x.copy()
        y[rows] = 0
        y[list(ones)] = 1
        met, loss = _score(ft, y[:, None])
        brute.append((int(met.sum()), float(loss[0])))
    top = max(brute, key=lambda r: (r[0], -r[1]))
    assert best[0] == top[0] and best[1] == pytest.approx(top[1], rel=1e-12)


def test_base_changes_swap_values_within_strata_and_refuse_a_changed_margin():
    c = pd.DataFrame({"b": ["intensive", "none", "nonintensive", "intensive", "none"]})
    strata = np.array(["p", "p", "p", "q", "q"])
    old, new = np.array([0, 1, 1, 0, 1]), np.array([1, 0, 1, 1, 0])
    ch = base_changes(c, "b", old, new, strata)
    assert sorted(ch) == [
        ("b", 0, "none"),
        ("b", 1, "intensive"),
        ("b", 3, "none"),
        ("b", 4, "intensive"),
    ]
    with pytest.raises(ValueError, match="stratum 'q'"):
        base_changes(c, "b", old, np.array([1, 0, 1, 1, 1]), strata)


def test_bad_arguments_are_named():
    spec = load_spec(STUDY)
    with pytest.raises(ValueError, match="descents"):
        nested_move(spec, ENDPOINTS, "male", "t3_sex_hr", "t2_sex_hr", descents=-1)
    with pytest.raises(ValueError, match="no_such_claim"):
        nested_move(spec, ENDPOINTS, "male", "no_such_claim", "t2_sex_hr")
    c = _cohort()[0].drop(columns="stratum")
    with pytest.raises(ValueError, match="stratum"):
        nested_move(spec, ENDPOINTS, "male", "t3_sex_hr", "t2_sex_hr")(c, None)
    c = _cohort()[0].copy()
    swapped = nested_move(spec, ENDPOINTS, "male", "t2_sex_hr", "t3_sex_hr")  # outer inside
    with pytest.raises(ValueError, match="not all in"):
        swapped(c, None)
    with pytest.raises(ValueError, match="'bridging_not_intensive' is not what"):
        nested_move(spec, ENDPOINTS, "bridging_not_intensive", "t3_bridging_hr", "t2_bridging_hr")
    with pytest.raises(ValueError, match="RangeIndex"):
        nested_move(spec, ENDPOINTS, "male", "t3_sex_hr", "t2_sex_hr")(c.iloc[::-1], None)
    with pytest.raises(ValueError, match="t2_age_hr's covariate 'age_gt40'"):
        nested_move(spec, ENDPOINTS, "male", "t3_sex_hr", "t2_age_hr")


@pytest.mark.parametrize(("col", "inner", "outer"), model.NESTED)
def test_a_placement_keeps_margins_is_deterministic_and_is_kept_by_the_search(col, inner, outer):
    _check_placement(f"nested_{col}", col)


@pytest.mark.parametrize(("col", "claim"), model.SWAPPED)
def test_a_swap_placement_keeps_margins_is_deterministic_and_is_kept_by_the_search(col, claim):
    _check_placement(f"swap_{col}", col)


def test_a_swap_placement_names_what_it_cannot_place():
    spec = load_spec(STUDY)
    c = _cohort()[0]
    with pytest.raises(ValueError, match="t2_sex_hr's covariate 'male'"):
        nestedplace.swap_move(spec, ENDPOINTS, "lines", "t2_sex_hr")
    with pytest.raises(ValueError, match="no 'stratum' column"):
        nestedplace.swap_move(spec, ENDPOINTS, "lines", "t2_lines_hr")(
            c.drop(columns="stratum"), None
        )
    with pytest.raises(ValueError, match="RangeIndex"):
        nestedplace.swap_move(spec, ENDPOINTS, "lines", "t2_lines_hr")(c.iloc[::-1], None)
    with pytest.raises(ValueError, match="one flag per row"):
        nestedplace.swap_move(spec, ENDPOINTS, "lines", "t2_lines_hr", free=np.ones(3))(c, None)
    with pytest.raises(ValueError, match="'steroid' carries within columns"):
        nestedplace.swap_move(spec, ENDPOINTS, "steroid", "t2_steroid_hr")


@pytest.mark.parametrize(("col", "claim"), model.SWAPPED)
def test_a_swap_placement_never_moves_a_cell_a_published_fact_fixes(col, claim):
    spec = load_spec(STUDY)
    c, m = _cohort()
    fixed = m.fixed[col].to_numpy()
    ch = m.place[f"swap_{col}"](c.copy(), None)
    assert not any(fixed[i] for _, i, _ in ch)
    if col == "burden":
        assert fixed.sum() == 10  # Table 5 prints the disease status of the 10 reinfused
    free = np.zeros(len(c), bool)  # nothing may move: nothing is placed
    assert nestedplace.swap_move(spec, ENDPOINTS, col, claim, free=free)(c.copy(), None) == []


def _check_placement(name: str, col: str) -> None:
    spec = load_spec(STUDY)
    c, m = _cohort()
    move = m.place[name]
    ch = move(c.copy(), None)
    assert ch == move(c.copy(), None)  # its own generator: the same changes every time
    if not ch:
        pytest.skip(f"nothing better for {col} on this start")  # the rule's other branch
    work = c.copy()
    evaluator, protect, groups = _judge(spec, m, work)
    key = met_key(evaluator, work, groups)
    was = evaluator.met.copy()
    apply_changes(spec, work, ch)
    new = met_key(evaluator, work, groups)
    assert new > key and new[0] >= key[0] and new[1] >= key[1]
    assert not (was & ~evaluator.met & protect).any()
    margins = c.groupby("stratum")[col].value_counts().sort_index()
    pd.testing.assert_series_equal(
        margins, work.groupby("stratum")[col].value_counts().sort_index()
    )


def test_random_hits_count_draws_that_meet_and_repeat_with_the_seed():
    spec = load_spec(STUDY)
    c = _cohort()[0]
    got = nestedplace.random_hits(spec, c, ENDPOINTS, "t3_prior_hsct_hr", "t2_prior_hsct_hr", 4000)
    assert got == nestedplace.random_hits(
        spec, c, ENDPOINTS, "t3_prior_hsct_hr", "t2_prior_hsct_hr", 4000
    )
    n_in, n_out, both = got
    assert 0 <= both <= min(n_in, n_out) and max(n_in, n_out) <= 4000
    assert n_in > 0 and n_out > 0  # prior transplant's HRs are each within random reach


def test_the_module_constants_are_the_documented_ones():
    assert (nestedplace.DESCENTS, nestedplace.TOP, nestedplace.SEED) == (100, 30, 20261203)
    assert nestedplace.JOINT == 30
