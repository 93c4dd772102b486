"""Reproduced numbers as records: what a study hands to the scorecard.

A reproduction is one number recomputed by the book (a count, a percentage with its
interval, a median, a hazard ratio) together with how it was computed and on what
basis. It sits at the bottom of the package so that every study can build records
without importing the scorecard, which compares them with the registry.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from carbook.published import GROUNDS

__all__ = ["BASES", "REPRO_COLUMNS", "reproduction", "reproductions"]

#: what a reproduced number rests on:
#: ``input`` a primary count used as input (not a reproduction);
#: ``computed`` recomputed from published counts or per-patient tables;
#: ``synthetic`` computed on a SYNTHETIC calibrated cohort
BASES = ("input", "computed", "synthetic")
REPRO_COLUMNS = [
    "claim_id",
    "reproduced",
    "reproduced_low",
    "reproduced_high",
    "method",
    "miss",
    "basis",
    "grounds",
    "selected",
]


def reproduction(
    claim_id: str,
    value: float,
    low: float | None = None,
    high: float | None = None,
    method: str = "",
    miss: str = "",
    *,
    basis: str = "computed",
    grounds: str = "",
    selected: str = "",
) -> dict[str, object]:
    """One reproduced number (a row for :func:`reproductions`).

    Parameters
    ----------
    claim_id : str
        The registry id of the published number.
    value, low, high : float
        The reproduced value and, where printed, its bounds.
    method : str
        How it was computed (shown in the scorecard).
    miss : str
        Why it may not print as published, with the value reached.
    basis : {"input", "computed", "synthetic"}
        What it rests on (:data:`BASES`).
    grounds : {"", "proof", "contradiction", "unpublished"}
        Set only when a miss is proved impossible, is a contradiction within the
        document, or needs data never published; a miss without grounds on a
        synthetic cohort is ``not_met`` (our shortfall).
    selected : str
        Non-empty when a choice behind the number (a CI method, a test variant, an
        inferred cell) was selected *because* it matches: says which choice.

    Examples
    --------
    >>> reproduction("cr_pct", 79.07, 66.4, 91.7, "t.test")["reproduced_low"]
    66.4
    """
    if basis not in BASES:
        raise ValueError(f"basis must be one of {BASES}, got {basis!r} (claim {claim_id})")
    if grounds not in ("", *GROUNDS):
        raise ValueError(
            f"grounds must be '' or one of {GROUNDS}, got {grounds!r} (claim {claim_id})"
        )
    return {
        "claim_id": claim_id,
        "reproduced": float(value),
        "reproduced_low": np.nan if low is None else float(low),
        "reproduced_high": np.nan if high is None else float(high),
        "method": method,
        "miss": miss,
        "basis": basis,
        "grounds": grounds,
        "selected": selected,
    }


def reproductions(rows: Iterable[Mapping[str, object]]) -> pd.DataFrame:
    """Collect reproduced numbers into a frame, refusing duplicates and NaN values.

    Examples
    --------
    >>> reproductions([reproduction("a", 1.0)]).columns.tolist()[:4]
    ['claim_id', 'reproduced', 'reproduced_low', 'reproduced_high']
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
