"""Input validation shared by the survival estimators (ValueError naming the argument)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from lifelines import CoxPHFitter


def _numeric(values: object, name: str) -> np.ndarray:
    try:
        return np.asarray(values, dtype=float).ravel()
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be numeric, got {values!r:.60}") from None


def as_survival(time: object, event: object) -> tuple[np.ndarray, np.ndarray]:
    """Validated (time, 0/1 event) arrays."""
    t, e = _numeric(time, "time"), _numeric(event, "event")
    if t.shape != e.shape:
        raise ValueError(f"time and event must have equal length, got {t.size} and {e.size}")
    if t.size == 0:
        raise ValueError("time must not be empty")
    check_arrays(t, e)
    return t, e.astype(int)


def check_arrays(t: np.ndarray, e: np.ndarray) -> None:
    """Cheap checks of numpy (time, event) for the array cores (no copies)."""
    if t.shape != e.shape:
        raise ValueError(f"time and event must have equal length, got {t.size} and {e.size}")
    if not (t.min(initial=0.0) >= 0 and t.max(initial=0.0) < np.inf):  # NaN fails too
        if not np.isfinite(t).all():
            raise ValueError("time contains NaN or infinite values")
        raise ValueError("time must be non-negative")
    if (e * (e - 1)).any():  # not 0/1 (NaN included)
        raise ValueError("event must be 0 (censored) or 1 (event)")


def check_conf(conf: float) -> None:
    """``conf`` is a level strictly between 0 and 1 (0.95, not 95)."""
    if not (isinstance(conf, int | float | np.floating) and 0 < conf < 1):
        raise ValueError(f"conf must be strictly between 0 and 1 (e.g. 0.95), got {conf!r}")


def as_status(status: object, codes: object | None) -> np.ndarray:
    """Competing-risks status: finite whole codes, 0 = censored, within ``codes`` if given."""
    s = _numeric(status, "status")
    if not np.isfinite(s).all():
        rows = np.flatnonzero(~np.isfinite(s))[:5].tolist()
        raise ValueError(f"status contains NaN or infinite values (rows {rows})")
    if not (s == np.round(s)).all():
        raise ValueError("status must hold whole-number codes (0 = censored)")
    if codes is not None:
        allowed = np.union1d([0], np.asarray(codes, dtype=float))
        bad = np.setdiff1d(s, allowed)
        if bad.size:
            raise ValueError(f"status has codes {bad.tolist()} outside codes {allowed.tolist()}")
    return s


def model_covariates(cph: CoxPHFitter, data: pd.DataFrame) -> list[str]:
    """A fitted lifelines model's covariates, after checking ``data`` has its columns."""
    covs = [str(c) for c in cph.params_.index]
    needed = [cph.duration_col, cph.event_col, *covs]
    missing = [c for c in needed if c not in data.columns]
    if missing:
        raise ValueError(f"data lacks the model's columns: {missing}")
    return covs
