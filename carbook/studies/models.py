"""Each study's cohort model, and calibration and evaluation through it.

The engine (:mod:`carbook.reconstruct`) knows no paper; this module tells it, for each
study, how a starting cohort is built and which moves keep its published facts.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import numpy as np
import pandas as pd
from joblib import Parallel, delayed

from carbook.reconstruct import generic, run
from carbook.reconstruct.engine import Model
from carbook.reconstruct.spec import Spec, load_spec
from carbook.studies import zhang2021_skeleton
from carbook.studies.wudhikarn2021 import model as wudhikarn2021_model

__all__ = [
    "MODELS",
    "SeedFailure",
    "endpoints",
    "evaluate",
    "model",
    "reconstruct",
    "reconstruct_each",
    "reconstruct_many",
]


def _medians_only(longest: float) -> run.Build:
    """Studies that print only medians: deaths and progressions are not published."""

    def build(spec: Spec, rng: np.random.Generator) -> tuple[pd.DataFrame, Model]:
        return generic.build(spec, rng, events=None, median=8.0, max_time=longest, relapses=-1)

    return build


#: study -> cohort model builder (xu2023: OS median up to 25 months, follow-up assumed
#: at most 60; gauthier2021: at most 36 months)
MODELS: dict[str, run.Build] = {
    "gauthier2021": _medians_only(36.0),
    "wudhikarn2021": wudhikarn2021_model.build,
    "xu2023": _medians_only(60.0),
    "zhang2021": zhang2021_skeleton.build,
}


def model(study: str) -> run.Build:
    """The cohort model of ``study``.

    Raises
    ------
    ValueError
        If the study has none.

    Examples
    --------
    >>> model("xu2023").__name__
    'build'
    """
    if study not in MODELS:
        raise ValueError(f"no reconstruction model for {study!r}; available: {sorted(MODELS)}")
    return MODELS[study]


def reconstruct(
    study: str, seed: int = 1, budget: int = run.BUDGET, progress: bool = True
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Calibrate one SYNTHETIC cohort of ``study`` with its model.

    See :func:`carbook.reconstruct.run.reconstruct`.
    """
    return run.reconstruct(study, model(study), seed, budget, progress)


@dataclass(frozen=True)
class SeedFailure:
    """A seed whose calibration raised: the seed and the error, for the report."""

    seed: int
    error: str


def _attempt(
    study: str, seed: int, budget: int, progress: bool
) -> tuple[pd.DataFrame, pd.DataFrame] | SeedFailure:
    """:func:`reconstruct`, with an error turned into a :class:`SeedFailure`.

    In an ensemble one failing seed must not take the finished cohorts with it; the
    error still reaches the caller, named with its seed.
    """
    try:
        return reconstruct(study, seed, budget, progress)
    except Exception as err:  # reported with its seed, never dropped
        return SeedFailure(seed, f"{type(err).__name__}: {err}")


def reconstruct_each(
    study: str,
    seeds: Iterable[int],
    budget: int = run.BUDGET,
    jobs: int = 1,
    progress: bool = True,
) -> Iterator[tuple[int, tuple[pd.DataFrame, pd.DataFrame] | SeedFailure]]:
    """Calibrate one SYNTHETIC cohort per seed, ``jobs`` at a time; yield each in seed order.

    Each cohort depends only on its own seed (its own random generator), so the
    results are the same, byte for byte, whatever ``jobs`` is and in whatever order
    the workers finish. They are yielded as soon as they and the seeds before them
    are done (``joblib.Parallel(return_as="generator")``), so a caller can write each
    cohort without waiting for the ensemble. A seed whose calibration raises yields a
    :class:`SeedFailure` naming it; the other seeds go on.

    The cohorts run through ``joblib.Parallel`` (local processes, the ``loky``
    backend, by default); inside ``with joblib.parallel_config(backend="dask")``
    (after creating a ``dask.distributed.Client``) or ``backend="ray"`` (after
    ``ray.util.joblib.register_ray()``) the same call runs on a cluster.

    Raises
    ------
    ValueError
        If ``jobs`` is below 1 or ``seeds`` is empty.

    Examples
    --------
    >>> [seed for seed, _ in reconstruct_each("xu2023", [1, 2], budget=5, progress=False)]
    [1, 2]
    >>> next(reconstruct_each("no_such_study", [7], progress=False))[1].seed
    7
    """
    seeds = list(seeds)
    if jobs < 1:
        raise ValueError(f"jobs must be at least 1, got {jobs}")
    if not seeds:
        raise ValueError("seeds must name at least one seed")
    calls = (delayed(_attempt)(study, seed, budget, progress) for seed in seeds)
    outcomes = Parallel(n_jobs=min(jobs, len(seeds)), return_as="generator")(calls)
    yield from zip(seeds, outcomes, strict=True)


def reconstruct_many(
    study: str,
    seeds: Iterable[int],
    budget: int = run.BUDGET,
    jobs: int = 1,
    progress: bool = True,
) -> list[tuple[pd.DataFrame, pd.DataFrame]]:
    """Every cohort of :func:`reconstruct_each`, in seed order.

    Raises
    ------
    ValueError
        If ``jobs`` is below 1, ``seeds`` is empty, or a seed's calibration failed
        (the message names every failed seed and its error).

    Examples
    --------
    >>> (cohort, report), = reconstruct_many("xu2023", [1], budget=5, progress=False)
    >>> cohort.equals(reconstruct("xu2023", 1, budget=5, progress=False)[0])
    True
    """
    outcomes = list(reconstruct_each(study, seeds, budget, jobs, progress))
    failed = [o for _, o in outcomes if isinstance(o, SeedFailure)]
    if failed:
        raise ValueError("; ".join(f"seed {f.seed} failed: {f.error}" for f in failed))
    return [o for _, o in outcomes]


def evaluate(study: str, seed: int = 1) -> pd.DataFrame:
    """The calibration report of a committed cohort, recomputed from the cohort.

    Examples
    --------
    >>> rep = evaluate("xu2023")
    >>> bool(rep["within"].all())
    True
    """
    return run.evaluate(study, model(study), seed)


def endpoints(study: str, seed: int = 1) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Each endpoint of a committed SYNTHETIC cohort, as its model defines it.

    ``os``: (time, died); where the model has first events, ``efs``: (time, relapse or
    death) and ``relapse``: (time, status 1 relapse, 2 death first, 0 censored). The
    same functions calibrated the cohort, so figures show what the scorecard scores.

    Examples
    --------
    >>> t, e = endpoints("gauthier2021")["efs"]
    >>> len(t), int(e.sum())
    (9, 8)
    """
    cohort = run.load_cohort(study, seed)
    ends = model(study)(load_spec(study), np.random.default_rng(seed))[1].endpoints
    return {name: func(cohort) for name, func in ends.items()}
