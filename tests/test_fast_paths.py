"""Fast paths of the calibration's inner loop give what the code they replace gives, bit for bit.

Each fast path is compared with the reference it replaced on random data (ties,
0/1 and continuous columns, many shapes): equality of bytes, not a tolerance,
because the committed synthetic cohorts must regenerate byte-identically.
"""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from carbook.survival import _efron


def _random_model(seed: int, n: int, p: int):
    rng = np.random.default_rng(seed)
    t = np.sort(np.round(rng.exponential(10, n), int(rng.integers(0, 3))))  # ties, some large
    e = (rng.random(n) < rng.uniform(0.2, 1)).astype(float)
    e[0] = 1.0
    x = np.column_stack([rng.integers(0, 2, n) if j % 3 else rng.normal(size=n) for j in range(p)])
    return rng, t, e, x.astype(float)


def _efron_terms_reference(
    beta: np.ndarray, x: np.ndarray, order: dict[str, np.ndarray]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``_efron.efron_terms`` one array at a time, as first written (the reference)."""
    w = np.exp(x * beta)
    wx, wx2 = w * x, w * x * x
    first = order["first"]
    r0, r1, r2 = (_efron.rev_cumsum(a)[first] for a in (w, wx, wx2))
    ev = order["event"][:, None]
    g = order["group"]
    d0 = np.add.reduceat(w * ev, g)[order["has_event"]]
    d1 = np.add.reduceat(wx * ev, g)[order["has_event"]]
    d2 = np.add.reduceat(wx2 * ev, g)[order["has_event"]]
    xs = np.add.reduceat(x * ev, g)[order["has_event"]]
    k, frac = order["k"], order["frac"][:, None]
    s0 = r0[k] - frac * d0[k]
    s1 = r1[k] - frac * d1[k]
    s2 = r2[k] - frac * d2[k]
    loglik = beta * xs.sum(axis=0) - np.log(s0).sum(axis=0)
    score = xs.sum(axis=0) - (s1 / s0).sum(axis=0)
    info = (s2 / s0 - (s1 / s0) ** 2).sum(axis=0)
    return loglik, score, info


def _same_bytes(a, b) -> bool:
    return all(
        np.asarray(u).tobytes() == np.asarray(v).tobytes() for u, v in zip(a, b, strict=True)
    )


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.integers(0, 2**31 - 1), st.integers(2, 150), st.integers(1, 20))
def test_efron_terms_equals_its_one_array_at_a_time_reference(seed, n, p):
    rng, t, e, x = _random_model(seed, n, p)
    x, _ = _efron.centred(x)
    order = _efron.cox_order(t, e)
    beta = rng.normal(0, 1, p)
    assert _same_bytes(_efron.efron_terms(beta, x, order), _efron_terms_reference(beta, x, order))


@settings(max_examples=60, deadline=None, derandomize=True)
@given(st.integers(0, 2**31 - 1), st.integers(4, 60), st.integers(1, 9))
def test_cox_columns_equals_fitting_the_whole_batch_after_column_moves(seed, n, p):
    from carbook import survival as sv
    from carbook.reconstruct.coxcolumns import KEYS, CoxColumns

    rng, t, e, x = _random_model(seed, n, p)
    x[:, rng.random(p) < 0.15] = 1.0  # constant columns: aliased
    if p > 1 and rng.random() < 0.3:  # a separating column: a coefficient running away
        x[:, -1] = (t > np.median(t)).astype(float)
    fits = CoxColumns(3 * p)
    ei = e.astype(int)
    with np.errstate(over="ignore"):
        for _ in range(6):
            got, want = fits(t, ei, x), sv.cox_batch_arrays(t, ei, x)
            assert _same_bytes([got[k] for k in KEYS], [want[k] for k in KEYS])
            j = rng.integers(p)  # one column moves, or the times do
            if rng.random() < 0.2:
                t = np.sort(t + rng.integers(0, 2, n) * 0.5)
            elif j % 3:
                x[:, j] = rng.integers(0, 2, n)
            else:
                x[rng.integers(n), j] = rng.normal()


def test_recent_keeps_nothing_at_size_zero_and_refuses_a_negative_size():
    import pytest

    from carbook.reconstruct.recent import MISSING, Recent

    empty = Recent(0)  # e.g. the Cox-column store of a study with no univariate Cox
    empty.put("a", 1)
    assert empty.get("a") is MISSING and len(empty) == 0
    with pytest.raises(ValueError, match="size must be at least 0"):
        Recent(-1)
