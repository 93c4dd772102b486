"""Forest plot of response rates with a pooled random-effects diamond."""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.figure import Figure

from carbook.plots import COLUMN_WIDTH
from carbook.synthesis.meta import pool_proportions
from carbook.synthesis.rates import DEFAULT_POOL, check_independent, retreatment_table

__all__ = ["explore", "forest_plot"]


def _diamond(ax: plt.Axes, pooled: pd.Series, y: float) -> None:
    est, lo, hi = (100 * pooled[k] for k in ("estimate", "low", "high"))
    ax.plot([100 * pooled["pi_low"], 100 * pooled["pi_high"]], [y, y], color="tab:red", lw=1.2)
    ax.fill([lo, est, hi, est], [y, y - 0.3, y, y + 0.3], color="tab:red", zorder=3)


def forest_plot(rates: pd.DataFrame, pooled: pd.Series | None = None, title: str = "") -> Figure:
    """One row per rate (point and CI, marker area by n) and the pooled diamond.

    Parameters
    ----------
    rates : pandas.DataFrame
        Columns ``label``, ``x``, ``n``, ``estimate``, ``low``, ``high`` (percent), as
        :func:`carbook.synthesis.retreatment_table`.
    pooled : pandas.Series, optional
        A :func:`carbook.synthesis.pool_proportions` result: drawn as a diamond (its CI)
        with a line through it (its prediction interval).
    title : str
        Figure title.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    ValueError
        If a column is missing or ``rates`` is empty.

    Examples
    --------
    >>> t = retreatment_table().loc[list(DEFAULT_POOL)]
    >>> fig = forest_plot(t, pool_proportions(t["x"], t["n"]))
    >>> fig.axes[0].texts[-1].get_text()
    'pooled (DL), k = 3: I² = 24%, τ² = 0.11'
    """
    missing = {"label", "x", "n", "estimate", "low", "high"} - set(rates.columns)
    if missing or rates.empty:
        raise ValueError(f"rates is empty or misses columns {sorted(missing)}")
    rows = len(rates) + (pooled is not None)
    # labels above each line, not beside it: the intervals keep the full width on a phone
    fig, ax = plt.subplots(figsize=(COLUMN_WIDTH, 0.62 * rows + 1.3))
    labels = [f"{r.label} ({r.x}/{r.n})" for r in rates.itertuples()]
    for y, r in enumerate(rates.itertuples()):
        ax.plot([r.low, r.high], [y, y], color="tab:blue", lw=2)
        ax.plot(r.estimate, y, "s", color="tab:blue", ms=4 + r.n**0.5)
    if pooled is not None:
        _diamond(ax, pooled, len(rates))
        labels.append(
            f"pooled ({pooled['method'].upper()}), k = {int(pooled['k'])}: "
            f"I² = {pooled['i2']:.0f}%, τ² = {pooled['tau2']:.2f}"
        )
    for y, label in enumerate(labels):
        ax.text(1, y - 0.42, label, fontsize=10, va="bottom")
    ax.set_xlabel("percent responding (95% CIs)")
    ax.set_yticks([])
    ax.set_ylim(rows - 0.5, -1.0)
    ax.set_xlim(0, 100)
    ax.set_title(title)
    fig.tight_layout()
    plt.close(fig)  # the caller displays it
    return fig


def explore(
    rows: Sequence[str] = DEFAULT_POOL, ci_method: str = "clopper_pearson", method: str = "dl"
) -> Figure:
    """The forest plot of chosen rows, CI method and pooling method (the chapter's widget).

    Parameters
    ----------
    rows : sequence of str
        Keys of :data:`carbook.synthesis.RETREATMENT_ROWS`; pooled only if at least 2
        and none shares patients with another.
    ci_method : str
        Per-row CI method (:data:`carbook.tables.CI_METHODS`).
    method : {"dl", "pm"}
        Pooling method (:data:`carbook.synthesis.meta.POOL_METHODS`).

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    ValueError
        No row chosen, an unknown key, or rows that share patients.

    Examples
    --------
    >>> explore(["x_cart2"]).axes[0].get_title()
    '1 rate, clopper_pearson CIs (pooling needs 2)'
    """
    keys = list(rows)
    if not keys:
        raise ValueError("rows is empty: choose at least one rate")
    check_independent(keys)
    t = retreatment_table(ci_method).loc[keys]
    if len(keys) < 2:
        return forest_plot(t, None, f"1 rate, {ci_method} CIs (pooling needs 2)")
    pooled = pool_proportions(t["x"].tolist(), t["n"].tolist(), method=method)
    title = f"{len(keys)} rates, {ci_method} CIs, pooled by {method.upper()}"
    return forest_plot(t, pooled, title)
