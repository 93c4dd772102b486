"""Gauthier 2021: a second CD19 CAR T infusion in CLL, read from a lay summary (seed 004).

The summary prints counts (3 of 9 responded, 2 in CR, 3 of 3 responders uMRD, 6 of 9
bulky), two medians and an "average" number of prior lines. Counts are inputs; each
comes here with its exact (Clopper-Pearson) interval, R's ``binom.test``, which the
summary does not print. "All three responders had Cy-Flu" leaves the non-responders'
count open: :func:`cyflu_fisher_range` computes Fisher's P for every split the text
allows.
"""

from __future__ import annotations

import pandas as pd

from carbook.data import load_counts
from carbook.records import reproduction, reproductions
from carbook.studies.common import from_synthetic
from carbook.tables import CI_METHODS, fisher_exact, proportion_ci

__all__ = ["CI_METHOD", "ci_ladder", "cyflu_fisher_range", "proportions", "reproduce"]

STUDY = "gauthier2021"
#: the exact interval, R's binom.test(x, n)$conf.int; the summary prints none
CI_METHOD = "clopper_pearson"


def proportions(conf: float = 0.95) -> pd.DataFrame:
    """Each printed count with a denominator, as a percent with its exact interval.

    Matches R's ``binom.test(x, n, conf.level = conf)$conf.int`` (Clopper-Pearson).

    Returns
    -------
    pandas.DataFrame
        ``claim_id``, ``event``, ``x``, ``n``, ``percent``, ``low``, ``high`` (percent)
        and ``width`` (high - low, percentage points).

    Examples
    --------
    >>> p = proportions().set_index("claim_id")
    >>> int(p.loc["responders_n", "x"]), int(p.loc["responders_n", "n"])
    (3, 9)
    >>> p.loc["responders_n", ["percent", "low", "high"]].astype(float).round(1).tolist()
    [33.3, 7.5, 70.1]
    """
    counts = load_counts(STUDY)
    counts = counts[counts["denominator"].notna() & (counts["count_claim"] != "")]
    rows = []
    for row in counts.itertuples():
        x, n = int(row.value), int(row.denominator)
        est, lo, hi = proportion_ci(x, n, CI_METHOD, conf)
        rows.append(
            {
                "claim_id": row.count_claim,
                "event": row.event,
                "x": x,
                "n": n,
                "percent": 100 * est,
                "low": 100 * lo,
                "high": 100 * hi,
            }
        )
    out = pd.DataFrame(rows)
    out["width"] = out["high"] - out["low"]
    return out


def ci_ladder(x: int, n: int, factors: tuple[int, ...] = (1, 2, 4, 10)) -> pd.DataFrame:
    """The exact 95% CI of ``x`` of ``n``, and of the same rate with ``factor`` times more patients.

    What a small study's rate can say: the width of R's ``binom.test(x * f, n * f)``
    interval for each factor ``f`` (it shrinks roughly as 1/sqrt(n)).

    Returns
    -------
    pandas.DataFrame
        ``label`` ("x/n"), ``estimate``, ``low``, ``high`` and ``width`` (percent),
        ready for :func:`carbook.plots.interval_plot`.

    Raises
    ------
    ValueError
        If ``x > n``, ``n == 0``, a count is negative, or a factor is below 1.

    Examples
    --------
    >>> ladder = ci_ladder(3, 9)
    >>> ladder["label"].tolist()
    ['3/9', '6/18', '12/36', '30/90']
    >>> ladder["width"].round(1).tolist()
    [62.6, 45.7, 32.4, 20.3]
    """
    if min(factors) < 1:
        raise ValueError(f"factors must be at least 1, got {factors}")
    rows = []
    for f in factors:
        est, lo, hi = proportion_ci(x * f, n * f, CI_METHOD)
        rows.append(
            {"label": f"{x * f}/{n * f}", "estimate": 100 * est, "low": 100 * lo, "high": 100 * hi}
        )
    out = pd.DataFrame(rows)
    out["width"] = out["high"] - out["low"]
    return out


def _fisher_p(table: list[list[int]]) -> float:
    """``fisher.test(table)$p.value``; 1 when a margin is empty (R's 2x2 answer there)."""
    if min(sum(r) for r in table) == 0 or min(map(sum, zip(*table, strict=True))) == 0:
        return 1.0
    return fisher_exact(table).pvalue


def cyflu_fisher_range(responders: int = 3, n: int = 9) -> pd.DataFrame:
    """Fisher's P for Cy-Flu vs response under every split the summary allows.

    All ``responders`` had Cy-Flu before both infusions; how many of the ``n -
    responders`` non-responders did is not printed. For each possible number ``k``
    the 2x2 table is ``[[responders, 0], [k, n - responders - k]]`` (rows: response
    yes/no; columns: Cy-Flu yes/no) and P is R's ``fisher.test(table)$p.value``.
    When every patient had Cy-Flu (``k = n - responders``) the table has an empty
    column, nothing is compared, and R's 2x2 answer is 1.

    Raises
    ------
    ValueError
        If ``responders`` or ``n`` is negative, or ``responders > n``.

    Examples
    --------
    >>> r = cyflu_fisher_range()
    >>> r["nonresponders_cyflu"].tolist()
    [0, 1, 2, 3, 4, 5, 6]
    >>> round(float(r["p"].min()), 4), float(r["p"].max())  # min 1/choose(9, 3): none had it
    (0.0119, 1.0)
    """
    if responders < 0 or n < responders:
        raise ValueError(f"need 0 <= responders <= n, got responders={responders}, n={n}")
    rest = n - responders
    rows = []
    for k in range(rest + 1):
        table = [[responders, 0], [k, rest - k]]
        rows.append(
            {
                "nonresponders_cyflu": k,
                "cyflu_total": responders + k,
                "table": str(table),
                "p": _fisher_p(table),
            }
        )
    return pd.DataFrame(rows)


def _count_rows() -> list[dict[str, object]]:
    """Primary counts (inputs); those with a denominator carry their exact CI in words."""
    counts = load_counts(STUDY)
    ci = proportions().set_index("claim_id")
    rows = []
    for row in counts[counts["count_claim"] != ""].itertuples():
        how = "primary count"
        if row.count_claim in ci.index:
            p = ci.loc[row.count_claim]
            how += (
                f"; {p['x']}/{p['n']} = {p['percent']:.1f}%, 95% CI {p['low']:.1f} to "
                f"{p['high']:.1f}% ({CI_METHOD}: {CI_METHODS[CI_METHOD]}; not printed)"
            )
        rows.append(reproduction(row.count_claim, row.value, method=how, basis="input"))
    return rows


def reproduce() -> pd.DataFrame:
    """Every gauthier2021 number the summary allows.

    The counts are inputs; the two medians come from the SYNTHETIC cohort; the
    "average of six prior lines" is not reproducible (no per-patient data) and so
    has no row.

    Examples
    --------
    >>> rep = reproduce().set_index("claim_id")
    >>> rep.loc["responders_n", "basis"], rep.loc["pfs_median", "basis"]
    ('input', 'synthetic')
    >>> "prior_lines_average" in rep.index
    False
    """
    return reproductions(_count_rows() + from_synthetic(STUDY))
