"""Tables as readers see them: complete, labelled in words, at printed precision.

Every table a chapter shows goes through :func:`table` (any frame) or
:func:`scorecard_table` (rows of a scorecard). Both return a :class:`Table`, which
Jupyter and the book render as HTML:

- every row and the full text of every cell (no pandas display limits);
- no row index; missing values as an en dash;
- inside a container that scrolls sideways on a narrow screen, so that no column
  falls off the page;
- for scorecards: the registry's words (``quantity``, with the table row and the
  population where needed) instead of claim ids, reproduced numbers at the printed
  precision of the published ones, and the status coloured and placed before the
  long ``reason`` column.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import numpy as np
import pandas as pd

from carbook.published import decimals, load_published

__all__ = ["DASH", "STATUS_COLOURS", "Table", "label_rows", "printed", "scorecard_table", "table"]

DASH = "–"

#: background colour of each status (old and new status names both covered)
STATUS_COLOURS = {
    "input": "#e8e8e8",
    "exact": "#cdebd3",
    "reconstructed": "#cfe3f5",
    "not_met": "#fbe3c2",
    "outside": "#f6c9c9",
    "not_reproducible": "#f3d0e6",
    "pending": "#f2f2f2",
}
#: statuses whose ``reason`` is a finding (shown); for the others it is bookkeeping
FINDING_STATUSES = ("not_met", "outside", "not_reproducible")

_WRAP = "max-width:100%;overflow-x:auto;margin-bottom:1em"
_TABLE = "border-collapse:collapse;font-size:0.9em;font-variant-numeric:tabular-nums"
_CELL = "padding:0.25em 0.6em;border-bottom:1px solid #ddd;vertical-align:top;text-align:left"
_SHORT = "white-space:nowrap"  # a number with its interval stays on one line
_LONG = "min-width:16em;max-width:36em;white-space:normal"
_BADGE = "padding:0.1em 0.45em;border-radius:0.3em;white-space:nowrap;background:{}"


class Table:
    """A formatted table: every cell already a string, rendered whole.

    Parameters
    ----------
    frame : pandas.DataFrame
        Cells as display strings; the index is not shown.
    caption : str, optional
        Shown above the table.
    long_columns : sequence of str
        Columns of free text, wrapped instead of widening the table.
    badges : mapping, optional
        ``{column: {value: colour}}``: cells drawn as coloured labels.
    """

    def __init__(
        self,
        frame: pd.DataFrame,
        caption: str | None = None,
        long_columns: Sequence[str] = (),
        badges: Mapping[str, Mapping[str, str]] | None = None,
    ) -> None:
        self.frame = frame.reset_index(drop=True)
        self.caption = caption
        self.long_columns = tuple(long_columns)
        self.badges = dict(badges or {})

    def __len__(self) -> int:
        return len(self.frame)

    def __repr__(self) -> str:
        with pd.option_context("display.max_rows", None, "display.max_colwidth", None):
            text = self.frame.to_string(index=False)
        return f"{self.caption}\n{text}" if self.caption else text

    def _cell(self, column: str, value: str) -> str:
        text = html.escape(value).replace("\n", "<br>")
        colours = self.badges.get(column, {})
        if value in colours:
            text = f'<span style="{_BADGE.format(colours[value])}">{text}</span>'
        style = _CELL + ";" + (_LONG if column in self.long_columns else _SHORT)
        return f'<td style="{style}">{text}</td>'

    def _repr_html_(self) -> str:
        head = "".join(f'<th style="{_CELL}">{html.escape(str(c))}</th>' for c in self.frame)
        body = "".join(
            "<tr>" + "".join(self._cell(c, v) for c, v in zip(self.frame, row, strict=True))
            for row in self.frame.itertuples(index=False)
        )
        caption = f"<caption>{html.escape(self.caption)}</caption>" if self.caption else ""
        return (
            f'<div class="carbook-table" style="{_WRAP}"><table style="{_TABLE}">{caption}'
            f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>"
        )


def _cell_text(value: object, places: int | None) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return DASH
    if isinstance(value, str):
        return value if value.strip() else DASH
    if isinstance(value, bool | np.bool_):
        return "yes" if value else "no"
    if isinstance(value, float) and places is not None:  # numpy floats too; never ints
        return f"{value:.{places}f}"
    if isinstance(value, float) and float(value).is_integer():
        return str(int(value))
    return str(value)


def table(
    frame: pd.DataFrame | pd.Series,
    decimals: int | Mapping[str, int] | None = None,
    caption: str | None = None,
    index: bool = False,
    long_columns: Sequence[str] = (),
) -> Table:
    """Any frame as a complete table: all rows, full text, en dash for missing.

    Parameters
    ----------
    frame : pandas.DataFrame or pandas.Series
        The table to show (a Series is one column).
    decimals : int or mapping, optional
        Decimals of numeric columns (one number for all, or ``{column: decimals}``).
        Without it, whole floats print without decimals and others as they are.
    caption : str, optional
        Shown above the table; by default the name of the frame's columns, if any
        (the label of a synthetic-cohort table).
    index : bool
        Keep the index as the first column(s) (for a labelled index).
    long_columns : sequence of str
        Columns of free text, wrapped.

    Returns
    -------
    Table

    Examples
    --------
    >>> df = pd.DataFrame({"arm": ["A", "B"], "rate": [0.3424, float("nan")], "n": [3, 4]})
    >>> table(df, decimals={"rate": 2})
    arm rate n
      A 0.34 3
      B    – 4
    """
    if isinstance(frame, pd.Series):
        frame = frame.to_frame()
    if caption is None and frame.columns.name:  # e.g. the SYNTHETIC COHORT label
        caption = str(frame.columns.name)
    if index:
        frame = frame.reset_index()
    places = decimals if isinstance(decimals, Mapping) else dict.fromkeys(frame, decimals)
    shown = pd.DataFrame(
        {c: [_cell_text(v, places.get(c)) for v in frame[c]] for c in frame},
        columns=[str(c) for c in frame],
    )
    return Table(shown, caption=caption, long_columns=long_columns)


def printed(value: float, like: str) -> str:
    """``value`` printed the way the paper printed ``like`` (its decimals and style).

    Rounds half up, as the printed interval of :func:`carbook.published.printed_interval`
    assumes; drops the leading zero when the paper does (``.02``); prints ``<.001``
    when the paper's threshold style applies and the value is below it.

    Examples
    --------
    >>> printed(0.02149, ".02"), printed(13.149, "13.1"), printed(38.0, "38")
    ('.02', '13.1', '38')
    >>> printed(0.0004, "<.001"), printed(0.0123, "<.001"), printed(float("nan"), "1")
    ('<.001', '.012', '–')
    """
    if value is None or math.isnan(value):
        return DASH
    places = decimals(like) if like else 1
    if like.startswith("<") and value < float(like[1:]):
        return like
    text = str(Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP))
    if like.lstrip("<>").startswith(".") and text.startswith(("0.", "-0.")):
        text = text.replace("0.", ".", 1)
    return text


def _with_bounds(value: str, low: str, high: str) -> str:
    if value in ("", DASH):
        return DASH
    if low in ("", DASH) and high in ("", DASH):
        return value
    missing = ("", DASH)
    low, high = ("n.a." if b in missing else b for b in (low, high))
    return f"{value} ({low}–{high})"


def _registry(studies: Sequence[str]) -> pd.DataFrame:
    return pd.concat([load_published(s) for s in studies]).set_index(["study", "id"])


def _is_generic(quantity: str) -> bool:
    """A quantity that needs its table row to mean anything ("P", "HR for R/R")."""
    return quantity.split(" ")[0] in {"P", "HR", "OR", "n"}


def _base_label(location: str, artifact: str, quantity: str) -> str:
    """The quantity, preceded by its table row where it needs it."""
    q, loc = quantity.strip(), location.strip()
    if loc and (_is_generic(q) or artifact.startswith(("Table", "Figure"))):
        if f" {q.lower()} " in f" {loc.lower()} ":  # "male" in the row "male sex"
            q = loc
        elif _is_generic(q) or (len(q) < 30 and loc.lower() not in q.lower()):
            q = f"{loc}: {q}"
    return q[:1].upper() + q[1:]


def label_rows(rows: pd.DataFrame) -> list[str]:
    """A human label for each registry row, unique within ``rows``.

    The label is the registry's ``quantity``, preceded by the table row
    (``location``) where the quantity alone says little (``P``, ``HR``) and followed
    by ``(%)`` for a percent; where two rows still read the same, the ``population``
    is added, then the unit.

    Parameters
    ----------
    rows : pandas.DataFrame
        Registry columns ``location``, ``artifact``, ``quantity``, ``population``,
        ``unit`` (as from :func:`carbook.published.load_published`).

    Returns
    -------
    list of str

    Examples
    --------
    >>> reg = load_published("wudhikarn2021").set_index("id")
    >>> label_rows(reg.loc[["t1_male_prog_pct", "t1_male_noprog_pct", "t1_male_p"]])
    ['Male sex (%), progressed (n=38)', 'Male sex (%), not progressed (n=18)', 'Male sex: P']
    """
    labels = [
        _base_label(r.location, r.artifact, r.quantity)
        + (" (%)" if r.unit == "percent" and "%" not in r.quantity else "")
        for r in rows.itertuples()
    ]
    for extra in ("population", "unit"):
        dup = pd.Series(labels).duplicated(keep=False).to_numpy()
        labels = [
            f"{lab}, {getattr(r, extra)}" if d else lab
            for lab, r, d in zip(labels, rows.itertuples(), dup, strict=True)
        ]
    return labels


def _scorecard_rows(scored: pd.DataFrame, all_reasons: bool) -> pd.DataFrame:
    reg = _registry(sorted(set(scored["study"])))
    keys = list(zip(scored["study"], scored["claim_id"], strict=True))
    rows = reg.loc[keys].reset_index()
    status = scored["status"].to_numpy()
    finding = pd.Series(status).isin(FINDING_STATUSES).to_numpy() | all_reasons
    out = pd.DataFrame({"study": scored["study"].to_numpy(), "number": label_rows(rows)})
    out["published"] = [
        _with_bounds(*(t or "" for t in (r.published, r.published_low, r.published_high)))
        for r in scored.itertuples()
    ]
    out["reproduced"] = [_reproduced(r) for r in scored.itertuples()]
    out["status"] = [s.replace("_", " ") for s in status]
    out["reason"] = [
        (str(r) if f and str(r).strip() else DASH)
        for r, f in zip(scored["reason"], finding, strict=True)
    ]
    out["selected to match"] = [_selected(str(m)) for m in scored.get("method", [""] * len(out))]
    return out


def _selected(method: str) -> str:
    """The choice a scorecard method says was selected because it matches, else a dash."""
    found = re.search(r"\[selected because it matches: (.*)\]", method)
    return found.group(1) if found else DASH


def _reproduced(row: Any) -> str:
    """Reproduced value and bounds, each printed like its published counterpart."""
    texts = (row.published, row.published_low, row.published_high)
    like = next((t for t in texts if t), "1.0")
    values = (row.reproduced, row.reproduced_low, row.reproduced_high)
    return _with_bounds(*(printed(v, t or like) for v, t in zip(values, texts, strict=True)))


def scorecard_table(
    scored: pd.DataFrame,
    caption: str | None = None,
    columns: Sequence[str] | None = None,
    all_reasons: bool = False,
) -> Table:
    """Rows of a scorecard as readers should see them.

    Parameters
    ----------
    scored : pandas.DataFrame
        From :func:`carbook.scorecard.score` (or a row selection of it), with the
        columns ``study``, ``claim_id``, ``published``/``_low``/``_high``,
        ``reproduced``/``_low``/``_high``, ``status`` and ``reason``.
    caption : str, optional
        Shown above the table.
    columns : sequence of str, optional
        Among ``study``, ``number``, ``published``, ``reproduced``, ``status``,
        ``reason``. By default: ``study`` when there are several, then number,
        status, published, reproduced (the status next to the number, so it stays in
        view on narrow screens), and ``reason`` when a row's reason is a finding
        (statuses in :data:`FINDING_STATUSES`).
    all_reasons : bool
        Show the ``reason`` of every row, not only of findings.

    Returns
    -------
    Table

    Examples
    --------
    >>> from carbook.book import study_scorecard
    >>> sc = study_scorecard("zhang2021").set_index("claim_id")
    >>> t = scorecard_table(sc.loc[["cr_pct"]].reset_index())
    >>> t.frame.iloc[0].tolist()[:4]
    ['Complete remission rate (%)', 'exact', '79 (66–92)', '79 (66–92)']
    >>> t.frame.iloc[0, -1]  # the CI method was chosen because it matches
    'CI method t_mean: the one that prints every bound'

    """
    rows = _scorecard_rows(scored.reset_index(drop=True), all_reasons)
    if columns is None:
        columns = ["number", "status", "published", "reproduced"]
        if len(set(rows["study"])) > 1:
            columns.insert(0, "study")
        if (rows["reason"] != DASH).any():
            columns.append("reason")
        if (rows["selected to match"] != DASH).any():
            columns.append("selected to match")
    colours = {s.replace("_", " "): c for s, c in STATUS_COLOURS.items()}
    return Table(
        rows[list(columns)],
        caption=caption,
        long_columns=("number", "reason", "selected to match"),
        badges={"status": colours},
    )
