"""Rank and median tests of two samples, matched to R's ``wilcox.test`` and friends."""

from __future__ import annotations

import numpy as np
from scipy import stats

from carbook.tables._common import TestResult, check_sample
from carbook.tables.contingency import chisq_test, fisher_exact

__all__ = ["median_test", "sign_test", "wilcoxon_ranksum", "wilcoxon_signed_rank"]


def _wilcox_name(base: str, exact: bool | None, correct: bool) -> str:
    args = [
        a for a, on in (("exact = FALSE", exact is False), ("correct = FALSE", not correct)) if on
    ]
    args = (["paired = TRUE"] if base == "paired" else []) + args
    return f"wilcox.test({', '.join(args)})" if args else "wilcox.test"


def wilcoxon_ranksum(
    x: object, y: object, exact: bool | None = None, correct: bool = True
) -> TestResult:
    """Wilcoxon rank-sum (Mann-Whitney) test, two-sided.

    Matches R's ``wilcox.test(x, y, exact = exact, correct = correct)``: by default
    (``exact=None``) the exact distribution when both samples have fewer than 50
    values; with ties R cannot be exact and uses the normal approximation with tie
    correction, and continuity correction unless ``correct=False``.

    Parameters
    ----------
    x, y : array-like
        Two samples of finite numbers, each non-empty.
    exact : bool, optional
        ``False`` forces the normal approximation (R's ``exact = FALSE``).
    correct : bool
        Continuity correction of the normal approximation (R's ``correct``).

    Returns
    -------
    TestResult
        ``statistic`` is R's W (the rank sum of ``x`` minus ``n_x(n_x+1)/2``);
        ``method`` the R call, e.g. ``"wilcox.test(exact = FALSE)"``.
        When every value is tied R prints ``p-value = NA``; the P value is NaN.

    Examples
    --------
    >>> round(wilcoxon_ranksum([1.1, 2.2, 3.3, 4.4], [5.5, 6.6, 7.7]).pvalue, 4)
    0.0571
    >>> round(wilcoxon_ranksum([1.1, 2.2, 3.3, 4.4], [5.5, 6.6, 7.7], exact=False).pvalue, 4)
    0.0518
    """
    xs = check_sample(x, "x")
    ys = check_sample(y, "y")
    pooled = np.concatenate([xs, ys])
    if (pooled == pooled[0]).all():  # R: variance 0, "p-value = NA"
        w = len(xs) * len(ys) / 2
        return TestResult(_wilcox_name("two-sample", exact, correct), float(w), float("nan"))
    ties = len(np.unique(pooled)) < len(xs) + len(ys)
    use_exact = (len(xs) < 50 and len(ys) < 50 if exact is None else exact) and not ties
    res = stats.mannwhitneyu(
        xs,
        ys,
        alternative="two-sided",
        use_continuity=correct,
        method="exact" if use_exact else "asymptotic",
    )
    name = _wilcox_name("two-sample", exact, correct)
    return TestResult(name, float(res.statistic), float(res.pvalue))


def wilcoxon_signed_rank(
    x: object, y: object, exact: bool | None = None, correct: bool = True
) -> TestResult:
    """Wilcoxon signed-rank test of paired samples, two-sided.

    Matches R's ``wilcox.test(x, y, paired = TRUE, exact = exact, correct = correct)``:
    zero differences are dropped; by default the exact distribution is used when
    fewer than 50 non-zero differences remain and there are neither ties nor zeros,
    otherwise the normal approximation with tie correction, and continuity
    correction unless ``correct=False``.

    Parameters
    ----------
    x, y : array-like
        Paired samples of equal length with at least one non-zero difference.
    exact : bool, optional
        ``False`` forces the normal approximation (R's ``exact = FALSE``).
    correct : bool
        Continuity correction of the normal approximation (R's ``correct``).

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
    use_exact = (len(d) < 50 if exact is None else exact) and not ties and not zeros
    res = stats.wilcoxon(d, method="exact" if use_exact else "approx", correction=correct)
    name = _wilcox_name("paired", exact, correct)
    return TestResult(name, float(ranks[d > 0].sum()), float(res.pvalue))


def median_test(x: object, y: object, test: str = "chisq.test") -> TestResult:
    """Mood's median test: above vs not above the pooled median, by sample.

    Builds the 2×2 table of values above the pooled median (R's ``median``) and
    values at or below it, for ``x`` and ``y``, and tests it with ``test``:
    ``"chisq.test"`` (Yates, as R's ``chisq.test`` default and scipy's
    ``median_test``), ``"chisq.test(correct = FALSE)"`` or ``"fisher.test"``.
    R: ``chisq.test(table(c(x, y) > median(c(x, y)), rep(1:2, c(nx, ny))))``.

    Examples
    --------
    >>> median_test([1, 2, 3, 4, 5], [6, 7, 8, 9, 10]).method
    'median test (chisq.test)'
    """
    xs, ys = check_sample(x, "x"), check_sample(y, "y")
    tests = {
        "chisq.test": lambda t: chisq_test(t),
        "chisq.test(correct = FALSE)": lambda t: chisq_test(t, correct=False),
        "fisher.test": fisher_exact,
    }
    if test not in tests:
        raise ValueError(f"test must be one of {sorted(tests)}, got {test!r}")
    grand = np.median(np.concatenate([xs, ys]))
    table = np.array([[(s > grand).sum(), (s <= grand).sum()] for s in (xs, ys)])
    if (table.sum(axis=0) == 0).any():
        return TestResult(f"median test ({test})", float("nan"), 1.0)
    res = tests[test](table)
    return TestResult(f"median test ({test})", res.statistic, res.pvalue)


def sign_test(x: object, y: object) -> TestResult:
    """Sign test of paired samples: ``binom.test(sum(d > 0), sum(d != 0))``, two-sided.

    Examples
    --------
    >>> sign_test([2, 3, 4, 5, 6], [1, 1, 1, 1, 1]).pvalue
    0.0625
    """
    xs, ys = check_sample(x, "x"), check_sample(y, "y")
    if len(xs) != len(ys):
        raise ValueError(f"x and y must have equal length, got {len(xs)} and {len(ys)}")
    d = xs - ys
    pos, n = int((d > 0).sum()), int((d != 0).sum())
    if n == 0:
        raise ValueError("all paired differences are zero")
    return TestResult("sign test (binom.test)", float(pos), float(stats.binomtest(pos, n).pvalue))
