"""carbook.tables against R (fixtures from tests/r/tables_reference.R; R not needed)."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from carbook import tables

FIX = Path(__file__).parent / "fixtures"
# Tolerances: R prints 15 significant digits; closed-form CIs agree to rounding error,
# the enumeration and the normal/beta quantiles to about 1e-12.
TOL = 1e-9


def _parse_table(text: str) -> list[list[float]]:
    return [[float(v) for v in row.split(",")] for row in text.split(";")]


@pytest.mark.parametrize("row", list(pd.read_csv(FIX / "tables_proportion_ci.csv").itertuples()))
def test_proportion_ci_matches_r(row):
    est, lo, hi = tables.proportion_ci(row.x, row.n, method=row.method)
    assert est == pytest.approx(row.x / row.n)
    assert lo == pytest.approx(row.low, abs=TOL)
    assert hi == pytest.approx(row.high, abs=TOL)


def test_every_ci_method_has_an_r_reference():
    ref = set(pd.read_csv(FIX / "tables_proportion_ci.csv")["method"])
    # agresti_coull has no R function in base R; it is statsmodels' implementation.
    assert set(tables.CI_METHODS) - ref == {"agresti_coull"}


_CONT = pd.read_csv(FIX / "tables_contingency.csv")


@pytest.mark.parametrize("row", list(_CONT.itertuples()))
def test_contingency_tests_match_r(row):
    tab = _parse_table(row.table)
    if row.test == "fisher.test":
        res = tables.fisher_exact(tab)
    else:
        res = tables.chisq_test(tab, correct=row.test == "chisq.test")
        assert res.statistic == pytest.approx(row.statistic, abs=TOL)
    assert res.pvalue == pytest.approx(row.pvalue, abs=TOL)
    assert res.method == row.test


def test_fisher_2x2_equals_scipy():
    for tab in ([[17, 21], [3, 15]], [[5, 0], [0, 5]], [[2, 8], [7, 3]]):
        assert tables.fisher_exact(tab).pvalue == pytest.approx(stats.fisher_exact(tab)[1])


def test_fisher_is_stable_between_calls():
    tab = [[3, 1, 1], [1, 3, 1], [1, 1, 3]]
    assert tables.fisher_exact(tab).pvalue == tables.fisher_exact(tab).pvalue


def test_fisher_transposed_table_same_pvalue():
    tab = np.array([[20, 15, 5, 2], [8, 12, 10, 9]])
    assert tables.fisher_exact(tab).pvalue == pytest.approx(tables.fisher_exact(tab.T).pvalue)


_TWO_SAMPLE = [
    (func, row)
    for fixture, func in [
        ("tables_wilcoxon.csv", tables.wilcoxon_ranksum),
        ("tables_signed_rank.csv", tables.wilcoxon_signed_rank),
    ]
    for row in pd.read_csv(FIX / fixture).itertuples()
]


@pytest.mark.parametrize(("func", "row"), _TWO_SAMPLE)
def test_wilcoxon_tests_match_r(func, row):
    """wilcox.test(x, y) and wilcox.test(x, y, paired = TRUE): R's W/V and P."""
    x = [float(v) for v in row.x.split(",")]
    y = [float(v) for v in row.y.split(",")]
    res = func(x, y)
    assert res.statistic == pytest.approx(row.statistic)
    assert res.pvalue == pytest.approx(row.pvalue, abs=TOL)


def test_gtsummary_rule_switches_on_expected_count():
    small = [[28, 10], [14, 4]]  # expected count 4.2 < 5
    assert tables.gtsummary_test(small).pvalue == tables.fisher_exact(small).pvalue
    big = [[30, 20], [20, 30]]
    assert tables.gtsummary_test(big).pvalue == tables.chisq_test(big, correct=False).pvalue


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ([[1, -2], [3, 4]], "negative"),
        ([1, 2, 3], "2-D"),
        ([[1, 2], [0, 0]], "empty row"),
        ([[1.5, 2], [3, 4]], "whole-number"),
        ([[1, np.nan], [3, 4]], "NaN"),
    ],
)
def test_bad_tables_raise(table, message):
    with pytest.raises(ValueError, match=message):
        tables.fisher_exact(table)
    with pytest.raises(ValueError, match=message):
        tables.chisq_test(table)


@pytest.mark.parametrize(
    ("x", "n", "kwargs", "message"),
    [
        (5, 3, {}, "must not exceed"),
        (-1, 3, {}, "x must be non-negative"),
        (1, 0, {}, "n must be positive"),
        (1.5, 3, {}, "whole number"),
        (1, 3, {"method": "bogus"}, "method must be one of"),
        (1, 3, {"conf": 1.2}, "conf"),
    ],
)
def test_bad_proportions_raise(x, n, kwargs, message):
    with pytest.raises(ValueError, match=message):
        tables.proportion_ci(x, n, **kwargs)


def test_fisher_refuses_huge_enumeration():
    with pytest.raises(ValueError, match="too large"):
        tables.fisher_exact([[50, 40, 60, 50], [45, 55, 50, 50], [60, 50, 45, 45]], max_tables=1000)


def test_wilcoxon_rejects_empty_and_nan():
    with pytest.raises(ValueError, match="y must not be empty"):
        tables.wilcoxon_ranksum([1, 2], [])
    with pytest.raises(ValueError, match="x contains NaN"):
        tables.wilcoxon_ranksum([1, np.nan], [2])


def test_signed_rank_rejects_bad_pairs():
    with pytest.raises(ValueError, match="equal length"):
        tables.wilcoxon_signed_rank([1, 2], [1])
    with pytest.raises(ValueError, match="all paired differences are zero"):
        tables.wilcoxon_signed_rank([1, 2], [1, 2])


def _family_call(row):
    """The carbook.tables function behind one R call of tables_family.csv."""
    x = [float(v) for v in str(row.x).replace(";", ",").split(",")]
    if row.kind == "contingency":
        return tables.fisher_midp(np.array(x).reshape(2, 2))
    y = [float(v) for v in str(row.y).split(",")]
    if row.call.startswith("median test"):
        return tables.median_test(x, y, row.call[len("median test (") : -1])
    if row.call.startswith("sign test"):
        return tables.sign_test(x, y)
    kwargs = {"exact": False} if "exact = FALSE" in row.call else {}
    if "correct = FALSE" in row.call:
        kwargs["correct"] = False
    func = tables.wilcoxon_signed_rank if row.kind == "paired" else tables.wilcoxon_ranksum
    res = func(x, y, **kwargs)
    assert res.method == row.call
    return res


@pytest.mark.parametrize("row", list(pd.read_csv(FIX / "tables_family.csv").itertuples()))
def test_test_families_match_r(row):
    """Mid-p, median and sign tests and wilcox.test options vs R (tables_family_reference.R)."""
    assert _family_call(row).pvalue == pytest.approx(row.pvalue, abs=TOL)


def test_family_tests_reject_bad_arguments():
    with pytest.raises(ValueError, match="2×2"):
        tables.fisher_midp([[1, 2, 3], [4, 5, 6]])
    with pytest.raises(ValueError, match="test must be one of"):
        tables.median_test([1, 2], [3, 4], "t.test")
    with pytest.raises(ValueError, match="equal length"):
        tables.sign_test([1, 2], [1])
    with pytest.raises(ValueError, match="all paired differences are zero"):
        tables.sign_test([1, 2], [1, 2])
