"""Build a cohort with exact margins: the construction half of the reconstruction engine.

Categorical margins per stratum, continuous "median (min-max)" values hit exactly, values
within recipients, and covariates derived from other columns. The search
(:mod:`carbook.reconstruct.search`) then moves cells without breaking any of them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache

import numpy as np
import pandas as pd

from carbook.reconstruct.spec import Spec, Target
from carbook.reconstruct.targets import Endpoints, Evaluator, claim_units, met_key

__all__ = [
    "Change",
    "Model",
    "Move",
    "apply_changes",
    "best_kept",
    "column_swaps",
    "construct_categorical",
    "construct_continuous",
    "construct_within",
    "derive",
    "exact_values",
    "interior_change",
    "interior_steps",
    "reads",
    "source_columns",
    "split_median",
]

#: one proposed change: (column, row index, new value)
Change = tuple[str, int, object]
Move = Callable[[pd.DataFrame, np.random.Generator], list[Change]]


@dataclass
class Model:
    """What a study supplies: its endpoints, its own moves and its fixed cells."""

    endpoints: Endpoints
    moves: dict[str, Move]
    fixed: pd.DataFrame  # True where a cell is a published fact
    #: shared tuning the search updates as it cools: "sigma" (relative step of time
    #: moves) and "swap_weights" (how often each categorical column is swapped)
    tune: dict[str, object] = field(default_factory=lambda: {"sigma": 0.35})
    #: moves of columns that only targets marked ``phase: late`` read (e.g. what
    #: happened after progression); calibrated after the rest, then polished jointly
    late_moves: dict[str, Move] = field(default_factory=dict)
    #: adds, after calibration, columns that no target reads (e.g. cause of death)
    finish: Callable[[pd.DataFrame, np.random.Generator], None] | None = None
    #: endpoint -> function(cohort, row, new time) giving the changes that put that
    #: row's endpoint time there with every fact and margin kept ([] if impossible);
    #: the times phase aims moves with it at the printed numbers it misses
    retime: dict[str, Callable[[pd.DataFrame, int, float], list[Change]]] = field(
        default_factory=dict
    )
    #: claim -> reason (``proof: ...``) for what the study proves no cohort can print
    #: beyond the engine's own proofs (which need only the targets): the search leaves
    #: these targets out of its loss, and the report gives the reason
    proofs: dict[str, str] = field(default_factory=dict)
    #: the study placed its time statistics constructively (e.g. a witness of a
    #: figure): the calibration's times phase then keeps every printed number met
    #: (``keep_met``) from its first move, so it cannot undo what was placed
    skeleton: bool = False
    #: claims the study placed (e.g. a figure's printed numbers): a search that may
    #: trade met numbers for others (``anneal(trade=True)``) never loses one of these
    protect: tuple[str, ...] = ()
    #: deterministic placements (moves that draw nothing from the generator) tried
    #: once each near the end of the calibration, kept only if neither the parts nor
    #: the whole claims met drop, one grows (or the loss falls) and no placed claim is
    #: lost: the search's random stream, and so every cohort on which they fail, is
    #: unchanged
    place: dict[str, Move] = field(default_factory=dict)
    #: name -> function(cohort) yielding the changes of every swap of one kind (e.g.
    #: outcomes between two patients), in a fixed order: with any, the calibration
    #: ends with deterministic passes over them and over every within-stratum swap
    #: of the margins' columns (:func:`carbook.reconstruct.search.calibrate`)
    pairs: dict[str, Callable[[pd.DataFrame], Iterator[list[Change]]]] = field(default_factory=dict)


def construct_categorical(
    spec: Spec, strata: pd.Series, facts: pd.DataFrame, rng: np.random.Generator
) -> pd.DataFrame:
    """Assign every categorical level with the exact counts of each stratum.

    Cells given in ``facts`` (non-null) are kept; the remaining levels are dealt at
    random to the other patients of the stratum. A fact may also be a tuple of levels
    (the cell is one of them, e.g. ICANS present, grade not printed): such a cell is
    dealt one of its levels from what the exact facts leave, in proportion to the
    counts left, before the other patients are dealt the rest.

    Raises
    ------
    ValueError
        If the facts need more of a level than the stratum has, leave none of a
        cell's levels, name a level the margins lack, or give a stratum's cells of
        several levels different sets.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> spec = SimpleNamespace(categorical={"icans": {"s": {"none": 2, "g1": 1, "g3": 1}}})
    >>> facts = pd.DataFrame({"icans": ["none", ("g1", "g3"), None, None]}, dtype=object)
    >>> out = construct_categorical(spec, pd.Series(["s"] * 4), facts, np.random.default_rng(0))
    >>> out["icans"][0], out["icans"][1] in ("g1", "g3"), sorted(out["icans"])
    ('none', True, ['g1', 'g3', 'none', 'none'])
    """
    out = pd.DataFrame(index=strata.index)
    for col, by_stratum in spec.categorical.items():
        values = pd.Series(pd.NA, index=strata.index, dtype=object)
        known = facts[col] if col in facts else pd.Series(pd.NA, index=strata.index)
        for stratum, levels in by_stratum.items():
            rows = strata.index[strata == stratum]
            given = known.loc[rows].dropna()
            partial = given[given.map(lambda v: isinstance(v, tuple))]
            fixed = given.drop(partial.index).map(_level)
            pool = dict(levels)
            for level, n in fixed.value_counts().items():
                if pool.get(level, 0) < n:
                    raise ValueError(
                        f"facts put {n} x {col}={level} in {stratum}; only {pool.get(level, 0)}"
                    )
                pool[level] -= n
            _check_partial(partial, pool, f"{col} in {stratum}")
            for row, allowed in partial.items():
                fixed.loc[row] = _deal_one(pool, allowed, f"{col} of row {row} in {stratum}", rng)
            deck = [lvl for lvl, n in sorted(pool.items()) for _ in range(n)]
            free = rows.difference(fixed.index)
            values.loc[free] = rng.permutation(np.array(deck, dtype=object))
            values.loc[fixed.index] = fixed
        out[col] = values.map(_maybe_int)
    return out


def _check_partial(partial: pd.Series, pool: dict, what: str) -> None:
    """Cells of several levels must name known levels, the same ones in a stratum.

    With one set, dealing cell by cell from what is left always succeeds when the set
    has enough left; with overlapping sets, a greedy deal could fail where another
    exists, so it is refused.
    """
    sets = {frozenset(_level(v) for v in allowed) for allowed in partial}
    for row, allowed in partial.items():
        unknown = {_level(v) for v in allowed} - set(pool)
        if unknown:
            raise ValueError(f"facts name unknown levels {sorted(unknown)} for {what}, row {row}")
    if len(sets) > 1:
        raise ValueError(f"cells of several levels of {what} must all name the same levels")


def _deal_one(pool: dict, allowed: tuple, what: str, rng: np.random.Generator) -> str:
    """One of the ``allowed`` levels, drawn in proportion to ``pool``, taken from it."""
    levels = sorted(_level(level) for level in allowed)
    n = np.array([pool.get(level, 0) for level in levels], dtype=float)
    if n.sum() == 0:
        raise ValueError(f"facts leave no level of {levels} for {what}")
    level = levels[int(rng.choice(len(levels), p=n / n.sum()))]
    pool[level] -= 1
    return level


def _level(v: object) -> str:
    """Level label of a fact: 1.0 and 1 both mean level "1"."""
    if isinstance(v, (int, float, np.integer, np.floating)) and float(v).is_integer():
        return str(int(v))
    return str(v)


def _maybe_int(v: object) -> object:
    return int(v) if isinstance(v, str) and v.isdigit() else v


def _median_pair(median: float, n: int, step: float, split: bool = False) -> tuple[float, float]:
    """The middle value(s) of ``n`` values on the ``step`` grid whose median is ``median``.

    An even count on the grid gives two equal middle values, a tie, unless ``split``:
    then one step either side (a column whose printed rank-sum P needs no ties).
    """
    if n % 2:
        return median, median
    low = np.floor(median / step) * step
    high = 2 * median - low
    if split and abs(high - low) < step / 2:
        low, high = (float(np.round((median + d) / step) * step) for d in (-step, step))
    return low, high


def exact_values(
    n: int,
    median: float,
    lo: float,
    hi: float,
    step: float,
    rng: np.random.Generator,
    split: bool = False,
) -> np.ndarray:
    """``n`` values (multiples of ``step``) whose median, min and max are exactly these.

    With ``split``, an even ``n`` whose median lies on the grid gets two different
    middle values, one step either side, instead of a tie (:func:`_median_pair`).

    Examples
    --------
    >>> v = exact_values(29, 5.5, 1.3, 24.0, 0.01, np.random.default_rng(0))
    >>> float(np.median(v)), float(v.min()), float(v.max())
    (5.5, 1.3, 24.0)
    >>> w = np.sort(exact_values(12, 1.37, 0.72, 2.58, 0.01, np.random.default_rng(0), split=True))
    >>> w[5:7].round(2).tolist(), round(float(np.median(w)), 10)
    ([1.36, 1.38], 1.37)
    >>> exact_values(4, 1.0, 1.0, 3.0, 0.01, np.random.default_rng(0), split=True)
    Traceback (most recent call last):
    ...
    ValueError: the middle values 0.99, 1.01 of median 1 leave [1, 3]
    """
    if n < 3:
        raise ValueError(f"need at least 3 values for a median (range), got n = {n}")
    m1, m2 = _median_pair(median, n, step, split)
    if m1 < lo or m2 > hi:
        raise ValueError(
            f"the middle values {m1:g}, {m2:g} of median {median:g} leave [{lo:g}, {hi:g}]"
        )
    k = (n - 2) // 2 - (0 if n % 2 else 1)
    below = np.round(rng.uniform(lo, m1, k) / step) * step
    above = np.round(rng.uniform(m2, hi, k) / step) * step
    middle = [m1] if n % 2 else [m1, m2]
    return rng.permutation(np.concatenate([[lo], below, middle, above, [hi]]))


def interior_change(
    values: pd.Series,
    anchors: tuple[float, float, float],
    step: float,
    rng: np.random.Generator,
    split: bool = False,
) -> tuple[object, float] | None:
    """Pick a non-anchor value and a new one in the same half: (index, new value).

    The median, minimum and maximum of ``values`` are unchanged by the change
    (``split``: as :func:`exact_values` built them).
    """
    med, lo, hi = anchors
    m1, m2 = _median_pair(med, len(values), step, split)
    order = values.sort_values(kind="stable")
    n = len(order)
    pick = int(rng.integers(1, n - 1))
    if pick in {(n - 1) // 2, n // 2}:
        return None
    bound = (lo, m1) if pick < (n - 1) // 2 else (m2, hi)
    return order.index[pick], float(np.round(rng.uniform(*bound) / step) * step)


def interior_steps(
    values: pd.Series, anchors: tuple[float, float, float], step: float, split: bool = False
) -> Iterator[tuple[object, float]]:
    """Every non-anchor value moved one ``step`` either way within its half: (index, new).

    The deterministic sibling of :func:`interior_change`: the median, minimum and
    maximum of ``values`` are unchanged by any one of them.

    Examples
    --------
    >>> v = pd.Series([1.0, 3.0, 5.0, 6.0, 9.0])
    >>> list(interior_steps(v, (5.0, 1.0, 9.0), 1.0))
    [(1, 2.0), (1, 4.0), (3, 5.0), (3, 7.0)]
    """
    med, lo, hi = anchors
    m1, m2 = _median_pair(med, len(values), step, split)
    order = values.sort_values(kind="stable")
    n = len(order)
    for pick in range(1, n - 1):
        if pick in {(n - 1) // 2, n // 2}:
            continue
        a, b = (lo, m1) if pick < (n - 1) // 2 else (m2, hi)
        for new in (order.iloc[pick] - step, order.iloc[pick] + step):
            new = round(float(new) / step) * step
            if a <= new <= b:
                yield order.index[pick], float(new)


def column_swaps(cohort: pd.DataFrame, cols: list[str], rows: list[int]) -> Iterator[list[Change]]:
    """Every swap of ``cols`` between two of ``rows`` whose first column differs.

    In row order; the deterministic counterpart of a random swap move.

    Examples
    --------
    >>> c = pd.DataFrame({"x": [0, 1, 1], "y": [5, 6, 7]})
    >>> [(col, i, int(v)) for col, i, v in next(column_swaps(c, ["x", "y"], [0, 1, 2]))]
    [('x', 0, 1), ('x', 1, 0), ('y', 0, 6), ('y', 1, 5)]
    >>> len(list(column_swaps(c, ["x"], [0, 1, 2])))  # rows 1 and 2 are alike
    2
    """
    for a, i in enumerate(rows):
        for j in rows[a + 1 :]:
            if cohort.at[i, cols[0]] != cohort.at[j, cols[0]]:
                yield [(c, x, cohort.at[y, c]) for c in cols for x, y in ((i, j), (j, i))]


def split_median(entry: dict) -> bool:
    """Whether a continuous column's even-count medians are built without a tie."""
    return bool(entry.get("split_median", False))


def construct_continuous(spec: Spec, strata: pd.Series, rng: np.random.Generator) -> pd.DataFrame:
    """Values whose median, minimum and maximum per stratum equal the printed ones."""
    out = pd.DataFrame(index=strata.index)
    for col, entry in spec.continuous.items():
        step = 10.0 ** -int(entry["decimals"])
        values = pd.Series(np.nan, index=strata.index)
        for stratum in spec.strata:
            rows = strata.index[strata == stratum]
            vals = exact_values(len(rows), *entry[stratum], step, rng, split_median(entry))
            values.loc[rows] = vals
        out[col] = values
    return out


def construct_within(spec: Spec, cohort: pd.DataFrame, rng: np.random.Generator) -> None:
    """Add ``spec.within`` columns in place: exact median (range) among the recipients.

    Raises
    ------
    ValueError
        If a parent column is missing from the cohort.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> entry = {"within": "treated", "decimals": 0, "otherwise": 0, "all": (7.0, 1.0, 15.0)}
    >>> spec = SimpleNamespace(strata={"all": 5}, within={"days": entry})
    >>> c = pd.DataFrame({"stratum": ["all"] * 5, "treated": [1, 1, 1, 0, 0]})
    >>> construct_within(spec, c, np.random.default_rng(3))
    >>> given = c.loc[c["treated"] == 1, "days"]
    >>> (float(given.median()), float(given.min()), float(given.max()))
    (7.0, 1.0, 15.0)
    """
    for col, entry in spec.within.items():
        parent = str(entry["within"])
        if parent not in cohort:
            raise ValueError(f"continuous_within {col!r}: no column {parent!r} in the cohort")
        step = 10.0 ** -int(entry["decimals"])
        values = pd.Series(float(entry["otherwise"]), index=cohort.index)
        for stratum in spec.strata:
            rows = cohort.index[(cohort["stratum"] == stratum) & (cohort[parent] == 1)]
            values.loc[rows] = exact_values(
                len(rows), *entry[stratum], step, rng, split_median(entry)
            )
        cohort[col] = values


def source_columns(expr: str) -> set[str]:
    """Column names an expression of ``spec.derived`` reads (quoted strings excluded).

    Parsed once per expression (the search asks at every move).

    Examples
    --------
    >>> sorted(source_columns("(age > 40) & (burden == 'morphologic')"))
    ['age', 'burden']
    """
    return set(_names(expr))


@cache
def _names(expr: str) -> frozenset[str]:
    return frozenset(re.findall(r"[A-Za-z_]\w*", re.sub(r"'[^']*'", "", expr)))


def reads(spec: Spec, t: Target) -> set[str]:
    """Cohort columns a target reads besides its endpoint (through derived covariates).

    Examples
    --------
    >>> spec = Spec("s", {"all": 3}, {}, [], {}, {"old": "age > 40"})
    >>> t = Target("h", "cox_mv", {"endpoint": "os", "covariates": ["old", "sex"]}, {})
    >>> sorted(reads(spec, t))
    ['age', 'sex']
    """
    p = t.params
    direct = {p.get(k) for k in ("covariate", "column", "where", "by", "group", "switch", "term")}
    direct |= set(p.get("covariates", []))
    out: set[str] = set()
    for name in direct - {None}:
        out |= source_columns(spec.derived[name]) if name in spec.derived else {name}
    return out


def derive(spec: Spec, cohort: pd.DataFrame, only: set[str] | None = None) -> None:
    """(Re)compute derived covariates, or only those that use a column in ``only``.

    An expression is a comparison of cohort columns with numbers or quoted strings
    (``"age > 40"``, ``"ph != 'negative'"``), evaluated element-wise on numpy arrays.

    Raises
    ------
    ValueError
        If an expression names a column the cohort lacks.

    Examples
    --------
    >>> from carbook.reconstruct.spec import Spec
    >>> spec = Spec("demo", {"all": 2}, {}, [], {}, {"old": "age > 40"})
    >>> c = pd.DataFrame({"age": [35, 62]})
    >>> derive(spec, c)
    >>> c["old"].tolist()
    [0, 1]
    """
    for name, expr in spec.derived.items():
        used = source_columns(expr)
        if only is not None and not only & used:
            continue
        missing = used - set(cohort.columns)
        if missing:
            raise ValueError(f"derived {name!r} = {expr!r} uses unknown columns {sorted(missing)}")
        env = {col: cohort[col].to_numpy() for col in used}
        cohort[name] = np.asarray(eval(expr, {"__builtins__": {}}, env), dtype=int)


def apply_changes(spec: Spec, cohort: pd.DataFrame, changes: list[Change]) -> list[Change]:
    """Apply ``changes`` and rederive the columns they feed; return the changes undoing them.

    Examples
    --------
    >>> from carbook.reconstruct.spec import Spec
    >>> spec = Spec("demo", {"all": 2}, {}, [], {}, {"old": "age > 40"})
    >>> c = pd.DataFrame({"age": [35, 62], "old": [0, 1]})
    >>> undo = apply_changes(spec, c, [("age", 0, 50)])
    >>> c["old"].tolist(), [(col, i, int(v)) for col, i, v in undo]
    ([1, 1], [('age', 0, 35)])
    >>> _ = apply_changes(spec, c, undo)
    >>> c["age"].tolist(), c["old"].tolist()
    ([35, 62], [0, 1])
    """
    old = [(c, i, cohort.at[i, c]) for c, i, _ in changes]
    for c, i, v in changes:
        cohort.at[i, c] = v
    derive(spec, cohort, {c for c, _, _ in changes})
    return old


def best_kept(
    spec: Spec,
    cohort: pd.DataFrame,
    candidates: list[list[Change]],
    evaluator: Evaluator,
    protect: tuple[str, ...] = (),
) -> list[Change]:
    """The candidate changes the search would keep and rank first; [] if none.

    Each candidate is applied to a copy of ``cohort`` and scored on every target of
    ``evaluator`` by the search's order (:func:`carbook.reconstruct.targets.met_key`:
    printed parts met, whole claims, minus the loss). One is kept only if it beats the
    best so far (at first ``cohort`` itself), loses neither count against ``cohort`` and
    no part of a ``protect`` claim met there (``search._try_better``'s rule); the first
    wins ties. (The search also asks a lower loss alone to fall by more than 1e-9; a
    candidate that gains less is then refused there, which changes nothing.)

    Examples
    --------
    >>> from carbook.reconstruct.spec import Spec, Target
    >>> t = Target("m", "median_range", {"column": "x"}, {"value": "3", "low": "1", "high": "9"})
    >>> spec = Spec("demo", {"all": 3}, {}, [], {}, {})
    >>> c = pd.DataFrame({"x": [1.0, 2.0, 9.0]})
    >>> ev = Evaluator([t], {})
    >>> best_kept(spec, c, [[("x", 1, 5.0)], [("x", 1, 3.0)]], ev)
    [('x', 1, 3.0)]
    """
    guard = evaluator.parts["claim"].isin(protect).to_numpy()
    units = claim_units(evaluator.parts)
    key = met_key(evaluator, cohort, units)
    floor, was = key[:2], evaluator.met.copy()
    best: list[Change] = []
    for changes in candidates:
        work = cohort.copy()
        apply_changes(spec, work, changes)
        k = met_key(evaluator, work, units)
        lost = (was & ~evaluator.met & guard).any()
        if k > key and k[0] >= floor[0] and k[1] >= floor[1] and not lost:
            best, key = changes, k
    return best
