"""One house style for the book's figures (matplotlib + seaborn)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure

__all__ = ["COLUMN_WIDTH", "ROWS", "interval_plot", "met_plot", "phase_plot", "spread_plot"]

sns.set_theme(style="whitegrid", context="notebook", font_scale=1.15)

#: figure width in inches, chosen for the book's text column: at the notebook's 72 dpi
#: it fills the column on a laptop and shrinks by less than a fifth on a 390 px phone,
#: so that axis labels and at-risk numbers stay about 10 px tall there
COLUMN_WIDTH = 6.0


#: Up to this many cohorts, a spread plot gives each its own row.
ROWS = 8


def _svg_in_notebooks() -> None:
    """Figures as SVG in a Jupyter kernel, hence in the book: sharp at any zoom."""
    from IPython import get_ipython
    from matplotlib_inline.backend_inline import set_matplotlib_formats

    if get_ipython() is not None:  # plain Python (tests) displays no figure
        set_matplotlib_formats("svg")


_svg_in_notebooks()


def interval_plot(
    intervals: pd.DataFrame,
    title: str,
    xlabel: str = "percent",
    published: tuple[float, float] | None = None,
    highlight: str | None = None,
) -> Figure:
    """Horizontal point-and-interval plot, one row per ``label``.

    Parameters
    ----------
    intervals : pandas.DataFrame
        Columns ``label``, ``estimate``, ``low``, ``high``.
    title, xlabel : str
        Figure title and x-axis label.
    published : tuple of float, optional
        A published interval drawn as a shaded band for comparison.
    highlight : str, optional
        The ``label`` drawn in a contrasting colour.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    ValueError
        If a column is missing.

    Examples
    --------
    >>> df = pd.DataFrame({"label": ["a"], "estimate": [50.0], "low": [40.0], "high": [60.0]})
    >>> interval_plot(df, "demo").axes[0].get_title()
    'demo'
    """
    missing = {"label", "estimate", "low", "high"} - set(intervals.columns)
    if missing:
        raise ValueError(f"intervals is missing columns {sorted(missing)}")
    fig, ax = plt.subplots(figsize=(COLUMN_WIDTH, 0.45 * len(intervals) + 1.5))
    ys = range(len(intervals))
    if published is not None:
        ax.axvspan(*published, color="tab:orange", alpha=0.15, label="published interval")
    for y, row in zip(ys, intervals.itertuples(), strict=True):
        colour = "tab:red" if row.label == highlight else "tab:blue"
        ax.plot([row.low, row.high], [y, y], color=colour, lw=2.5)
        ax.plot(row.estimate, y, "o", color=colour)
    ax.set_yticks(list(ys), intervals["label"].tolist())
    ax.invert_yaxis()
    ax.set_xlabel(xlabel)
    ax.set_title(title)
    if published is not None:
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.18), frameon=False)
    fig.tight_layout()
    plt.close(fig)  # the caller displays it; avoids a second copy in notebooks
    return fig


def spread_plot(values: pd.Series, title: str, xlabel: str = "value") -> Figure:
    """One dot per synthetic cohort (a seaborn strip plot): how far they disagree.

    Up to :data:`ROWS` cohorts get a row each, labelled by seed; more share one row
    (a swarm), with seed 1, the chapters' cohort, in black.

    Parameters
    ----------
    values : pandas.Series
        One value per cohort, indexed by seed.
    title, xlabel : str
        Figure title and x-axis label.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    ValueError
        If ``values`` is empty.

    Examples
    --------
    >>> fig = spread_plot(pd.Series([0.3, 0.35, 0.5], index=[1, 2, 3]), "HR")
    >>> [t.get_text() for t in fig.axes[0].get_yticklabels()]
    ['seed 1', 'seed 2', 'seed 3']
    >>> fig = spread_plot(pd.Series(range(20), index=range(1, 21)), "HR")
    >>> [t.get_text() for t in fig.axes[0].get_yticklabels()]
    ['20 cohorts']
    """
    if values.empty:
        raise ValueError("values is empty: no cohort to plot")
    many = len(values) > ROWS
    fig, ax = plt.subplots(figsize=(COLUMN_WIDTH, 2.2 if many else 0.35 * len(values) + 1.4))
    rows = [f"{len(values)} cohorts"] * len(values) if many else [f"seed {s}" for s in values.index]
    frame = pd.DataFrame({xlabel: values.to_numpy(float), "cohort": rows})
    if many:  # a swarm: deterministic, and no dot hides another; seed 1 in black
        kind = [
            "seed 1 (the chapters' cohort)" if seed == 1 else "other seeds" for seed in values.index
        ]
        sns.swarmplot(
            data=frame.assign(kind=kind),
            x=xlabel,
            y="cohort",
            hue="kind",
            ax=ax,
            size=7,
            palette={"seed 1 (the chapters' cohort)": "black", "other seeds": "C0"},
        )
        ax.get_legend().remove()  # it would cover dots: the x label says it
        ax.set_xlabel(f"{xlabel} (black: seed 1, the chapters' cohort)")
    else:
        sns.stripplot(
            data=frame,
            x=xlabel,
            y="cohort",
            hue="cohort",
            ax=ax,
            size=10,
            jitter=False,
            legend=False,
        )
    span = float(values.max() - values.min()) or abs(float(values.iloc[0])) or 1.0
    ax.set_xlim(values.min() - 0.15 * span, values.max() + 0.15 * span)
    ax.set_ylabel("")
    ax.set_title(title, loc="left")
    fig.tight_layout()
    plt.close(fig)  # the caller displays it; avoids a second copy in notebooks
    return fig


def met_plot(met: pd.Series, parts: int, goals: tuple[float, ...] = (0.90, 0.95)) -> Figure:
    """How many printed parts each cohort of an ensemble met: a count per value, with goals.

    Parameters
    ----------
    met : pandas.Series
        Printed parts met, one value per cohort (indexed by seed).
    parts : int
        Printed parts in all (the denominator of every cohort).
    goals : tuple of float
        Shares of ``parts`` drawn as dashed vertical lines.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    ValueError
        If ``met`` is empty or a count lies outside 0..``parts``.

    Examples
    --------
    >>> fig = met_plot(pd.Series([120, 130, 130], index=[1, 2, 3]), 191)
    >>> fig.axes[0].get_xlabel()
    'printed parts met, of 191'
    """
    if met.empty or not met.between(0, parts).all():  # NaN is not between
        raise ValueError(f"met must hold counts between 0 and parts={parts}, got {met.tolist()}")
    fig, ax = plt.subplots(figsize=(COLUMN_WIDTH, 2.8))
    sns.histplot(x=met.to_numpy(int), discrete=True, ax=ax, color="C0")
    for share in goals:
        ax.axvline(share * parts, color="black", linestyle="--", linewidth=1)
        ax.annotate(
            f"{share:.0%} goal",
            (share * parts, 1),
            xycoords=("data", "axes fraction"),
            ha="right",
            va="top",
            rotation=90,
            fontsize="small",
        )
    ax.set_xlim(min([met.min(), *(share * parts for share in goals)]) - 3, parts + 1)
    ax.set_xlabel(f"printed parts met, of {parts}")
    ax.set_ylabel("cohorts")
    ax.set_title(f"{len(met)} SYNTHETIC COHORTS", loc="left")
    fig.tight_layout()
    plt.close(fig)
    return fig


def phase_plot(phases: pd.DataFrame, title: str) -> Figure:
    """Printed numbers met after each phase of a calibration (horizontal bars).

    Parameters
    ----------
    phases : pandas.DataFrame
        ``step``, ``phase``, ``met`` and ``printed`` per phase, as
        ``synthetic_phases_seed<N>.csv`` (written by ``carbook.reconstruct.run``).
    title : str
        Figure title.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    ValueError
        If ``phases`` is empty or lacks a column.

    Examples
    --------
    >>> t = pd.DataFrame({"step": [1, 2], "phase": ["times", "joint"], "met": [20, 60],
    ...                   "printed": [191, 191]})
    >>> fig = phase_plot(t, "seed 1")
    >>> [t.get_text() for t in fig.axes[0].get_yticklabels()]
    ['1. times', '2. joint']
    """
    missing = {"step", "phase", "met", "printed"} - set(phases.columns)
    if phases.empty or missing:
        raise ValueError(
            f"phases must have rows and step, phase, met, printed; missing {sorted(missing)}"
        )
    labels = [f"{s}. {p}" for s, p in zip(phases["step"], phases["phase"], strict=True)]
    fig, ax = plt.subplots(figsize=(COLUMN_WIDTH, 0.4 * len(phases) + 1.6))
    sns.barplot(x=phases["met"].to_numpy(), y=labels, ax=ax, color="C0", orient="h")
    for k, met in enumerate(phases["met"]):
        ax.text(met, k, f" {met}", va="center")
    ax.set_xlim(0, int(phases["printed"].max()))
    ax.set_xlabel(f"printed numbers met (of {int(phases['printed'].max())})")
    ax.set_title(title, loc="left")
    fig.tight_layout()
    plt.close(fig)
    return fig
