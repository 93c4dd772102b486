"""SYNTHETIC cohorts as data: paths, schema and a validating loader.

A synthetic cohort (``data/<study>/synthetic_cohort_seed<N>.csv``) is built by
:mod:`carbook.reconstruct` to print what a paper prints; it is not patient data.
Every row says so in its first column, and the loader refuses a file that does not,
or whose times, event codes or ids are impossible, naming the file, line and column.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from carbook.data import DATA_DIR

__all__ = ["EVENT_COLUMNS", "LABEL", "cohort_path", "load_synthetic", "validate_synthetic"]

#: the label on every row, file, table and figure of a synthetic cohort
LABEL = "SYNTHETIC"
#: event and status columns: 0 (no) or 1 (yes) wherever present
EVENT_COLUMNS = ("event", "relapse", "dead", "progressed", "relapsed")
_KINDS = ("cohort", "calibration", "phases")


def cohort_path(study: str, seed: int, kind: str = "cohort", directory: Path | None = None) -> Path:
    """Path of a synthetic cohort (``kind="cohort"``) or its calibration report.

    Examples
    --------
    >>> cohort_path("xu2023", 1).name
    'synthetic_cohort_seed1.csv'
    """
    if kind not in _KINDS:
        raise ValueError(f"kind must be one of {_KINDS}, got {kind!r}")
    return (directory or DATA_DIR / study) / f"synthetic_{kind}_seed{seed}.csv"


def _is_time(name: str) -> bool:
    return name == "time" or name.startswith("t_")


def _schema(columns: list[str]) -> pa.DataFrameSchema:
    cols = {
        "synthetic": pa.Column(str, pa.Check.eq(LABEL), nullable=False),
        "id": pa.Column(str, pa.Check.str_length(min_value=1), unique=True, nullable=False),
    }
    for name in columns:
        if _is_time(name):
            cols[name] = pa.Column(float, pa.Check.ge(0), nullable=True, coerce=True)
        elif name in EVENT_COLUMNS:
            cols[name] = pa.Column(float, pa.Check.isin([0, 1]), nullable=False, coerce=True)
    return pa.DataFrameSchema(cols, strict=False)


def validate_synthetic(cohort: pd.DataFrame, source: object = "cohort") -> pd.DataFrame:
    """Check a synthetic cohort; return it unchanged (dtypes as read).

    Raises
    ------
    ValueError
        Naming ``source``, the line (header = line 1), the column and the value, when
        the ``synthetic`` column is missing or not ``SYNTHETIC`` on a row, a time is
        negative, an event code is not 0/1, or an id repeats.

    Examples
    --------
    >>> bad = pd.DataFrame({"synthetic": ["SYNTHETIC"], "id": ["P1"], "time": [-1.0]})
    >>> try:
    ...     validate_synthetic(bad, "x.csv")
    ... except ValueError as err:
    ...     print(str(err).splitlines()[1])
    x.csv, line 2, column time: -1.0 (greater_than_or_equal_to(0))
    """
    missing = [c for c in ("synthetic", "id") if c not in cohort]
    if missing:
        raise ValueError(f"{source}: not a synthetic cohort, missing column(s) {missing}")
    if not any(_is_time(c) for c in cohort):
        raise ValueError(f"{source}: no time column ('time' or 't_*')")
    try:
        _schema(list(cohort.columns)).validate(cohort.copy(), lazy=True)
    except pa.errors.SchemaErrors as err:
        cases = err.failure_cases
        lines = [
            f"{source}, line {int(r.index) + 2 if pd.notna(r.index) else '?'}, "
            f"column {r.column}: {r.failure_case} ({r.check})"
            for r in cases.itertuples()
        ]
        raise ValueError(
            f"{source} breaks the synthetic-cohort schema:\n" + "\n".join(lines)
        ) from None
    return cohort


def load_synthetic(study: str, seed: int = 1, path: Path | None = None) -> pd.DataFrame:
    """Read and validate a committed synthetic cohort (no derived columns).

    Raises
    ------
    ValueError
        If the file is missing (generate it with ``python -m carbook reconstruct``) or
        breaks the schema (see :func:`validate_synthetic`).

    Examples
    --------
    >>> c = load_synthetic("zhang2021")
    >>> len(c), set(c["synthetic"])
    (43, {'SYNTHETIC'})
    """
    path = path or cohort_path(study, seed)
    if not path.is_file():
        raise ValueError(
            f"missing {path}; run: python -m carbook reconstruct {study} --seed {seed}"
        )
    try:
        raw = pd.read_csv(path, keep_default_na=False, na_values=[""])
    except (pd.errors.ParserError, UnicodeDecodeError) as err:
        raise ValueError(f"{path}: malformed CSV ({err})") from err
    return validate_synthetic(raw, path)
