"""Loaders for the data files under ``data/<study>/``, each validated on load.

Bad files raise ``ValueError`` naming the file and the failing rows; nothing is
silently dropped.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from carbook.published import DATA_DIR, load_published

__all__ = ["load_counts"]

COUNTS_SCHEMA = pa.DataFrameSchema(
    {
        "event": pa.Column(str, pa.Check.str_matches(r"^[a-z0-9_]+$"), unique=True),
        "count": pa.Column("Int64", pa.Check.ge(0)),
        "denominator": pa.Column("Int64", pa.Check.gt(0), nullable=True),
        "count_claim": pa.Column(str),
        "percent_claim": pa.Column(str),
        "location": pa.Column(str, pa.Check.str_length(min_value=1)),
    },
    checks=[
        pa.Check(
            lambda d: d["denominator"].isna() | (d["count"] <= d["denominator"]),
            error="count exceeds denominator",
        ),
        pa.Check(
            lambda d: (d["percent_claim"] == "") | d["denominator"].notna(),
            error="a percent claim needs a denominator",
        ),
    ],
    strict=True,
    ordered=True,
)


def _validate(schema: pa.DataFrameSchema, df: pd.DataFrame, path: Path) -> pd.DataFrame:
    try:
        return schema.validate(df, lazy=True)
    except pa.errors.SchemaErrors as err:
        cases = err.failure_cases[["column", "check", "index", "failure_case"]]
        raise ValueError(f"{path} breaks its schema (index 0 = line 2):\n{cases}") from None


def load_counts(study: str) -> pd.DataFrame:
    """Aggregate counts a study publishes (``data/<study>/counts.csv``).

    Each row is one event with its count and denominator, and the registry ids of
    the printed count and percent it supports. Every referenced claim must exist.

    Raises
    ------
    ValueError
        If the file is missing, breaks the schema, or references an unknown claim.

    Examples
    --------
    >>> counts = load_counts("zhang2021")
    >>> cr = counts.set_index("event").loc["complete_remission"]
    >>> int(cr["count"]), int(cr["denominator"])
    (34, 43)
    """
    path = DATA_DIR / study / "counts.csv"
    if not path.is_file():
        raise ValueError(f"no counts file for study {study!r}: {path}")
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    for col in ("count", "denominator"):
        if col in raw:
            bad = ~raw[col].str.fullmatch(r"\d*")
            if bad.any():
                raise ValueError(f"{path}, line {int(bad.idxmax()) + 2}: {col} not a count")
            raw[col] = pd.to_numeric(raw[col].replace("", None)).astype("Int64")
    df = _validate(COUNTS_SCHEMA, raw, path)
    claims = set(load_published(study)["id"])
    refs = set(df["count_claim"]) | set(df["percent_claim"])
    unknown = sorted(refs - claims - {""})
    if unknown:
        raise ValueError(f"{path} references claims not in published.csv: {unknown}")
    return df
