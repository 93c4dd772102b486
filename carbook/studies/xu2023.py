"""Xu 2023: a second CD19 CAR T infusion (CART2) in B-ALL (seed 002, abstract only).

Every count and percentage of the abstract is recomputed from ``counts.csv``. The
abstract prints no confidence interval: the book shows the exact (Clopper-Pearson)
interval of R's ``binom.test``, its own choice, not the authors'. Its two CART2 vs
CART1 P values name no test; :func:`detective` runs the battery of
:func:`carbook.tables.test_battery` on both 2×2 tables and :func:`verdict` keeps the
one test that prints both (so it is selected *because* it matches). The 3-group
adjusted comparison prints no P: :func:`three_group_test` is an illustration of an
r×c exact test, not a reproduction. The survival numbers come from the SYNTHETIC
cohort (:func:`carbook.studies.common.from_synthetic`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from lifelines.statistics import logrank_test

from carbook.data import load_counts
from carbook.published import load_published, printed_interval
from carbook.records import reproduction, reproductions
from carbook.studies.common import from_counts, from_synthetic
from carbook.tables import CI_METHODS, chisq_test, fisher_exact, proportion_ci, test_battery

__all__ = [
    "CI_METHOD",
    "COMPARISONS",
    "OS_COMPARISONS",
    "SURVIVAL_TESTS",
    "THREE_GROUPS",
    "comparison_table",
    "curves",
    "denominator_check",
    "detective",
    "findings",
    "os_groups",
    "os_test",
    "proportions",
    "reproduce",
    "three_group_table",
    "three_group_test",
    "verdict",
]

STUDY = "xu2023"

#: the book's CI for every proportion (the abstract prints none): exact, binom.test
CI_METHOD = "clopper_pearson"

#: printed P claim -> (label, event in CART2, event in CART1, CART2 size, CART1 size)
COMPARISONS: dict[str, tuple[str, str, str, str, str]] = {
    "cr_cart2_vs_cart1_p": (
        "complete remission",
        "cr_cart2",
        "cr_cart1",
        "cart2",
        "cart1_evaluable",
    ),
    "severe_crs_p": ("severe CRS", "crs_g3", "severe_crs_cart1", "cart2", "cart1_evaluable"),
}

#: the adjusted comparison of sentence 9: label -> (responders, group size) events
THREE_GROUPS: dict[str, tuple[str, str]] = {
    "CART2 after alloHSCT": ("cr_adj_postallo", "adj_postallo"),
    "CART2 without alloHSCT": ("cr_adj_noallo_cart2", "adj_noallo_cart2"),
    "non-CART2 without alloHSCT": ("cr_adj_noallo_other", "adj_noallo_other"),
}


def _values() -> pd.Series:
    return load_counts(STUDY).set_index("event")["value"].astype(int)


def proportions() -> pd.DataFrame:
    """Every printed percentage, recomputed, with the book's exact 95% CI.

    Returns
    -------
    pandas.DataFrame
        ``claim_id``, ``x``, ``n``, ``printed``, ``percent``, ``low``, ``high``
        (percent), ``prints`` (the percent prints as published) and ``ci_method``.

    Examples
    --------
    >>> p = proportions().set_index("claim_id")
    >>> row = p.loc["cr_cart2_pct"]
    >>> int(row["x"]), int(row["n"]), row["printed"]
    (14, 26, '53.8')
    >>> round(float(row["low"]), 1), round(float(row["high"]), 1)
    (33.4, 73.4)
    """
    counts = load_counts(STUDY)
    counts = counts[counts["percent_claim"] != ""]
    reg = load_published(STUDY).set_index("id")
    rows = []
    for row in counts.itertuples():
        x, n = int(row.value), int(row.denominator)
        est, lo, hi = proportion_ci(x, n, CI_METHOD)
        printed = reg.loc[row.percent_claim, "value"]
        a, b = printed_interval(printed)
        rows.append(
            (row.percent_claim, x, n, printed, 100 * est, 100 * lo, 100 * hi, a <= 100 * est < b)
        )
    cols = ["claim_id", "x", "n", "printed", "percent", "low", "high", "prints"]
    out = pd.DataFrame(rows, columns=cols)
    out["ci_method"] = CI_METHODS[CI_METHOD]
    return out


def comparison_table(p_claim: str) -> np.ndarray:
    """The 2×2 table (rows CART2, CART1; columns event, no event) behind a printed P.

    Raises
    ------
    ValueError
        If ``p_claim`` is not one of :data:`COMPARISONS`.

    Examples
    --------
    >>> comparison_table("cr_cart2_vs_cart1_p").tolist()
    [[14, 12], [64, 15]]
    """
    if p_claim not in COMPARISONS:
        raise ValueError(f"p_claim must be one of {sorted(COMPARISONS)}, got {p_claim!r}")
    v = _values()
    _, e2, e1, n2, n1 = COMPARISONS[p_claim]
    return np.array([[v[e2], v[n2] - v[e2]], [v[e1], v[n1] - v[e1]]])


def detective() -> pd.DataFrame:
    """Every test of the battery on both CART2 vs CART1 tables, next to the printed P.

    Returns
    -------
    pandas.DataFrame
        ``p_claim``, ``comparison``, ``table``, ``test``, ``statistic``, ``pvalue``,
        ``printed`` and ``reproduces`` (the P prints as published).

    Examples
    --------
    >>> d = detective()
    >>> d.loc[d["reproduces"] & (d["p_claim"] == "severe_crs_p"), "test"].tolist()
    ['fisher.test', 'chisq.test(correct = FALSE)', 'gtsummary default']
    """
    reg = load_published(STUDY).set_index("id")
    frames = []
    for claim, (label, *_rest) in COMPARISONS.items():
        table = comparison_table(claim)
        battery = test_battery(table)
        printed = reg.loc[claim, "value"]
        lo, hi = printed_interval(printed)
        battery.insert(0, "table", " | ".join(" ".join(map(str, r)) for r in table))
        battery.insert(0, "comparison", label)
        battery.insert(0, "p_claim", claim)
        battery["printed"] = printed
        battery["reproduces"] = battery["pvalue"].between(lo, hi, inclusive="left")
        frames.append(battery)
    return pd.concat(frames, ignore_index=True)


def verdict() -> pd.DataFrame:
    """For each test, how many of the two printed P values it reproduces.

    A test is kept only if it reproduces both; the first such test in the battery's
    order is the one :func:`reproduce` uses (``gtsummary default`` names the rule that
    picks it, so it is reported under its own name).

    Examples
    --------
    >>> v = verdict()
    >>> v.loc[v["both"], "test"].tolist()
    ['chisq.test(correct = FALSE)', 'gtsummary default']
    """
    d = detective()
    out = d.groupby("test", sort=False)["reproduces"].agg(["sum", "size"]).reset_index()
    out = out.rename(columns={"sum": "reproduced", "size": "printed"})
    out["both"] = out["reproduced"] == out["printed"]
    return out


def _p_rows() -> list[dict[str, object]]:
    """The two printed P values by the first test that prints both (selected to match)."""
    v = verdict()
    test = v.loc[v["both"], "test"].iloc[0]
    d = detective()
    rows = []
    for claim in COMPARISONS:
        hit = d[(d["p_claim"] == claim) & (d["test"] == test)].iloc[0]
        how = f"{test} on [{hit['table']}] (CART2 | CART1; event, no event)"
        rows.append(
            reproduction(
                claim,
                hit["pvalue"],
                method=how,
                selected=f"{test}: the first test of the battery that prints both P values",
            )
        )
    return rows


def three_group_table() -> np.ndarray:
    """The 3×2 table of sentence 9 (rows as :data:`THREE_GROUPS`; response, none).

    Examples
    --------
    >>> three_group_table().tolist()
    [[6, 1], [2, 5], [2, 13]]
    """
    v = _values()
    return np.array([[v[x], v[n] - v[x]] for x, n in THREE_GROUPS.values()])


def three_group_test() -> pd.DataFrame:
    """r×c tests of the adjusted comparison: an illustration, no P is printed for it.

    ``fisher.test`` on the 3×2 table (exact, network algorithm) and
    ``chisq.test`` (which R warns about: most expected counts are below 5).

    Examples
    --------
    >>> t = three_group_test().set_index("test")
    >>> round(float(t.loc["fisher.test", "pvalue"]), 4)  # R: fisher.test(three_group_table())
    0.0043
    """
    table = three_group_table()
    res = [fisher_exact(table), chisq_test(table)]
    out = pd.DataFrame([(r.method, r.statistic, r.pvalue) for r in res])
    out.columns = ["test", "statistic", "pvalue"]
    return out


def denominator_check() -> pd.DataFrame:
    """Which CART1 denominator (79 evaluable, or all 84) prints the CART1 percentages.

    Examples
    --------
    >>> denominator_check().set_index("claim_id")["prints_on_79"].all()
    np.True_
    """
    v = _values()
    reg = load_published(STUDY).set_index("id")
    rows = []
    for claim, event in (
        ("cr_cart1_pct", "cr_cart1"),
        ("severe_crs_cart1_pct", "severe_crs_cart1"),
    ):
        printed = reg.loc[claim, "value"]
        lo, hi = printed_interval(printed)
        on79, on84 = (100 * v[event] / v[d] for d in ("cart1_evaluable", "cart1"))
        rows.append((claim, printed, on79, on84, lo <= on79 < hi, lo <= on84 < hi))
    cols = ["claim_id", "printed", "percent_of_79", "percent_of_84", "prints_on_79", "prints_on_84"]
    return pd.DataFrame(rows, columns=cols)


def findings() -> pd.DataFrame:
    """What the abstract leaves open or says twice in conflicting ways, each computed.

    Examples
    --------
    >>> list(findings()["finding"])[:2]
    ['79 of 84', 'overlapping groups']
    """
    v = _values()
    dc = denominator_check()
    excluded = v["cart1"] - v["cart1_evaluable"]
    rows = [
        (
            "79 of 84",
            f"{v['cart1']} received CART1 but the CART1 rates print only over "
            f"{v['cart1_evaluable']} (both print on 79: {bool(dc['prints_on_79'].all())}; "
            f"on 84: {bool(dc['prints_on_84'].any())}); why {excluded} are left out is unpublished",
        ),
        (
            "overlapping groups",
            f"the {v['cart2']} CART2 patients also received CART1, so the CART2 vs CART1 "
            "tests compare groups that share patients; a paired test needs each patient's "
            "two responses, which are unpublished",
        ),
        (
            "garbled sentence",
            "sentence 10 says the median OS after CART2 (not reached) was better than the "
            "median OS after CART2 (3.9 months); read literally it also contradicts sentence "
            "7 (median OS of all CART2 patients 11.2 months); the book reads the first group "
            "as CART2 after alloHSCT in the adjusted comparison",
        ),
        (
            "adjusted subgroup",
            f"after adjusting, the alloHSCT group shrinks from {v['postallo']} to "
            f"{v['adj_postallo']} (8/10 becomes 6/7) with no stated rule",
        ),
    ]
    return pd.DataFrame(rows, columns=["finding", "detail"])


def reproduce() -> pd.DataFrame:
    """Every xu2023 number: counts, percents with exact CIs, the two P values, survival.

    Examples
    --------
    >>> r = reproduce().set_index("claim_id")
    >>> round(float(r.loc["cr_cart1_pct", "reproduced"]), 1), r.loc["n_cart2", "basis"]
    (81.0, 'input')
    """
    rows = from_counts(load_counts(STUDY), CI_METHOD)
    return reproductions(rows + _p_rows() + from_synthetic(STUDY))


#: sentence 10's two OS comparisons (our reading): label -> (P claim, reference group)
OS_COMPARISONS: dict[str, tuple[str, str]] = {
    "CART2 after alloHSCT vs CART2 without": ("os_noallo_cart2_p", "noallo_adj"),
    "CART2 after alloHSCT vs non-CART2 without": ("os_noallo_other_p", "other"),
}

#: label -> lifelines ``logrank_test(weightings=...)``; R: ``survdiff(rho = 0)`` is the
#: log-rank, ``rho = 1`` the Peto-Peto weights
SURVIVAL_TESTS: dict[str, str | None] = {
    "log-rank": None,
    "Gehan-Breslow (Wilcoxon)": "wilcoxon",
    "Tarone-Ware": "tarone-ware",
    "Peto-Peto": "peto",
}

_GROUP_LABELS = {
    "allo_adj": "CART2 after alloHSCT (7)",
    "noallo_adj": "CART2 without alloHSCT (7)",
    "other": "non-CART2 without alloHSCT (15)",
}


def os_groups(cohort: pd.DataFrame, comparison: str) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """The two groups of one OS comparison: label -> (time, event), for a KM figure.

    Parameters
    ----------
    cohort : pandas.DataFrame
        The SYNTHETIC cohort (:func:`carbook.reconstruct.run.load_cohort`).
    comparison : str
        One of :data:`OS_COMPARISONS`.

    Raises
    ------
    ValueError
        If ``comparison`` is unknown.

    Examples
    --------
    >>> from carbook.reconstruct.run import load_cohort
    >>> g = os_groups(load_cohort("xu2023"), "CART2 after alloHSCT vs non-CART2 without")
    >>> [len(t) for t, _ in g.values()]
    [7, 15]
    """
    if comparison not in OS_COMPARISONS:
        raise ValueError(f"comparison must be one of {sorted(OS_COMPARISONS)}, got {comparison!r}")
    out = {}
    for group in ("allo_adj", OS_COMPARISONS[comparison][1]):
        rows = cohort[cohort["group"] == group]
        out[_GROUP_LABELS[group]] = (rows["time"].to_numpy(float), rows["event"].to_numpy(float))
    return out


def os_test(cohort: pd.DataFrame, comparison: str, test: str = "log-rank") -> float:
    """P of one OS comparison by one test of :data:`SURVIVAL_TESTS` (lifelines).

    Examples
    --------
    >>> from carbook.reconstruct.run import load_cohort
    >>> c = load_cohort("xu2023")
    >>> round(os_test(c, "CART2 after alloHSCT vs CART2 without"), 3)  # SYNTHETIC
    0.014
    """
    if test not in SURVIVAL_TESTS:
        raise ValueError(f"test must be one of {sorted(SURVIVAL_TESTS)}, got {test!r}")
    (ta, ea), (tb, eb) = os_groups(cohort, comparison).values()
    return float(logrank_test(ta, tb, ea, eb, weightings=SURVIVAL_TESTS[test]).p_value)


def _pfs(cohort: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Progression-free survival: the first of progression (relapse) or death."""
    rel = cohort["relapse"].to_numpy() == 1
    time = np.where(rel, cohort["t_event"].to_numpy(float), cohort["time"].to_numpy(float))
    return time, (rel | (cohort["event"].to_numpy() == 1)).astype(float)


def curves(cohort: pd.DataFrame, endpoint: str) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """PFS or OS of all 26 CART2 patients and of the 10 after alloHSCT (for a KM figure).

    PFS ends at the first of progression or death (the calibration's ``efs`` endpoint).

    Raises
    ------
    ValueError
        If ``endpoint`` is not ``"pfs"`` or ``"os"``.

    Examples
    --------
    >>> from carbook.reconstruct.run import load_cohort
    >>> [len(t) for t, _ in curves(load_cohort("xu2023"), "pfs").values()]
    [26, 10]
    """
    if endpoint not in ("pfs", "os"):
        raise ValueError(f"endpoint must be 'pfs' or 'os', got {endpoint!r}")
    if endpoint == "pfs":
        time, event = _pfs(cohort)
    else:
        time, event = cohort["time"].to_numpy(float), cohort["event"].to_numpy(float)
    name = endpoint.upper()
    out = {}
    for label, col in (
        (f"{name}, all CART2 (26)", "cart2"),
        (f"{name}, after alloHSCT (10)", "postallo"),
    ):
        keep = cohort[col].to_numpy() == 1
        out[label] = (time[keep], event[keep])
    return out
