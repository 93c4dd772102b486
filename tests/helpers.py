"""Small helpers shared by several test modules (imported as ``helpers``)."""

from __future__ import annotations

import numpy as np


def same_values(a: dict, b: dict) -> bool:
    """Two dicts of floats with the same keys and bit-equal values (NaN equal to NaN).

    Examples
    --------
    >>> same_values({"x": 1.0, "y": float("nan")}, {"x": 1.0, "y": float("nan")})
    True
    >>> same_values({"x": 1.0}, {"x": 1.0 + 1e-16 * 3})
    False
    """
    return a.keys() == b.keys() and all(
        a[k] == b[k] or (np.isnan(a[k]) and np.isnan(b[k])) for k in a
    )


def built(study: str, seed: int):
    """(spec, rng, cohort, model): a study's starting cohort, derived columns added.

    ``rng`` is the generator that built it, ready for the moves that follow.
    """
    from carbook.reconstruct.construction import derive
    from carbook.reconstruct.spec import load_spec
    from carbook.studies.models import model as study_model

    spec = load_spec(study)
    rng = np.random.default_rng(seed)
    cohort, m = study_model(study)(spec, rng)
    derive(spec, cohort)
    return spec, rng, cohort, m
