"""Univariate Cox fits of 0/1 covariates on fixed times, many candidates at once.

With the times fixed, the Efron partial likelihood of a 0/1 covariate depends only
on four counts per distinct event time: patients at risk (``N``) and deaths (``D``),
and how many of each carry the covariate (``N1``, ``D1``). For the ``j``-th of ``D``
tied deaths (``f = j / D``) and ``w = exp(beta)``:

- ``s0 = (N - N1) + N1 w - f ((D - D1) + D1 w)``,
- ``s1 = s2 = w (N1 - f D1)`` (``x = x^2`` for a 0/1 covariate),

so a fit costs a few passes over the event times, and the covariate search can fit
every candidate arrangement of a neighbourhood in one vectorised Newton-Raphson.
The iteration is :func:`carbook.survival.cox_batch`'s (R's ``coxph`` with Efron
ties: Newton from 0, step halving, stop when every step is below
``tol * max(1, |coef|)``), so the two agree to rounding error.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import special

from carbook.survival import _efron

__all__ = ["RiskSets", "binary_cox", "equivalence_classes", "risk_sets"]

HALVINGS = 20
#: a code word of :func:`_class_weights` stays below this: float sums of its integers are exact
WORD = 2.0**52


@dataclass(frozen=True)
class RiskSets:
    """The tie structure of fixed (time, event) data, for :func:`binary_cox`."""

    order: np.ndarray  # rows sorted by time (stable)
    first: np.ndarray  # sorted position of the first row of each event time
    group: np.ndarray  # sorted position of the first row of each distinct time
    has_event: np.ndarray  # which distinct times have a death
    event: np.ndarray  # 0/1 event, sorted
    at_risk: np.ndarray  # N per event time
    deaths: np.ndarray  # D per event time
    k: np.ndarray  # event time of each death
    frac: np.ndarray  # Efron's j / D of each death
    weights: np.ndarray  # (n, words): x.T @ weights codes a 0/1 column (see _class_weights)


def risk_sets(time: np.ndarray, event: np.ndarray) -> RiskSets:
    """Risk sets of finite ``time`` with 0/1 ``event`` (no validation: inner loop).

    Examples
    --------
    >>> rs = risk_sets(np.array([3.0, 1.0, 1.0, 2.0]), np.array([1, 1, 0, 1]))
    >>> rs.at_risk.tolist(), rs.deaths.tolist()
    ([4, 2, 1], [1, 1, 1])
    """
    order = np.argsort(time, kind="stable")
    t, e = np.asarray(time, float)[order], np.asarray(event, float)[order]
    o = _efron.cox_order(t, e)
    first = o["first"]
    return RiskSets(
        order=order,
        first=first,
        group=o["group"],
        has_event=o["has_event"],
        event=e,
        at_risk=t.size - first,
        deaths=np.bincount(o["k"]),
        k=o["k"],
        frac=o["frac"],
        weights=_class_weights(np.asarray(time, float), np.asarray(event, float)),
    )


def equivalence_classes(time: np.ndarray, event: np.ndarray) -> np.ndarray:
    """Class label per row: rows with the same label contribute alike to a Cox fit.

    An event row's class is its time; a censored row's is the number of event
    times at or before its time (the risk sets it is in).

    Examples
    --------
    >>> equivalence_classes(np.array([1.0, 2, 2, 5, 9]), np.array([1, 1, 1, 0, 0])).tolist()
    [0, 1, 1, 2, 2]
    """
    etimes = np.unique(time[event == 1])
    key = np.where(
        event == 1,
        np.searchsorted(etimes, time),
        len(etimes) + np.searchsorted(etimes, time, side="right"),
    )
    return np.unique(key, return_inverse=True)[1].ravel()


def _class_weights(time: np.ndarray, event: np.ndarray) -> np.ndarray:
    """(n, words) weights that code a 0/1 column by its ones in each class of rows.

    Rows of a class contribute alike to the fit: event rows at the same time, and
    censored rows in the same risk sets (censored after the same number of event
    times), as :func:`equivalence_classes`. A column
    with ``c_j`` ones in class ``j`` gets the mixed-radix code ``sum_j c_j r_j``
    (radix ``r_j`` = product of ``size + 1`` of the classes before ``j`` in its word),
    so two columns share every code word only if they have the same ones per class,
    hence the same counts ``N1`` and ``D1`` at every death. A word's codes stay below
    :data:`WORD`, so ``x.T @ weights`` sums integers exactly in floating point.

    Examples
    --------
    >>> _class_weights(np.array([1.0, 2, 2, 5, 9]), np.array([1, 1, 1, 0, 0])).ravel().tolist()
    [1.0, 2.0, 2.0, 6.0, 6.0]
    """
    label = equivalence_classes(time, event)
    sizes = np.bincount(label)
    word, radix = np.zeros(len(sizes), int), np.ones(len(sizes))
    w, product = 0, 1.0
    for j, size in enumerate(sizes):
        if product * (size + 1) > WORD:
            w, product = w + 1, 1.0
        word[j], radix[j] = w, product
        product *= size + 1
    weights = np.zeros((len(time), w + 1))
    weights[np.arange(len(time)), word[label]] = radix[label]
    return weights


def _distinct(rs: RiskSets, x: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """(first, back): one column of each kind in ``x``, and the kind of every column.

    Columns with the same ones per class (see :func:`_class_weights`) have the same
    fit. None (fit every column) for fewer than three columns, for a column that is
    not 0/1, or when every column is distinct. At least two columns are kept, since
    numpy sums a lone column in another order than a column among others.
    """
    if x.ndim != 2 or x.shape[1] < 3 or not ((x == 0) | (x == 1)).all():
        return None
    codes = x.T @ rs.weights
    if codes.shape[1] == 1:
        _, first, back = np.unique(codes[:, 0], return_index=True, return_inverse=True)
    else:
        _, first, back = np.unique(codes, axis=0, return_index=True, return_inverse=True)
    if len(first) == x.shape[1]:
        return None
    return np.repeat(first, 2) if len(first) == 1 else first, back.ravel()


def _counts(rs: RiskSets, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(N1, D1) per death, (deaths, M), for covariate columns ``x`` (n, M)."""
    xs = x[rs.order]
    n1 = _efron.rev_cumsum(xs)[rs.first]
    d1 = np.add.reduceat(xs * rs.event[:, None], rs.group)[rs.has_event]
    return n1[rs.k], d1[rs.k]


def _constants(n, n1, d, d1, f) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The parts of :func:`_terms` that do not depend on ``beta``, computed once per fit.

    ``(N - N1, D - D1, N1 - f D1)``: the same operations on the same operands as
    when they were computed inside every Newton step, so the bits do not change.
    """
    return n - n1, d - d1, n1 - f * d1


def _terms(beta, n1, d1, f, n0, d0, r1, xs_sum):
    """Log partial likelihood, score and information at ``beta`` (one per column).

    ``n0, d0, r1`` are :func:`_constants`; ``s0`` and ``p`` are evaluated in the
    order of ``(N - N1) + N1 w - f ((D - D1) + D1 w)`` and ``w (N1 - f D1) / s0``.
    """
    w = np.exp(beta)
    s0 = n0 + n1 * w - f * (d0 + d1 * w)
    p = w * r1 / s0
    loglik = beta * xs_sum - np.log(s0).sum(axis=0)
    return loglik, xs_sum - p.sum(axis=0), (p * (1 - p)).sum(axis=0)


def binary_cox(
    rs: RiskSets, x: np.ndarray, max_iter: int = 30, tol: float = 1e-10
) -> dict[str, np.ndarray]:
    """``coxph(Surv(time, event) ~ x[, j])`` for every 0/1 column ``j`` of ``x``.

    R's default Efron ties, as :func:`carbook.survival.cox_batch` (to which it is
    equal to rounding error), without its validation or its pandas.

    Parameters
    ----------
    rs : RiskSets
        From :func:`risk_sets` on the fixed times.
    x : numpy.ndarray
        (n, M) 0/1 covariate columns, rows in the order of the times.
    max_iter, tol : int, float
        Newton iterations at most; convergence when every step is below
        ``tol * max(1, |coef|)``.

    Returns
    -------
    dict of numpy.ndarray
        Per column: ``coef``, ``se`` (Wald, ``summary(coxph)$coefficients``),
        ``loglik``, ``p_wald``, ``p_lr`` (``$logtest``), ``p_score`` (``$sctest``)
        and ``converged``: False for a constant column (R's NA) and for a
        coefficient running to infinity (R's "coefficient may be infinite"), whose
        estimates are then not R's and should be read as a miss.

    Examples
    --------
    >>> rs = risk_sets(np.array([1.0, 2, 3, 4, 5, 6]), np.array([1, 1, 1, 1, 0, 1]))
    >>> fit = binary_cox(rs, np.array([[0, 1, 0, 1, 1, 0]]).T)
    >>> round(float(fit["coef"][0]), 6), bool(fit["converged"][0])
    (-0.273948, True)
    """
    x = np.asarray(x, float)
    distinct = _distinct(rs, x)
    if distinct is None:
        return _fit(rs, x, max_iter, tol)
    first, back = distinct  # each kind of column fitted once: the same bits (tested)
    return {key: value[back] for key, value in _fit(rs, x[:, first], max_iter, tol).items()}


def _fit(rs: RiskSets, x: np.ndarray, max_iter: int, tol: float) -> dict[str, np.ndarray]:
    """:func:`binary_cox` on every column of ``x``."""
    n1, d1 = _counts(rs, x)
    n, d = rs.at_risk[rs.k][:, None], rs.deaths[rs.k][:, None]
    f = rs.frac[:, None]
    args = (n1, d1, f, *_constants(n, n1, d, d1, f), (x[rs.order] * rs.event[:, None]).sum(axis=0))
    beta = np.zeros(x.shape[1])
    ll0, u0, i0 = _terms(beta, *args)
    alias = ~(i0 >= _efron.TOLER_CHOL)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        beta, loglik, info, converged = _newton(
            beta, (ll0, u0, i0), alias.copy(), args, max_iter, tol
        )
        lr = 2 * (loglik - ll0)
        se = 1 / np.sqrt(info)
        score = u0**2 / i0
    ok = converged & ~alias & np.isfinite(se)
    return {
        "coef": np.where(alias, np.nan, beta),
        "se": np.where(alias, np.nan, se),
        "loglik": loglik,
        "p_wald": 2 * special.ndtr(-np.abs(beta) / se),
        "p_lr": special.chdtrc(1, np.maximum(lr, 0)),
        "p_score": special.chdtrc(1, score),
        "converged": ok,
    }


def _newton(beta, start, converged, args, max_iter, tol):
    """Vectorised Newton-Raphson with step halving (as ``_efron._batch_loop``).

    Each column's iterations depend on that column alone, and a converged column
    (step 0) or one not worse (step kept) would be recomputed to the same bits, so
    only the columns still moving are evaluated (:func:`_subset`), at least two
    together since numpy sums a lone column in another order. Tested bit for bit
    against evaluating every column (``_newton_every_column`` in the tests).
    """
    beta, converged = beta.copy(), converged.copy()
    loglik, score, info = (a.copy() for a in start)
    for _ in range(max_iter):
        cols = _subset(~converged)
        if cols is None:
            break
        sub = _columns(args, cols)
        b, ll = beta[cols], loglik[cols]
        step = np.where(
            converged[cols], 0.0, score[cols] / np.where(info[cols] > 0, info[cols], np.inf)
        )
        new = _terms(b + step, *sub)
        for _half in range(HALVINGS):
            worse = new[0] < ll - 1e-12
            if not worse.any():
                break
            step = np.where(worse, step / 2, step)
            redo = _subset(worse)
            part = _terms(b[redo] + step[redo], *_columns(sub, redo))
            for whole, value in zip(new, part, strict=True):
                whole[redo] = value
        b = b + step
        beta[cols] = b
        converged[cols] |= np.abs(step) < tol * np.maximum(1, np.abs(b))
        loglik[cols], score[cols], info[cols] = new
        if converged.all():
            break
    return beta, loglik, info, converged


def _subset(moving: np.ndarray) -> np.ndarray | None:
    """Indices of the ``moving`` columns, padded to two with a still one (None: none move)."""
    cols = np.flatnonzero(moving)
    if len(cols) == 0:
        return None
    if len(cols) == 1 and len(moving) > 1:
        cols = np.sort(np.append(cols, np.flatnonzero(~moving)[0]))
    return cols


def _columns(args: tuple, cols: np.ndarray) -> tuple:
    """The arguments of :func:`_terms` for columns ``cols`` only (``f`` is shared).

    C-ordered, as the originals: numpy sums a Fortran-ordered ``a[:, cols]`` (what
    that indexing returns) down its columns pairwise, in another order.
    """
    n1, d1, f, n0, d0, r1, xs_sum = args
    if len(cols) == len(xs_sum):  # every column, in order: no copies
        return args
    n1, d1, n0, d0, r1 = (np.take(a, cols, axis=1) for a in (n1, d1, n0, d0, r1))
    return n1, d1, f, n0, d0, r1, xs_sum[cols]
