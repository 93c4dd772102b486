"""Published vs reproduced: the rounding-aware comparison behind every scorecard.

A reproduced number matches a published one when it would print the same at the
printed precision (see :func:`carbook.published.printed_interval`); a value and
its two bounds are compared one by one.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from carbook.published import decimals, load_published, printed_interval, studies

__all__ = [
    "STATUSES",
    "ScorecardError",
    "book_scorecard",
    "check",
    "compact",
    "prints_as",
    "reproduction",
    "reproductions",
    "score",
    "summary",
]

STATUSES = ("exact", "reconstructed", "outside", "not_reproducible", "pending")
REPRO_COLUMNS = ["claim_id", "reproduced", "reproduced_low", "reproduced_high", "method", "miss"]
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
]


class ScorecardError(AssertionError):
    """A number expected to match its published value does not."""


def reproduction(
    claim_id: str,
    value: float,
    low: float | None = None,
    high: float | None = None,
    method: str = "",
    miss: str = "",
) -> dict[str, object]:
    """One reproduced number (a row for :func:`reproductions`).

    ``miss`` is the reason why the reproduction may not print as published (e.g.
    a synthetic cohort that could not meet it jointly with other targets); a miss
    with a reason is scored ``not_reproducible`` instead of ``outside``.

    Examples
    --------
    >>> reproduction("cr_pct", 79.07, 66.4, 91.7, "t.test")["reproduced_low"]
    66.4
    """
    return {
        "claim_id": claim_id,
        "reproduced": float(value),
        "reproduced_low": np.nan if low is None else float(low),
        "reproduced_high": np.nan if high is None else float(high),
        "method": method,
        "miss": miss,
    }


def reproductions(rows: Iterable[Mapping[str, object]]) -> pd.DataFrame:
    """Collect reproduced numbers into a frame, refusing duplicates and NaN values.

    Examples
    --------
    >>> reproductions([reproduction("a", 1.0)]).columns.tolist()
    ['claim_id', 'reproduced', 'reproduced_low', 'reproduced_high', 'method', 'miss']
    """
    df = pd.DataFrame(list(rows), columns=REPRO_COLUMNS).astype(
        {"claim_id": str, "reproduced": float, "reproduced_low": float, "reproduced_high": float}
    )
    dup = df["claim_id"][df["claim_id"].duplicated()]
    if not dup.empty:
        raise ValueError(f"claim reproduced twice: {sorted(set(dup))}")
    nan = df["claim_id"][df["reproduced"].isna()]
    if not nan.empty:
        raise ValueError(f"reproduced value is NaN for {sorted(nan)}")
    return df


def prints_as(published: str, reproduced: float) -> bool:
    """Whether ``reproduced`` prints as the printed text ``published`` (empty: anything).

    Examples
    --------
    >>> prints_as("13.1", 13.149), prints_as("13.1", 13.15)
    (True, False)
    """
    return _gap(published, reproduced)[0]


def _gap(published: str, reproduced: float) -> tuple[bool, float]:
    """Whether ``reproduced`` prints as ``published``, and how far off it is.

    The distance is 0 when it prints the same, else ``reproduced - published``.
    """
    if published == "":
        return True, 0.0
    if reproduced is None or math.isnan(reproduced):
        return False, np.nan
    lo, hi = printed_interval(published)
    if lo <= reproduced < hi:
        return True, 0.0
    return False, reproduced - float(published.lstrip("<>"))


def _row_status(row: pd.Series) -> tuple[str, float]:
    if pd.isna(row["reproduced"]):
        if row["level"] == "not_reproducible":
            return "not_reproducible", np.nan
        return "pending", np.nan
    gaps = [
        _gap(row["value"], row["reproduced"]),
        _gap(row["low"], row["reproduced_low"]),
        _gap(row["high"], row["reproduced_high"]),
    ]
    inside = all(ok for ok, _ in gaps)
    distances = [d for _, d in gaps if not np.isnan(d)]
    distance = max(distances, key=abs) if distances else np.nan
    if row["level"] == "not_reproducible" or (not inside and row["miss"]):
        return "not_reproducible", distance
    return (row["level"] if inside else "outside"), distance


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
    merged["method"] = merged["method"].fillna("")
    merged["miss"] = merged["miss"].fillna("")
    status = merged.apply(_row_status, axis=1, result_type="expand")
    merged["status"], merged["distance"] = status[0], status[1]
    missed = (merged["status"] == "not_reproducible") & (merged["miss"] != "")
    merged.loc[missed, "reason"] = merged.loc[missed, "miss"]
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


def study_scorecard(study: str) -> pd.DataFrame:
    """Score one study with the reproductions its module computes (if any).

    Examples
    --------
    >>> sc = study_scorecard("zhang2021")
    >>> set(sc["status"]) <= set(STATUSES)
    True
    """
    from carbook.studies import reproduce  # imported here: studies import this module

    return score(load_published(study), reproduce(study))


def book_scorecard() -> pd.DataFrame:
    """The whole-book scorecard: every published number of every study.

    Examples
    --------
    >>> sc = book_scorecard()
    >>> sorted(sc["study"].unique()) == studies()
    True
    """
    return pd.concat([study_scorecard(s) for s in studies()], ignore_index=True)


def summary(scored: pd.DataFrame) -> pd.DataFrame:
    """Counts of numbers by study and status, with totals.

    Examples
    --------
    >>> summary(study_scorecard("zhang2021")).columns[-1]
    'total'
    """
    table = pd.crosstab(scored["study"], scored["status"], margins=True, margins_name="total")
    present = [s for s in STATUSES if s in table.columns]
    return table[[*present, "total"]]


def _fmt(value: float, decimals: int) -> str:
    if pd.isna(value):
        return ""
    if float(value).is_integer():
        return f"{int(value)}"
    return f"{value:.{decimals + 1}f}"  # one decimal more than printed, to show the gap


def _with_bounds(value: str, low: str, high: str) -> str:
    if not value:
        return ""
    return f"{value} ({low}–{high})" if low or high else value


def compact(scored: pd.DataFrame) -> pd.DataFrame:
    """A narrow view for the book: published and reproduced as one string each.

    Reproduced values carry one decimal more than the published ones, so that a
    match at the printed precision is visible (79.07 for a printed 79).

    Examples
    --------
    >>> sc = study_scorecard("zhang2021")
    >>> compact(sc).loc["cr_pct", ["published", "reproduced"]].tolist()
    ['79 (66–92)', '79.1 (66.4–91.7)']
    """
    rows = []
    for r in scored.itertuples(index=False):
        dec = max(decimals(t) for t in (r.published, r.published_low, r.published_high) if t)
        rep = [_fmt(v, dec) for v in (r.reproduced, r.reproduced_low, r.reproduced_high)]
        rows.append(
            {
                "claim_id": r.claim_id,
                "quantity": r.quantity,
                "published": _with_bounds(r.published, r.published_low, r.published_high),
                "reproduced": _with_bounds(*rep),
                "status": r.status,
            }
        )
    return pd.DataFrame(rows).set_index("claim_id")
