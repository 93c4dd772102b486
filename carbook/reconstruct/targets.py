"""Compute every target statistic on a cohort, and score it against the printed value.

Conventions are the authors' (R 3.6): KM intervals ``conf.type = "log"``, R's median
rule, reverse-KM follow-up, ``cmprsk::cuminc`` with log(-log) limits, Cox with Efron
ties and Wald intervals, ``wilcox.test`` defaults. The statistics use the numpy
cores of :mod:`carbook.survival`, which are tested against R.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np
import pandas as pd
from scipy import special, stats

from carbook import survival as sv
from carbook.published import printed_interval
from carbook.reconstruct.coxcolumns import CoxColumns
from carbook.reconstruct.recent import MISSING, Recent
from carbook.reconstruct.spec import Target
from carbook.survival import portable
from carbook.tables import wilcoxon_ranksum

__all__ = [
    "COX_P_TESTS",
    "Endpoints",
    "Evaluator",
    "claim_units",
    "claims_met",
    "closest_p",
    "inconsistent_p_targets",
    "infeasible_hr_targets",
    "met_key",
    "ranksum_p",
]

#: endpoint name -> function(cohort) -> (time, status); status 1 = event of interest,
#: 2 = competing event, 0 = censored; time NaN for patients outside the endpoint's
#: population (e.g. survival from progression for those who never progressed).
Endpoints = dict[str, Callable[[pd.DataFrame], tuple[np.ndarray, np.ndarray]]]
PARTS = ("value", "low", "high", "p")
COX_KINDS = ("cox_hr", "cox_mv", "cox_td")
Z = stats.norm.ppf(0.975)


def claim_units(parts: pd.DataFrame) -> np.ndarray:
    """Each printed part's claim as a code, a printed P its own (the scorecard's unit).

    Examples
    --------
    >>> parts = pd.DataFrame({"claim": list("aaab"), "part": ["value", "low", "p", "value"]})
    >>> claim_units(parts).tolist()
    [0, 0, 1, 2]
    """
    return pd.factorize(parts["claim"] + np.where(parts["part"] == "p", "|p", ""))[0]


def claims_met(met: np.ndarray, units: np.ndarray) -> int:
    """How many claims (:func:`claim_units`) have every part met.

    Examples
    --------
    >>> claims_met(np.array([True, False, True, True]), np.array([0, 0, 1, 2]))
    2
    """
    return int((np.bincount(units, weights=~met) == 0).sum())


def met_key(
    evaluator: Evaluator, cohort: pd.DataFrame, units: np.ndarray
) -> tuple[int, int, float]:
    """(printed parts met, whole claims met, minus the loss): the search's order.

    ``units``: each part's claim (:func:`claim_units`). Evaluates ``cohort``, so
    ``evaluator.met`` is then its parts met.
    """
    loss = evaluator.loss(cohort)
    return int(evaluator.met.sum()), claims_met(evaluator.met, units), -loss


def _fingerprint(a: np.ndarray) -> tuple:
    """A hashable key equal for two arrays only if their values are equal.

    A numeric array is keyed by dtype, shape and bytes (equal bytes mean equal values,
    NaN payloads included); other arrays by their values as Python objects. Arrays
    equal in value but not in bytes (-0.0 and 0.0, two NaN payloads) get different
    keys: the Evaluator then recomputes, which is never wrong, only slower.

    Examples
    --------
    >>> x = np.array([1.0, np.nan])
    >>> _fingerprint(x) == _fingerprint(x.copy()), _fingerprint(x) == _fingerprint(x[::-1])
    (True, False)
    """
    if a.dtype.kind in "biuf":
        return a.dtype.str, a.shape, a.tobytes()
    return a.dtype.str, a.shape, tuple(a.ravel().tolist())


def _call(fn: Callable, *args: object) -> object:
    return fn(*args)


class Memo:
    """Call a deterministic function, remembering its last results by argument values.

    Arrays are keyed by :func:`_fingerprint`, other arguments as they are; the
    ``size`` most recently used results are kept. The search evaluates many cohorts
    whose populations for a fit are unchanged (a move on a patient outside it, a
    rejected move undone): those fits are then looked up, the same objects as
    computed (callers must not modify them).

    Examples
    --------
    >>> memo = Memo(2)
    >>> a = memo(np.cumsum, np.array([1.0, 2.0]))
    >>> memo(np.cumsum, np.array([1.0, 2.0])) is a, memo.calls
    (True, 1)
    """

    def __init__(self, size: int) -> None:
        self.calls = 0  # how many calls were computed (not looked up)
        self._store = Recent(size)

    def __call__(self, fn: Callable, *args: object) -> object:
        """``fn(*args)``, looked up if these argument values were seen recently."""
        key = (fn, *(_fingerprint(a) if isinstance(a, np.ndarray) else a for a in args))
        hit = self._store.get(key)
        if hit is MISSING:
            hit = fn(*args)
            self.calls += 1
            self._store.put(key, hit)
        return hit


def _step(times: np.ndarray, values: np.ndarray, at: float, before: float) -> float:
    i = np.searchsorted(times, at, side="right") - 1
    return float(values[i]) if i >= 0 else before


def _km_stat(
    t: Target,
    time: np.ndarray,
    status: np.ndarray,
    where: np.ndarray | None = None,
    fits: dict | None = None,
    call: Callable = _call,
) -> tuple[float, float, float]:
    """KM, CIF or follow-up statistic; ``params["conf_type"]`` picks R's KM transform.

    ``fits``, if given, holds the curves already fitted to these same arrays (keyed
    by kind and transform), so targets reading one curve share its fit. Curves are
    fitted through ``call(function, *arrays)`` (e.g. a :class:`Memo`).
    """
    keep = np.isfinite(time) if where is None else np.isfinite(time) & where
    time, status = time[keep], status[keep]
    fits = {} if fits is None else fits
    if t.kind == "followup" and t.params.get("reading") == "survivors":
        return _survivors_followup(time[status == 0])
    if t.kind == "followup":
        if "reverse" not in fits:
            fits["reverse"] = call(sv.km_arrays, time, (status == 0).astype(float))
        a = fits["reverse"]
        s, x = a["surv"], a["time"]
        return tuple(sv.quantile_crossing(s, x, q) for q in (0.5, 0.75, 0.25))
    if t.kind == "cif_at":
        if "cif" not in fits:
            fits["cif"] = call(sv.cuminc_arrays, time, status, 1)
        times, est, var = fits["cif"]
        e, v = _step(times, est, t.params["time"], 0.0), _step(times, var, t.params["time"], 0.0)
        lo, hi = sv.cif_log_log(e, v)
        return 100 * e, 100 * lo, 100 * hi
    conf_type = t.params.get("conf_type", "log")
    if conf_type not in fits:
        fits[conf_type] = call(sv.km_arrays, time, (status == 1).astype(float), conf_type)
    a = fits[conf_type]
    if t.kind == "km_median":
        return tuple(sv.quantile_crossing(a[k], a["time"], 0.5) for k in ("surv", "lower", "upper"))
    at = t.params["time"]
    return tuple(100 * _step(a["time"], a[k], at, 1.0) for k in ("surv", "lower", "upper"))


def _survivors_followup(alive: np.ndarray) -> tuple[float, float, float]:
    """Median follow-up among survivors, with quartiles (R's ``quantile(type = 7)``).

    The other reading of "median follow-up (IQR)" a paper may have used: the
    follow-up of the patients alive at last contact, instead of the reverse
    Kaplan-Meier (a target with ``reading: survivors``).

    Examples
    --------
    >>> _survivors_followup(np.array([10.0, 20.0, 30.0, 40.0]))
    (25.0, 17.5, 32.5)
    """
    if not alive.size:
        return float("nan"), float("nan"), float("nan")
    q = np.quantile(alive, [0.5, 0.25, 0.75])
    return float(q[0]), float(q[1]), float(q[2])


def infeasible_hr_targets(
    targets: list[Target], cohort: pd.DataFrame, endpoints: Endpoints
) -> dict[str, str]:
    """Cox targets whose printed interval no cohort can produce, with the reason.

    For a 0/1 covariate the Cox information is at most d/4 (d events), so the Wald
    standard error of log(HR) is at least 2/sqrt(d). A printed interval narrower than
    that allows (even at the widest reading of its rounded bounds) is unattainable,
    whatever the data: the covariate must have been coded otherwise.
    """
    out = {}
    for t in targets:
        if t.kind != "cox_hr" or not {"low", "high"} <= set(t.printed):
            continue
        time, status = endpoints[t.params["endpoint"]](cohort)
        keep = np.isfinite(time)
        if t.params.get("where") is not None:
            keep &= cohort[t.params["where"]].to_numpy() == 1
        x = cohort[t.params["covariate"]].to_numpy(float)[keep]
        if not np.isin(x, (0, 1)).all():
            continue
        status = status[keep]
        d = int((status == 1).sum())
        lo_min, _ = printed_interval(t.printed["low"])
        _, hi_max = printed_interval(t.printed["high"])
        widest = (np.log(hi_max) - np.log(lo_min)) / (2 * Z)
        if widest < 2 / np.sqrt(d):
            out[t.claim] = (
                f"proof: printed CI implies SE(log HR) <= {widest:.3f}, but a 0/1 covariate with "
                f"{d} events has SE >= 2/sqrt({d}) = {2 / np.sqrt(d):.3f}"
            )
    return out


def _huber(gap: np.ndarray) -> np.ndarray:
    """Squared gap up to one printed unit, linear beyond.

    A far miss then cannot buy itself a small improvement at the price of many
    numbers that are met.
    """
    return np.where(gap <= 1, gap**2, 2 * gap - 1)


def _wald_p(beta: float, se: float) -> float:
    return float(2 * special.ndtr(-abs(beta) / se))


#: the parts of a Cox target and the :func:`carbook.survival.wald_table` columns they read
WALD_PARTS = {"value": "hr", "low": "lower", "high": "upper", "p": "p"}


def _wald(claim: str, beta: float, se: float) -> dict[tuple[str, str], float]:
    """HR, 95% Wald limits and Wald P of one Cox coefficient, as ``summary(coxph)``."""
    return _wald_row(claim, sv.wald_table(np.array([beta]), np.array([se])), 0)


def _wald_row(claim: str, table: Mapping, j: int | None) -> dict[tuple[str, str], float]:
    """The parts of ``claim`` from row ``j`` of a Wald table (``None``: a table of floats).

    A Wald table is elementwise in (coef, se), so row ``j`` of a batch's table is
    the table of that row's coefficient alone, bit for bit
    (``tests/test_incremental.py``).
    """
    if j is None:
        return {(claim, part): float(table[col]) for part, col in WALD_PARTS.items()}
    return {(claim, part): float(table[col][j]) for part, col in WALD_PARTS.items()}


#: the Cox P values a paper may print, as ``summary(coxph)`` names them
COX_P_TESTS = {"p_wald": "Wald", "p_lr": "likelihood-ratio", "p_score": "score (log-rank)"}


def closest_p(ps: dict[str, float], lo: float, hi: float) -> tuple[str, float]:
    """The test whose P is nearest the printed interval [lo, hi) (inside: distance 0).

    A printed Cox P is met if any of Wald, likelihood-ratio or score gives it; ties
    go to the first in :data:`COX_P_TESTS` order (Wald, as the coefficient table).

    Examples
    --------
    >>> closest_p({"p_wald": 0.024, "p_lr": 0.021, "p_score": 0.023}, 0.015, 0.025)
    ('Wald', 0.024)
    >>> closest_p({"p_wald": 0.027, "p_lr": 0.022, "p_score": 0.023}, 0.015, 0.025)
    ('likelihood-ratio', 0.022)
    """
    dist = {k: max(lo - p, p - hi + 1e-15, 0.0) for k, p in ps.items() if np.isfinite(p)}
    if not dist:
        return COX_P_TESTS["p_wald"], float(ps.get("p_wald", np.nan))
    best = min(COX_P_TESTS, key=lambda k: (dist.get(k, np.inf), list(COX_P_TESTS).index(k)))
    return COX_P_TESTS[best], float(ps[best])


_EXACT: dict[tuple[int, int, float], float] = {}


def ranksum_p(x: np.ndarray, y: np.ndarray) -> float:
    """P of :func:`carbook.tables.wilcoxon_ranksum`, fast enough for the search.

    The normal approximation (ties, or 50 or more values in a sample) is R's
    formula in numpy; an exact P depends only on (n_x, n_y, W), so each is
    computed once by the reference function and then looked up.

    Examples
    --------
    >>> x, y = np.array([1.0, 2, 2, 5]), np.array([3.0, 4, 6])
    >>> bool(np.isclose(ranksum_p(x, y), wilcoxon_ranksum(x, y).pvalue))
    True
    """
    nx, ny = len(x), len(y)
    both = np.concatenate([x, y])
    ranks = stats.rankdata(both)
    w = float(ranks[:nx].sum() - nx * (nx + 1) / 2)
    _, tie_sizes = np.unique(both, return_counts=True)
    if nx < 50 and ny < 50 and (tie_sizes == 1).all():
        key = (nx, ny, w)
        if key not in _EXACT:
            _EXACT[key] = wilcoxon_ranksum(x, y).pvalue
        return _EXACT[key]
    n = nx + ny
    z = w - nx * ny / 2
    sigma = np.sqrt(nx * ny / 12 * ((n + 1) - (tie_sizes**3 - tie_sizes).sum() / (n * (n - 1))))
    z = (z - np.sign(z) * 0.5) / sigma
    return float(2 * special.ndtr(-abs(z)))


#: the grouping column of a ``wilcoxon`` target without ``by`` (read and cached alike)
WILCOXON_BY = "progressed"


def _wilcoxon_p(t: Target, cohort: pd.DataFrame) -> float:
    """``wilcox.test`` P of a column between the two levels of ``by`` (default: progressed)."""
    col = cohort[t.params["column"]].to_numpy(float)
    by = cohort[t.params.get("by", WILCOXON_BY)].to_numpy() == 1
    keep = np.ones(len(cohort), bool)
    if t.params.get("where") is not None:
        keep = cohort[t.params["where"]].to_numpy() == 1
    return ranksum_p(col[keep & by], col[keep & ~by])


def inconsistent_p_targets(targets: list[Target]) -> dict[str, str]:
    """HR targets whose printed P no Wald test on the printed HR and CI can give.

    A Cox Wald P follows from log(HR) and its standard error, which the printed
    interval fixes: se = (log high - log low) / (2 z). Taking every value the rounded
    HR and bounds allow gives a range of possible Wald P values; a printed P outside
    it cannot be a Wald P. The printed numbers do not bound the likelihood-ratio or
    score P (they need the data), so the calibration still tries to meet these P
    values by those tests (see :func:`closest_p`); the finding is only a note.
    """
    out = {}
    for t in targets:
        if t.kind not in COX_KINDS or not t.p_printed or not {"low", "high"} <= set(t.printed):
            continue
        (h0, h1), (l0, l1), (u0, u1) = (
            printed_interval(t.printed[k]) for k in ("value", "low", "high")
        )
        betas = np.log([max(h0, 1e-9), h1])
        se_lo, se_hi = (
            (np.log(u0) - np.log(l1)) / (2 * Z),
            (np.log(u1) - np.log(max(l0, 1e-9))) / (2 * Z),
        )
        near = 0.0 if betas[0] <= 0 <= betas[1] else np.abs(betas).min()
        p_min, p_max = _wald_p(np.abs(betas).max(), max(se_lo, 1e-9)), _wald_p(near, se_hi)
        p0, p1 = printed_interval(t.p_printed)
        if p1 <= p_min or p0 > p_max:
            out[t.claim] = (
                f"printed P {t.p_printed} is outside [{p_min:.3f}, {p_max:.3f}], the Wald P "
                "values the printed HR and CI allow, and no likelihood-ratio or score P met it"
            )
    return out


def proved_weight(proved: bool, part: str) -> float:
    """Loss weight of a target's ``part`` ("value", "low", "high", "p"); a proof spares its P.

    A proof of impossibility (:func:`carbook.reconstruct.proofs.proofs`) is about a
    claim's estimate and interval; its P is a printed number of its own that the
    proof does not cover, so the search still aims at it.

    Examples
    --------
    >>> [proved_weight(True, p) for p in PARTS], [proved_weight(False, p) for p in PARTS]
    ([0.0, 0.0, 0.0, 1.0], [1.0, 1.0, 1.0, 1.0])
    """
    return 1.0 if not proved or part == "p" else 0.0


def _inputs(t: Target) -> list[tuple[str, str]]:
    """What a target reads: ("endpoint", name) and ("column", name) pairs.

    Examples
    --------
    >>> _inputs(Target("x", "wilcoxon", {"column": "age"}, {}))
    [('column', 'age'), ('column', 'progressed')]
    """
    p = t.params
    out = [("endpoint", p["endpoint"])] if p.get("endpoint") is not None else []
    cols = [p.get(k) for k in ("column", "where", "group", "switch", "covariate")]
    if t.kind == "wilcoxon":
        cols.append(p.get("by", WILCOXON_BY))
    cols += list(p.get("covariates", []))
    return out + [("column", c) for c in dict.fromkeys(cols) if c is not None]


#: past input states whose values each unit of the Evaluator keeps (most recent first out)
MEMO_SIZE = 4


class Evaluator:
    """Evaluate a study's targets on cohorts, fast enough for a stochastic search.

    Parameters
    ----------
    targets : list of Target
        From :func:`carbook.reconstruct.spec.load_spec`.
    endpoints : Endpoints
        How each endpoint's (time, status) is read off a cohort.
    """

    def __init__(
        self,
        targets: list[Target],
        endpoints: Endpoints,
        excluded: dict[str, str] | None = None,
        excluded_p: dict[str, str] | None = None,
    ) -> None:
        self.targets = targets
        self.excluded = dict(excluded or {})  # claim -> proof (every part but the P)
        self.excluded_p = dict(excluded_p or {})  # claim -> reason (its P only)
        self.endpoints = endpoints
        self.cox: dict[tuple[str, str | None], list[Target]] = {}
        for t in targets:
            if t.kind == "cox_hr":
                key = (t.params["endpoint"], t.params.get("where"))
                self.cox.setdefault(key, []).append(t)
        rows = []
        for t in targets:
            printed = {**t.printed, **({"p": t.p_printed} if t.p_printed else {})}
            for part in PARTS:
                if part in printed:
                    rows.append((t.claim, part, printed[part], *printed_interval(printed[part])))
        self.parts = pd.DataFrame(rows, columns=["claim", "part", "printed", "lo", "hi"])
        self._lo = self.parts["lo"].to_numpy()
        self._hi = self.parts["hi"].to_numpy()
        self._width = self._hi - self._lo
        # A proof covers a claim's estimate and interval, not its P (proved_weight):
        # the P keeps its weight and gets no proof note. A P outside the
        # Wald range may still be a likelihood-ratio or score P: it keeps its weight
        # too, and its note shows only if no test meets it.
        pairs = list(zip(self.parts["claim"], self.parts["part"], strict=True))
        self._keys = pairs  # (claim, part) per printed part, in the order of self.parts
        notes = [
            self.excluded_p.get(c) if part == "p" else self.excluded.get(c) for c, part in pairs
        ]
        self._notes = pd.Series(notes, dtype=object)
        self._weight = np.array([proved_weight(c in self.excluded, p) for c, p in pairs])
        p_rows = self.parts[self.parts["part"] == "p"]
        self._p_interval = dict(
            zip(p_rows["claim"], zip(p_rows["lo"], p_rows["hi"], strict=True), strict=True)
        )
        self.p_test: dict[str, str] = {}
        self._units = self._build_units()
        self._memo = {key: Recent(MEMO_SIZE) for key, _, _ in self._units}
        self._memos = (
            Memo(4 * len(self._units)),
            CoxColumns(8 * sum(len(g) for g in self.cox.values())),
        )
        self._memo_fit, self._cox_columns = self._memos
        self._cache: dict[object, dict[tuple[str, str], float]] = {}

    def achieved(self, cohort: pd.DataFrame) -> dict[tuple[str, str], float]:
        """Achieved value of every (claim, part) on ``cohort``, recomputing new states only.

        A target (or the batch of univariate Cox targets sharing an endpoint and a
        population, fitted together) is a unit whose inputs are an endpoint's (time,
        status) and the columns it reads. Each unit keeps its values (and its Cox P
        tests) for the last :data:`MEMO_SIZE` states of its inputs it saw, keyed by
        their bytes (:func:`_fingerprint`): a rejected move's state and the accepted
        one it returns to are both remembered. Statistics are deterministic functions
        of their inputs, so the values are those of :meth:`achieved_full` bit for bit
        (``tests/test_incremental.py``).
        """
        self._fits, self._reads, self._curves = {}, {}, {}
        prints: dict[tuple[str, str], tuple] = {}
        out: dict[tuple[str, str], float] = {}
        for key, inputs, compute in self._units:
            for inp in inputs:
                if inp not in prints:
                    prints[inp] = self._state(cohort, inp)
            state = tuple(prints[i] for i in inputs)
            hit = self._memo[key].get(state)
            if hit is MISSING:
                values = compute(cohort)
                claims = dict.fromkeys(c for c, _ in values)
                hit = values, {c: self.p_test[c] for c in claims if c in self.p_test}
                self._memo[key].put(state, hit)
            else:
                self.p_test.update(hit[1])
            self._cache[key] = hit[0]  # the values in use (the tests read which were computed)
            out.update(hit[0])
        return out

    def achieved_full(self, cohort: pd.DataFrame) -> dict[tuple[str, str], float]:
        """:meth:`achieved` without any cache: every target computed afresh (reference).

        No fit is looked up either (:class:`Memo`, :class:`CoxColumns`): each is
        computed by the function of :mod:`carbook.survival` itself.
        """
        self._fits, self._reads, self._curves = {}, {}, {}
        self._memo_fit, self._cox_columns = _call, sv.cox_batch_arrays
        out: dict[tuple[str, str], float] = {}
        try:
            for _, _, compute in self._units:
                out.update(compute(cohort))
        finally:
            self._memo_fit, self._cox_columns = self._memos
        return out

    def _build_units(self) -> list[tuple[object, tuple[tuple[str, str], ...], Callable]]:
        """(cache key, inputs, compute) per Cox batch, then per other target, in target order."""
        units: list[tuple[object, tuple[tuple[str, str], ...], Callable]] = []
        for (endpoint, where), group in self.cox.items():
            inputs = [i for t in group for i in _inputs(t)]
            units.append(
                (("cox", endpoint, where), tuple(dict.fromkeys(inputs)), self._cox_batch(group))
            )
        for t in self.targets:
            if t.kind != "cox_hr":
                units.append((t.claim, tuple(_inputs(t)), self._one_target(t)))
        return units

    def _cox_batch(self, group: list[Target]) -> Callable:
        endpoint, where = group[0].params["endpoint"], group[0].params.get("where")

        def compute(cohort: pd.DataFrame) -> dict[tuple[str, str], float]:
            out: dict[tuple[str, str], float] = {}
            time, status, keep = self._population(cohort, endpoint, where)
            xv = np.column_stack([cohort[t.params["covariate"]].to_numpy(float) for t in group])
            # the arrays sv.cox_batch would pass to its core (float times, int events)
            t, e = np.asarray(time[keep], dtype=float), status[keep].astype(int)
            cols = self._memo_fit(self._cox_columns, t, e, xv[keep])
            for j, t in enumerate(group):
                out.update(_wald_row(t.claim, cols, j))
                self._cox_p(out, t.claim, {k: cols[k][j] for k in COX_P_TESTS})
            return out

        return compute

    def _one_target(self, t: Target) -> Callable:
        def compute(cohort: pd.DataFrame) -> dict[tuple[str, str], float]:
            if t.kind in ("cox_mv", "cox_td"):
                return self._cox_other(t, cohort)
            if t.kind == "wilcoxon":
                return {(t.claim, "value"): _wilcoxon_p(t, cohort)}
            if t.kind == "logrank":
                return {(t.claim, "value"): self._logrank_p(t, cohort)}
            vals = self._summary(t, cohort)
            return {(t.claim, k): v for k, v in zip(("value", "low", "high"), vals, strict=True)}

        return compute

    def _state(self, cohort: pd.DataFrame, key: tuple[str, str]) -> tuple:
        """Key of an endpoint's (time, status) or a column's current values."""
        what, name = key
        now = self._endpoint(cohort, name) if what == "endpoint" else (cohort[name],)
        return tuple(_fingerprint(np.asarray(a)) for a in now)

    def _logrank_p(self, t: Target, cohort: pd.DataFrame) -> float:
        """``survdiff`` P of ``group`` 1 vs 0 among ``where`` (default: everyone).

        With ``better: 1`` (or ``0``) the paper says which group survives longer; a
        cohort where the other one does gives ``2 - P`` (above 1, so it never prints
        as the published P and the search is pushed towards the printed direction).
        """
        time, event, keep = self._population(cohort, t.params["endpoint"], t.params.get("where"))
        group = cohort[t.params["group"]].to_numpy(float)
        _, p, o_minus_e = self._memo_fit(sv.logrank_arrays, time[keep], event[keep], group[keep])
        better = t.params.get("better")
        if better is None or np.isnan(p):
            return p
        wrong = o_minus_e > 0 if int(better) == 1 else o_minus_e < 0
        return 2 - p if wrong else p

    def _cox_p(self, out: dict, claim: str, fit: Mapping[str, float]) -> None:
        """Set the P part to the Wald, LR or score P nearest the printed one."""
        if claim in self._p_interval:
            ps = {k: float(fit[k]) for k in COX_P_TESTS}
            self.p_test[claim], out[claim, "p"] = closest_p(ps, *self._p_interval[claim])

    def _summary(self, t: Target, cohort: pd.DataFrame) -> tuple[float, float, float]:
        """(value, low, high) of a KM, CIF, follow-up or median (range) target."""
        where = t.params.get("where")
        mask = None if where is None else cohort[where].to_numpy() == 1
        if t.kind == "median_range":
            if "endpoint" in t.params:
                col = self._endpoint(cohort, t.params["endpoint"])[0]
            else:
                col = cohort[t.params["column"]].to_numpy(float)
            v = col[mask]
            return float(np.median(v)), float(v.min()), float(v.max())
        curves = self._curves.setdefault((t.params["endpoint"], where), {})
        vals = _km_stat(
            t, *self._endpoint(cohort, t.params["endpoint"]), mask, curves, self._memo_fit
        )
        return tuple(v * t.params.get("scale", 1.0) for v in vals)

    def _endpoint(self, cohort: pd.DataFrame, endpoint: str) -> tuple[np.ndarray, np.ndarray]:
        """(time, status) of an endpoint, read once per evaluation."""
        if endpoint not in self._reads:
            self._reads[endpoint] = self.endpoints[endpoint](cohort)
        return self._reads[endpoint]

    def _population(
        self, cohort: pd.DataFrame, endpoint: str, where: str | None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(time, 0/1 event of interest, rows in the model) of an endpoint."""
        time, status = self._endpoint(cohort, endpoint)
        keep = np.isfinite(time)
        if where is not None:
            keep &= cohort[where].to_numpy() == 1
        return time, (status == 1).astype(float), keep

    def _cox_other(self, t: Target, cohort: pd.DataFrame) -> dict[tuple[str, str], float]:
        """A multivariable Cox term (``cox_mv``) or a time-dependent 0/1 (``cox_td``)."""
        time, event, keep = self._population(cohort, t.params["endpoint"], t.params.get("where"))
        if t.kind == "cox_td":
            switch = cohort[t.params["switch"]].to_numpy()[keep]
            fit = self._memo_fit(sv.cox_switch, time[keep], event[keep], switch)
            out = _wald_row(t.claim, fit, None)  # cox_switch's own wald_table
            self._cox_p(out, t.claim, fit)
            return out
        covs = list(t.params["covariates"])
        key = (t.params["endpoint"], t.params.get("where"), *covs)
        if key not in self._fits:
            xv = cohort[covs].to_numpy(float)[keep]
            beta, info = self._memo_fit(sv.cox_multi_arrays, time[keep], event[keep], xv)
            self._fits[key] = beta, np.sqrt(np.diag(portable.inv(info)))
        beta, se = self._fits[key]
        self.p_test[t.claim] = COX_P_TESTS["p_wald"]  # summary(coxph) prints no per-term LR
        j = covs.index(t.params["term"])
        return _wald(t.claim, beta[j], float(se[j]))

    def gaps(self, cohort: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        """(achieved, gap) per printed part; gap 0 inside the printed interval.

        Outside, the gap is the distance to the interval in units of the printed
        precision, plus one half so that any miss costs something.
        """
        got = self.achieved(cohort)
        achieved = np.array([got.get(k, np.nan) for k in self._keys])
        with np.errstate(invalid="ignore"):
            below = (self._lo - achieved) / self._width
            above = (achieved - self._hi) / self._width
            gap = np.where(
                achieved < self._lo, below + 0.5, np.where(achieved >= self._hi, above + 0.5, 0.0)
            )
        gap = np.where(np.isnan(achieved), 50.0, gap)  # e.g. a median not reached
        self.now = achieved  # the last evaluation's values (aimed moves read them)
        return achieved, gap

    def loss(self, cohort: pd.DataFrame) -> float:
        """Sum of Huber-squared gaps (excluded, unattainable targets weigh nothing).

        The parts met at the printed precision are kept in ``self.met``.
        """
        gap = self.gaps(cohort)[1]
        self.met = gap == 0
        return float((self._weight * _huber(gap)).sum())

    def report(self, cohort: pd.DataFrame) -> pd.DataFrame:
        """Calibration report: printed, achieved, within precision, loss contribution."""
        achieved, gap = self.gaps(cohort)
        out = self.parts[["claim", "part", "printed"]].copy()
        out["achieved"] = achieved
        out["within"] = gap == 0
        out["loss"] = self._weight * _huber(gap)
        missed = "not met jointly with the other targets within the search budget"
        out["note"] = self._notes.fillna("").to_numpy()
        out.loc[(out["note"] == "") & ~out["within"], "note"] = missed
        met_p = (out["part"] == "p") & out["within"] & out["claim"].isin(self.p_test)
        tests = [f"P by the {self.p_test[c]} test" for c in out.loc[met_p, "claim"]]
        out.loc[met_p, "note"] = tests
        return out
