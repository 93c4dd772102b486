"""Wudhikarn 2021, Figure 4: peak CAR T expansion at the first and second infusion.

The paper compares the peaks (P = .15) without naming the test. :func:`test_search`
tries the tests a statistician would reach for, on the data sets the text allows,
and reports which (if any) gives P = .15 at the printed precision.
"""

from __future__ import annotations

import functools
import warnings
from dataclasses import dataclass

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib import MatplotlibDeprecationWarning
from matplotlib.figure import Figure
from scipy import stats

from carbook.data.wudhikarn2021 import load_table5
from carbook.published import load_published, printed_interval
from carbook.tables import median_test, sign_test, wilcoxon_ranksum, wilcoxon_signed_rank

__all__ = [
    "Reading",
    "expansion_long",
    "first_match",
    "paired_figure",
    "readings",
    "search_summary",
    "test_search",
]

STUDY = "wudhikarn2021"
MEDIAN_TESTS = ("chisq.test", "chisq.test(correct = FALSE)", "fisher.test")


def expansion_long() -> pd.DataFrame:
    """Peaks in long format: ``id``, ``infusion`` (first/second), ``peak`` (NaN = none).

    Examples
    --------
    >>> expansion_long().groupby("infusion")["peak"].count().tolist()
    [8, 6]
    """
    t = load_table5()
    long = t.melt(
        id_vars="id", value_vars=["peak1", "peak2"], var_name="infusion", value_name="peak"
    )
    long["infusion"] = long["infusion"].map({"peak1": "first", "peak2": "second"})
    return long


def paired_figure(log: bool = True) -> Figure:
    """Figure 4 redrawn: boxplots of each infusion's peaks and a line per patient.

    Drawn with seaborn: ``sns.boxplot`` for each infusion and ``sns.lineplot`` with
    ``units="id"`` (one line per patient, no aggregation). Patients with a peak at
    only one infusion appear as points without a line.

    Examples
    --------
    >>> fig = paired_figure()
    >>> fig.axes[0].get_yscale(), len(fig.axes[0].texts)  # one label per patient with a peak
    ('log', 9)
    """
    long = expansion_long().dropna(subset=["peak"])
    fig, ax = plt.subplots(figsize=(5, 5))
    order = ["first", "second"]
    with warnings.catch_warnings():
        # seaborn 0.13.2 (the latest release) still passes ``vert`` to Axes.bxp,
        # which matplotlib 3.11 deprecates; nothing else is silenced.
        warnings.filterwarnings("ignore", "vert: bool", MatplotlibDeprecationWarning)
        sns.boxplot(
            data=long,
            x="infusion",
            y="peak",
            order=order,
            width=0.45,
            showfliers=False,
            color="0.9",
            linecolor="black",
            log_scale=log,
            ax=ax,
        )
    sns.lineplot(
        data=long,
        x="infusion",
        y="peak",
        units="id",
        estimator=None,
        marker="o",
        color="tab:blue",
        alpha=0.7,
        lw=1,
        ax=ax,
    )
    last = long.sort_values("infusion").groupby("id").tail(1)
    for row in last.itertuples():
        ax.annotate(
            row.id,
            (order.index(row.infusion), row.peak),
            xytext=(6, 0),
            textcoords="offset points",
            fontsize=7,
            va="center",
        )
    ax.set_ylabel("peak CAR T expansion (vector copies/mL)")
    ax.set_xlabel("infusion")
    ax.set_title("Figure 4 from Table 5 (10 reinfused patients)")
    fig.tight_layout()
    plt.close(fig)
    return fig


#: first-infusion peaks Table 5 leaves empty, and what the text allows for each:
#: MSK36 "had a higher ... expansion" at reinfusion, so below its second peak.
UNKNOWN_FIRST = {"MSK16": None, "MSK36": "peak2"}
#: how each unknown value or non-expander may be read
_AS = ("missing", "0")


@dataclass(frozen=True)
class Reading:
    """One way of turning Table 5 into the samples of Figure 4.

    ``first``/``second``: the peaks of each infusion; ``pairs``: (first, second) of the
    patients with both; ``placed``: an unknown peak was given an invented value
    (only its rank counts, so only rank and median tests use it).
    """

    msk16: str
    msk36: str
    non_expanders: str
    first: np.ndarray
    second: np.ndarray
    pairs: tuple[np.ndarray, np.ndarray]
    placed: bool


def _slots(values: np.ndarray, below: float) -> dict[str, float]:
    """One value in every gap between distinct recorded peaks (and below and above them).

    Only the rank of a placed value matters to rank and median tests, so one value
    per gap covers every placement; ``below`` caps the placement (MSK36's second peak).
    """
    known = np.unique(values[values > 0])
    edges = np.concatenate([[0.0], known, [known[-1] * 4]])
    mids = np.sqrt(np.maximum(edges[:-1], 1.0) * edges[1:])
    return {f"rank {i + 1} of {mids.size}": m for i, m in enumerate(mids) if m < below}


def _options(t: pd.DataFrame) -> dict[str, dict[str, float]]:
    """Each unknown first peak: missing, 0, or one value per placement the text allows."""
    peaks = pd.concat([t["peak1"], t["peak2"]]).dropna().to_numpy(float)
    wide = t.set_index("id")
    out = {}
    for pid, cap in UNKNOWN_FIRST.items():
        below = np.inf if cap is None else float(wide.loc[pid, cap])
        out[pid] = {"missing": np.nan, "0": 0.0, **_slots(peaks, below)}
    return out


def _reading(t: pd.DataFrame, choice: tuple[str, str, str], values: tuple[float, float]) -> Reading:
    w = t.set_index("id")[["peak1", "peak2"]].astype(float)
    w.loc["MSK16", "peak1"], w.loc["MSK36", "peak1"] = values
    if choice[2] == "0":
        w["peak2"] = w["peak2"].fillna(0.0)
    both = w.dropna()
    return Reading(
        *choice,
        first=w["peak1"].dropna().to_numpy(),
        second=w["peak2"].dropna().to_numpy(),
        pairs=(both["peak1"].to_numpy(), both["peak2"].to_numpy()),
        placed=not {choice[0], choice[1]} <= set(_AS),
    )


def readings(t: pd.DataFrame | None = None) -> list[Reading]:
    """Every reading of Table 5 the text allows, simplest first.

    Each unknown first peak (MSK16, MSK36) is missing, 0 (no expansion) or placed in
    a gap between recorded peaks (MSK36 only below its second peak); the 4
    non-expanders after reinfusion are missing or 0.

    Examples
    --------
    >>> r = readings()
    >>> r[0].msk16, r[0].msk36, r[0].non_expanders, r[0].first.size, r[0].second.size
    ('missing', 'missing', 'missing', 8, 6)
    """
    t = load_table5() if t is None else t
    opts = _options(t)
    out = [
        _reading(t, (a16, a36, non), (v16, v36))
        for a16, v16 in opts["MSK16"].items()
        for a36, v36 in opts["MSK36"].items()
        for non in _AS
    ]
    return sorted(out, key=lambda r: (r.placed, r.msk16 not in _AS, r.msk36 not in _AS))


def _unpaired(a: np.ndarray, b: np.ndarray) -> dict[str, float]:
    results = (
        wilcoxon_ranksum(a, b),
        wilcoxon_ranksum(a, b, exact=False),
        wilcoxon_ranksum(a, b, exact=False, correct=False),
        *(median_test(a, b, test) for test in MEDIAN_TESTS),
    )
    return {r.method: r.pvalue for r in results}


def _paired(a: np.ndarray, b: np.ndarray) -> dict[str, float]:
    if a.size < 2 or (a == b).all():
        return {}
    results = (
        wilcoxon_signed_rank(a, b),
        wilcoxon_signed_rank(a, b, exact=False),
        wilcoxon_signed_rank(a, b, exact=False, correct=False),
        sign_test(a, b),
    )
    return {r.method: r.pvalue for r in results}


def _t_tests(r: Reading) -> dict[tuple[str, str, str], float]:
    """T tests, raw and on log10 where every value is positive (never on placed values)."""
    (pa, pb), out = r.pairs, {}
    scales = {"raw": lambda v: v}
    if min(r.first.min(), r.second.min()) > 0:
        scales["log10"] = np.log10
    for scale, f in scales.items():
        a, b = f(r.first), f(r.second)
        out["unpaired", scale, "t.test (Welch)"] = stats.ttest_ind(a, b, equal_var=False).pvalue
        out["unpaired", scale, "t.test(var.equal = TRUE)"] = stats.ttest_ind(a, b).pvalue
        if pa.size > 1:
            out["paired", scale, "t.test(paired = TRUE)"] = stats.ttest_rel(f(pa), f(pb)).pvalue
    return out


def _reading_tests(r: Reading) -> dict[tuple[str, str, str], float]:
    out = {("unpaired", "ranks", k): v for k, v in _unpaired(r.first, r.second).items()}
    out.update({("paired", "ranks", k): v for k, v in _paired(*r.pairs).items()})
    if not r.placed:
        out.update(_t_tests(r))
    return out


def test_search() -> pd.DataFrame:
    """Every test on every reading of Table 5, against the printed P = .15.

    Returns
    -------
    pandas.DataFrame
        One row per (reading, test): ``design`` (unpaired or paired), ``msk16``,
        ``msk36`` and ``non_expanders`` (the reading), ``placed`` (an unknown peak was
        placed by rank), ``scale`` (``ranks`` for rank and median tests, which do not
        depend on the scale; ``raw`` or ``log10`` for t tests), ``test`` (the R call),
        ``pvalue``, ``printed`` and ``reproduces``. Rows are in the declared order:
        simplest reading first, then the tests as listed.

    Examples
    --------
    >>> res = test_search()
    >>> res.loc[res["reproduces"], "test"].iloc[0]
    'median test (chisq.test)'
    """
    return _search().copy()


@functools.cache
def _search() -> pd.DataFrame:
    """The search of :func:`test_search`, run once per session (it takes seconds)."""
    printed = load_published(STUDY).set_index("id").loc["reinf_peak_p", "value"]
    lo, hi = printed_interval(printed)
    rows = []
    for r in readings():
        data = {"unpaired": (r.first, r.second), "paired": r.pairs}
        for (design, scale, test), p in _reading_tests(r).items():
            a, b = data[design]
            rows.append(
                {
                    "design": design,
                    "msk16": r.msk16,
                    "msk36": r.msk36,
                    "non_expanders": r.non_expanders,
                    "placed": r.placed,
                    "scale": scale,
                    "test": test,
                    "pvalue": float(p),
                    "_data": (np.sort(a).tobytes(), np.sort(b).tobytes(), a.tobytes()),
                }
            )
    # readings that give one test the same samples are one combination (e.g. placing
    # MSK16's first peak does not change the pairs when it has no second peak)
    rows = pd.DataFrame(rows).drop_duplicates(["design", "scale", "test", "_data"])
    rows = rows.drop(columns="_data").reset_index(drop=True)
    out = rows
    out["printed"] = printed
    out["reproduces"] = out["pvalue"].between(lo, hi, inclusive="left")
    return out


def search_summary(search: pd.DataFrame | None = None) -> pd.DataFrame:
    """The search in one table: per test and kind of reading, P range and matches.

    Examples
    --------
    >>> s = search_summary()
    >>> int(s["combinations"].sum()) == len(test_search())
    True
    """
    d = test_search() if search is None else search
    d = d.assign(reading=np.where(d["placed"], "unknown peaks placed by rank", "missing or 0"))
    out = d.groupby(["design", "test", "scale", "reading"], sort=False).agg(
        combinations=("pvalue", "size"),
        p_min=("pvalue", "min"),
        p_max=("pvalue", "max"),
        print_as_published=("reproduces", "sum"),
    )
    return out.reset_index()


def first_match(search: pd.DataFrame | None = None) -> pd.Series | None:
    """The first (reading, test) that prints as published, in the declared order.

    The order is declared before looking (simplest reading first, tests as listed),
    so the choice is not made by the value; ``None`` if nothing matches.

    Examples
    --------
    >>> first_match()["test"]
    'median test (chisq.test)'
    """
    d = test_search() if search is None else search
    hits = d[d["reproduces"]]
    return None if hits.empty else hits.iloc[0]


test_search.__test__ = False  # type: ignore[attr-defined]
