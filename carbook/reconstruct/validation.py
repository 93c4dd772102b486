"""How far can a reconstructed cohort be trusted? A test on real patient data.

Two real data sets of R's ``survival`` package play the part of studies whose data we
never see: ``lung`` (228 patients with advanced lung cancer; 213 complete cases,
exported by ``tests/r/survival_reference.R`` to ``data/validation/lung.csv``) and
``veteran`` (137 men in the Veterans' Administration lung cancer trial, exported by
``tests/r/cox_tests_reference.R`` to ``data/validation/veteran.csv``). For each
(:class:`Dataset`) we compute the kind of summaries a paper prints, reconstruct
cohorts from those summaries alone, and compare statistics the search never saw (held
out) with their true values, beside a *baseline*: exponential times with the printed
median and the printed margins dealt at random, the cohort a reader might build
without any search.

The ensembles take minutes, so ``python -m carbook validate`` writes their results to
``data/validation/validation_<name>.csv`` (:func:`write_results`), which the methods
chapter reads (:func:`load_results`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from carbook import survival as sv
from carbook.data import DATA_DIR, DAYS_PER_MONTH
from carbook.reconstruct import generic
from carbook.reconstruct.engine import calibrate, derive
from carbook.reconstruct.spec import Spec, build_spec

__all__ = [
    "DATASETS",
    "Dataset",
    "baseline",
    "held_out",
    "load_lung",
    "load_results",
    "lung_spec",
    "spec_of",
    "validate",
    "write_results",
]

#: where the exported data and the committed validation results live
VALIDATION_DIR = DATA_DIR / "validation"
#: default ensemble behind the committed results
SEEDS, BUDGET = range(1, 4), 3000

Covariate = Callable[[pd.DataFrame], np.ndarray]


@dataclass(frozen=True)
class Dataset:
    """A real data set, what a paper would print about it, and what it would not.

    ``load`` gives months (``time``), ``event`` (0/1), ``age`` and the 0/1 columns of
    ``margins`` (printed as counts, Table-1 style) and ``hrs`` (univariate HRs printed
    with their P); ``landmarks`` are the printed survival rates (months).
    Held out: survival at ``held_out_times``, the restricted mean to ``rmst_tau``,
    the HRs of ``untargeted`` (label -> 0/1 covariate of a cohort, fitted one by one)
    and the medians of ``subgroups`` (label -> 0/1 column).
    """

    name: str
    load: Callable[[], pd.DataFrame]
    margins: tuple[str, ...]
    hrs: tuple[str, ...]
    landmarks: tuple[float, ...]
    held_out_times: tuple[float, ...]
    rmst_tau: float
    untargeted: dict[str, Covariate] = field(default_factory=dict)
    subgroups: dict[str, str] = field(default_factory=dict)
    followup: bool = True  # print the reverse-KM median follow-up (NaN when too few censored)


def load_lung() -> pd.DataFrame:
    """R's ``lung``, in months, with the binary covariates a paper would tabulate.

    Examples
    --------
    >>> len(load_lung()), int(load_lung()["event"].sum())
    (213, 151)
    """
    raw = pd.read_csv(VALIDATION_DIR / "lung.csv")
    return pd.DataFrame(
        {
            "time": np.round(raw["time"] / DAYS_PER_MONTH, 2),
            "event": raw["status"].astype(int),
            "age": raw["age"].astype(float),
            "female": raw["female"].astype(int),
            "ecog1": (raw["ph.ecog"] >= 1).astype(int),
            "karno_low": (raw["ph.karno"] < 80).astype(int),
        }
    )


def load_veteran() -> pd.DataFrame:
    """R's ``veteran`` (``trt`` 1 = test chemotherapy), in months, with 0/1 covariates.

    Examples
    --------
    >>> v = load_veteran()
    >>> len(v), int(v["event"].sum()), int(v["treated"].sum())
    (137, 128, 68)
    """
    raw = pd.read_csv(VALIDATION_DIR / "veteran.csv")
    return pd.DataFrame(
        {
            "time": np.round(raw["time"] / DAYS_PER_MONTH, 2),
            "event": raw["status"].astype(int),
            "age": raw["age"].astype(float),
            "treated": raw["trt"].astype(int),
            "prior": raw["prior"].astype(int),
            "smallcell": (raw["celltype"] == "smallcell").astype(int),
            "karno_low": (raw["karno"] < 60).astype(int),
        }
    )


def _column(name: str) -> Covariate:
    return lambda c: c[name].to_numpy()


def _older(age: float) -> Covariate:
    return lambda c: (c["age"].to_numpy() > age).astype(int)


LUNG = Dataset(
    name="lung",
    load=load_lung,
    margins=("female", "ecog1", "karno_low"),
    hrs=("female", "ecog1"),
    landmarks=(6, 12),
    held_out_times=(3, 9, 18, 24),
    rmst_tau=24,
    untargeted={"age > 65": _older(65), "Karnofsky < 80": _column("karno_low")},
    subgroups={"women": "female", "ECOG >= 1": "ecog1"},
)
VETERAN = Dataset(
    name="veteran",
    load=load_veteran,
    margins=("treated", "prior", "smallcell", "karno_low"),
    hrs=("treated",),
    landmarks=(3, 6),
    held_out_times=(1, 9, 12),
    rmst_tau=12,
    untargeted={
        "age > 60": _older(60),
        "Karnofsky < 60": _column("karno_low"),
        "small-cell": _column("smallcell"),
        "prior therapy": _column("prior"),
    },
    subgroups={"test arm": "treated", "small-cell": "smallcell"},
    followup=False,  # 128 of 137 died: the reverse-KM median follow-up is not reached
)
#: the validation data sets, by name
DATASETS = {d.name: d for d in (LUNG, VETERAN)}


def _dataset(name: str) -> Dataset:
    if name not in DATASETS:
        raise ValueError(f"dataset must be one of {sorted(DATASETS)}, got {name!r}")
    return DATASETS[name]


def _p(p: float) -> str:
    return f"{p:.3f}" if p < 0.01 else f"{p:.2f}"


def _summaries(ds: Dataset, df: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """What a paper would print about ``df``: (registry, counts), as text."""
    fit = sv.km(df["time"], df["event"])
    rows = [("os_median", *(f"{v:.1f}" for v in sv.km_quantile(fit)))]
    for t in ds.landmarks:
        s = sv.step_at(fit, [t]).iloc[0]
        rows.append((f"os_{t}m", *(f"{100 * s[k]:.1f}" for k in ("surv", "lower", "upper"))))
    if ds.followup:
        fu = sv.median_followup(df["time"], df["event"])
        rows.append(("followup", *(f"{v:.1f}" for v in fu)))
    rows.append(
        ("age", *(f"{v:.0f}" for v in (df["age"].median(), df["age"].min(), df["age"].max())))
    )
    cox = sv.cox_batch(df["time"], df["event"], df[list(ds.hrs)])
    for cov in ds.hrs:
        r = cox.loc[cov]
        rows.append((f"hr_{cov}", f"{r['hr']:.2f}", f"{r['lower']:.2f}", f"{r['upper']:.2f}"))
        rows.append((f"p_{cov}", _p(r["p"]), "", ""))
    registry = pd.DataFrame(rows, columns=["id", "value", "low", "high"])
    events = ["patients", *ds.margins]
    counts = pd.DataFrame(
        {"event": events, "count": [len(df), *(int(df[c].sum()) for c in ds.margins)]}
    )
    counts["formula"] = ""
    counts["value"] = counts["count"]
    return registry, counts


def _targets(ds: Dataset) -> dict:
    """The targets mapping of ``ds`` (as a study's ``targets.yaml``)."""
    targets = [{"claim": "os_median", "kind": "km_median", "endpoint": "os"}]
    for t in ds.landmarks:
        targets.append({"claim": f"os_{t}m", "kind": "km_at", "endpoint": "os", "time": t})
    if ds.followup:
        targets.append({"claim": "followup", "kind": "followup", "endpoint": "os"})
    for cov in ds.hrs:
        hr = {"claim": f"hr_{cov}", "kind": "cox_hr", "endpoint": "os", "covariate": cov}
        targets.append({**hr, "p_claim": f"p_{cov}"})
    return {
        "strata": {"all": "patients"},
        "categorical": {c: {"rest": 0, "all": {1: c}} for c in ds.margins},
        "continuous": {"age": {"decimals": 0, "all": "age"}},
        "targets": targets,
    }


def spec_of(name: str) -> tuple[Spec, dict[str, float]]:
    """Targets from the printed summaries of a real data set, and its bare facts.

    The facts (patients, events, longest follow-up, printed median) are what a
    paper would also give.

    Raises
    ------
    ValueError
        If ``name`` is not in :data:`DATASETS`.

    Examples
    --------
    >>> spec, facts = spec_of("veteran")
    >>> spec.strata, facts["events"], [t.claim for t in spec.targets][-1]
    ({'all': 137}, 128, 'hr_treated')
    """
    ds = _dataset(name)
    df = ds.load()
    registry, counts = _summaries(ds, df)
    facts = {
        "events": int(df["event"].sum()),
        "max_time": float(df["time"].max()),
        "median": float(registry.set_index("id").loc["os_median", "value"]),
    }
    return build_spec(f"validation_{name}", _targets(ds), registry, counts), facts


def lung_spec() -> tuple[Spec, dict[str, float]]:
    """:func:`spec_of` for ``lung``.

    Examples
    --------
    >>> spec, facts = lung_spec()
    >>> spec.strata, facts["events"]
    ({'all': 213}, 151)
    """
    return spec_of("lung")


def _rmst(time: np.ndarray, event: np.ndarray, tau: float) -> float:
    a = sv.km_arrays(np.asarray(time, float), np.asarray(event, float))
    t = np.concatenate([[0.0], a["time"][a["time"] < tau], [tau]])
    s = np.concatenate([[1.0], a["surv"][a["time"] < tau]])
    return float(np.sum(s * np.diff(t)))


def _median(time: np.ndarray, event: np.ndarray) -> float:
    return sv.km_quantile(sv.km(time, event))[0]


def held_out(cohort: pd.DataFrame, name: str = "lung") -> dict[str, float]:
    """Statistics never used as targets (plus the targeted median, for reference).

    Examples
    --------
    >>> round(held_out(load_lung())["median OS (targeted)"], 1)
    11.1
    >>> round(held_out(load_veteran(), "veteran")["HR small-cell (untargeted)"], 2)
    1.83
    """
    ds = _dataset(name)
    t, e = cohort["time"].to_numpy(), cohort["event"].to_numpy()
    fit = sv.km(t, e)
    out = {"median OS (targeted)": sv.km_quantile(fit)[0]}
    for m in ds.held_out_times:
        out[f"OS at {m} months, %"] = 100 * float(sv.step_at(fit, [m])["surv"].iloc[0])
    out[f"RMST to {ds.rmst_tau} months"] = _rmst(t, e, ds.rmst_tau)
    x = pd.DataFrame({label: f(cohort) for label, f in ds.untargeted.items()})
    hr = sv.cox_batch(t, e, x)["hr"]
    out.update({f"HR {label} (untargeted)": float(hr[label]) for label in ds.untargeted})
    for label, col in ds.subgroups.items():
        sel = cohort[col].to_numpy() == 1
        out[f"median OS, {label} (subgroup)"] = _median(t[sel], e[sel])
    return out


def _start(name: str, seed: int) -> tuple[Spec, pd.DataFrame, object, np.random.Generator]:
    """The starting draw of ``seed``, which the baseline keeps and the search starts from.

    Exponential times with the printed median (capped at the longest follow-up), the
    printed number of deaths, the printed margins dealt at random.
    """
    spec, facts = spec_of(name)
    rng = np.random.default_rng(seed)
    cohort, model = generic.build(spec, rng, facts["events"], facts["median"], facts["max_time"])
    derive(spec, cohort)
    return spec, cohort, model, rng


def baseline(name: str, seeds: range = SEEDS) -> pd.DataFrame:
    """Held-out statistics of the baseline cohorts (no search), one row per seed.

    Examples
    --------
    >>> b = baseline("veteran", range(1, 3))
    >>> len(b), bool(b["median OS (targeted)"].notna().all())
    (2, True)
    """
    return pd.DataFrame([held_out(_start(name, seed)[1], name) for seed in seeds])


def _calibrated(name: str, seed: int, budget: int, progress: bool) -> dict[str, float]:
    spec, cohort, model, rng = _start(name, seed)
    cohort, _ = calibrate(spec, model, cohort, rng, budget, progress)
    return held_out(cohort, name)


def validate(
    seeds: range = SEEDS, budget: int = BUDGET, progress: bool = False, name: str = "lung"
) -> pd.DataFrame:
    """Reconstruct from the summaries with several seeds; compare held-out statistics.

    Returns
    -------
    pandas.DataFrame
        One row per statistic: ``true``; over the calibrated cohorts ``mean``, ``min``,
        ``max``, ``error`` (mean - true) and ``true_in_range``; over the baseline
        cohorts ``baseline_mean`` and ``baseline_error``.
    """
    truth = held_out(_dataset(name).load(), name)
    ens = pd.DataFrame([_calibrated(name, seed, budget, progress) for seed in seeds])
    base = baseline(name, seeds)
    out = pd.DataFrame(
        {"true": pd.Series(truth), "mean": ens.mean(), "min": ens.min(), "max": ens.max()}
    )
    out["error"] = out["mean"] - out["true"]
    out["true_in_range"] = (out["true"] >= out["min"]) & (out["true"] <= out["max"])
    out["baseline_mean"] = base.mean()
    out["baseline_error"] = out["baseline_mean"] - out["true"]
    return out


def _result_path(name: str, directory: Path | None) -> Path:
    return (directory or VALIDATION_DIR) / f"validation_{_dataset(name).name}.csv"


def write_results(
    names: tuple[str, ...] = tuple(DATASETS), directory: Path | None = None
) -> list[Path]:
    """Run :func:`validate` (default ensemble) for each data set and write its table.

    Deterministic: the same bytes on every run (seeds fixed in :data:`SEEDS`).
    """
    paths = []
    for name in names:
        path = _result_path(name, directory)
        table = validate(SEEDS, BUDGET, name=name).rename_axis("statistic")
        table.to_csv(path, float_format="%.6g", lineterminator="\n")
        paths.append(path)
    return paths


def load_results(name: str) -> pd.DataFrame:
    """The committed table of :func:`write_results` for ``name`` (index: statistic).

    Raises
    ------
    ValueError
        If the file is missing (run ``python -m carbook validate``).

    Examples
    --------
    >>> t = load_results("veteran")
    >>> "baseline_error" in t and bool(t["true"].notna().all())
    True
    """
    path = _result_path(name, None)
    if not path.is_file():
        raise ValueError(f"no validation results for {name!r}: {path} (python -m carbook validate)")
    return pd.read_csv(path, index_col="statistic")
