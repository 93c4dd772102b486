"""The Evaluator's cache gives exactly what computing every target afresh gives.

:meth:`Evaluator.achieved` recomputes only the targets whose inputs changed since
the last call; :meth:`Evaluator.achieved_full` recomputes all of them. After any
sequence of the calibration's moves (every phase's moves, late ones included),
both must report the same values bit for bit, and the same Cox P test per claim.
"""

import numpy as np
from helpers import built, random_moves, same_values
from hypothesis import given, settings
from hypothesis import strategies as st

from carbook.reconstruct import search
from carbook.reconstruct.construction import derive
from carbook.reconstruct.spec import Target, load_spec
from carbook.reconstruct.targets import Evaluator, _inputs
from carbook.studies.models import model as study_model


@random_moves(30)
def test_cached_achieved_equals_full_recomputation_after_random_moves(study, seed, n_moves):
    spec, rng, cohort, m = built(study, seed)
    cached, full = Evaluator(spec.targets, m.endpoints), Evaluator(spec.targets, m.endpoints)
    moves = search._all_moves(spec, m)
    names = sorted(moves)
    cached.achieved(cohort)  # the first call computes every target
    recomputed = 0
    for _ in range(n_moves):
        changes = moves[names[rng.integers(len(names))]](cohort, rng)
        for col, i, value in changes:
            cohort.at[i, col] = value
        derive(spec, cohort, {c for c, _, _ in changes})
        before = dict(cached._cache)
        got = cached.achieved(cohort)
        recomputed += sum(cached._cache[k] is not before.get(k) for k in cached._cache)
        assert same_values(got, full.achieved_full(cohort))
        assert cached.p_test == full.p_test
    assert recomputed < n_moves * len(cached._units)  # the cache saved some work


def test_a_target_is_recomputed_when_and_only_when_an_input_changes():
    spec = load_spec("wudhikarn2021")
    cohort, m = study_model("wudhikarn2021")(spec, np.random.default_rng(1))
    derive(spec, cohort)
    ev = Evaluator(spec.targets, m.endpoints)
    ev.achieved(cohort)
    first = dict(ev._cache)
    ev.achieved(cohort)
    assert all(ev._cache[k] is first[k] for k in first)  # nothing changed: all cached
    i = int(np.flatnonzero(cohort["progressed"].to_numpy() == 1)[0])
    cohort.at[i, "t_last"] = cohort.at[i, "t_last"] + 0.01
    ev.achieved(cohort)
    for key, inputs, _ in ev._units:
        # after progression, only OS reads the last contact (the others read t_post)
        reads = ("endpoint", "os") in inputs or ("column", "t_last") in inputs
        assert (ev._cache[key] is not first[key]) == reads, key


def test_inputs_name_every_column_a_target_reads():
    t = Target("x", "cox_mv", {"endpoint": "os", "covariates": ["a", "b"], "term": "a"}, {})
    assert _inputs(t) == [("endpoint", "os"), ("column", "a"), ("column", "b")]
    t = Target("y", "wilcoxon", {"column": "age", "by": "grp", "where": "w"}, {})
    assert _inputs(t) == [("column", "age"), ("column", "w"), ("column", "grp")]


@settings(max_examples=30, deadline=None, derandomize=True)
@given(st.integers(0, 2**31 - 1), st.integers(5, 60), st.integers(1, 4))
def test_cox_batch_arrays_equals_cox_batch_as_the_evaluator_called_it(seed, n, p):
    import pandas as pd

    from carbook import survival as sv

    rng = np.random.default_rng(seed)
    time = np.round(rng.exponential(10, n), 1)  # ties included
    status = (rng.random(n) < 0.7).astype(float)
    status[0] = 1.0
    x = np.column_stack([rng.integers(0, 2, n) if j % 2 else rng.normal(size=n) for j in range(p)])
    old = sv.cox_batch(time, status, pd.DataFrame(x))
    new = sv.cox_batch_arrays(time, status.astype(int), x)
    for col in ("coef", "se", "p_wald", "p_lr", "p_score", "hr", "lower", "upper"):
        np.testing.assert_array_equal(new[col], old[col].to_numpy(), err_msg=col)


def test_fingerprints_are_equal_only_for_equal_values():
    from carbook.reconstruct.targets import _fingerprint

    rng = np.random.default_rng(0)
    x = np.round(rng.normal(0, 3, 56), 2)
    x[[3, 9]] = np.nan
    changed = x.copy()
    changed[7] += 0.01
    ints = rng.integers(0, 2, 56)
    objects = np.array([np.nan, "a", 1.0], dtype=object)
    equal = [(x, x.copy()), (ints, ints.copy()), (objects, objects)]
    different = [(x, changed), (x, x.astype(np.float32)), (x, x[:-1]), (ints, 1 - ints)]
    different += [(ints, ints.astype(bool)), (ints, ints.astype(float))]
    assert all(_fingerprint(a) == _fingerprint(b) for a, b in equal)
    assert not any(_fingerprint(a) == _fingerprint(b) for a, b in different)


def test_a_state_seen_before_is_not_recomputed():
    spec = load_spec("wudhikarn2021")
    cohort, m = study_model("wudhikarn2021")(spec, np.random.default_rng(1))
    derive(spec, cohort)
    ev, full = Evaluator(spec.targets, m.endpoints), Evaluator(spec.targets, m.endpoints)
    first = ev.achieved(cohort)
    first_cache, first_tests = dict(ev._cache), dict(ev.p_test)
    # the earliest death after progression: 5 months later changes the order of deaths
    dead = cohort.index[(cohort["progressed"] == 1) & (cohort["dead"] == 1)]
    i = int(cohort.loc[dead, "t_last"].idxmin())
    was = cohort.loc[i, "t_last"]
    cohort.loc[i, "t_last"] = was + 5.0  # a rejected move ...
    moved = ev.achieved(cohort)
    assert not same_values(moved, first)
    cohort.loc[i, "t_last"] = was  # ... undone
    back = ev.achieved(cohort)
    assert all(ev._cache[k] is first_cache[k] for k in first_cache)  # remembered
    assert same_values(back, full.achieved_full(cohort)) and ev.p_test == first_tests


@settings(max_examples=40, deadline=None, derandomize=True)
@given(st.integers(0, 2**31 - 1), st.integers(1, 20))
def test_a_batch_wald_row_equals_the_wald_table_of_its_coefficient_alone(seed, p):
    from carbook import survival as sv
    from carbook.reconstruct.targets import _wald, _wald_row

    rng = np.random.default_rng(seed)
    beta, se = rng.normal(0, 2, p), rng.exponential(0.5, p)
    beta[rng.random(p) < 0.1] = np.nan  # aliased terms
    se[rng.random(p) < 0.1] = np.inf
    with np.errstate(over="ignore"):
        beta[rng.random(p) < 0.1] = 800.0  # a running-away term
        table = sv.wald_table(beta, se)
        for j in range(p):
            assert same_values(_wald_row("c", table, j), _wald("c", beta[j], se[j]))
