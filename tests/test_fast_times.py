"""The times phase's numpy path gives exactly what the pandas path gives.

:class:`carbook.reconstruct.arrays.TimeEvaluator` on an :class:`ArrayCohort` must
report the same achieved values as :class:`Evaluator` on the frame, bit for bit,
after any sequence of moves (it caches targets whose inputs did not change), and
the times phase run either way must end on the same cohort.
"""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from carbook.reconstruct import search
from carbook.reconstruct.arrays import TIME_KINDS, ArrayCohort, TimeEvaluator
from carbook.reconstruct.construction import derive
from carbook.reconstruct.spec import load_spec
from carbook.reconstruct.targets import Evaluator
from carbook.studies.models import model as study_model

SETTINGS = settings(
    max_examples=4, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)


def _time_targets(spec):
    return [t for t in spec.targets if t.kind in TIME_KINDS and t.params.get("phase") != "late"]


def _same_values(a: dict, b: dict) -> bool:
    return a.keys() == b.keys() and all(
        a[k] == b[k] or (np.isnan(a[k]) and np.isnan(b[k])) for k in a
    )


@SETTINGS
@given(
    st.sampled_from(["wudhikarn2021", "zhang2021", "xu2023"]),
    st.integers(0, 10_000),
    st.integers(1, 25),
)
def test_time_evaluator_matches_evaluator_after_random_moves(study, seed, n_moves):
    spec = load_spec(study)
    rng = np.random.default_rng(seed)
    cohort, m = study_model(study)(spec, rng)
    derive(spec, cohort)
    targets = _time_targets(spec)
    fast, slow = TimeEvaluator(targets, m.endpoints), Evaluator(targets, m.endpoints)
    work = ArrayCohort(cohort)
    names = sorted(m.moves)
    for _ in range(n_moves):
        changes = m.moves[names[rng.integers(len(names))]](work, rng)
        for col, i, value in changes:
            work.at[i, col] = value
            cohort.at[i, col] = value
        assert _same_values(fast.achieved(work), slow.achieved(cohort))


def test_time_evaluator_refuses_other_kinds():
    spec = load_spec("wudhikarn2021")
    with pytest.raises(ValueError, match="time targets only"):
        TimeEvaluator(spec.targets, {})


def test_times_phase_on_arrays_ends_on_the_same_cohort(monkeypatch):
    spec = load_spec("wudhikarn2021")
    ends = []
    for kinds in (TIME_KINDS, frozenset()):  # numpy path, then the pandas path
        monkeypatch.setattr(search, "TIME_KINDS", kinds)
        rng = np.random.default_rng(3)
        cohort, m = study_model("wudhikarn2021")(spec, rng)
        _, report = search.anneal(
            spec, m, cohort, rng, 150, 2.0, _time_targets(spec), dict(m.moves), "", False
        )
        ends.append((cohort, report, rng.integers(1 << 30)))
    (c1, r1, n1), (c2, r2, n2) = ends
    assert c1.equals(c2) and (c1.dtypes == c2.dtypes).all()
    assert r1.equals(r2) and n1 == n2
