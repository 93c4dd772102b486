"""Table 1 machinery: proportion confidence intervals and tests for contingency tables.

Every function names the R function whose default it matches. The reference values
are produced by ``tests/r/tables_reference.R`` and committed in
``tests/fixtures/tables_reference.csv``; the tests compare against that file, so
they never need R.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from scipy import special, stats
from statsmodels.stats.proportion import proportion_confint

__all__ = [
    "CI_METHODS",
    "TestResult",
    "chisq_test",
    "fisher_exact",
    "fisher_midp",
    "gtsummary_test",
    "median_test",
    "proportion_ci",
    "sign_test",
    "wilcoxon_ranksum",
    "wilcoxon_signed_rank",
]

CIMethod = Literal[
    "wald",
    "wald_cc",
    "wilson",
    "wilson_cc",
    "clopper_pearson",
    "agresti_coull",
    "jeffreys",
    "t_mean",
]

#: Proportion CI methods, each with the R call (or formula) it reproduces.
CI_METHODS: dict[str, str] = {
    "wald": "p ± z·sqrt(p(1-p)/n)  (no base R function; the textbook formula)",
    "wald_cc": "p ± (z·sqrt(p(1-p)/n) + 1/(2n))  (Wald with continuity correction)",
    "wilson": "prop.test(x, n, correct = FALSE)$conf.int",
    "wilson_cc": "prop.test(x, n, correct = TRUE)$conf.int  (R's default prop.test)",
    "clopper_pearson": "binom.test(x, n)$conf.int  (exact)",
    "agresti_coull": "add z²/2 successes and failures, then Wald",
    "jeffreys": "qbeta(c(a/2, 1-a/2), x + 0.5, n - x + 0.5)",
    "t_mean": "t.test(c(rep(1, x), rep(0, n - x)))$conf.int  (0/1 outcome treated as a mean)",
}

# R's fisher.test counts tables whose probability is within this relative error of
# the observed one as "equally extreme" (relErr <- 1 + 10^(-7)).
_R_REL_ERR = 1 + 1e-7


@dataclass(frozen=True)
class TestResult:
    """Result of a hypothesis test, in R's vocabulary.

    Attributes
    ----------
    method : str
        The R call the result matches, e.g. ``"fisher.test"``.
    statistic : float
        Test statistic (NaN for exact tests that have none).
    pvalue : float
        Two-sided P value.
    """

    __test__ = False  # not a pytest test class, despite the name

    method: str
    statistic: float
    pvalue: float


def _check_count(x: int, name: str) -> int:
    if isinstance(x, bool) or not float(x).is_integer():
        raise ValueError(f"{name} must be a whole number, got {x!r}")
    if x < 0:
        raise ValueError(f"{name} must be non-negative, got {x!r}")
    return int(x)


def _wilson_cc(x: int, n: int, z: float) -> tuple[float, float]:
    """Wilson score interval with continuity correction, as in R's ``prop.test``."""
    p = x / n
    yates = min(0.5, abs(x - n * 0.5))  # R: YATES <- min(0.5, abs(x - n * p0)), p0 = 0.5
    z2 = z * z

    def bound(sign: int) -> float:
        pc = p + sign * yates / n
        if (sign < 0 and pc <= 0) or (sign > 0 and pc >= 1):
            return 0.0 if sign < 0 else 1.0
        centre = pc + z2 / (2 * n)
        half = z * np.sqrt(pc * (1 - pc) / n + z2 / (4 * n * n))
        return float((centre + sign * half) / (1 + z2 / n))

    return bound(-1), bound(+1)


def _wald(x: int, n: int, alpha: float, cc: bool = False) -> tuple[float, float]:
    p = x / n
    half = stats.norm.ppf(1 - alpha / 2) * np.sqrt(p * (1 - p) / n) + (1 / (2 * n) if cc else 0)
    return p - half, p + half


def _t_mean(x: int, n: int, alpha: float) -> tuple[float, float]:
    p = x / n
    se = np.sqrt(p * (1 - p) / (n - 1))  # sd of the 0/1 vector (n - 1 divisor) / sqrt(n)
    half = stats.t.ppf(1 - alpha / 2, n - 1) * se
    return p - half, p + half


def _statsmodels(method: str) -> Callable[[int, int, float], tuple[float, float]]:
    return lambda x, n, alpha: proportion_confint(x, n, alpha=alpha, method=method)


_CI_BOUNDS: dict[str, Callable[[int, int, float], tuple[float, float]]] = {
    "wald": _wald,
    "wald_cc": lambda x, n, alpha: _wald(x, n, alpha, cc=True),
    "wilson": _statsmodels("wilson"),
    "wilson_cc": lambda x, n, alpha: _wilson_cc(x, n, stats.norm.ppf(1 - alpha / 2)),
    "clopper_pearson": _statsmodels("beta"),
    "agresti_coull": _statsmodels("agresti_coull"),
    "jeffreys": _statsmodels("jeffreys"),
    "t_mean": _t_mean,
}


def proportion_ci(
    x: int, n: int, method: CIMethod = "clopper_pearson", conf: float = 0.95
) -> tuple[float, float, float]:
    """Estimate a proportion with a two-sided confidence interval.

    Parameters
    ----------
    x : int
        Number of successes (0 <= x <= n).
    n : int
        Number of trials (> 0).
    method : str
        One of :data:`CI_METHODS`. Default ``"clopper_pearson"`` matches R's
        ``binom.test(x, n)$conf.int``; ``"wilson_cc"`` matches R's default
        ``prop.test``; ``"t_mean"`` matches ``t.test`` on a 0/1 vector.
    conf : float
        Confidence level, strictly between 0 and 1.

    Returns
    -------
    tuple of float
        ``(estimate, low, high)`` as proportions (not percent). Wald-type bounds are
        not truncated to [0, 1], as in the textbook formula.

    Raises
    ------
    ValueError
        If a count is negative or not whole, ``x > n``, ``n == 0``, or the method
        or ``conf`` is unknown or out of range.

    Examples
    --------
    >>> est, lo, hi = proportion_ci(34, 43, method="clopper_pearson")
    >>> round(est, 4), round(lo, 4), round(hi, 4)
    (0.7907, 0.6396, 0.8996)
    >>> proportion_ci(5, 3)
    Traceback (most recent call last):
    ...
    ValueError: x (5) must not exceed n (3)
    """
    x, n = _check_count(x, "x"), _check_count(n, "n")
    if n == 0:
        raise ValueError("n must be positive")
    if x > n:
        raise ValueError(f"x ({x}) must not exceed n ({n})")
    if not 0 < conf < 1:
        raise ValueError(f"conf must be strictly between 0 and 1, got {conf!r}")
    if method not in CI_METHODS:
        raise ValueError(f"method must be one of {sorted(CI_METHODS)}, got {method!r}")
    if method == "t_mean" and n < 2:
        raise ValueError("method 't_mean' needs n >= 2")
    lo, hi = _CI_BOUNDS[method](x, n, 1 - conf)
    p = x / n
    return float(p), float(lo), float(hi)


def _as_table(table: object, name: str = "table") -> np.ndarray:
    arr = np.asarray(table, dtype=float)
    if arr.ndim != 2 or min(arr.shape) < 2:
        raise ValueError(f"{name} must be a 2-D table with at least 2 rows and 2 columns")
    if np.isnan(arr).any():
        raise ValueError(f"{name} contains NaN")
    if (arr < 0).any():
        raise ValueError(f"{name} contains negative counts")
    if not np.all(arr == np.round(arr)):
        raise ValueError(f"{name} must hold whole-number counts")
    if (arr.sum(axis=0) == 0).any() or (arr.sum(axis=1) == 0).any():
        raise ValueError(f"{name} has an empty row or column")
    return arr.astype(int)


def _log_table_prob(cells: np.ndarray, log_const: float) -> np.ndarray:
    """Log multivariate-hypergeometric probability of tables (last axes = cells)."""
    return log_const - special.gammaln(cells + 1).sum(axis=-1)


def _compositions(total: int, caps: np.ndarray) -> list[tuple[int, ...]]:
    """All vectors v with 0 <= v <= caps and sum(v) == total."""
    ranges = [range(min(int(c), total) + 1) for c in caps[:-1]]
    out = []
    for head in itertools.product(*ranges):
        last = total - sum(head)
        if 0 <= last <= caps[-1]:
            out.append((*head, last))
    return out


def _enumerate_tables(rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """Every r×c table with the given margins, flattened row by row."""
    tables: list[tuple[int, ...]] = [()]
    remaining = [tuple(cols)]
    for r in rows[:-1]:
        new_tables, new_remaining = [], []
        for tab, rem in zip(tables, remaining, strict=True):
            for row in _compositions(int(r), np.array(rem)):
                new_tables.append(tab + row)
                new_remaining.append(tuple(a - b for a, b in zip(rem, row, strict=True)))
        tables, remaining = new_tables, new_remaining
    return np.array([t + rem for t, rem in zip(tables, remaining, strict=True)])


def fisher_exact(table: object, max_tables: int = 2_000_000) -> TestResult:
    """Fisher's exact test for an r×c table, two-sided, by full enumeration.

    Matches R's ``fisher.test(table)$p.value``: the P value sums the probabilities
    of all tables with the observed margins that are no more probable than the
    observed table (with R's relative tolerance ``1 + 1e-7``). For 2×2 tables this
    equals ``scipy.stats.fisher_exact``; unlike ``scipy.stats`` for r×c (a Monte
    Carlo estimate that changes between calls) the answer here is exact and stable.

    Parameters
    ----------
    table : array-like
        Table of non-negative whole counts, at least 2×2, no empty row or column.
    max_tables : int
        Refuse tables whose enumeration would exceed this many candidates.

    Returns
    -------
    TestResult
        ``method="fisher.test"``, ``statistic`` NaN.

    Raises
    ------
    ValueError
        On a malformed table, or when the enumeration would be too large.

    Examples
    --------
    >>> round(fisher_exact([[17, 21], [3, 15]]).pvalue, 4)  # R: 0.0715
    0.0715
    >>> round(fisher_exact([[10, 21, 7], [10, 7, 1]]).pvalue, 4)  # R: 0.1161
    0.1161
    """
    arr = _as_table(table)
    rows, cols = arr.sum(axis=1), arr.sum(axis=0)
    if len(rows) > len(cols):  # enumerate over the shorter margin
        arr, rows, cols = arr.T, cols, rows
    size = np.prod([special.comb(r + len(cols) - 1, len(cols) - 1) for r in rows[:-1]])
    if size > max_tables:
        raise ValueError(f"table too large to enumerate (~{size:.0f} candidate tables)")
    n = arr.sum()
    log_const = (
        special.gammaln(rows + 1).sum() + special.gammaln(cols + 1).sum() - special.gammaln(n + 1)
    )
    all_tables = _enumerate_tables(rows, cols)
    logp = _log_table_prob(all_tables, log_const)
    logp_obs = _log_table_prob(arr.ravel(), log_const)
    keep = logp <= logp_obs + np.log(_R_REL_ERR)
    pvalue = float(min(1.0, np.exp(logp[keep]).sum()))
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
    arr = _as_table(table)
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
    arr = _as_table(table)
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
    arr = _as_table(table)
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

    Examples
    --------
    >>> round(wilcoxon_ranksum([1.1, 2.2, 3.3, 4.4], [5.5, 6.6, 7.7]).pvalue, 4)
    0.0571
    >>> round(wilcoxon_ranksum([1.1, 2.2, 3.3, 4.4], [5.5, 6.6, 7.7], exact=False).pvalue, 4)
    0.0518
    """
    xs = _check_sample(x, "x")
    ys = _check_sample(y, "y")
    ties = len(np.unique(np.concatenate([xs, ys]))) < len(xs) + len(ys)
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
    xs, ys = _check_sample(x, "x"), _check_sample(y, "y")
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
    xs, ys = _check_sample(x, "x"), _check_sample(y, "y")
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
    xs, ys = _check_sample(x, "x"), _check_sample(y, "y")
    if len(xs) != len(ys):
        raise ValueError(f"x and y must have equal length, got {len(xs)} and {len(ys)}")
    d = xs - ys
    pos, n = int((d > 0).sum()), int((d != 0).sum())
    if n == 0:
        raise ValueError("all paired differences are zero")
    return TestResult("sign test (binom.test)", float(pos), float(stats.binomtest(pos, n).pvalue))


def _check_sample(values: object, name: str) -> np.ndarray:
    arr = np.asarray(values, dtype=float).ravel()
    if arr.size == 0:
        raise ValueError(f"{name} must not be empty")
    if not np.isfinite(arr).all():
        raise ValueError(f"{name} contains NaN or infinite values")
    return arr


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
