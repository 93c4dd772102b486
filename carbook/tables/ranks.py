"""Wilcoxon rank tests, matched to R's ``wilcox.test`` defaults."""

from __future__ import annotations

import numpy as np
from scipy import stats

from carbook.tables._common import TestResult, check_sample

__all__ = ["wilcoxon_ranksum", "wilcoxon_signed_rank"]


def wilcoxon_ranksum(x: object, y: object) -> TestResult:
    """Wilcoxon rank-sum (Mann-Whitney) test, two-sided.

    Matches R's ``wilcox.test(x, y)`` defaults: the exact distribution when both
    samples have fewer than 50 values and there are no ties; otherwise the normal
    approximation with tie correction and continuity correction.

    Parameters
    ----------
    x, y : array-like
        Two samples of finite numbers, each non-empty.

    Returns
    -------
    TestResult
        ``statistic`` is R's W (the rank sum of ``x`` minus ``n_x(n_x+1)/2``).
        When every value is tied R prints ``p-value = NA``; the P value is NaN.

    Examples
    --------
    >>> round(wilcoxon_ranksum([1.1, 2.2, 3.3, 4.4], [5.5, 6.6, 7.7]).pvalue, 4)
    0.0571
    """
    xs = check_sample(x, "x")
    ys = check_sample(y, "y")
    pooled = np.concatenate([xs, ys])
    if (pooled == pooled[0]).all():  # R: variance 0, "p-value = NA"
        w = len(xs) * len(ys) / 2
        return TestResult("wilcox.test", float(w), float("nan"))
    ties = len(np.unique(pooled)) < len(xs) + len(ys)
    exact = len(xs) < 50 and len(ys) < 50 and not ties
    res = stats.mannwhitneyu(
        xs,
        ys,
        alternative="two-sided",
        use_continuity=True,
        method="exact" if exact else "asymptotic",
    )
    return TestResult("wilcox.test", float(res.statistic), float(res.pvalue))


def wilcoxon_signed_rank(x: object, y: object) -> TestResult:
    """Wilcoxon signed-rank test of paired samples, two-sided.

    Matches R's ``wilcox.test(x, y, paired = TRUE)`` defaults: zero differences are
    dropped; the exact distribution is used when fewer than 50 non-zero differences
    remain and there are neither ties nor zeros, otherwise the normal approximation
    with tie and continuity correction.

    Parameters
    ----------
    x, y : array-like
        Paired samples of equal length with at least one non-zero difference.

    Returns
    -------
    TestResult
        ``statistic`` is R's V, the rank sum of the positive differences.

    Raises
    ------
    ValueError
        On unequal lengths, NaN, or no non-zero difference.

    Examples
    --------
    >>> round(wilcoxon_signed_rank([1, 2, 3, 4, 5, 6], [1.5, 2.5, 2.5, 5, 4, 7.5]).pvalue, 4)
    0.4568
    """
    xs, ys = check_sample(x, "x"), check_sample(y, "y")
    if len(xs) != len(ys):
        raise ValueError(f"x and y must have equal length, got {len(xs)} and {len(ys)}")
    d = xs - ys
    zeros = bool((d == 0).any())
    d = d[d != 0]
    if d.size == 0:
        raise ValueError("all paired differences are zero")
    ranks = stats.rankdata(np.abs(d))
    ties = len(np.unique(ranks)) < len(ranks)
    exact = len(d) < 50 and not ties and not zeros
    res = stats.wilcoxon(d, method="exact" if exact else "approx", correction=True)
    return TestResult("wilcox.test(paired = TRUE)", float(ranks[d > 0].sum()), float(res.pvalue))
