"""Input validation shared by the survival estimators."""

from __future__ import annotations

import numpy as np


def as_survival(time: object, event: object) -> tuple[np.ndarray, np.ndarray]:
    t = np.asarray(time, dtype=float).ravel()
    e = np.asarray(event, dtype=float).ravel()
    if t.shape != e.shape:
        raise ValueError(f"time and event must have equal length, got {t.size} and {e.size}")
    if t.size == 0:
        raise ValueError("time must not be empty")
    if not np.isfinite(t).all():
        raise ValueError("time contains NaN or infinite values")
    if (t < 0).any():
        raise ValueError("time must be non-negative")
    if not np.isin(e, (0, 1)).all():
        raise ValueError("event must be 0 (censored) or 1 (event)")
    return t, e.astype(int)
