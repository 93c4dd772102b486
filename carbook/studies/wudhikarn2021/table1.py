"""Wudhikarn 2021, Table 1: find which test produced each printed P value.

Each categorical row of Table 1 can be tested in several ways: the contingency
table itself is sometimes ambiguous (the CRS row prints "any grade" and "grade 3 or
higher" under one P) and the test is never named. ``table1_tests.csv`` lists the
candidate tables ("variants") of every row as formulas over ``counts.csv``; this
module runs every test of :func:`carbook.tables.test_battery` on every variant and
marks which reproduce the printed P at its printed precision.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pandera.pandas as pa

from carbook.data import evaluate_counts, load_counts, read_study_csv
from carbook.published import load_published, printed_interval
from carbook.records import reproduction
from carbook.tables import test_battery

__all__ = [
    "contingency",
    "detective",
    "load_tests",
    "p_for",
    "reproduce_p_values",
    "rule_summary",
    "verdicts",
]

STUDY = "wudhikarn2021"
GROUP_SIZE = {"prog": 38, "noprog": 18}

_SCHEMA = pa.DataFrameSchema(
    {
        "characteristic": pa.Column(str, pa.Check.str_length(min_value=1)),
        "variant": pa.Column(str, pa.Check.str_length(min_value=1)),
        "p_claim": pa.Column(str, pa.Check.str_matches(r"^t1_[a-z_]+_p$")),
        "prog_levels": pa.Column(str, pa.Check.str_length(min_value=1)),
        "noprog_levels": pa.Column(str, pa.Check.str_length(min_value=1)),
        "complement": pa.Column(str, pa.Check.isin(["yes", "no"])),
        "primary": pa.Column(str, pa.Check.isin(["yes", "no"])),
        "note": pa.Column(str),
    },
    checks=pa.Check(
        lambda d: (
            d[d["primary"] == "yes"].groupby("characteristic").size().eq(1).all()
            and set(d["characteristic"]) == set(d.loc[d["primary"] == "yes", "characteristic"])
        ),
        error="every characteristic needs exactly one primary variant",
    ),
    strict=True,
    ordered=True,
)


def load_tests() -> pd.DataFrame:
    """The candidate tables of every categorical Table 1 row.

    Examples
    --------
    >>> load_tests().groupby("characteristic").size().loc["CRS"]
    np.int64(3)
    """
    return read_study_csv(STUDY, "table1_tests.csv", _SCHEMA)


def _values(formulas: str, counts: pd.DataFrame, where: str) -> list[int]:
    levels = formulas.split(";")
    frame = pd.DataFrame(
        {
            "event": [*counts["event"], *[f"_level{i}" for i in range(len(levels))]],
            "count": [*counts["value"], *[pd.NA] * len(levels)],
            "formula": [*[""] * len(counts), *[lev.strip() for lev in levels]],
        }
    )
    return [int(v) for v in evaluate_counts(frame, where).iloc[len(counts) :]]


def contingency(variant: pd.Series, counts: pd.DataFrame | None = None) -> np.ndarray:
    """The 2×k table (progressed, not progressed) of one variant.

    With ``complement="yes"`` a last column holds the rest of each group
    (38 or 18 minus the listed levels).

    Examples
    --------
    >>> tests = load_tests().set_index("variant")
    >>> contingency(tests.loc["male vs female"]).tolist()
    [[28, 10], [14, 4]]
    """
    counts = load_counts(STUDY) if counts is None else counts
    rows = []
    for group in ("prog", "noprog"):
        levels = _values(variant[f"{group}_levels"], counts, f"variant {variant.name!r}")
        if variant["complement"] == "yes":
            levels.append(GROUP_SIZE[group] - sum(levels))
        rows.append(levels)
    return np.array(rows)


def detective(characteristic: str | None = None) -> pd.DataFrame:
    """Every test on every candidate table, next to the printed P.

    Parameters
    ----------
    characteristic : str, optional
        One Table 1 row (e.g. ``"prior HSCT"``); all rows if omitted.

    Returns
    -------
    pandas.DataFrame
        ``characteristic``, ``variant``, ``table``, ``test``, ``pvalue``, ``printed``,
        ``reproduces`` (the P prints as the published one), ``primary`` and ``p_claim``.

    Raises
    ------
    ValueError
        If ``characteristic`` is not a Table 1 row.

    Examples
    --------
    >>> d = detective("male sex")
    >>> d.loc[d["reproduces"], "test"].tolist()
    ['fisher.test', 'chisq.test', 'gtsummary default']
    """
    tests = load_tests().set_index("variant", drop=False)
    if characteristic is not None:
        if characteristic not in set(tests["characteristic"]):
            raise ValueError(
                f"characteristic must be one of {sorted(set(tests['characteristic']))}"
            )
        tests = tests[tests["characteristic"] == characteristic]
    reg = load_published(STUDY).set_index("id")
    counts = load_counts(STUDY)
    frames = []
    for variant in tests.itertuples(index=False):
        row = pd.Series(variant._asdict(), name=variant.variant)
        table = contingency(row, counts)
        battery = test_battery(table)
        printed = reg.loc[variant.p_claim, "value"]
        lo, hi = printed_interval(printed)
        battery.insert(0, "table", " | ".join(" ".join(map(str, r)) for r in table))
        battery.insert(0, "variant", variant.variant)
        battery.insert(0, "characteristic", variant.characteristic)
        battery["printed"] = printed
        battery["reproduces"] = battery["pvalue"].between(lo, hi, inclusive="left")
        battery["primary"] = variant.primary == "yes"
        battery["p_claim"] = variant.p_claim
        frames.append(battery)
    return pd.concat(frames, ignore_index=True)


def rule_summary() -> pd.DataFrame:
    """For each test, how many Table 1 rows it reproduces (primary variants).

    Examples
    --------
    >>> rule_summary().set_index("test").loc["gtsummary default", "rows_reproduced"]
    np.int64(8)
    """
    d = detective()
    d = d[d["primary"]]
    out = d.groupby("test", sort=False)["reproduces"].agg(["sum", "size"])
    return out.rename(columns={"sum": "rows_reproduced", "size": "rows"}).reset_index()


def verdicts() -> pd.DataFrame:
    """One verdict per printed Table 1 P: the rule, else the search, else nothing.

    The rule is gtsummary's default on the row's primary table (it explains most
    rows). Where it fails, the detective's whole search (every candidate table ×
    every test) is read in its declared order (primary table first, then the
    variants as listed in ``table1_tests.csv``, tests as in the battery) and the first
    match is taken, saying it was selected because it matches. Where nothing
    matches, the rule's value is kept as the closest standard answer.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``p_claim``: ``printed``, ``pvalue``, ``source`` (``rule``,
        ``search`` or ``none``), ``variant``, ``table``, ``test``, ``tried`` (variant ×
        test combinations) and ``matches`` (how many print as published).

    Examples
    --------
    >>> v = verdicts()
    >>> v.loc["t1_burden_p", ["source", "test"]].tolist()
    ['search', 'fisher.test']
    >>> v.loc["t1_prior_hsct_p", "source"], int(v.loc["t1_prior_hsct_p", "matches"])
    ('none', 0)
    """
    d = detective()
    d = pd.concat([d[d["primary"]], d[~d["primary"]]])  # the declared order
    rows = {}
    for claim, group in d.groupby("p_claim", sort=False):
        rule = group[group["primary"] & (group["test"] == "gtsummary default")].iloc[0]
        hits = group[group["reproduces"]]
        pick, source = (rule, "rule") if rule["reproduces"] else (rule, "none")
        if not rule["reproduces"] and not hits.empty:
            pick, source = hits.iloc[0], "search"
        rows[claim] = {
            "printed": rule["printed"],
            "pvalue": pick["pvalue"],
            "source": source,
            "variant": pick["variant"],
            "table": pick["table"],
            "test": pick["test"],
            "tried": len(group),
            "matches": int(group["reproduces"].sum()),
        }
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("p_claim")


def _method(v: pd.Series) -> str:
    where = f"{v['test']} on {v['variant']} [{v['table']}]"
    if v["source"] == "search":
        return (
            f"{where}: not gtsummary's rule "
            f"({v['matches']} of {v['tried']} table x test combinations print {v['printed']})"
        )
    if v["source"] == "none":
        return f"gtsummary's rule, {where}: none of {v['tried']} combinations matches"
    return f"gtsummary default on {v['variant']} [{v['table']}]"


def _selected(claim: str, v: pd.Series, notes: pd.Series) -> str:
    """Which choice behind a verdict was made because it matches ("" if none)."""
    if v["source"] == "search":
        return f"{v['test']} on {v['variant']}"
    note = notes.get((claim, v["variant"]), "")
    return f"the table {v['variant']}" if "because it matches" in str(note) else ""


def reproduce_p_values() -> list[dict[str, object]]:
    """Table 1 P values as :func:`verdicts` reads the detective (one rule for all rows).

    Examples
    --------
    >>> {r["claim_id"]: round(r["reproduced"], 2) for r in reproduce_p_values()}["t1_male_p"]
    1.0
    """
    notes = load_tests().set_index(["p_claim", "variant"])["note"]
    return [
        reproduction(claim, v["pvalue"], method=_method(v), selected=_selected(claim, v, notes))
        for claim, v in verdicts().iterrows()
    ]


def p_for(characteristic: str, test: str, primary: bool = True) -> pd.Series:
    """P values of one test on a row's candidate tables (only the primary by default).

    Examples
    --------
    >>> round(float(p_for("prior HSCT", "fisher.test").iloc[0]), 2)
    0.07
    """
    d = detective(characteristic)
    if test not in set(d["test"]):
        raise ValueError(f"test must be one of {sorted(set(d['test']))}, got {test!r}")
    d = d[d["test"] == test]
    return (d[d["primary"]] if primary else d).set_index("variant")["pvalue"]
