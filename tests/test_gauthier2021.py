"""gauthier2021: exact intervals of the summary's counts, the Cy-Flu split, statuses."""

import pytest
from scipy import stats

from carbook import book
from carbook.published import load_published
from carbook.studies import gauthier2021


def test_proportions_are_binom_test_intervals():
    """Clopper-Pearson limits are beta quantiles (R: binom.test(x, n)$conf.int)."""
    p = gauthier2021.proportions().set_index("claim_id")
    assert set(p.index) == {
        "responders_n",
        "cr_n",
        "umrd_responders_n",
        "bulky_n",
        "responders_cyflu_n",
    }
    for row in p.itertuples():
        lo = 0.0 if row.x == 0 else stats.beta.ppf(0.025, row.x, row.n - row.x + 1)
        hi = 1.0 if row.x == row.n else stats.beta.ppf(0.975, row.x + 1, row.n - row.x)
        assert row.low == pytest.approx(100 * lo) and row.high == pytest.approx(100 * hi)
    # R: binom.test(3, 9)$conf.int = 0.07485 0.70070; binom.test(3, 3) = 0.2924 1
    assert p.loc["responders_n", ["low", "high"]].astype(float).round(2).tolist() == [7.49, 70.07]
    assert p.loc["umrd_responders_n", ["low", "high"]].astype(float).round(2).tolist() == [
        29.24,
        100.0,
    ]


def test_counts_agree_with_registry():
    reg = load_published("gauthier2021").set_index("id")
    for row in gauthier2021.proportions().itertuples():
        assert (reg.loc[row.claim_id, "n"], reg.loc[row.claim_id, "N"]) == (row.x, row.n)


def test_cyflu_range_covers_every_split():
    r = gauthier2021.cyflu_fisher_range()
    assert r["nonresponders_cyflu"].tolist() == list(range(7))
    # R: fisher.test(matrix(c(3, 0, 0, 6), 2, byrow = TRUE))$p.value = 1/84
    assert r["p"].iloc[0] == pytest.approx(1 / 84)
    # R: fisher.test(matrix(c(3, 0, 2, 4), 2, byrow = TRUE))$p.value = 0.1667
    assert r["p"].iloc[2] == pytest.approx(1 / 6)
    assert r["p"].is_monotonic_increasing and r["p"].iloc[-1] == 1.0


def test_cyflu_range_rejects_bad_counts():
    with pytest.raises(ValueError, match="responders"):
        gauthier2021.cyflu_fisher_range(responders=10, n=9)


def test_no_row_is_pending_and_prior_lines_unpublished():
    card = book.study_scorecard("gauthier2021").set_index("claim_id")
    assert "pending" not in set(card["status"])
    assert card.loc["prior_lines_average", "status"] == "not_reproducible"
    assert card.loc["prior_lines_average", "reason"].startswith("unpublished:")
    assert card.loc[["pfs_median", "os_median"], "status"].eq("reconstructed").all()
    assert "binom.test" in card.loc["responders_n", "method"]
