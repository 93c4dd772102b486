"""Xu 2023: counts, the test detective, the 3-group table, the log-rank kind, the cohort.

R reference values come from ``tests/r/xu2023_reference.R`` (committed output:
``tests/fixtures/xu2023_reference.csv``); the tests never need R.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from lifelines.statistics import logrank_test

from carbook import survival as sv
from carbook.book import study_scorecard
from carbook.reconstruct.run import load_cohort
from carbook.reconstruct.spec import load_spec
from carbook.studies import xu2023

FIX = Path(__file__).parent / "fixtures"
REF = pd.read_csv(FIX / "xu2023_reference.csv").set_index(["case", "quantity"])["value"]


def test_detective_finds_the_printed_p_values():
    d = xu2023.detective()
    hits = d[d["reproduces"]].groupby("p_claim")["test"].apply(set)
    assert "chisq.test(correct = FALSE)" in hits["cr_cart2_vs_cart1_p"]
    assert "chisq.test(correct = FALSE)" in hits["severe_crs_p"]
    assert "fisher.test" not in hits["cr_cart2_vs_cart1_p"]  # Fisher gives 0.009
    assert "chisq.test" not in hits["cr_cart2_vs_cart1_p"] | hits["severe_crs_p"]  # Yates


def test_p_values_are_exact_and_marked_selected():
    card = study_scorecard("xu2023").set_index("claim_id")
    for claim in xu2023.COMPARISONS:
        assert card.loc[claim, "status"] == "exact"
        assert card.loc[claim, "selected"]
        assert "chisq.test(correct = FALSE)" in card.loc[claim, "method"]


@pytest.mark.parametrize("claim", list(xu2023.COMPARISONS))
@pytest.mark.parametrize("test", ["chisq.test(correct = FALSE)", "chisq.test", "fisher.test"])
def test_battery_matches_r(claim, test):
    d = xu2023.detective().set_index(["p_claim", "test"])
    assert np.isclose(d.loc[(claim, test), "pvalue"], REF[claim, test], rtol=1e-9)


@pytest.mark.parametrize("test", ["fisher.test", "chisq.test"])
def test_three_group_matches_r(test):
    got = xu2023.three_group_test().set_index("test").loc[test, "pvalue"]
    assert np.isclose(got, REF["three_group", test], rtol=1e-9)


def test_proportion_intervals_match_binom_test():
    props = xu2023.proportions().set_index("claim_id")
    assert props["prints"].all()
    for claim, row in props.iterrows():
        assert np.isclose(row["low"], REF[claim, "low"], rtol=1e-9), claim
        assert np.isclose(row["high"], REF[claim, "high"], rtol=1e-9), claim


def test_crs_grades_add_up_and_denominator_is_79():
    card = study_scorecard("xu2023").set_index("claim_id")
    assert card.loc["crs_cart2_n", "status"] == "exact"  # 11 + 4 + 2
    dc = xu2023.denominator_check()
    assert dc["prints_on_79"].all() and not dc["prints_on_84"].any()
    assert card.loc["cr_cart1_denominator", "status"] == "not_reproducible"


def test_no_row_pending_and_survival_met_or_not_met():
    card = study_scorecard("xu2023").set_index("claim_id")
    assert "pending" not in set(card["status"])
    synthetic = [t.claim for t in load_spec("xu2023").targets]
    assert len(synthetic) == 8
    status = card.loc[synthetic, "status"]
    assert status.isin(["reconstructed", "not_met"]).all(), status
    missed = card.loc[synthetic][status == "not_met"]
    assert missed["reason"].str.contains("SYNTHETIC cohort").all()


def test_bad_arguments_raise():
    with pytest.raises(ValueError, match="p_claim"):
        xu2023.comparison_table("os_p")
    with pytest.raises(ValueError, match="comparison"):
        xu2023.os_groups(load_cohort("xu2023"), "nope")
    with pytest.raises(ValueError, match="test"):
        xu2023.os_test(load_cohort("xu2023"), "CART2 after alloHSCT vs non-CART2 without", "t")
    with pytest.raises(ValueError, match="endpoint"):
        xu2023.curves(load_cohort("xu2023"), "efs")


def test_cohort_groups_have_the_printed_sizes():
    c = load_cohort("xu2023")
    assert (c["synthetic"] == "SYNTHETIC").all()
    sizes = c["group"].value_counts().to_dict()
    assert sizes == {"other": 15, "noallo_rest": 9, "allo_adj": 7, "noallo_adj": 7, "allo_rest": 3}
    assert int(c["cart2"].sum()) == 26 and int(c["postallo"].sum()) == 10


@pytest.mark.parametrize("comparison", list(xu2023.OS_COMPARISONS))
def test_logrank_on_the_synthetic_cohort_matches_survdiff(comparison):
    c = load_cohort("xu2023")
    ref = xu2023.OS_COMPARISONS[comparison][1]
    want = REF[f"synthetic_os_allo_adj_vs_{ref}", "p"]
    assert np.isclose(xu2023.os_test(c, comparison), want, rtol=1e-9)
    keep = c["group"].isin(["allo_adj", ref]).to_numpy()
    got = sv.logrank_arrays(
        c["time"].to_numpy()[keep],
        c["event"].to_numpy()[keep],
        (c["group"] == "allo_adj").to_numpy(float)[keep],
    )[1]
    assert np.isclose(got, want, rtol=1e-9)


def _parity_logrank_cases() -> list[str]:
    ref = pd.read_csv(FIX / "parity_logrank.csv")
    return sorted(ref.loc[ref["key"] == "group", "case"].unique())


@pytest.mark.parametrize("case", _parity_logrank_cases())
def test_logrank_arrays_matches_survdiff_parity(case):
    ref = pd.read_csv(FIX / "parity_logrank.csv").query("case == @case and key == 'group'")
    want = ref.set_index("quantity")["value"]
    d = pd.read_csv(FIX / "parity" / f"data_{case}.csv")
    levels = sorted(d["group"].dropna().unique())
    if len(levels) != 2:
        pytest.skip("log-rank of two groups only")
    g = (d["group"] == levels[1]).to_numpy(float)
    chisq, p, _ = sv.logrank_arrays(d["time"].to_numpy(), d["status"].to_numpy(), g)
    if np.isnan(want["chisq"]):
        assert np.isnan(chisq)
    else:
        assert np.isclose(chisq, want["chisq"], rtol=1e-9, atol=1e-12), case
        assert np.isclose(p, want["p"], rtol=1e-9, atol=1e-12), case


def test_logrank_arrays_matches_lifelines_and_rejects_bad_input():
    rng = np.random.default_rng(7)
    t = np.round(rng.exponential(5, 40), 1)
    e = rng.integers(0, 2, 40)
    g = rng.integers(0, 2, 40)
    ll = logrank_test(t[g == 1], t[g == 0], e[g == 1], e[g == 0])
    chisq, p, _ = sv.logrank_arrays(t, e, g)
    assert np.isclose(chisq, ll.test_statistic) and np.isclose(p, ll.p_value)
    with pytest.raises(ValueError, match="group"):
        sv.logrank_arrays(t, e, g + 1)
    with pytest.raises(ValueError, match="length"):
        sv.logrank_arrays(t[:-1], e, g)
