"""Tests of independence for contingency tables, matched to R's defaults."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from carbook.tables._common import TestResult, as_table
from carbook.tables.fisher import fisher_network_logp

__all__ = [
    "chisq_test",
    "expected_counts",
    "fisher_exact",
    "fisher_midp",
    "gtsummary_test",
    "test_battery",
]


def fisher_exact(table: object, max_tables: float = 2e7) -> TestResult:
    """Fisher's exact test for an r×c table, two-sided, by the network algorithm.

    Matches R's ``fisher.test(table)$p.value``: the P value sums the probabilities
    of all tables with the observed margins that are no more probable than the
    observed table (with R's relative tolerance ``1 + 1e-7``). Computed exactly by
    a network algorithm (Mehta & Patel 1983, as R's FEXACT; see
    :mod:`carbook.tables.fisher`), not by listing every table and not by Monte
    Carlo (``scipy.stats.fisher_exact`` for r×c is a Monte Carlo estimate that
    changes between calls). For 2×2 tables this equals ``scipy.stats.fisher_exact``.

    Parameters
    ----------
    table : array-like
        Table of non-negative whole counts, at least 2×2, no empty row or column.
    max_tables : float
        Refuse tables for which the algorithm would extend more than this many
        paths (with the default, the benchmark's refusals come within 0.2-5.4
        CPU seconds, ``benchmarks/bench_fisher.py``), rather than compute for
        minutes (R's ``fisher.test`` stops with "FEXACT error" on such tables too).

    Returns
    -------
    TestResult
        ``method="fisher.test"``, ``statistic`` NaN.

    Raises
    ------
    ValueError
        On a malformed table, or when the work would exceed ``max_tables`` (the
        message names the table size and the Monte Carlo alternatives).

    Examples
    --------
    >>> round(fisher_exact([[17, 21], [3, 15]]).pvalue, 4)  # R: 0.0715
    0.0715
    >>> round(fisher_exact([[10, 21, 7], [10, 7, 1]]).pvalue, 4)  # R: 0.1161
    0.1161
    >>> pbc = [[216, 22, 116], [15, 3, 26], [1, 0, 19]]  # table(pbc$edema, pbc$status)
    >>> f"{fisher_exact(pbc).pvalue:.6e}"  # R: 1.954716e-08
    '1.954716e-08'
    """
    arr = as_table(table)
    pvalue = float(np.exp(fisher_network_logp(arr, max_work=max_tables)))
    return TestResult("fisher.test", float("nan"), pvalue)


def chisq_test(table: object, correct: bool = True) -> TestResult:
    """Pearson's chi-square test of independence.

    Matches R's ``chisq.test(table, correct = correct)``: the Yates continuity
    correction (``min(0.5, |O - E|)``) is applied only to 2×2 tables, and only when
    ``correct=True`` (R's default).

    Parameters
    ----------
    table : array-like
        Table of non-negative whole counts, at least 2×2.
    correct : bool
        Apply Yates' correction to 2×2 tables.

    Returns
    -------
    TestResult
        ``method`` is ``"chisq.test"`` or ``"chisq.test(correct = FALSE)"``.

    Examples
    --------
    >>> round(chisq_test([[17, 21], [3, 15]], correct=False).pvalue, 4)  # R: 0.0406
    0.0406
    >>> round(chisq_test([[17, 21], [3, 15]]).pvalue, 4)  # R: 0.0803
    0.0803
    """
    arr = as_table(table)
    stat, p, _, _ = stats.chi2_contingency(arr, correction=correct)
    method = "chisq.test" if correct else "chisq.test(correct = FALSE)"
    return TestResult(method, float(stat), float(p))


def fisher_midp(table: object) -> TestResult:
    """Mid-P exact test of a 2×2 table, two-sided, as ``epitools::ormidp.test``.

    With the margins fixed, the count ``a`` of the first cell is hypergeometric;
    each one-sided mid-P counts the observed table half
    (``phyper(a - 1) + dhyper(a) / 2`` and its upper twin) and the two-sided P is
    twice the smaller, capped at 1.

    Examples
    --------
    >>> round(fisher_midp([[17, 21], [3, 15]]).pvalue, 4)
    0.0447
    """
    arr = as_table(table)
    if arr.shape != (2, 2):
        raise ValueError(f"table must be 2×2 for the mid-P test, got {arr.shape}")
    a, n = int(arr[0, 0]), int(arr.sum())
    dist = stats.hypergeom(n, int(arr[:, 0].sum()), int(arr[0].sum()))
    half = 0.5 * dist.pmf(a)
    lower, upper = dist.cdf(a) - half, dist.sf(a) + half
    return TestResult("mid-p (ormidp.test)", float("nan"), float(min(1.0, 2 * min(lower, upper))))


def expected_counts(table: object) -> np.ndarray:
    """Expected cell counts under independence (``chisq.test(x)$expected`` in R).

    Examples
    --------
    >>> expected_counts([[1, 3], [3, 1]])
    array([[2., 2.],
           [2., 2.]])
    """
    arr = as_table(table)
    return np.outer(arr.sum(axis=1), arr.sum(axis=0)) / arr.sum()


def gtsummary_test(table: object) -> TestResult:
    """The test R's gtsummary picks by default for a categorical row.

    ``gtsummary::add_p()`` uses ``chisq.test(correct = FALSE)`` unless any
    expected count is below 5, and then ``fisher.test``.

    Examples
    --------
    >>> gtsummary_test([[28, 10], [14, 4]]).method
    'fisher.test'
    >>> gtsummary_test([[30, 20], [20, 30]]).method
    'chisq.test(correct = FALSE)'
    """
    if (expected_counts(table) < 5).any():
        return fisher_exact(table)
    return chisq_test(table, correct=False)


def test_battery(table: object) -> pd.DataFrame:
    """Run every categorical test on one table, side by side.

    Returns
    -------
    pandas.DataFrame
        One row per test: ``test``, ``statistic``, ``pvalue``.

    Examples
    --------
    >>> test_battery([[17, 21], [3, 15]])["test"].tolist()[3:]
    ['mid-p (ormidp.test)', 'gtsummary default']

    The mid-P test is defined for 2×2 tables only and is left out of larger ones.
    """
    results = [fisher_exact(table), chisq_test(table, correct=False), chisq_test(table)]
    if np.shape(table) == (2, 2):
        results.append(fisher_midp(table))
    rows = [(r.method, r.statistic, r.pvalue) for r in results]
    g = gtsummary_test(table)
    rows.append(("gtsummary default", g.statistic, g.pvalue))
    return pd.DataFrame(rows, columns=["test", "statistic", "pvalue"])


test_battery.__test__ = False  # type: ignore[attr-defined]
