"""Published vs reproduced: the rounding-aware comparison behind every scorecard.

A reproduced number matches a published one when it would print the same at the
printed precision (see :func:`carbook.published.printed_interval`); a value and
its two bounds are compared one by one.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from carbook.published import printed_gap
from carbook.records import reproductions

__all__ = [
    "STATUSES",
    "ScorecardError",
    "check",
    "score",
    "summary",
]

#: every status a published number can have (``outside`` is a failure: :func:`check` raises)
STATUSES = ("input", "exact", "reconstructed", "not_met", "not_reproducible", "pending", "outside")
#: status of a number that prints as published, by what it rests on
_MATCHED = {"input": "input", "computed": "exact", "synthetic": "reconstructed"}
CSV_COLUMNS = [
    "study",
    "claim_id",
    "artifact",
    "quantity",
    "published",
    "published_low",
    "published_high",
    "reproduced",
    "reproduced_low",
    "reproduced_high",
    "level",
    "status",
    "distance",
    "reason",
    "method",
    "selected",
]


class ScorecardError(AssertionError):
    """A number expected to match its published value does not."""


def _parts(row: pd.Series) -> tuple[bool, float]:
    """Whether the value and both bounds print as published, and the largest gap."""
    gaps = [
        printed_gap(row["value"], row["reproduced"]),
        printed_gap(row["low"], row["reproduced_low"]),
        printed_gap(row["high"], row["reproduced_high"]),
    ]
    distances = [d for _, d in gaps if not np.isnan(d)]
    return all(ok for ok, _ in gaps), (max(distances, key=abs) if distances else np.nan)


def _row_status(row: pd.Series) -> tuple[str, float]:
    """Status from evidence: the comparison decides; ``level`` only says what we expect."""
    if pd.isna(row["reproduced"]):
        return ("not_reproducible" if row["level"] == "not_reproducible" else "pending"), np.nan
    inside, distance = _parts(row)
    if inside:
        return _MATCHED[row["basis"]], distance
    if row["grounds"] or row["level"] == "not_reproducible":
        return "not_reproducible", distance
    return ("not_met" if row["basis"] == "synthetic" else "outside"), distance


def score(published: pd.DataFrame, reproduced: pd.DataFrame | None = None) -> pd.DataFrame:
    """Compare a registry with reproduced numbers, one row per published number.

    Parameters
    ----------
    published : pandas.DataFrame
        From :func:`carbook.published.load_published`.
    reproduced : pandas.DataFrame, optional
        From :func:`reproductions`. Claims without a row are ``pending``.

    Returns
    -------
    pandas.DataFrame
        :data:`CSV_COLUMNS`: the published value and bounds as printed, the reproduced
        ones, the expected ``level``, the ``status`` and the ``distance``: reproduced
        minus published (in the unit of the number), 0 where it prints the same; for a
        value with bounds, the largest of the three.

    Raises
    ------
    ValueError
        If a reproduced ``claim_id`` is not in the registry.

    Examples
    --------
    >>> from carbook.published import load_published
    >>> from carbook.records import reproduction, reproductions
    >>> reg = load_published("zhang2021")
    >>> rep = reproductions([reproduction("cr_pct", 79.07, 66.40, 91.74)])
    >>> score(reg, rep).set_index("claim_id").loc["cr_pct", "status"]
    'exact'
    """
    if reproduced is None:
        reproduced = reproductions([])
    unknown = set(reproduced["claim_id"]) - set(published["id"])
    if unknown:
        raise ValueError(f"reproduced claim_id not in the registry: {sorted(unknown)}")
    merged = published.merge(reproduced, left_on="id", right_on="claim_id", how="left")
    merged["claim_id"] = merged["id"]
    for col in ("method", "miss", "basis", "grounds", "selected"):
        merged[col] = merged[col].fillna("")
    status = merged.apply(_row_status, axis=1, result_type="expand")
    merged["status"], merged["distance"] = status[0], status[1]
    missed = merged["status"].isin(["not_reproducible", "not_met"]) & (merged["miss"] != "")
    merged.loc[missed, "reason"] = merged.loc[missed, "miss"]
    chosen = merged["selected"] != ""
    merged.loc[chosen, "method"] += " [selected because it matches: " + merged["selected"] + "]"
    merged["selected"] = chosen
    merged = merged.rename(
        columns={"value": "published", "low": "published_low", "high": "published_high"}
    )
    return merged[CSV_COLUMNS].reset_index(drop=True)


def check(scored: pd.DataFrame) -> pd.DataFrame:
    """Raise if any number expected to match is ``outside``; else return ``scored``.

    Raises
    ------
    ScorecardError
        Listing every offending claim with its published and reproduced values.

    Examples
    --------
    >>> from carbook.published import load_published
    >>> from carbook.records import reproduction, reproductions
    >>> reg = load_published("zhang2021")
    >>> bad = score(reg, reproductions([reproduction("cr_pct", 75.0, 60.0, 90.0)]))
    >>> try:
    ...     check(bad)
    ... except ScorecardError as err:
    ...     print(str(err).splitlines()[0])
    1 number(s) expected to match do not:
    """
    bad = scored[scored["status"] == "outside"]
    if not bad.empty:
        cols = ["study", "claim_id", "published", "reproduced", "distance"]
        raise ScorecardError(
            f"{len(bad)} number(s) expected to match do not:\n{bad[cols].to_string(index=False)}"
        )
    return scored


def summary(scored: pd.DataFrame) -> pd.DataFrame:
    """Counts of numbers by study and status, every status a column of its own, with totals.

    Examples
    --------
    >>> from carbook.published import load_published
    >>> reg = load_published("zhang2021")
    >>> summary(score(reg)).loc["zhang2021", ["pending", "not_reproducible", "total"]].tolist()
    [18, 4, 22]
    """
    table = pd.crosstab(scored["study"], scored["status"], margins=True, margins_name="total")
    shown = [s for s in STATUSES if s != "outside" or s in table.columns]
    return table.reindex(columns=[*shown, "total"], fill_value=0)
