"""Calibrate a synthetic cohort and write it with its report, byte-identically per seed.

Study-agnostic: the cohort model (``build``) comes from the study
(:mod:`carbook.studies.models`). Files (see :func:`carbook.data.synthetic.cohort_path`):

- ``synthetic_cohort_seed<N>.csv``: one row per synthetic patient; the first column
  is ``synthetic`` and reads ``SYNTHETIC`` on every row;
- ``synthetic_calibration_seed<N>.csv``: per printed number, the published text, the
  achieved value, whether it prints the same, its loss, and a note for numbers no
  cohort can meet; its first column also reads ``SYNTHETIC``.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from carbook._cpu import DISABLE, avx512_maths
from carbook.data import DATA_DIR
from carbook.data.synthetic import LABEL, cohort_path, load_synthetic
from carbook.reconstruct.engine import Model, calibrate, derive
from carbook.reconstruct.proofs import proofs
from carbook.reconstruct.spec import Spec, load_spec
from carbook.reconstruct.targets import Evaluator, inconsistent_p_targets

__all__ = ["BUDGET", "Build", "evaluate", "load_cohort", "reconstruct", "write"]

#: a study's cohort model: (spec, rng) -> (starting cohort, model)
Build = Callable[[Spec, np.random.Generator], tuple[pd.DataFrame, Model]]
#: default search budget (iterations), the one behind the committed files
BUDGET = 12000
AVX512_NOTE = (
    "note: numpy runs its AVX-512 exp and log here (it was imported before carbook could "
    "set NPY_DISABLE_CPU_FEATURES); the cohort may differ in its bytes from the committed "
    f"one. Run python -m carbook, or set NPY_DISABLE_CPU_FEATURES='{DISABLE}' before "
    "starting Python."
)

_DROP = ["stratum"]  # working column of the search


def reconstruct(
    study: str, build: Build, seed: int = 1, budget: int = BUDGET, progress: bool = True
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Build and calibrate one synthetic cohort of ``study`` from ``seed``.

    Raises
    ------
    ValueError
        If ``budget`` is below 1.
    """
    if budget < 1:
        raise ValueError(f"budget must be at least 1 iteration, got {budget}")
    spec = load_spec(study)
    rng = np.random.default_rng(seed)
    cohort, model = build(spec, rng)
    if progress:
        print(f"calibrating {study} (seed {seed}, {budget} iterations)", file=sys.stderr)
        if avx512_maths():
            print(AVX512_NOTE, file=sys.stderr)
    cohort, report = calibrate(spec, model, cohort, rng, budget, progress)
    if model.finish is not None:
        model.finish(cohort, rng)
    derived = list(spec.derived)
    out = cohort.drop(columns=[c for c in [*_DROP, *derived] if c in cohort])
    out.insert(0, "synthetic", LABEL)
    return out, report


def _csv_texts(cohort: pd.DataFrame, report: pd.DataFrame) -> tuple[str, str]:
    out = cohort.copy()
    for col in out.select_dtypes("number"):
        if (out[col].dropna() % 1 == 0).all() and not col.startswith("t_"):
            out[col] = out[col].astype("Int64")
    fmt = {c: report[c].map(lambda v: f"{v:.6g}") for c in ("achieved", "loss")}
    rep = report.assign(**fmt)
    rep.insert(0, "synthetic", LABEL)
    return (
        out.to_csv(index=False, float_format="%.2f", lineterminator="\n"),
        rep.to_csv(index=False, lineterminator="\n"),
    )


def writable(directory: Path) -> Path:
    """``directory``, created if needed; raises ``ValueError`` if it cannot be written.

    Examples
    --------
    >>> import tempfile
    >>> writable(Path(tempfile.mkdtemp())).is_dir()
    True
    """
    try:
        directory.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=directory):
            pass
    except OSError as err:
        raise ValueError(f"output folder {directory} is not writable ({err.strerror})") from None
    return directory


def write(
    study: str,
    seed: int,
    cohort: pd.DataFrame,
    report: pd.DataFrame,
    directory: Path | None = None,
) -> list[Path]:
    """Write the cohort, its report and its per-phase counts together (all or none).

    Byte-identical per seed. The third file, ``synthetic_phases_seed<N>.csv``, is the
    count of printed numbers met after each phase of the calibration
    (``report.attrs["phases"]``, from :func:`carbook.reconstruct.search.calibrate`);
    it is written when the report carries it.

    Both files are first written to temporary files in ``directory`` (default
    ``data/<study>/``) and only then moved into place.
    """
    directory = writable(directory or DATA_DIR / study)
    texts = dict(zip(("cohort", "calibration"), _csv_texts(cohort, report), strict=True))
    if report.attrs.get("phases") is not None:
        texts["phases"] = report.attrs["phases"].to_csv(index=False, lineterminator="\n")
    paths = [cohort_path(study, seed, kind, directory) for kind in texts]
    temps = []
    try:
        for text in texts.values():
            fd, tmp = tempfile.mkstemp(dir=directory, suffix=".tmp")
            with os.fdopen(fd, "w", newline="") as fh:
                fh.write(text)
            temps.append(tmp)
        for tmp, path in zip(temps, paths, strict=True):
            os.replace(tmp, path)
    finally:
        for tmp in temps:
            if os.path.exists(tmp):
                os.remove(tmp)
    return paths


def load_cohort(study: str, seed: int = 1, directory: Path | None = None) -> pd.DataFrame:
    """A committed synthetic cohort, validated, with the derived covariates of its targets.

    ``directory`` reads a cohort written by ``python -m carbook reconstruct --out DIR``
    instead of the committed one in ``data/<study>/``.

    Raises
    ------
    ValueError
        If the file is missing or breaks the schema (:func:`carbook.data.synthetic.load_synthetic`).

    Examples
    --------
    >>> c = load_cohort("wudhikarn2021")
    >>> len(c), set(c["synthetic"])
    (56, {'SYNTHETIC'})
    """
    cohort = load_synthetic(study, seed, cohort_path(study, seed, directory=directory))
    derive(load_spec(study), cohort)
    return cohort


def evaluate(study: str, build: Build, seed: int = 1) -> pd.DataFrame:
    """Recompute the calibration report of a committed cohort from the cohort itself."""
    spec = load_spec(study)
    cohort = load_cohort(study, seed)
    model = build(spec, np.random.default_rng(seed))[1]
    endpoints = model.endpoints
    excluded = proofs(spec.targets, cohort, endpoints, model.proofs)
    evaluator = Evaluator(spec.targets, endpoints, excluded, inconsistent_p_targets(spec.targets))
    return evaluator.report(cohort)
