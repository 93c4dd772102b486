"""zhang2021: the CI-method search and the counts file."""

import pytest

from carbook.cimatch import search_ci_methods
from carbook.data import load_counts
from carbook.published import load_published
from carbook.studies import zhang2021


def test_counts_agree_with_registry_n_and_N():
    reg = load_published("zhang2021").set_index("id")
    for row in load_counts("zhang2021").itertuples():
        if row.percent_claim:
            assert reg.loc[row.percent_claim, "n"] == row.count
            assert reg.loc[row.percent_claim, "N"] == row.denominator


def test_search_singles_out_one_method_without_rounding():
    res = search_ci_methods(zhang2021.ci_cases())
    full = res[res["all_match"] & (res["rounding"] == "unrounded")]
    assert full["method"].tolist() == ["t_mean"]
    # and the textbook binomial methods reproduce none of the six bounds
    for m in ("wilson", "clopper_pearson", "wilson_cc", "jeffreys", "agresti_coull"):
        assert res.loc[res["method"] == m, "bounds_matched"].max() == 0


def test_search_rejects_missing_columns():
    with pytest.raises(ValueError, match="missing columns"):
        search_ci_methods(zhang2021.ci_cases().drop(columns=["low"]))


def test_external_comparison_uses_published_values():
    comp = zhang2021.external_comparison()
    assert comp["estimate"].tolist() == [43.0, 20.74, 23.0]


def test_interval_shapes_symmetric_except_the_cir():
    """Issue 13: not every printed interval is symmetric (41 (25, 62) is not)."""
    shapes = zhang2021.interval_shapes()
    km = shapes.drop(index="cir_1y_cr")
    assert km["plain"].all() and not km["log"].any() and not km["log-log"].any()
    cir = shapes.loc["cir_1y_cr"]
    assert cir["below"] == 16 and cir["above"] == 21
    fits = [k for k in shapes.columns if k.startswith(("F:", "1-F:")) and cir[k]]
    assert fits == ["1-F: log-log"]
