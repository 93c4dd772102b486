"""Wudhikarn 2021, Figure 2: the salvage pathway of the 38, drawn from data.

Boxes and arrows come from ``data/wudhikarn2021/salvage_flow.csv``; every count is
the value of an event of ``counts.csv`` (a printed count or a formula over them),
never typed into the figure.
"""

from __future__ import annotations

import textwrap

import matplotlib.pyplot as plt
import pandas as pd
import pandera.pandas as pa
from matplotlib.figure import Figure

from carbook.data import load_counts, read_study_csv

__all__ = ["consort_figure", "flow_nodes"]

STUDY = "wudhikarn2021"

_SCHEMA = pa.DataFrameSchema(
    {
        "node": pa.Column(str, pa.Check.str_matches(r"^[a-z0-9_]+$"), unique=True),
        "label": pa.Column(str, pa.Check.str_length(min_value=1)),
        "event": pa.Column(str, pa.Check.str_length(min_value=1)),
        "x": pa.Column(float, coerce=True),
        "y": pa.Column(float, coerce=True),
        "parents": pa.Column(str),
    },
    strict=True,
    ordered=True,
)


def flow_nodes() -> pd.DataFrame:
    """Nodes of Figure 2 with their counts (``n``) taken from ``counts.csv``.

    Raises
    ------
    ValueError
        If a node names an unknown event or parent.

    Examples
    --------
    >>> flow_nodes().set_index("node").loc["cr_any", "n"]
    np.int64(13)
    """
    nodes = read_study_csv(STUDY, "salvage_flow.csv", _SCHEMA)
    values = load_counts(STUDY).set_index("event")["value"]
    unknown = set(nodes["event"]) - set(values.index)
    if unknown:
        raise ValueError(f"salvage_flow.csv: unknown events {sorted(unknown)}")
    parents = {p for ps in nodes["parents"] for p in ps.split(";") if p}
    if parents - set(nodes["node"]):
        raise ValueError(
            f"salvage_flow.csv: unknown parents {sorted(parents - set(nodes['node']))}"
        )
    nodes["n"] = nodes["event"].map(values).astype(int)
    return nodes


def consort_figure() -> Figure:
    """Consort-style diagram of salvage after CAR T failure (black and white, for print).

    Examples
    --------
    >>> boxes = [t.get_gid() for t in consort_figure().axes[0].texts if t.get_gid()]
    >>> sorted(boxes) == sorted(flow_nodes()["node"])
    True
    """
    nodes = flow_nodes().set_index("node")
    fig, ax = plt.subplots(figsize=(9.0, 9.5))
    boxes = {}
    for node, row in nodes.iterrows():
        text = "\n".join(textwrap.wrap(row["label"], 22)) + f"\nn = {row['n']}"
        boxes[node] = ax.text(
            row["x"],
            -row["y"],
            text,
            ha="center",
            va="center",
            fontsize=11,
            bbox={"boxstyle": "round,pad=0.4", "fc": "white", "ec": "black"},
            gid=node,
        )
    for node, row in nodes.iterrows():
        for parent in filter(None, row["parents"].split(";")):
            # from the bottom of the parent's box to the top of the child's
            ax.annotate(
                "",
                xy=(0.5, 1.0),
                xycoords=boxes[node],
                xytext=(0.5, 0.0),
                textcoords=boxes[parent],
                arrowprops={
                    "arrowstyle": "->",
                    "color": "0.35",
                    "lw": 0.8,
                    "shrinkA": 4,
                    "shrinkB": 4,
                },
            )
    ax.axvline(2.95, ymin=0.05, ymax=0.5, color="0.6", ls=":", lw=0.8)
    ax.set_xlim(-0.6, 4.0)
    ax.set_ylim(-nodes["y"].max() - 0.6, 0.6)
    ax.axis("off")
    ax.set_title("Figure 2 redrawn from counts:\nsalvage after progression (n = 38)")
    fig.tight_layout()
    plt.close(fig)
    return fig
