"""Small helpers shared by several test modules (imported as ``helpers``)."""

from __future__ import annotations

from functools import cache

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


@cache
def placement_start(seed: int = 1):
    """(cohort, model): wudhikarn2021's built seed cohort, as its placements see it.

    The ``stratum`` column is kept and the derived columns added; cached, so callers
    must copy the cohort before changing it.
    """
    from carbook.reconstruct.construction import derive
    from carbook.reconstruct.spec import load_spec
    from carbook.studies.wudhikarn2021 import model

    spec = load_spec("wudhikarn2021")
    c, m = model.build(spec, np.random.default_rng(seed))
    c["stratum"] = np.where(c["progressed"] == 1, "progressed", "not_progressed")
    derive(spec, c)
    return c, m


def random_moves(max_moves: int):
    """Hypothesis decorator: (study, seed, n_moves) for a property over random moves.

    The three modelled studies, seeds 1-5 and 1..``max_moves`` moves; 4 derandomized
    examples (each builds a cohort, so more would be slow).
    """
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    def wrap(test):
        cases = given(
            st.sampled_from(["wudhikarn2021", "zhang2021", "xu2023"]),
            st.integers(1, 5),
            st.integers(1, max_moves),
        )
        return settings(
            max_examples=4,
            deadline=None,
            derandomize=True,
            suppress_health_check=[HealthCheck.too_slow],
        )(cases(test))

    return wrap
