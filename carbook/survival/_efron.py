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


def centre(x: np.ndarray) -> np.ndarray:
    """Column means, or 0 for a column of -1/0/1 only (R's ``nocenter``)."""
    plain = ((x == 0) | (x == 1) | (x == -1)).all(axis=0)
    return np.where(plain, 0.0, x.mean(axis=0))


def scale(xc: np.ndarray) -> np.ndarray:
    """R's ``coxfit6`` scale: 1 / mean absolute deviation (1 if that is 0)."""
    mad = np.abs(xc).mean(axis=0)
    return np.where(mad > 0, 1 / np.where(mad > 0, mad, 1), 1.0)


def cox_order(t: np.ndarray, e: np.ndarray) -> dict[str, np.ndarray]:
    """Tie structure of sorted times: risk-set starts, event groups, Efron fractions."""
    _, first = np.unique(t, return_index=True)
    n_ev = np.add.reduceat(e, first)
    has = n_ev > 0
    d = n_ev[has].astype(int)
    k = np.repeat(np.arange(d.size), d)
    frac = np.concatenate([np.arange(m) / m for m in d]) if d.size else np.zeros(0)
    return {"first": first[has], "group": first, "has_event": has, "event": e, "k": k, "frac": frac}


def efron_terms(
    beta: np.ndarray, x: np.ndarray, order: dict[str, np.ndarray]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Log partial likelihood, score and information of univariate Cox models.

    ``x`` is (n, p) sorted by time; one model per column, all evaluated at once.
    """
    w = np.exp(x * beta)
    wx, wx2 = w * x, w * x * x
    first = order["first"]
    r0, r1, r2 = rev_cumsum(w)[first], rev_cumsum(wx)[first], rev_cumsum(wx2)[first]
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


def efron_multi(
    beta: np.ndarray, x: np.ndarray, order: dict[str, np.ndarray]
) -> tuple[float, np.ndarray, np.ndarray]:
    """Log partial likelihood, score vector and information matrix of one Cox model."""
    w = np.exp(x @ beta)
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
    loglik = float(beta @ xs - np.log(s0).sum())
    info = (m2 - m1[:, :, None] * m1[:, None, :]).sum(axis=0)
    return loglik, xs - m1.sum(axis=0), info


def aliased(info: np.ndarray, sc: np.ndarray) -> np.ndarray:
    """Terms R's ``cholesky2`` sets aside (pivot below ``toler.chol``), on R's scale."""
    a = info * sc[:, None] * sc[None, :]
    n = a.shape[0]
    diag_max = max(float(np.max(np.diag(a), initial=0.0)), 0.0)
    tol = TOLER_CHOL * diag_max if diag_max > 0 else TOLER_CHOL
    out = np.zeros(n, dtype=bool)
    for i in range(n):
        pivot = a[i, i]
        if not np.isfinite(pivot) or pivot < tol:
            out[i] = True
            continue
        col = a[i + 1 :, i] / pivot
        a[i + 1 :, i + 1 :] -= np.outer(col, col) * pivot
    return out


def flat_but_moving(
    old_ll: np.ndarray, new_ll: np.ndarray, nxt: np.ndarray, beta: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """R's stopping rule (loglik flat) and its test for an infinite coefficient.

    ``nxt`` is the next Newton step; ``coxph.fit`` warns where it is above ``eps``
    and above ``toler.inf * |coef|`` at the step where the loglik has converged.
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        flat = np.abs(1 - old_ll / new_ll) <= EPS
    nxt = np.abs(nxt)
    return flat, flat & (nxt > EPS) & (nxt > TOLER_INF * np.abs(beta))


def _halve(beta, step, loglik, frozen, x, order, new):
    """Halve the steps that lower the log-likelihood (``coxfit6``); mark which did."""
    halved = np.zeros(beta.size, dtype=bool)
    for _ in range(HALVINGS):
        worse = ~(new[0] >= loglik - 1e-12) & ~frozen
        if not worse.any():
            break
        halved |= worse
        step = np.where(worse, step / 2, step)
        new = efron_terms(beta + step, x, order)
    return step, new, halved


def newton_batch(
    xv: np.ndarray, order: dict[str, np.ndarray], max_iter: int, tol: float
) -> dict[str, np.ndarray]:
    """Univariate Newton-Raphson for every column at once (``x`` sorted by time)."""
    x = xv - centre(xv)
    beta = np.zeros(x.shape[1])
    ll0, u0, i0 = efron_terms(beta, x, order)
    loglik, score, info = ll0, u0, i0
    alias = ~(i0 * scale(x) ** 2 >= TOLER_CHOL) | (np.ptp(x, axis=0) == 0)
    converged = np.zeros(beta.size, dtype=bool)
    infinite = np.zeros(beta.size, dtype=bool)
    r_stop = np.zeros(beta.size, dtype=bool)  # where R's coxph would have stopped
    r_state = [beta, loglik, info]
    n_iter = 0
    for n_iter in range(1, max_iter + 1):  # noqa: B007  reported below
        frozen = converged | infinite | alias
        step = np.where(frozen, 0.0, score / np.where(info > 0, info, np.inf))
        new = efron_terms(beta + step, x, order)
        step, new, halved = _halve(beta, step, loglik, frozen, x, order, new)
        beta = beta + step
        done = np.abs(step) < tol * np.maximum(1, np.abs(beta))
        with np.errstate(divide="ignore", invalid="ignore"):
            nxt = new[1] / new[2]
        flat, moving = flat_but_moving(loglik, new[0], nxt, beta)
        first = flat & ~halved & ~frozen & ~r_stop
        r_stop |= first
        r_state = [np.where(first, a, b) for a, b in zip((beta, *new[::2]), r_state, strict=True)]
        infinite |= first & moving & ~done
        converged |= done & ~infinite
        loglik, score, info = new
        if (converged | infinite | alias).all():
            break
    # Not converged but flat: R's stopping point and its coefficient, flagged infinite.
    late = ~converged & ~alias & r_stop
    infinite |= late
    beta, loglik, info = (
        np.where(late | infinite, a, b) for a, b in zip(r_state, (beta, loglik, info), strict=True)
    )
    return {
        "beta": beta, "loglik": loglik, "loglik0": ll0, "info": info, "score0": u0,
        "info0": i0, "converged": converged & ~alias, "infinite": infinite, "aliased": alias,
        "n_iter": np.full(beta.size, n_iter),
    }  # fmt: skip


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
        step = np.linalg.solve(info, score)
        halved = False
        for _half in range(HALVINGS):
            new = efron_multi(beta + step, x, order)
            if new[0] >= loglik - 1e-12:
                break
            step, halved = step / 2, True
        beta = beta + step
        nxt = np.linalg.solve(new[2], new[1])
        flat, moving = flat_but_moving(np.array(loglik), np.array(new[0]), nxt, beta)
        loglik, score, info = new
        if np.all(np.abs(step) < tol * np.maximum(1, np.abs(beta))):
            return beta, loglik, info, True, np.zeros(beta.size, bool), n_iter
        if flat and not halved and r_stop is None:
            r_stop = (beta, loglik, info, np.abs(nxt))
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
    x = xv - centre(xv)
    p = x.shape[1]
    ll0, u0, i0 = efron_multi(np.zeros(p), x, order)
    alias = aliased(i0, scale(x)) | (np.ptp(x, axis=0) == 0)
    keep = ~alias
    beta, info = np.full(p, np.nan), np.eye(p)
    out = {"loglik0": ll0, "aliased": alias, "score_chisq": 0.0}
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
    score_chisq = float(start[1] @ np.linalg.solve(start[2], start[1]))
    return {**out, "beta": beta, "info": info, "loglik": ll, "converged": conv,
            "infinite": infinite, "n_iter": n_iter, "score_chisq": score_chisq}  # fmt: skip
