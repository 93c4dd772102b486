"""The post-progression block of wudhikarn2021: a witness that it can all print.

Among the 38 who progressed after CAR T, the Results print Figure 3B (median OS 7.5
months, 95% CI 4.14-13.9; 1-year OS 35%, 23-56; median follow-up 20), the medians of
those with and without a CR to salvage (16.2, 8.4-NA; 4.6, 3.6-13.9), the HR of a CR
(0.31, 0.11-0.87, P = .03) and Table 3's time-dependent salvage HR (0.48, 0.17-1.35,
P = .16). None of the cohorts calibrated from random salvage groups printed the CR
block. Is that our shortfall, or do these numbers contradict one another?

:func:`witness` answers with 38 SYNTHETIC records (``data/wudhikarn2021/post_witness.csv``:
months from progression to death or last contact, died, group, months to the first
salvage; and the months from infusion to progression and to death or last contact) on
which R's conventions print every one of them. So no proof of impossibility can exist
for them, and a cohort that misses them misses by the search's shortfall (``not_met``,
never ``not_reproducible``). The witness keeps the model's own rules for these patients: 31
deaths, 8 not salvaged, 13 CR and 17 without one among the 30 salvaged, each salvage
before death or last contact, every CR living at least :func:`.post.cr_min_post`
months after progression and one past the longest remission. Its records are also the
progressed records of Figure 1's skeleton, with progression times that print the
published 5.5 (1.3-24) months (:func:`.postplace.check_records`): the block prints
together with Figure 1. It does not carry Tables 1-5 or the facts of Tables 4-5 (the
start witness of :mod:`.poststart` carries the latter).

How it was found: a search for an order of the records (:mod:`.postsearch`, which
stopped with 19 of the 20 printed parts met), then an exact placement of its times on
Figure 1's records (:func:`.postplace.place`), which meets the 20th by putting the
overall median's lower limit on 4.14. SYNTHETIC: a construction about what the printed
numbers allow, not an estimate about the study's patients.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from carbook import survival as sv
from carbook.data import load_counts
from carbook.studies.wudhikarn2021 import post
from carbook.studies.wudhikarn2021.outcomes import prints_as, published_text
from carbook.survival.cox import cox_batch_arrays
from carbook.survival.cox_td import cox_switch
from carbook.survival.km import km_arrays, quantile_crossing

__all__ = ["GROUPS", "PATH", "check", "printed_counts", "values", "values_arrays", "witness"]

PATH = Path(__file__).resolve().parents[3] / "data" / "wudhikarn2021" / "post_witness.csv"
#: group label -> (salvaged, CR to salvage); the counts are the paper's (Figure 3A flow)
GROUPS = {"none": (0, 0), "cr": (1, 1), "no_cr": (1, 0)}
_COLUMNS = ["synthetic", "t_post", "dead", "group", "t_salvage"]


def witness(path: Path = PATH) -> pd.DataFrame:
    """The 38 records, checked against the model's rules for the progressed.

    Raises
    ------
    ValueError
        Naming the file and row, if a column is missing, a group is unknown, the group
        or death counts are not the paper's, a salvage is missing, late or not wanted, or
        a CR lives too short a time after progression for its remission. Every row must
        read ``SYNTHETIC`` in its first column, as the synthetic cohorts do.

    Examples
    --------
    >>> w = witness()
    >>> len(w), int(w["dead"].sum()), w["group"].value_counts().to_dict()
    (38, 31, {'no_cr': 17, 'cr': 13, 'none': 8})
    """
    w = pd.read_csv(path)
    missing = set(_COLUMNS) - set(w.columns)
    if missing:
        raise ValueError(f"{path}: missing columns {sorted(missing)}")
    for col, ok in (
        ("synthetic", w["synthetic"] == "SYNTHETIC"),
        ("group", w["group"].isin(list(GROUPS))),
    ):
        if not ok.all():
            raise ValueError(f"{path}: row {int(np.flatnonzero(~ok)[0])}: unknown {col}")
    counts, (want, deaths) = w["group"].value_counts().to_dict(), printed_counts()
    if counts != want or w["dead"].sum() != deaths or not w["dead"].isin([0, 1]).all():
        raise ValueError(f"{path}: needs groups {want} and {deaths} deaths (0/1), got {counts}")
    salvaged = w["group"] != "none"
    late = salvaged & ~(w["t_salvage"] < w["t_post"])
    wanted = ~salvaged & w["t_salvage"].notna()
    cr = w["group"] == "cr"
    short = cr & (w["t_post"] < post.cr_min_post())
    for label, rows in (("salvage missing or not before the last time", late),
                        ("a salvage time for a patient not salvaged", wanted),
                        ("a CR too soon before death for its remission", short)):  # fmt: skip
        if rows.any():
            raise ValueError(f"{path}: row {int(np.flatnonzero(rows)[0])}: {label}")
    if w.loc[cr, "t_post"].max() < post.cr_min_post("high"):
        raise ValueError(f"{path}: no CR lives long enough for the longest remission")
    return w


def printed_counts() -> tuple[dict[str, int], int]:
    """Patients per group and deaths among the progressed, from ``counts.csv``.

    Examples
    --------
    >>> printed_counts()
    ({'none': 8, 'cr': 13, 'no_cr': 17}, 31)
    """
    c = load_counts("wudhikarn2021").set_index("event")["value"].astype(int)
    groups = {
        "none": c["palliative"],
        "cr": c["salvage_cr"],
        "no_cr": c["salvage"] - c["salvage_cr"],
    }
    return {k: int(v) for k, v in groups.items()}, int(c["death"])


def _median(t: np.ndarray, e: np.ndarray) -> tuple[float, float, float]:
    f = km_arrays(t, e)
    return tuple(quantile_crossing(f[k], f["time"], 0.5) for k in ("surv", "lower", "upper"))  # type: ignore[return-value]


def values(w: pd.DataFrame) -> dict[str, tuple[float, ...]]:
    """Each printed claim of the block, computed on records ``w`` by R's conventions.

    Kaplan-Meier medians by ``print(survfit)``'s rule with "log" limits, the 1-year
    rate from ``summary(survfit, times = 12)``, follow-up by reverse Kaplan-Meier, the
    CR HR from ``coxph(Surv(time, dead) ~ cr)`` among the 30 salvaged (Efron, Wald CI
    and P) and the salvage HR from ``coxph(Surv(start, stop, dead) ~ salvaged)`` in
    counting-process form (:func:`carbook.survival.cox_td.cox_switch`).

    Examples
    --------
    >>> v = values(witness())
    >>> [round(x, 2) for x in v["os_post_prog_median_ci"]]
    [7.5, 4.14, 13.9]
    """
    code = w["group"].map({g: k for k, g in enumerate(GROUPS)}).to_numpy()
    arrays = (w["t_post"].to_numpy(float), w["dead"].to_numpy(int), code)
    return values_arrays(*arrays, w["t_salvage"].to_numpy(float))


def values_arrays(
    t: np.ndarray, dead: np.ndarray, group: np.ndarray, t_salvage: np.ndarray
) -> dict[str, tuple[float, ...]]:
    """:func:`values` on arrays; ``group`` is 0, 1, 2 in the order of :data:`GROUPS`.

    Examples
    --------
    >>> t = np.array([1.0, 2, 3, 4, 5, 6]); d = np.array([1, 1, 0, 1, 1, 0])
    >>> v = values_arrays(t, d, np.array([0, 1, 2, 1, 2, 1]), np.full(6, 0.5))
    >>> round(v["os_post_prog_median_ci"][0], 2), len(v)
    (4.0, 9)
    """
    one = sv.step_at(sv.km(t, dead), [12]).iloc[0]
    cr, no = group == 1, group == 2
    s = cr | no
    cox = cox_batch_arrays(t[s], dead[s], cr[s].astype(float)[:, None])
    td = cox_switch(t, dead, np.where(s, t_salvage, np.nan))
    return {
        "os_post_prog_median_ci": _median(t, dead),
        "os_post_prog_1y": tuple(100 * float(one[k]) for k in ("surv", "lower", "upper")),
        "followup_post_prog_median": (sv.median_followup(t, dead)[0],),
        "os_cr_salvage_median": _median(t[cr], dead[cr]),
        "os_nocr_salvage_median": _median(t[no], dead[no]),
        "cr_salvage_hr": tuple(float(cox[k][0]) for k in ("hr", "lower", "upper")),
        "cr_salvage_p": (float(cox["p"][0]),),
        "t3_salvage_hr": tuple(float(td[k]) for k in ("hr", "lower", "upper")),
        "t3_salvage_p": (float(td["p"]),),
    }


def check(w: pd.DataFrame | None = None) -> pd.DataFrame:
    """Published text, the witness's values and whether each claim prints as published.

    Examples
    --------
    >>> bool(check()["prints as published"].all())
    True
    """
    w = witness() if w is None else w
    rows = {}
    for claim, v in values(w).items():
        rows[claim] = {
            "published": published_text(claim),
            "witness": " ".join("NA" if np.isnan(x) else f"{x:.4g}" for x in v),
            "prints as published": prints_as(claim, *v),
        }
    out = pd.DataFrame(rows).T
    out.columns.name = "SYNTHETIC WITNESS (38 records, not a cohort)"
    return out
