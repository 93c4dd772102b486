"""Calibrate a study's synthetic cohort(s) and write them, byte-identically per seed.

Files (under ``data/<study>/``):

- ``synthetic_cohort_seed<N>.csv``: one row per synthetic patient; the first column
  is ``synthetic`` and reads ``SYNTHETIC`` on every row;
- ``synthetic_calibration_seed<N>.csv``: per printed number, the published text, the
  achieved value, whether it prints the same, its loss, and a note for numbers no
  cohort can meet.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

from carbook.data import DATA_DIR
from carbook.published import load_published
from carbook.reconstruct import generic, wudhikarn2021
from carbook.reconstruct.engine import Model, calibrate, derive
from carbook.reconstruct.spec import Spec, load_spec
from carbook.reconstruct.targets import Evaluator, inconsistent_p_targets, infeasible_hr_targets

__all__ = ["BUDGET", "MODELS", "cohort_path", "evaluate", "load_cohort", "reconstruct", "write"]


def _zhang2021(spec: Spec, rng: np.random.Generator) -> tuple[pd.DataFrame, Model]:
    """Deaths and relapses are not published; follow-up of survivors is at most 47 months."""
    longest = float(load_published("zhang2021").set_index("id").loc["fu_median", "high"])
    return generic.build(spec, rng, events=None, median=12.0, max_time=longest, relapses=-1)


def _medians_only(longest: float):
    """Studies that print only medians: deaths and progressions are not published."""

    def build(spec: Spec, rng: np.random.Generator) -> tuple[pd.DataFrame, Model]:
        return generic.build(spec, rng, events=None, median=8.0, max_time=longest, relapses=-1)

    return build


#: study -> cohort model builder (xu2023: OS median up to 25 months, follow-up assumed
#: at most 60; gauthier2021: at most 36 months)
MODELS = {
    "gauthier2021": _medians_only(36.0),
    "wudhikarn2021": wudhikarn2021.build,
    "xu2023": _medians_only(60.0),
    "zhang2021": _zhang2021,
}
#: default search budget (iterations), the one behind the committed files
BUDGET = 12000

_DROP = ["stratum"]  # working column of the search


def cohort_path(study: str, seed: int, kind: str = "cohort") -> Path:
    """Path of a synthetic cohort (``kind="cohort"``) or its calibration report."""
    return DATA_DIR / study / f"synthetic_{kind}_seed{seed}.csv"


def reconstruct(
    study: str, seed: int = 1, budget: int = BUDGET, progress: bool = True
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Build and calibrate one synthetic cohort of ``study`` from ``seed``.

    Raises
    ------
    ValueError
        If the study has no cohort model.
    """
    if study not in MODELS:
        raise ValueError(f"no reconstruction model for {study!r}; available: {sorted(MODELS)}")
    spec = load_spec(study)
    rng = np.random.default_rng(seed)
    cohort, model = MODELS[study](spec, rng)
    if progress:
        print(f"calibrating {study} (seed {seed}, {budget} iterations)", file=sys.stderr)
    cohort, report = calibrate(spec, model, cohort, rng, budget, progress)
    if model.finish is not None:
        model.finish(cohort, rng)
    derived = list(spec.derived)
    out = cohort.drop(columns=[c for c in [*_DROP, *derived] if c in cohort])
    out.insert(0, "synthetic", "SYNTHETIC")
    return out, report


def write(study: str, seed: int, cohort: pd.DataFrame, report: pd.DataFrame) -> list[Path]:
    """Write the cohort and its report with fixed formatting (byte-identical per seed)."""
    paths = [cohort_path(study, seed), cohort_path(study, seed, "calibration")]
    out = cohort.copy()
    for col in out.select_dtypes("number"):
        if (out[col].dropna() % 1 == 0).all() and not col.startswith("t_"):
            out[col] = out[col].astype("Int64")
    out.to_csv(paths[0], index=False, float_format="%.2f", lineterminator="\n")
    fmt = {c: report[c].map(lambda v: f"{v:.6g}") for c in ("achieved", "loss")}
    report.assign(**fmt).to_csv(paths[1], index=False, lineterminator="\n")
    return paths


def load_cohort(study: str, seed: int = 1) -> pd.DataFrame:
    """A committed synthetic cohort, with the derived covariates of its targets.

    Raises
    ------
    ValueError
        If the file is missing (generate it with ``python -m carbook reconstruct``).

    Examples
    --------
    >>> c = load_cohort("wudhikarn2021")
    >>> len(c), set(c["synthetic"])
    (56, {'SYNTHETIC'})
    """
    path = cohort_path(study, seed)
    if not path.is_file():
        raise ValueError(
            f"missing {path}; run: python -m carbook reconstruct {study} --seed {seed}"
        )
    cohort = pd.read_csv(path, keep_default_na=False, na_values=[""])
    derive(load_spec(study), cohort)
    return cohort


def evaluate(study: str, seed: int = 1) -> pd.DataFrame:
    """Recompute the calibration report of a committed cohort from the cohort itself.

    Examples
    --------
    >>> rep = evaluate("xu2023")
    >>> bool(rep["within"].all())
    True
    """
    spec = load_spec(study)
    cohort = load_cohort(study, seed)
    endpoints = MODELS[study](spec, np.random.default_rng(seed))[1].endpoints
    excluded = infeasible_hr_targets(spec.targets, cohort, endpoints)
    evaluator = Evaluator(spec.targets, endpoints, excluded, inconsistent_p_targets(spec.targets))
    return evaluator.report(cohort)
