"""The covariate search's fast 0/1 Cox fit against cox_batch and R's coxph (fixtures)."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from carbook import survival as sv
from carbook.reconstruct.binarycox import binary_cox, risk_sets

FIX = Path(__file__).parent / "fixtures"
COLS = ("coef", "se", "loglik", "p_wald", "p_lr", "p_score")


@pytest.mark.parametrize("seed", range(8))
def test_binary_cox_equals_cox_batch_with_ties(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(8, 70))
    t = rng.integers(1, 12, n).astype(float)  # many ties
    e = (rng.random(n) < 0.7).astype(int)
    e[0] = 1
    x = (rng.random((n, 40)) < rng.uniform(0.05, 0.95, 40)).astype(float)
    fit = binary_cox(risk_sets(t, e), x)
    ref = sv.cox_batch(t, e, pd.DataFrame(x))
    ok = fit["converged"]
    assert ok.tolist() == (ref["flag"] == "").tolist()
    assert ok.sum() >= 30
    for col in COLS:
        assert np.abs(fit[col][ok] - ref[col].to_numpy()[ok]).max() < 1e-10, col


def test_binary_cox_reads_rows_in_the_order_given():
    t, e = np.array([5.0, 1, 3, 3, 2, 8]), np.array([1, 1, 0, 1, 1, 1])
    x = np.array([[1.0, 0, 0, 1, 1, 0]]).T
    perm = np.array([3, 0, 5, 1, 4, 2])
    a, b = binary_cox(risk_sets(t, e), x), binary_cox(risk_sets(t[perm], e[perm]), x[perm])
    assert a["coef"][0] == pytest.approx(b["coef"][0], abs=1e-12)


def _parity_cases() -> list:
    ref = pd.read_csv(FIX / "parity_cox.csv")
    rows = ref[ref["key"] == "group"]
    return [
        pytest.param(c, g.set_index("quantity")["value"], id=c) for c, g in rows.groupby("case")
    ]


@pytest.mark.parametrize(("case", "want"), _parity_cases())
def test_binary_cox_matches_summary_coxph(case, want):
    d = pd.read_csv(FIX / "parity" / f"data_{case}.csv")
    if not d["group"].isin((0, 1)).all() or "group:coef" not in want:
        pytest.skip(f"{case}: group is not a 0/1 covariate of a fitted model")
    fit = binary_cox(
        risk_sets(d["time"].to_numpy(), d["status"].to_numpy()), d[["group"]].to_numpy()
    )
    if want["infinite"] == 1:  # R warns "coefficient may be infinite": the search reads a miss
        assert not fit["converged"][0]
        return
    assert fit["converged"][0]
    assert fit["coef"][0] == pytest.approx(want["group:coef"], abs=1e-8)
    assert fit["se"][0] == pytest.approx(want["group:se"], abs=1e-8)
    for mine, r in (("p_wald", "wald_p"), ("p_lr", "lr_p"), ("p_score", "score_p")):
        assert fit[mine][0] == pytest.approx(want[r], rel=1e-6), mine


def _terms_before(beta, n, n1, d, d1, f, xs_sum):
    """binarycox._terms as it was before its constants were hoisted (the reference)."""
    w = np.exp(beta)
    s0 = (n - n1) + n1 * w - f * ((d - d1) + d1 * w)
    p = w * (n1 - f * d1) / s0
    loglik = beta * xs_sum - np.log(s0).sum(axis=0)
    return loglik, xs_sum - p.sum(axis=0), (p * (1 - p)).sum(axis=0)


def _tied(rng, n_lo: int, n_hi: int, t_hi: int, p_event: float):
    """Random tied integer times with at least one event: (n, time, event, risk sets)."""
    n = int(rng.integers(n_lo, n_hi))
    t = rng.integers(1, t_hi, n).astype(float)
    e = (rng.random(n) < p_event).astype(int)
    e[0] = 1
    return n, t, e, risk_sets(t, e)


@pytest.mark.parametrize("seed", range(6))
def test_hoisted_terms_equal_the_original_terms_bit_for_bit(seed):
    from carbook.reconstruct import binarycox

    rng = np.random.default_rng(seed)
    n, _, _, rs = _tied(rng, 8, 70, 12, 0.7)
    x = (rng.random((n, 50)) < rng.uniform(0.05, 0.95, 50)).astype(float)
    n1, d1 = binarycox._counts(rs, x)
    nn, d, f = rs.at_risk[rs.k][:, None], rs.deaths[rs.k][:, None], rs.frac[:, None]
    xs_sum = (x[rs.order] * rs.event[:, None]).sum(axis=0)
    consts = binarycox._constants(nn, n1, d, d1, f)
    for beta in (np.zeros(50), rng.normal(0, 1.5, 50)):
        new = binarycox._terms(beta, n1, d1, f, *consts, xs_sum)
        old = _terms_before(beta, nn, n1, d, d1, f, xs_sum)
        for a, b in zip(new, old, strict=True):
            np.testing.assert_array_equal(a, b)


def _class_mates(rng, t, e, x):
    """Columns with the ones of ``x`` moved among rows of the same class (same fit)."""
    from carbook.reconstruct.binarycox import equivalence_classes

    labels = equivalence_classes(t, e)
    out = x.copy()
    for c in np.unique(labels):
        rows = np.flatnonzero(labels == c)
        for j in range(out.shape[1]):
            out[rows, j] = out[rng.permutation(rows), j]
    return out


@pytest.mark.parametrize("seed", range(10))
def test_distinct_columns_fitted_once_give_the_same_bits_as_every_column(seed):
    """The fast path (each kind of column fitted once) against fitting every column."""
    from carbook.reconstruct import binarycox

    rng = np.random.default_rng(seed)
    n = int(rng.integers(6, 140))  # above ~50 rows the codes take several words
    t = rng.integers(1, int(rng.integers(3, 200)), n).astype(float)
    e = (rng.random(n) < rng.uniform(0.3, 0.9)).astype(int)
    e[0] = 1
    rs = risk_sets(t, e)
    base = (rng.random((n, 30)) < rng.uniform(0.02, 0.98, 30)).astype(float)
    base[:, 0], base[:, 1] = 0, 1  # constant columns: R's NA
    base[:, 2] = e  # every death carries it: runs to infinity
    x = np.hstack([base, base[:, ::-1], _class_mates(rng, t, e, base)])
    x = x[:, rng.permutation(x.shape[1])]
    assert binarycox._distinct(rs, x) is not None
    for cols in (x, x[:, :3], x[:, [4, 4, 4]], base):
        fast, ref = binary_cox(rs, cols), binarycox._fit(rs, cols, 30, 1e-10)
        assert fast.keys() == ref.keys()
        for key in ref:
            assert fast[key].dtype == ref[key].dtype
            np.testing.assert_array_equal(fast[key], ref[key], strict=True)


@pytest.mark.parametrize("seed", range(6))
def test_equal_class_codes_mean_equal_counts(seed):
    from carbook.reconstruct import binarycox

    rng = np.random.default_rng(seed)
    n, t, e, rs = _tied(rng, 6, 140, 30, 0.6)
    x = (rng.random((n, 400)) < 0.5).astype(float)
    x = np.hstack([x, _class_mates(rng, t, e, x)])
    codes = x.T @ rs.weights
    assert (codes < binarycox.WORD).all() and (codes == np.round(codes)).all()
    n1, d1 = binarycox._counts(rs, x)
    same = (codes[:, None, :] == codes[None, :, :]).all(axis=2)
    a, b = np.nonzero(same)
    assert (n1[:, a] == n1[:, b]).all() and (d1[:, a] == d1[:, b]).all()
    assert same[np.arange(400), np.arange(400) + 400].all()  # class mates share codes


def test_columns_not_zero_one_are_each_fitted():
    from carbook.reconstruct import binarycox

    rs = risk_sets(np.array([1.0, 2, 3, 4, 5, 6]), np.array([1, 1, 1, 1, 0, 1]))
    x = np.array([[0, 1, 0, 1, 1, 0]] * 3, float).T
    x[0, 2] = 2.0
    assert binarycox._distinct(rs, x) is None
    assert binarycox._distinct(rs, x[:, :2]) is None  # fewer than three columns
    assert binarycox._distinct(rs, x[:, [0, 1, 1]])[0].tolist() == [0, 0]  # two kept


def _newton_every_column(beta, start, converged, args, max_iter, tol):
    """binarycox._newton as it was before it evaluated only the moving columns."""
    from carbook.reconstruct import binarycox

    loglik, score, info = start
    for _ in range(max_iter):
        step = np.where(converged, 0.0, score / np.where(info > 0, info, np.inf))
        new = binarycox._terms(beta + step, *args)
        for _half in range(binarycox.HALVINGS):
            worse = new[0] < loglik - 1e-12
            if not worse.any():
                break
            step = np.where(worse, step / 2, step)
            new = binarycox._terms(beta + step, *args)
        beta = beta + step
        converged = converged | (np.abs(step) < tol * np.maximum(1, np.abs(beta)))
        loglik, score, info = new
        if converged.all():
            break
    return beta, loglik, info, converged


@pytest.mark.parametrize("seed", range(10))
def test_newton_on_moving_columns_equals_newton_on_every_column(seed, monkeypatch):
    from carbook.reconstruct import binarycox

    rng = np.random.default_rng(seed)
    n = int(rng.integers(5, 90))
    t = rng.integers(1, int(rng.integers(3, 60)), n).astype(float)
    e = (rng.random(n) < rng.uniform(0.3, 0.95)).astype(int)
    e[0] = 1
    rs = risk_sets(t, e)
    x = (rng.random((n, 300)) < rng.uniform(0.02, 0.98, 300)).astype(float)
    x[:, 0], x[:, 1], x[:, 2], x[:, 3] = 0, 1, e, 1 - e  # NA, NA, +inf, -inf
    for cols in (x, x[:, :1], x[:, 2:3], x[:, [2, 5]], x[:, :4]):
        for max_iter in (30, 2):
            fast = binarycox._fit(rs, cols, max_iter, 1e-10)
            monkeypatch.setattr(binarycox, "_newton", _newton_every_column)
            ref = binarycox._fit(rs, cols, max_iter, 1e-10)
            monkeypatch.undo()
            for key in ref:
                np.testing.assert_array_equal(fast[key], ref[key], strict=True)
