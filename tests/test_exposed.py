"""exposed: the choices of records for the patients given blinatumomab or inotuzumab."""

import itertools

import numpy as np
import pandas as pd
import pytest

from carbook.reconstruct.spec import load_spec
from carbook.reconstruct.targets import COX_P_TESTS, closest_p
from carbook.studies.wudhikarn2021 import exposed, model, poststart
from carbook.studies.wudhikarn2021.progression import progressed
from carbook.survival.cox_td import cox_switch

_V = ["hr", "lower", "upper", "p"]


def _problem(seed: int, n: int = 6) -> tuple:
    rng = np.random.default_rng(seed)
    ok = rng.random((n, n)) < 0.6
    ok[np.arange(n), rng.permutation(n)] = True  # at least one full assignment
    ok[-1] = True  # a patient free of every fact
    switch_at = np.where(rng.random(n) < 0.5, rng.uniform(1, 4, n).round(2), np.nan)
    switch_at[0] = 2.0  # at least one exposed
    t_rr = rng.uniform(0.1, 0.9, n).round(2)
    return (
        ok,
        switch_at,
        t_rr,
        rng.uniform(1, 10, n).round(2),
        rng.integers(0, 2, n) | (np.arange(n) < 3),
    )


@pytest.mark.parametrize("seed", range(8))
def test_assignments_are_every_full_assignment_and_fit_as_the_cohort_would(seed):
    ok, switch_at, t_rr, t_post, dead = _problem(seed)
    table = exposed.assignments(ok, switch_at, t_rr, t_post, dead)
    rows = np.flatnonzero(np.isfinite(switch_at))
    brute = {}
    for perm in itertools.permutations(range(len(ok))):
        if ok[np.arange(len(ok)), perm].all():
            brute.setdefault(tuple(perm[i] for i in rows), perm)
    assert sorted(table["records"]) == sorted(brute)  # exhaustive, and nothing else
    for _, row in table.iterrows():  # whoever holds the other records, the fit is this
        perm = np.array(brute[row["records"]])
        switch = np.round(switch_at - t_rr[perm], 2)
        fit = cox_switch(t_post[perm], dead[perm], switch)
        got = [fit[k] for k in ("hr", "lower", "upper")]
        np.testing.assert_allclose(got, row[["hr", "lower", "upper"]].astype(float), 1e-9)
        ps = {k: fit[k] for k in COX_P_TESTS}  # the P as the scorecard reads it
        test, p = closest_p(ps, *exposed.intervals()[3])
        assert row["p_test"] == test and (row["p"] == p or (np.isnan(p) and np.isnan(row["p"])))
        inside = [
            lo <= v < hi for v, (lo, hi) in zip(row[list(_V)], exposed.intervals(), strict=True)
        ]
        assert row["met"] == sum(inside) and row["claims"] == all(inside[:3]) + inside[3]


def test_pick_takes_a_best_choice_claims_first_and_none_from_nothing():
    table = pd.DataFrame({"records": [(k,) for k in range(12)]})
    table["claims"] = np.arange(len(table)) % 2
    table["met"] = np.arange(len(table)) % 3
    best = set(table.loc[(table["claims"] == 1) & (table["met"] == 2), "records"])
    picks = {exposed.pick(table, np.random.default_rng(k)) for k in range(30)}
    assert picks <= best and len(picks) > 1  # claims outrank parts: 1 claim, 2 parts
    assert exposed.pick(table.iloc[:0], np.random.default_rng(0)) is None


def test_bad_shapes_are_named():
    ok, switch_at, t_rr, t_post, dead = _problem(0)
    with pytest.raises(ValueError, match="switch_at, t_rr, t_post and dead need 6 values"):
        exposed.assignments(ok, switch_at[:-1], t_rr, t_post, dead)
    with pytest.raises(ValueError, match="switch_at, t_rr, t_post and dead need 6 values"):
        exposed.assignments(ok, switch_at, t_rr, t_post[:-1], dead)
    with pytest.raises(ValueError, match=r"ok must be square .* got shape \(6, 5\)"):
        exposed.assignments(ok[:, :-1], switch_at, t_rr, t_post, dead)


def test_a_p_may_be_met_by_another_test_as_the_scorecard_allows():
    """On seed 1, some choices print P .43 only by the likelihood-ratio or score test."""
    from carbook.reconstruct.run import load_cohort

    c = load_cohort("wudhikarn2021")
    table = poststart.exposed_choices(c, model.cohort_facts(c))
    lo, hi = exposed.intervals()[3]
    met_p = table[(table["p"] >= lo) & (table["p"] < hi)]
    assert set(met_p["p_test"]) - {"Wald"}
    assert (table["claims"] <= 2).all() and (table["met"] <= 4).all()


def test_a_built_cohort_prints_the_best_the_witness_allows():
    """The 12 exposed take a choice that meets the most claims, then parts, of Table 3's HR."""
    c, _ = model.build(load_spec("wudhikarn2021"), np.random.default_rng(3))
    table = poststart.exposed_choices(c, model.cohort_facts(c))
    d = progressed(c)
    fit = cox_switch(d["time"], d["event"], d["t_blin_ino"])
    got = [fit[k] for k in ("hr", "lower", "upper")]
    best = exposed.best(table)[["hr", "lower", "upper"]]
    assert any(np.allclose(got, row, rtol=1e-9) for row in best.to_numpy())
