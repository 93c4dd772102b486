"""The published-numbers registry: ``data/<study>/published.csv``.

Every number a document reports is one row. Values and bounds are kept as the
printed text (``".02"``, ``"13.1"``, ``"29"``) because the printed text *is* the
precision: a published 13.1 stands for any value in [13.05, 13.15).
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa

__all__ = [
    "DATA_DIR",
    "GROUNDS",
    "LEVELS",
    "UNITS",
    "by_content",
    "decimals",
    "grounds_of",
    "load_published",
    "parse_csv",
    "printed_gap",
    "printed_interval",
    "prints_as",
    "studies",
]

DATA_DIR = Path(__file__).resolve().parent.parent / "data"

LEVELS = ("exact", "reconstructed", "not_reproducible")
#: what a ``not_reproducible`` row rests on; its reason starts with one of them and a colon
GROUNDS = ("proof", "contradiction", "unpublished")
UNITS = (
    "count",
    "percent",
    "p",
    "HR",
    "months",
    "days",
    "years",
    "lines",
    "grade",
    "unit",
    "mg/kg/d",
    "vcn/mL",
)
BOUNDS = ("", "ci95", "range", "iqr")
COLUMNS = [
    "id",
    "document",
    "artifact",
    "location",
    "population",
    "quantity",
    "value",
    "low",
    "high",
    "bound",
    "n",
    "N",
    "unit",
    "level",
    "reason",
]


def _parse(text: str) -> Decimal:
    try:
        return Decimal(text)
    except InvalidOperation:
        raise ValueError(f"not a printed number: {text!r}") from None


def decimals(text: str) -> int:
    """Number of decimals printed in ``text`` (the printed precision).

    Examples
    --------
    >>> decimals("13.1"), decimals(".02"), decimals("29"), decimals("<.001")
    (1, 2, 0, 3)
    """
    d = _parse(text.lstrip("<>"))
    return max(0, -int(d.as_tuple().exponent))


def printed_interval(text: str) -> tuple[float, float]:
    """The interval of true values that print as ``text``.

    Half-open ``[v - h, v + h)`` with ``h`` half a unit in the last printed decimal.
    ``"<x"`` means any value below ``x`` (down to minus infinity); ``">x"`` any above.

    Examples
    --------
    >>> printed_interval("13.1")
    (13.05, 13.15)
    >>> printed_interval(".02")
    (0.015, 0.025)
    >>> printed_interval("<.001")
    (-inf, 0.001)
    """
    if text.startswith("<"):
        return -math.inf, float(_parse(text[1:]))
    if text.startswith(">"):
        return float(_parse(text[1:])), math.inf
    value = _parse(text)
    half = Decimal(1).scaleb(-decimals(text)) / 2
    return float(value - half), float(value + half)


def prints_as(published: str, reproduced: float) -> bool:
    """Whether ``reproduced`` prints as the printed text ``published`` (empty: anything).

    Examples
    --------
    >>> prints_as("13.1", 13.149), prints_as("13.1", 13.15)
    (True, False)
    """
    return printed_gap(published, reproduced)[0]


def printed_gap(published: str, reproduced: float) -> tuple[bool, float]:
    """Whether ``reproduced`` prints as ``published``, and how far off it is.

    The distance is 0 when it prints the same, else ``reproduced - published``.

    Examples
    --------
    >>> printed_gap("13.1", 13.2)
    (False, 0.09999999999999964)
    """
    if published == "":
        return True, 0.0
    if reproduced is None or math.isnan(reproduced):
        return False, np.nan
    lo, hi = printed_interval(published)
    if lo <= reproduced < hi:
        return True, 0.0
    return False, reproduced - float(published.lstrip("<>"))


def _is_number(text: str) -> bool:
    if text == "":
        return True
    try:
        printed_interval(text)
    except ValueError:
        return False
    return True


def grounds_of(reason: str) -> str:
    """The grounds a reason names (``"proof"``, ``"contradiction"``, ``"unpublished"``), or ``""``.

    Examples
    --------
    >>> grounds_of("contradiction: Table 1 gives 13"), grounds_of("needs times")
    ('contradiction', '')
    """
    head = reason.split(":", 1)[0]
    return head if head in GROUNDS and ":" in reason else ""


def _number(text: str) -> float:
    return float(text.lstrip("<>")) if text else math.nan


def _ordered(d: pd.DataFrame) -> pd.Series:
    v, lo, hi = (d[c].map(_number) for c in ("value", "low", "high"))
    return ~(lo > v) & ~(v > hi)


def _percent_range(d: pd.DataFrame) -> pd.Series:
    inside = d[["value", "low", "high"]].map(lambda s: not s or 0 <= _number(s) <= 100)
    return (d["unit"] != "percent") | inside.all(axis=1)


_printed = pa.Check(lambda s: s.map(_is_number), element_wise=False, error="printed number")

SCHEMA = pa.DataFrameSchema(
    {
        "id": pa.Column(str, pa.Check.str_matches(r"^[a-z0-9_]+$"), unique=True),
        "document": pa.Column(str, pa.Check.str_matches(r"^\d{3}$")),
        "artifact": pa.Column(str, pa.Check.str_length(min_value=1)),
        "location": pa.Column(str),
        "population": pa.Column(str, pa.Check.str_length(min_value=1)),
        "quantity": pa.Column(str, pa.Check.str_length(min_value=1)),
        "value": pa.Column(str, [pa.Check.str_length(min_value=1), _printed]),
        "low": pa.Column(str, _printed),
        "high": pa.Column(str, _printed),
        "bound": pa.Column(str, pa.Check.isin(BOUNDS)),
        "n": pa.Column("Int64", pa.Check.ge(0), nullable=True),
        "N": pa.Column("Int64", pa.Check.ge(0), nullable=True),
        "unit": pa.Column(str, pa.Check.isin(UNITS)),
        "level": pa.Column(str, pa.Check.isin(LEVELS)),
        "reason": pa.Column(str),
    },
    checks=[
        pa.Check(
            lambda d: (d["level"] == "exact") | (d["reason"] != ""),
            error="reason is required unless level is exact",
        ),
        pa.Check(
            lambda d: (d["bound"] == "") == ((d["low"] == "") & (d["high"] == "")),
            error="bound must be given exactly when low or high is",
        ),
        pa.Check(lambda d: d["n"].isna() | d["N"].isna() | (d["n"] <= d["N"]), error="n > N"),
        pa.Check(
            lambda d: (d["level"] != "not_reproducible") | (d["reason"].map(grounds_of) != ""),
            error="a not_reproducible reason starts with proof:, contradiction: or unpublished:",
        ),
        pa.Check(_ordered, error="published_low <= published <= published_high"),
        pa.Check(_percent_range, error="a percentage (value and bounds) must lie in [0, 100]"),
    ],
    strict=True,
    ordered=True,
)


def studies() -> list[str]:
    """Study keys that have a registry, in alphabetical order.

    Examples
    --------
    >>> "zhang2021" in studies()
    True
    """
    return sorted(p.parent.name for p in DATA_DIR.glob("*/published.csv"))


#: frames built from a file, by (path, owner, file bytes): see :func:`by_content`
_BY_CONTENT: dict[tuple[str, int, bytes], tuple[object, pd.DataFrame]] = {}


def by_content(path: Path, owner: object, build: Callable[[bytes], pd.DataFrame]) -> pd.DataFrame:
    """``build(bytes of path)``, built once per file content; each caller gets a copy.

    The loaders parse and validate a file with pandera (~60 ms a file) and a search
    calls them many times. The key is the file's bytes, not its time stamp, so an
    edited file is always built again; an error is never cached, so a bad file raises
    every time. ``owner`` (the schema) tells apart frames built from one file in two
    ways.

    Examples
    --------
    >>> path, owner = DATA_DIR / "zhang2021" / "published.csv", object()
    >>> a = by_content(path, owner, lambda data: pd.DataFrame({"bytes": [len(data)]}))
    >>> b = by_content(path, owner, lambda data: pd.DataFrame({"bytes": [-1]}))  # cached
    >>> a.equals(b), a is b
    (True, False)
    """
    data = path.read_bytes()
    key = (str(path), id(owner), data)
    hit = _BY_CONTENT.get(key)
    if hit is not None and hit[0] is owner:
        return hit[1].copy(deep=True)
    df = build(data)
    _BY_CONTENT[key] = (owner, df.copy(deep=True))
    return df


def parse_csv(path: Path, data: bytes) -> pd.DataFrame:
    """The bytes of CSV file ``path`` as text columns (empty cells stay ``""``).

    Raises
    ------
    ValueError
        Naming ``path`` if the CSV is malformed or not UTF-8.
    """
    try:
        return pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, UnicodeDecodeError) as err:
        raise ValueError(f"{path}: malformed CSV ({err})") from err


def _read_csv(path: Path, data: bytes) -> pd.DataFrame:
    raw = parse_csv(path, data)
    if list(raw.columns) != COLUMNS:
        raise ValueError(f"{path}: columns must be {COLUMNS}, got {list(raw.columns)}")
    for col in ("n", "N"):
        bad = ~raw[col].str.fullmatch(r"\d*")
        if bad.any():
            row = int(bad.idxmax()) + 2  # header is line 1
            raise ValueError(f"{path}, line {row}: {col} must be a whole number")
        raw[col] = pd.to_numeric(raw[col].replace("", None)).astype("Int64")
    return raw


def _registry(path: Path, study: str, data: bytes) -> pd.DataFrame:
    raw = _read_csv(path, data)
    try:
        df = SCHEMA.validate(raw, lazy=True)
    except pa.errors.SchemaErrors as err:
        cases = err.failure_cases[["column", "check", "index", "failure_case"]].copy()
        ids = raw["id"].to_dict()
        cases.insert(0, "claim", [ids.get(i, "") if pd.notna(i) else "" for i in cases["index"]])
        raise ValueError(f"{path} breaks the registry schema:\n{cases.to_string()}") from None
    df.insert(0, "study", study)
    df["precision"] = [10.0 ** -decimals(v) for v in df["value"]]
    return df


def load_published(study: str | None = None) -> pd.DataFrame:
    """Load and validate one study's registry, or all of them.

    Parameters
    ----------
    study : str, optional
        Study key (a folder of ``data/``). ``None`` loads every study.

    Returns
    -------
    pandas.DataFrame
        The registry columns plus ``study`` (first) and ``precision`` (the step of
        the last printed decimal of ``value``).

    Raises
    ------
    ValueError
        Naming the file and the failing rows when the CSV breaks the schema, or
        when ``study`` is unknown.

    Examples
    --------
    >>> reg = load_published("zhang2021")
    >>> row = reg.set_index("id").loc["cr_pct"]
    >>> row[["value", "low", "high"]].tolist(), float(row["precision"])
    (['79', '66', '92'], 1.0)
    """
    if study is None:
        return pd.concat([load_published(s) for s in studies()], ignore_index=True)
    path = DATA_DIR / study / "published.csv"
    if not path.is_file():
        raise ValueError(f"unknown study {study!r}: no {path}; known: {studies()}")
    return by_content(path, SCHEMA, lambda data: _registry(path, study, data))
