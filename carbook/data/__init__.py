"""Loaders for the data files under ``data/<study>/``, each validated on load.

Bad files raise ``ValueError`` naming the file and the failing rows; nothing is
silently dropped.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from carbook.published import DATA_DIR, by_content, load_published, parse_csv

__all__ = [
    "DATA_DIR",
    "DAYS_PER_MONTH",
    "evaluate_counts",
    "load_counts",
    "read_study_csv",
]

#: months are calendar months on average: days / (365.25 / 12), as the papers convert
DAYS_PER_MONTH = 365.25 / 12

COUNTS_SCHEMA = pa.DataFrameSchema(
    {
        "event": pa.Column(str, pa.Check.str_matches(r"^[a-z0-9_]+$"), unique=True),
        "count": pa.Column("Int64", pa.Check.ge(0), nullable=True),
        "formula": pa.Column(str, pa.Check.str_matches(r"^[a-z0-9_ +-]*$")),
        "denominator": pa.Column("Int64", pa.Check.gt(0), nullable=True),
        "count_claim": pa.Column(str),
        "percent_claim": pa.Column(str),
        "location": pa.Column(str, pa.Check.str_length(min_value=1)),
    },
    checks=[
        pa.Check(
            lambda d: d["count"].notna() | (d["formula"] != ""),
            error="a row needs a printed count, a formula, or both",
        ),
        pa.Check(
            lambda d: (
                d["denominator"].isna() | d["count"].isna() | (d["count"] <= d["denominator"])
            ),
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


def _read_validated(path: Path, schema: pa.DataFrameSchema, prepare=None) -> pd.DataFrame:
    """``path`` read as text columns (``prepare``-d) and validated, once per file content.

    See :func:`carbook.published.by_content`: callers get a copy; a file that breaks
    ``schema`` raises every time.
    """

    def build(data: bytes) -> pd.DataFrame:
        raw = parse_csv(path, data)
        return _validate(schema, raw if prepare is None else prepare(raw, path), path)

    return by_content(path, schema, build)


def _count_columns(raw: pd.DataFrame, path: Path) -> pd.DataFrame:
    for col in ("count", "denominator"):
        if col in raw:
            bad = ~raw[col].str.fullmatch(r"\d*")
            if bad.any():
                raise ValueError(f"{path}, line {int(bad.idxmax()) + 2}: {col} not a count")
            raw[col] = pd.to_numeric(raw[col].replace("", None)).astype("Int64")
    return raw


def load_counts(study: str) -> pd.DataFrame:
    """Aggregate counts a study publishes (``data/<study>/counts.csv``).

    Each row is one event with its printed count and/or a ``formula`` over other
    events (``"a + b - c"``), its denominator, and the registry ids of the printed
    count and percent it supports. Every referenced claim must exist. The returned
    frame has a ``value`` column: the formula's result where there is one, else the
    printed count (see :func:`evaluate_counts`).

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
    df = _read_validated(path, COUNTS_SCHEMA, _count_columns)
    claims = set(load_published(study)["id"])
    refs = set(df["count_claim"]) | set(df["percent_claim"])
    unknown = sorted(refs - claims - {""})
    if unknown:
        raise ValueError(f"{path} references claims not in published.csv: {unknown}")
    df["value"] = evaluate_counts(df, path).astype("Int64")
    return df


def _evaluate(formula: str, values: dict[str, int], where: str) -> int:
    tokens = formula.replace("+", " + ").replace("-", " - ").split()
    total, sign = 0, 1
    for i, tok in enumerate(tokens):
        if i % 2 == 1:
            if tok not in "+-":
                raise ValueError(f"{where}: expected + or - in formula, got {tok!r}")
            sign = 1 if tok == "+" else -1
        elif tok.isdigit():
            total += sign * int(tok)
        elif tok in values:
            total += sign * values[tok]
        else:
            raise ValueError(f"{where}: formula refers to unknown event {tok!r}")
    return total


def evaluate_counts(counts: pd.DataFrame, source: object = "counts") -> pd.Series:
    """Value of every event: its formula's result if it has one, else its count.

    Formulas are sums and differences of other events and whole numbers, and may
    refer to events defined later in the file.

    Raises
    ------
    ValueError
        On an unknown event, a malformed formula, or a circular definition.

    Examples
    --------
    >>> df = pd.DataFrame({"event": ["a", "b", "total"], "count": [35, 8, 45],
    ...                    "formula": ["", "", "a + b + 2"]})
    >>> evaluate_counts(df).tolist()
    [35, 8, 45]
    """
    pending = dict(zip(counts["event"], counts["formula"], strict=True))
    values = {
        e: int(c)
        for e, c, f in counts[["event", "count", "formula"]].itertuples(index=False)
        if f == ""
    }
    pending = {e: f for e, f in pending.items() if f}
    while pending:
        ready = {
            e: f
            for e, f in pending.items()
            if all(
                t in values or t.isdigit() or t in "+-"
                for t in f.replace("+", " + ").replace("-", " - ").split()
            )
        }
        if not ready:
            unknown = {
                t
                for f in pending.values()
                for t in f.replace("+", " ").replace("-", " ").split()
                if not t.isdigit() and t not in values and t not in pending
            }
            if unknown:
                raise ValueError(f"{source}: formula refers to unknown event(s) {sorted(unknown)}")
            raise ValueError(f"{source}: circular formulas among {sorted(pending)}")
        for event, formula in ready.items():
            values[event] = _evaluate(formula, values, f"{source}, event {event!r}")
            del pending[event]
    return counts["event"].map(values)


def read_study_csv(study: str, name: str, schema: pa.DataFrameSchema) -> pd.DataFrame:
    """Read ``data/<study>/<name>`` and validate it against ``schema``.

    Empty cells stay empty strings in text columns (never NaN), so that "not
    printed" is never silently confused with a value.

    Raises
    ------
    ValueError
        Naming the file (and the failing rows) when it is missing or breaks the schema.

    Examples
    --------
    >>> schema = pa.DataFrameSchema({"event": pa.Column(str)}, strict=False)
    >>> len(read_study_csv("zhang2021", "counts.csv", schema))
    9
    """
    path = DATA_DIR / study / name
    if not path.is_file():
        raise ValueError(f"missing data file {path}")
    return _read_validated(path, schema)
