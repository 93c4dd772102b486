"""Survival figures with a number-at-risk table under every curve.

Curves and bands come from :mod:`carbook.survival` (R's conventions, so the band
is the interval the paper would print); the number-at-risk table is lifelines'
:func:`lifelines.plotting.add_at_risk_counts`. A figure drawn from a synthetic
cohort says so in its title.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from lifelines import KaplanMeierFitter
from lifelines.plotting import add_at_risk_counts
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import NullFormatter

from carbook import survival as sv
from carbook.plots import COLUMN_WIDTH  # and the house style

__all__ = ["SYNTHETIC", "cif_figure", "forest_figure", "km_figure"]

SYNTHETIC = "SYNTHETIC COHORT"

Curve = tuple[object, object]  # (time, event)


def _ticks(groups: Mapping[str, Curve], step: float | None) -> np.ndarray:
    longest = max(float(np.max(np.asarray(t, float))) for t, _ in groups.values())
    step = step or (12.0 if longest > 30 else 3.0)
    return np.arange(0, longest + step, step)


def _at_risk(ax: Axes, groups: Mapping[str, Curve], ticks: np.ndarray) -> None:
    fitters = [
        KaplanMeierFitter(label=label).fit(np.asarray(t, float), np.asarray(e, float))
        for label, (t, e) in groups.items()
    ]
    ax.set_xticks(ticks)
    ax.set_xlim(0, ticks[-1])
    add_at_risk_counts(*fitters, ax=ax, rows_to_show=["At risk"], xticks=ticks)


def km_figure(
    groups: Mapping[str, Curve],
    title: str,
    conf_type: sv.ConfType = "log",
    xlabel: str = "Months",
    ylabel: str = "Probability",
    step: float | None = None,
    synthetic: bool = True,
) -> Figure:
    """Kaplan-Meier curves with CI bands and a number-at-risk table.

    Parameters
    ----------
    groups : mapping
        Label -> (time, event), one curve each.
    title : str
        Figure title; "(SYNTHETIC COHORT)" is added on a line of its own when
        ``synthetic``.
    conf_type : {"log", "log-log", "plain"}
        Transform of the pointwise 95% band: "log" is R's ``survfit`` default (the
        authors'), "log-log" is lifelines' default.
    xlabel, ylabel : str
        Axis labels.
    step : float, optional
        Spacing of the time ticks and of the number-at-risk columns.
    synthetic : bool
        Whether the data are a synthetic cohort.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> fig = km_figure({"all": ([1, 2, 3, 4, 5], [1, 0, 1, 1, 0])}, "demo")
    >>> fig.axes[0].get_title().splitlines()
    ['demo', '(SYNTHETIC COHORT)']
    """
    fig, ax = plt.subplots(figsize=(COLUMN_WIDTH, 4.8))
    for k, (label, (t, e)) in enumerate(groups.items()):
        fit = sv.km(t, e, conf_type)
        x = np.concatenate([[0.0], fit["time"]])
        band = {c: np.concatenate([[1.0], fit[c].ffill().fillna(1.0)]) for c in ("lower", "upper")}
        surv = np.concatenate([[1.0], fit["surv"]])
        ax.step(x, surv, where="post", color=f"C{k}", lw=2, label=label)
        ax.fill_between(x, band["lower"], band["upper"], step="post", color=f"C{k}", alpha=0.15)
        censored = fit[fit["n_censor"] > 0]
        ax.plot(censored["time"], censored["surv"], "|", color=f"C{k}", ms=8)
    _finish(ax, groups, title, xlabel, ylabel, step, synthetic)
    ax.text(
        0.99,
        0.97,
        f"95% CI: conf.type = '{conf_type}'",
        transform=ax.transAxes,
        ha="right",
        va="top",
        fontsize=10,
    )
    return _close(fig)


def _finish(
    ax: Axes,
    groups: Mapping[str, Curve],
    title: str,
    xlabel: str,
    ylabel: str,
    step: float | None,
    synthetic: bool,
) -> None:
    ax.set_ylim(0, 1.02)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(_title(title, synthetic))
    ax.legend(loc="upper right", bbox_to_anchor=(1.0, 0.9), frameon=False)
    _at_risk(ax, groups, _ticks(groups, step))


def _title(title: str, synthetic: bool) -> str:
    """Title wrapped for a phone-width column, SYNTHETIC COHORT on a line of its own."""
    text = textwrap.fill(title, 52)
    return f"{text}\n({SYNTHETIC})" if synthetic else text


def _close(fig: Figure) -> Figure:
    fig.tight_layout()
    plt.close(fig)  # the caller displays it; avoids a second copy in notebooks
    return fig


def cif_figure(
    time: object,
    status: object,
    title: str,
    naive: bool = True,
    xlabel: str = "Months",
    step: float | None = None,
    synthetic: bool = True,
) -> Figure:
    """Cumulative incidence of cause 1 (Aalen-Johansen, cmprsk's Gray CI) and 1 - KM.

    ``status`` is 0 censored, 1 the event of interest, 2 the competing event. The
    naive curve treats competing events as censored, which overstates incidence.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> fig = cif_figure([1, 2, 3, 4, 5, 6], [1, 2, 1, 0, 2, 1], "demo", synthetic=False)
    >>> [line.get_label() for line in fig.axes[0].lines][:2]
    ['Aalen-Johansen (death competing)', '1 - Kaplan-Meier (death censored)']
    """
    t, s = np.asarray(time, float), np.asarray(status, int)
    fig, ax = plt.subplots(figsize=(COLUMN_WIDTH, 4.8))
    ci = sv.cuminc(t, s, 1)
    x = np.concatenate([[0.0], ci["time"]])
    ax.step(
        x,
        np.concatenate([[0.0], ci["est"]]),
        where="post",
        lw=2,
        color="C0",
        label="Aalen-Johansen (death competing)",
    )
    ax.fill_between(
        x,
        np.concatenate([[0.0], ci["lower"].fillna(0)]),
        np.concatenate([[0.0], ci["upper"].fillna(0)]),
        step="post",
        color="C0",
        alpha=0.15,
    )
    if naive:
        km = sv.km(t, (s == 1).astype(int))
        ax.step(
            np.concatenate([[0.0], km["time"]]),
            np.concatenate([[0.0], 1 - km["surv"]]),
            where="post",
            lw=2,
            ls="--",
            color="C3",
            label="1 - Kaplan-Meier (death censored)",
        )
    groups = {"All": (t, (s == 1).astype(int))}
    _finish(ax, groups, title, xlabel, "Cumulative incidence", step, synthetic)
    ax.legend(loc="upper left", frameon=False)
    return _close(fig)


def forest_figure(table: pd.DataFrame, title: str, synthetic: bool = True) -> Figure:
    """Published and reproduced hazard ratios side by side on a log scale.

    Parameters
    ----------
    table : pandas.DataFrame
        Indexed by covariate label, with ``hr``, ``lower``, ``upper`` (reproduced)
        and ``pub_hr``, ``pub_lower``, ``pub_upper`` (published; NaN when none).

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    ValueError
        If a column is missing.

    Examples
    --------
    >>> t = pd.DataFrame({"hr": [1.2], "lower": [0.8], "upper": [1.9], "pub_hr": [1.1],
    ...                   "pub_lower": [0.7], "pub_upper": [1.8]}, index=["age"])
    >>> forest_figure(t, "demo").axes[0].get_xscale()
    'log'
    """
    need = {"hr", "lower", "upper", "pub_hr", "pub_lower", "pub_upper"}
    if need - set(table.columns):
        raise ValueError(f"table is missing columns {sorted(need - set(table.columns))}")
    fig, ax = plt.subplots(figsize=(COLUMN_WIDTH + 0.6, 0.42 * len(table) + 1.8))
    y = np.arange(len(table))
    for dy, pre, colour, label in (
        (-0.15, "pub_", "C1", "published"),
        (0.15, "", "C0", "reproduced"),
    ):
        hr, lo, hi = (table[f"{pre}{c}"].to_numpy(float) for c in ("hr", "lower", "upper"))
        ax.errorbar(
            hr,
            y + dy,
            xerr=np.vstack([hr - lo, hi - hr]),
            fmt="o",
            color=colour,
            capsize=3,
            label=label,
        )
    ax.axvline(1.0, color="grey", lw=1)
    _log_ticks(ax, table)
    ax.set_yticks(y, table.index.tolist())
    ax.invert_yaxis()
    ax.set_xlabel("Hazard ratio (95% CI, log scale)")
    ax.set_title(_title(title, synthetic), loc="left", pad=26)
    # above the plot, under the title: seen before the rows it explains
    ax.legend(loc="lower left", bbox_to_anchor=(0.0, 1.0), ncol=2, frameon=False)
    return _close(fig)


#: hazard ratios labelled on a forest plot's log axis (1-2-5 steps, never overprinted)
LOG_TICKS = (0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100)


def _log_ticks(ax: Axes, table: pd.DataFrame) -> None:
    """Log x axis labelled at 1-2-5 hazard ratios only (no minor-tick labels)."""
    ax.set_xscale("log")
    values = table[["lower", "upper", "pub_lower", "pub_upper"]].to_numpy(float)
    low, high = np.nanmin(values), np.nanmax(values)
    ticks = [t for t in LOG_TICKS if low / 1.5 <= t <= high * 1.5] or [1]
    ax.set_xticks(ticks, [f"{t:g}" for t in ticks])
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.set_xlim(min(low, ticks[0]) / 1.15, max(high, ticks[-1]) * 1.15)
