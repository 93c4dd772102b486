"""Efron partial likelihood and Newton-Raphson shared by the Cox fits, as R's ``coxph.fit``.

What R's ``coxph.fit`` (survival 3.x, C routine ``coxfit6``) does and these
functions copy:

- covariates are centred at their mean, except columns whose values are all -1, 0
  or 1 (``coxph``'s ``nocenter``); centring leaves coefficients, log-likelihood and
  information unchanged in exact arithmetic but keeps ``exp(x beta)`` finite;
- Newton-Raphson from zero; a step that lowers the log-likelihood is halved;
- a term whose information is zero (a constant column), or that is a linear
  combination of earlier terms (``cholesky2`` with ``toler.chol``), is aliased:
  R prints ``NA`` for it and fits the others;
- when the log-likelihood has converged (relative change <= ``eps = 1e-9``) but the
  next Newton step is still large (``toler.inf = sqrt(eps)``), R warns
  "Loglik converged before variable ...; coefficient may be infinite" and returns
  the coefficient reached. We return R's coefficient and flag it.

Where R stops at ``eps`` on the log-likelihood, we continue until the Newton step
itself is below ``tol`` (coefficients are then accurate to rounding, R's to about
``1e-9``), except for a term flagged infinite, which keeps R's value.
"""

from __future__ import annotations

import numpy as np

from carbook.survival import portable

EPS = 1e-9  # coxph.control()$eps
TOLER_INF = np.sqrt(EPS)  # coxph.control()$toler.inf
TOLER_CHOL = np.finfo(float).eps ** 0.75  # coxph.control()$toler.chol
HALVINGS = 20

FLAG_INFINITE = "coefficient may be infinite"
FLAG_ALIASED = "aliased (NA): constant or collinear"
FLAG_NOT_CONVERGED = "did not converge"


def rev_cumsum(a: np.ndarray) -> np.ndarray:
    """Sums over the risk set of rows sorted by time (from each row to the end)."""
    return np.cumsum(a[::-1], axis=0)[::-1]


def plain_columns(x: np.ndarray) -> np.ndarray:
    """Columns whose values are all -1, 0 or 1 (R's ``nocenter``): ``x^3 - x == 0``."""
    return ~(x * (x * x - 1)).any(axis=0)


def centred(xv: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(x centred as ``coxph`` centres it, R's ``coxfit6`` scale of each column).

    Columns of -1/0/1 are left as they are with scale 1; the others are centred
    at their mean and scaled by 1 / mean absolute deviation (1 if that is 0).
    Scales only serve the test for aliased terms.
    """
    plain = plain_columns(xv)
    if plain.all():
        return xv, np.ones(xv.shape[1])
    x = xv - np.where(plain, 0.0, xv.mean(axis=0))
    mad = np.abs(x).mean(axis=0)
    sc = np.where(plain | (mad == 0), 1.0, 1 / np.where(mad > 0, mad, 1))
    return x, sc


def constant_columns(x: np.ndarray) -> np.ndarray:
    """Columns with a single value."""
    return (x == x[:1]).all(axis=0)


def efron_fractions(d: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For tied deaths ``d`` per time: each death's time index and Efron's ``j / d``.

    Examples
    --------
    >>> k, frac = efron_fractions(np.array([1, 3]))
    >>> k.tolist(), frac.tolist()
    ([0, 1, 1, 1], [0.0, 0.0, 0.3333333333333333, 0.6666666666666666])
    """
    k = np.repeat(np.arange(d.size), d)
    start = np.cumsum(d) - d
    return k, (np.arange(k.size) - start[k]) / d[k]


def cox_order(t: np.ndarray, e: np.ndarray) -> dict[str, np.ndarray]:
    """Tie structure of sorted times: risk-set starts, event groups, Efron fractions."""
    _, first = np.unique(t, return_index=True)
    n_ev = np.add.reduceat(e, first)
    has = n_ev > 0
    d = n_ev[has].astype(int)
    k, frac = efron_fractions(d)
    return {"first": first[has], "group": first, "has_event": has, "event": e, "k": k, "frac": frac}


def efron_terms(
    beta: np.ndarray, x: np.ndarray, order: dict[str, np.ndarray]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Log partial likelihood, score and information of univariate Cox models.

    ``x`` is (n, p) sorted by time; one model per column, all evaluated at once.
    The risk-set and tied-death sums of ``w``, ``w x`` and ``w x^2`` run on the
    three side by side (one cumulative sum, one ``reduceat``): both work column by
    column, so each column's sums are those of its own array, bit for bit
    (``tests/test_fast_paths.py`` compares with the one-array-at-a-time body it
    replaced).
    """
    p = x.shape[1]
    w = np.exp(x * beta)
    wx = w * x
    terms = np.concatenate((w, wx, wx * x), axis=1)
    r = rev_cumsum(terms)[order["first"]]
    d = np.add.reduceat(terms * order["event"][:, None], order["group"])[order["has_event"]]
    xs = np.add.reduceat(x * order["event"][:, None], order["group"])[order["has_event"]]
    k = order["k"]
    s = r[k] - order["frac"][:, None] * d[k]
    s0, s1, s2 = s[:, :p], s[:, p : 2 * p], s[:, 2 * p :]
    m1 = s1 / s0
    loglik = beta * xs.sum(axis=0) - np.log(s0).sum(axis=0)
    score = xs.sum(axis=0) - m1.sum(axis=0)
    info = (s2 / s0 - m1**2).sum(axis=0)
    return loglik, score, info


def efron_multi(
    beta: np.ndarray, x: np.ndarray, order: dict[str, np.ndarray]
) -> tuple[float, np.ndarray, np.ndarray]:
    """Log partial likelihood, score vector and information matrix of one Cox model."""
    w = np.exp(portable.matvec(x, beta))
    wx = w[:, None] * x
    wxx = wx[:, :, None] * x[:, None, :]
    first, g, has = order["first"], order["group"], order["has_event"]
    r0, r1, r2 = rev_cumsum(w)[first], rev_cumsum(wx)[first], rev_cumsum(wxx)[first]
    ev = order["event"]
    d0 = np.add.reduceat(w * ev, g)[has]
    d1 = np.add.reduceat(wx * ev[:, None], g)[has]
    d2 = np.add.reduceat(wxx * ev[:, None, None], g)[has]
    xs = (x * ev[:, None]).sum(axis=0)
    k, frac = order["k"], order["frac"]
    s0 = r0[k] - frac * d0[k]
    m1 = (r1[k] - frac[:, None] * d1[k]) / s0[:, None]
    m2 = (r2[k] - frac[:, None, None] * d2[k]) / s0[:, None, None]
    loglik = portable.dot(beta, xs) - float(np.log(s0).sum())
    info = (m2 - m1[:, :, None] * m1[:, None, :]).sum(axis=0)
    return loglik, xs - m1.sum(axis=0), info


def aliased(info: np.ndarray, sc: np.ndarray) -> np.ndarray:
    """Terms R's ``cholesky2`` sets aside (pivot below ``toler.chol``), on R's scale."""
    a = info * sc[:, None] * sc[None, :]
    n = a.shape[0]
    diag_max = max(float(np.max(np.diag(a), initial=0.0)), 0.0)
    tol = TOLER_CHOL * diag_max if diag_max > 0 else TOLER_CHOL
    try:  # fast path: a Cholesky factor whose pivots (squared diagonal) all pass
        if (np.diag(portable.cholesky(a)) ** 2 >= tol).all():
            return np.zeros(n, dtype=bool)
    except np.linalg.LinAlgError:
        pass
    out = np.zeros(n, dtype=bool)
    for i in range(n):
        pivot = a[i, i]
        if not np.isfinite(pivot) or pivot < tol:
            out[i] = True
            continue
        col = a[i + 1 :, i] / pivot
        a[i + 1 :, i + 1 :] -= np.outer(col, col) * pivot
    return out


def is_flat(old_ll: np.ndarray | float, new_ll: np.ndarray | float) -> np.ndarray:
    """R's stopping rule ``|1 - old/new| <= eps`` on the log-likelihood (no division)."""
    return np.abs(new_ll - old_ll) <= EPS * np.abs(new_ll)


def is_moving(nxt: np.ndarray | float, beta: np.ndarray | float) -> np.ndarray:
    """R's test for an infinite coefficient where the loglik is flat.

    ``nxt`` is the next Newton step; ``coxph.fit`` warns where it is above ``eps``
    and above ``toler.inf * |coef|``.
    """
    nxt = np.abs(nxt)
    return (nxt > EPS) & (nxt > TOLER_INF * np.abs(beta))


def newton_batch(
    xv: np.ndarray, order: dict[str, np.ndarray], max_iter: int, tol: float
) -> dict[str, np.ndarray]:
    """Univariate Newton-Raphson for every column at once (``x`` sorted by time).

    The loop is the plain vectorised Newton with step halving; R's stopping point
    and its "coefficient may be infinite" test are read afterwards from the
    history of the iterations, so that the calibration's many fits pay nothing
    for them.
    """
    x, sc = centred(xv)
    beta = np.zeros(x.shape[1])
    ll0, u0, i0 = efron_terms(beta, x, order)
    loglik, score, info = ll0, u0, i0
    alias = ~(i0 * sc * sc >= TOLER_CHOL)  # a constant -1/0/1 column has i0 == 0 exactly
    if x is not xv:  # centred columns: a constant one leaves rounding noise
        alias |= constant_columns(xv)
    converged = alias.copy()  # aliased terms never move
    with np.errstate(over="ignore", invalid="ignore"):  # a separated term may overflow late
        beta, loglik, info, converged, history, n_iter = _batch_loop(
            x, order, max_iter, tol, (beta, loglik, score, info), converged
        )
    fit = {"beta": beta, "loglik": loglik, "info": info}
    # All converged (the calibration's case): R's stopping point is not looked for.
    # R may still warn on a term that later converges; that false alarm is not copied.
    infinite = np.zeros(beta.size, dtype=bool)
    if not converged.all():
        infinite = _r_stop(history, fit, converged & ~alias, alias)
    return {
        **fit, "loglik0": ll0, "score0": u0, "info0": i0,
        "converged": converged & ~alias & ~infinite, "infinite": infinite, "aliased": alias,
        "n_iter": np.full(beta.size, n_iter),
    }  # fmt: skip


def _batch_loop(x, order, max_iter, tol, start, converged):
    """Vectorised Newton with step halving; returns the state and the history."""
    beta, loglik, score, info = start
    history = []
    n_iter = 0
    for n_iter in range(1, max_iter + 1):  # noqa: B007  reported below
        step = np.where(converged, 0.0, score / np.where(info > 0, info, np.inf))
        new = efron_terms(beta + step, x, order)
        halved = None
        for _half in range(HALVINGS):
            worse = new[0] < loglik - 1e-12
            if not worse.any():
                break
            halved = worse if halved is None else halved | worse
            step = np.where(worse, step / 2, step)
            new = efron_terms(beta + step, x, order)
        beta = beta + step
        converged |= np.abs(step) < tol * np.maximum(1, np.abs(beta))
        history.append((beta, loglik, *new, halved))
        loglik, score, info = new
        if converged.all():
            break
    return beta, loglik, info, converged, history, n_iter


def _r_stop(history: list, fit: dict, converged: np.ndarray, alias: np.ndarray) -> np.ndarray:
    """Where R's ``coxph`` would have stopped each column; flag and restore R's value there.

    R stops at the first step (not halved) whose loglik changes by at most ``eps``
    relative. A term is flagged infinite if the next Newton step there is large
    (R's warning), or if it never converged although the loglik was flat; its
    coefficient, loglik and information are then R's, in ``fit`` (updated).
    """
    beta, old, ll, score, info, halved = (
        np.array([h[i] for h in history]) if i != 5 else [h[5] for h in history] for i in range(6)
    )
    flat = np.abs(ll - old) <= EPS * np.abs(ll)
    for i, h in enumerate(halved):
        if h is not None:
            flat[i] &= ~h
    has = flat.any(axis=0) & ~alias
    first = flat.argmax(axis=0)
    cols = np.arange(beta.shape[1])
    at = (first, cols)
    nxt = score[at] / np.where(info[at] > 0, info[at], np.inf)
    infinite = has & (is_moving(nxt, beta[at]) | ~converged)
    if infinite.any():
        for key, hist in (("beta", beta), ("loglik", ll), ("info", info)):
            fit[key] = np.where(infinite, hist[at], fit[key])
    return infinite


def _newton_multi_core(x, order, max_iter, tol, start):
    """Newton-Raphson for one model with all terms identifiable; ``start`` = terms at 0.

    Returns (beta, loglik, info, converged, infinite, n_iter). Where R would warn,
    or where the steps never shrink although the loglik is flat, R's stopping
    point is returned with the running terms flagged infinite.
    """
    beta = np.zeros(x.shape[1])
    loglik, score, info = start
    r_stop = None
    for n_iter in range(1, max_iter + 1):
        step = portable.solve(info, score)
        halved = False
        for _half in range(HALVINGS):
            new = efron_multi(beta + step, x, order)
            if new[0] >= loglik - 1e-12:
                break
            step, halved = step / 2, True
        beta = beta + step
        flat = not halved and r_stop is None and abs(new[0] - loglik) <= EPS * abs(new[0])
        loglik, score, info = new
        if np.all(np.abs(step) < tol * np.maximum(1, np.abs(beta))):
            return beta, loglik, info, True, np.zeros(beta.size, bool), n_iter
        if flat:  # R's coxph stops here: keep its state, test its warning
            nxt = portable.solve(info, score)
            r_stop = (beta, loglik, info, np.abs(nxt))
            moving = is_moving(nxt, beta)
            if moving.any():
                return beta, loglik, info, False, moving, n_iter
    if r_stop is None:
        return beta, loglik, info, False, np.zeros(beta.size, bool), max_iter
    b, ll, inf, nxt = r_stop
    return b, ll, inf, False, nxt > EPS, max_iter


def newton_multi(
    xv: np.ndarray, order: dict[str, np.ndarray], max_iter: int, tol: float
) -> dict[str, object]:
    """One multivariable model (``x`` sorted by time); aliased terms are left out."""
    x, sc = centred(xv)
    p = x.shape[1]
    ll0, u0, i0 = efron_multi(np.zeros(p), x, order)
    alias = aliased(i0, sc) | constant_columns(x)
    keep = ~alias
    beta, info = np.full(p, np.nan), np.eye(p)
    out = {"loglik0": ll0, "aliased": alias, "score0": u0, "info0": i0}
    if not keep.any():
        return {**out, "beta": beta, "info": info, "loglik": ll0, "converged": False,
                "infinite": np.zeros(p, bool), "n_iter": 0}  # fmt: skip
    xk = x if keep.all() else x[:, keep]
    start = (ll0, u0[keep], i0[np.ix_(keep, keep)])
    b, ll, ik, conv, inf_k, n_iter = _newton_multi_core(xk, order, max_iter, tol, start)
    beta[keep] = b
    info[np.ix_(keep, keep)] = ik
    infinite = np.zeros(p, dtype=bool)
    infinite[keep] = inf_k
    return {**out, "beta": beta, "info": info, "loglik": ll, "converged": conv,
            "infinite": infinite, "n_iter": n_iter}  # fmt: skip
