"""Wudhikarn 2021, Tables 4 and 5: the per-patient tables the paper prints, validated.

Table 4: 12 patients given blinatumomab and/or inotuzumab after CAR T.
Table 5: 10 patients given a CAR T reinfusion. Its text extraction lost cells; the
resolved values are flagged in the ``inferred`` column and explained in
``data/wudhikarn2021/README.md`` (codes R1-R8).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pandera.pandas as pa

from carbook.data import read_study_csv

__all__ = ["RESPONSES", "T4_SCHEMA", "T5_SCHEMA", "YES_NO", "load_table4", "load_table5"]

STUDY = "wudhikarn2021"
YES_NO = ["yes", "no"]
RESPONSES = ["mrd_neg_cr", "mrd_pos_cr", "cr_mrd_unknown", "nr", "unknown", ""]


def _int_or_blank(name: str) -> pa.Column:
    return pa.Column(str, pa.Check.str_matches(r"^\d*$"), title=name)


_ID = pa.Column(str, pa.Check.str_matches(r"^MSK\d+$"), unique=True)
_INFERRED = pa.Column(str, pa.Check.str_matches(r"^[a-z0-9_;]*$"))

T4_SCHEMA = pa.DataFrameSchema(
    {
        "id": _ID,
        "drugs": pa.Column(
            str, pa.Check.isin(["blinatumomab", "inotuzumab", "blinatumomab then inotuzumab"])
        ),
        "prior_immunotherapy": pa.Column(str, pa.Check.isin(["none", "blinatumomab"])),
        "cd19_at_relapse": pa.Column(str, pa.Check.isin(["positive", "negative", "not_reported"])),
        "blin_days": _int_or_blank("blin_days"),
        "blin_crs": pa.Column(str, pa.Check.isin([*YES_NO, ""])),
        "blin_crs_grade": pa.Column(str, pa.Check.isin(["", "unknown", "1", "2", "3", "4", "5"])),
        "blin_neurotox": pa.Column(str, pa.Check.isin([*YES_NO, ""])),
        "blin_neurotox_grade": pa.Column(
            str, pa.Check.isin(["", "unknown", "1", "2", "3", "4", "5"])
        ),
        "blin_cytopenia_g3": pa.Column(str, pa.Check.isin([*YES_NO, "unknown", ""])),
        "blin_response": pa.Column(str, pa.Check.isin(RESPONSES)),
        "ino_days": _int_or_blank("ino_days"),
        "ino_cytopenia_g3": pa.Column(str),
        "ino_sos": pa.Column(str, pa.Check.isin(["yes", "no", "yes_after_allohsct", ""])),
        "ino_response": pa.Column(str, pa.Check.isin(RESPONSES)),
        "alive": pa.Column(str, pa.Check.isin(YES_NO)),
        "cause_of_death": pa.Column(str, pa.Check.isin(["", "disease", "trm", "unknown"])),
        "inferred": _INFERRED,
        "inference": pa.Column(str),
    },
    checks=[
        pa.Check(lambda d: (d["inferred"] == "") == (d["inference"] == ""), error="inference"),
        pa.Check(lambda d: (d["alive"] == "yes") == (d["cause_of_death"] == ""), error="death"),
    ],
    strict=True,
    ordered=True,
)

_GRADE = pa.Column(str, pa.Check.isin(["", "1", "2", "3", "4", "5"]))
_PRESENT = pa.Column(str, pa.Check.isin(["yes", "no", "unknown"]))
T5_SCHEMA = pa.DataFrameSchema(
    {
        "id": _ID,
        "status1": pa.Column(str, pa.Check.isin(["morphologic", "MRD"])),
        "ld1": pa.Column(str, pa.Check.str_matches(r"^(Cy [\d.]+ g/m2|Flu/Cy)$")),
        "dose1_e6_per_kg": pa.Column(str, pa.Check.str_matches(r"^[\d.]+$")),
        "peak1": _int_or_blank("peak1"),
        "crs1": _PRESENT,
        "crs1_grade": _GRADE,
        "icans1": _PRESENT,
        "icans1_grade": _GRADE,
        "response1": pa.Column(str, pa.Check.isin(RESPONSES)),
        "relapse_site": pa.Column(str),
        "days_to_second": pa.Column(str, pa.Check.str_matches(r"^\d+$")),
        "status2": pa.Column(str, pa.Check.isin(["morphologic", "MRD"])),
        "ld2": pa.Column(str, pa.Check.str_matches(r"^(Cy [\d.]+ g/m2|Flu/Cy)$")),
        "dose2_e6_per_kg": pa.Column(str, pa.Check.str_matches(r"^[\d.]+$")),
        "expansion2": pa.Column(str, pa.Check.isin(YES_NO)),
        "peak2": _int_or_blank("peak2"),
        "crs2": _PRESENT,
        "crs2_grade": _GRADE,
        "icans2": _PRESENT,
        "icans2_grade": _GRADE,
        "response2": pa.Column(str, pa.Check.isin(RESPONSES)),
        "post_second_treatment": pa.Column(str, pa.Check.isin(YES_NO)),
        "alive": pa.Column(str, pa.Check.isin(YES_NO)),
        "cause_of_death": pa.Column(str, pa.Check.isin(["", "disease", "trm", "unknown"])),
        "inferred": _INFERRED,
        "inference": pa.Column(str, pa.Check.str_matches(r"^(R\d( R\d)*)?$")),
    },
    checks=[
        pa.Check(lambda d: (d["inferred"] == "") == (d["inference"] == ""), error="inference"),
        pa.Check(lambda d: (d["expansion2"] == "yes") == (d["peak2"] != ""), error="peak2"),
        pa.Check(lambda d: (d["alive"] == "yes") == (d["cause_of_death"] == ""), error="death"),
    ],
    strict=True,
    ordered=True,
)


def _numeric(df: pd.DataFrame, cols: list[str]) -> pd.DataFrame:
    """Numbers as numbers; whole-number columns as nullable integers (NA = not printed)."""
    out = df.copy()
    for col in cols:
        values = pd.to_numeric(out[col].replace("", np.nan))
        whole = bool((values.dropna() % 1 == 0).all())
        out[col] = values.astype("Int64") if whole else values
    return out


def load_table4() -> pd.DataFrame:
    """Table 4 (12 patients), validated; day columns numeric (NaN = drug not given).

    Examples
    --------
    >>> load_table4()["drugs"].value_counts().to_dict()["inotuzumab"]
    5
    """
    df = read_study_csv(STUDY, "table4.csv", T4_SCHEMA)
    return _numeric(df, ["blin_days", "ino_days"])


def load_table5() -> pd.DataFrame:
    """Table 5 (10 patients), validated; numbers numeric (NaN = not printed).

    Examples
    --------
    >>> load_table5().loc[lambda d: d["id"] == "MSK17", "icans2_grade"].item()
    '5'
    """
    df = read_study_csv(STUDY, "table5.csv", T5_SCHEMA)
    return _numeric(df, ["peak1", "peak2", "days_to_second", "dose1_e6_per_kg", "dose2_e6_per_kg"])
