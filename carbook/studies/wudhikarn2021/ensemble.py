"""What does a publication pin down? Spread of quantities across an ensemble of cohorts.

Every cohort of an ensemble is calibrated to the same published targets from a
different seed; the cohorts do not all meet them (the search is stochastic:
:func:`carbook.reconstruct.reports.met_by_seed` counts what each meets). The spread of
a quantity across the ensemble therefore measures how much the published numbers and
our search leave open. It is not a confidence interval and says nothing about the real
patients: a quantity the paper never printed is not estimated by any synthetic cohort.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from carbook import survival as sv
from carbook.data import DATA_DIR
from carbook.reconstruct.reports import met_by_seed
from carbook.reconstruct.run import load_cohort

__all__ = ["load_summary", "per_seed", "quantities", "spread", "spread_of", "write_summary"]

STUDY = "wudhikarn2021"
#: Per-seed summary of a 20-cohort ensemble (seeds 1-20), written by :func:`write_summary`.
SUMMARY = DATA_DIR / STUDY / "ensemble_summary.csv"
MET, PARTS = "printed parts met", "printed parts"


def _km_at(time: pd.Series, event: pd.Series, at: float) -> float:
    return 100 * float(sv.step_at(sv.km(time, event), [at])["surv"].iloc[0])


def quantities(cohort: pd.DataFrame) -> dict[str, float]:
    """Quantities of a wudhikarn2021-shaped cohort; (published) marks targeted ones.

    Examples
    --------
    >>> c = load_cohort("wudhikarn2021", 1)
    >>> q = quantities(c)
    >>> len(q), 0 < q["5-year OS, %"] < q["3-year OS, % (published)"] < 100
    (10, True)
    """
    t, dead = cohort["t_last"], cohort["dead"]
    prog = cohort["progressed"] == 1
    efs_time = cohort["t_rr"].where(prog, t)
    efs_event = (prog | (dead == 1)).astype(int)
    x = pd.DataFrame(
        {
            "age_gt40": (cohort["age"] > 40).astype(int),
            "morphologic": (cohort["burden"] == "morphologic").astype(int),
        }
    )
    hr = sv.cox_batch(t, dead, x)["hr"]
    return {
        **_after_progression(cohort),
        "3-year OS, % (published)": _km_at(t, dead, 36),
        "2-year OS, %": _km_at(t, dead, 24),
        "5-year OS, %": _km_at(t, dead, 60),
        "median EFS, months": sv.km_quantile(sv.km(efs_time, efs_event))[0],
        "deaths among the 18 without progression": float(dead[~prog].sum()),
        "HR for death, age > 40": float(hr["age_gt40"]),
        "HR for death, morphologic disease": float(hr["morphologic"]),
    }


def _after_progression(cohort: pd.DataFrame) -> dict[str, float]:
    """CR to salvage and OS after progression: the published coding and two others."""
    d = cohort[cohort["progressed"] == 1]
    salvaged = d[d["salvage_outcome"] != "none"]
    cr = (salvaged["salvage_outcome"] == "cr").astype(int).to_frame("cr")
    baseline = sv.cox_batch(salvaged["t_post"], salvaged["dead"], cr)["hr"].iloc[0]
    td = sv.cox_switch(d["t_post"], d["dead"], d["t_cr"])["hr"]
    return {
        "HR death, CR to salvage, baseline coding (published)": float(baseline),
        "HR death, CR to salvage, time-dependent": float(td),
        "2-year OS after progression, %": _km_at(d["t_post"], d["dead"], 24),
    }


def spread(study: str, seeds: range) -> pd.DataFrame:
    """Min, median and max of each quantity across the committed cohorts of ``seeds``.

    Raises
    ------
    ValueError
        If a cohort file is missing (generate it with ``python -m carbook reconstruct``).
    """
    return spread_of(pd.DataFrame([quantities(load_cohort(study, seed)) for seed in seeds]))


def spread_of(ensemble: pd.DataFrame) -> pd.DataFrame:
    """Min, median, max and range of each column of ``ensemble`` (one row per cohort).

    Examples
    --------
    >>> spread_of(pd.DataFrame({"q": [1.0, 4.0, 2.0]})).loc["q"].tolist()
    [1.0, 2.0, 4.0, 3.0]
    """
    out = pd.DataFrame({"min": ensemble.min(), "median": ensemble.median(), "max": ensemble.max()})
    out["range"] = out["max"] - out["min"]
    out.columns.name = f"{len(ensemble)} SYNTHETIC COHORTS"
    return out


def per_seed(seeds: Iterable[int], directory: Path | None = None) -> pd.DataFrame:
    """One row per seed: printed parts its calibration met, of how many, and its quantities.

    ``directory`` holds the cohorts and reports written by ``python -m carbook
    reconstruct wudhikarn2021 --out DIR`` (default: the committed ones in ``data/``).

    Examples
    --------
    >>> t = per_seed([1])
    >>> int(t.loc[1, MET]) == int(met_by_seed(STUDY, [1]).loc[1, "met"])
    True
    """
    seeds = list(seeds)
    met = met_by_seed(STUDY, seeds, directory).drop(index="all")
    met.index = met.index.astype(int)
    rows = {seed: quantities(load_cohort(STUDY, seed, directory)) for seed in seeds}
    values = pd.DataFrame.from_dict(rows, orient="index")
    counts = met.rename(columns={"met": MET, "of": PARTS}).astype(int)
    return pd.concat([counts, values], axis=1).rename_axis("seed")


def write_summary(seeds: Iterable[int], directory: Path, path: Path = SUMMARY) -> Path:
    """Write :func:`per_seed` of the cohorts in ``directory`` to ``path`` (byte-stable)."""
    per_seed(seeds, directory).to_csv(path, lineterminator="\n", float_format="%.10g")
    return path


def load_summary(path: Path = SUMMARY) -> pd.DataFrame:
    """The committed per-seed summary of the 20-cohort ensemble (see :func:`write_summary`).

    Raises
    ------
    ValueError
        If the file is missing or lacks a column, the seeds are not 1, 2, ... in
        order, or a count is missing, impossible or differs in ``printed parts``.

    Examples
    --------
    >>> t = load_summary()
    >>> len(t), bool((t[MET] <= t[PARTS]).all())
    (20, True)
    """
    if not path.is_file():
        raise ValueError(f"missing {path}; see data/{STUDY}/README.md for the command")
    table = pd.read_csv(path)
    missing = {"seed", MET, PARTS} - set(table.columns)
    if missing:
        raise ValueError(f"{path}: missing columns {sorted(missing)}")
    if table["seed"].tolist() != list(range(1, len(table) + 1)):
        raise ValueError(f"{path}: seeds must be 1, 2, ... in order, got {table['seed'].tolist()}")
    counts = table[[MET, PARTS]]
    bad = table.index[
        counts.isna().any(axis=1)
        | (table[MET] > table[PARTS])
        | (table[MET] < 0)
        | (table[PARTS] != table[PARTS].iloc[0])
    ]
    if len(bad):
        raise ValueError(f"{path}: seed {int(table.loc[bad[0], 'seed'])} has impossible counts")
    return table.set_index("seed")


if __name__ == "__main__":  # python -m carbook.studies.wudhikarn2021.ensemble DIR SEEDS
    print(write_summary(range(1, int(sys.argv[2]) + 1), Path(sys.argv[1])))
