"""What happens after progression in the wudhikarn2021 cohort (the 38 who progressed).

Columns (for the 18 who never progressed: ``"na"`` or NaN):

- ``site``: disease at progression, ``bm`` (marrow only), ``bm_em`` (marrow and
  extramedullary), ``em_only`` (isolated extramedullary) or ``mrd`` (MRD-level
  relapse), with the paper's counts (35 with marrow disease, 13 with EM disease of
  whom 3 isolated, 2 MRD);
- ``blasts``: % marrow blasts; the 33 with morphologic marrow disease have the
  published median (range) exactly; isolated EM and MRD relapses are set to 0
  (an assumption: their blast percentages are below 5% and not published);
- ``cd19``: ``positive``, ``negative`` or ``unknown`` at progression (25 / 5 / 8);
- ``salvage_outcome``: ``none`` (palliative care), ``no_cr`` or ``cr`` (8 / 17 / 13);
- ``t_salvage``: months from progression to the first salvage therapy;
- ``t_blin_ino``: months from progression to the first blinatumomab or inotuzumab
  (Table 4's days, which count from the CAR T infusion, minus the time to
  progression);
- ``t_cr`` and ``t_relapse2`` (the 13 with a CR to salvage): months from progression
  to that CR and to the relapse that ended it (NaN: in remission until death or
  last contact). Remission lasts from ``t_cr`` to relapse, death or last contact;
  event-free survival of Figure 3A is read from the first salvage to the same end
  (an assumption: the paper does not say where it starts).

Facts that stay on their patient IDs: everyone in Tables 4 and 5 received salvage;
a CR that either table prints is a CR to salvage; Table 4's CD19 status at relapse;
Table 5's relapse site. Times in the tables are days from the first CAR T infusion,
converted at 365.25 / 12 days a month: progression precedes every dated treatment,
and the patient is alive at the last one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import cache

import numpy as np
import pandas as pd

from carbook.data import DAYS_PER_MONTH
from carbook.data.wudhikarn2021 import load_table4, load_table5
from carbook.published import load_published, printed_interval
from carbook.reconstruct.engine import (
    Change,
    Move,
    column_swaps,
    exact_values,
    interior_change,
    interior_steps,
)

__all__ = [
    "construct",
    "cr_min_post",
    "death_causes",
    "feasible",
    "marrow_rows",
    "moves",
    "pairs",
    "place_remission",
    "printed_cr",
    "remission",
    "table_facts",
]

NA = "na"


@cache
def cr_min_post(part: str = "low") -> float:
    """Shortest survival after progression (months) of a CR to salvage the paper allows.

    The 13 remissions print a range of 2.1-32.1 months, so each lasted at least the
    lower rounding bound of "2.1" (2.05). A remission starts at the CR, which follows
    the first salvage (both at least 0.01 month later on the model's grid), and ends
    by death or last contact at the latest: every CR patient lives at least
    2.05 + 0.02 months after progression (on the model's 0.01-month grid). With
    ``part="high"``, the same for the CR whose remission is the longest (32.1).

    Examples
    --------
    >>> cr_min_post(), cr_min_post("high")
    (2.07, 32.07)
    """
    text = _anchors_text("salv_remission_duration_median")[part]
    return round(printed_interval(text)[0] + 0.02, 2)


def _months(days: pd.Series) -> pd.Series:
    return pd.to_numeric(days, errors="coerce") / DAYS_PER_MONTH


def table_facts() -> pd.DataFrame:
    """Per table patient: dated treatments (months from CAR T) and post-progression facts.

    Examples
    --------
    >>> f = table_facts()
    >>> len(f), int(f["cr"].sum())
    (19, 10)
    >>> round(float(f.loc["MSK15", "last_tx"]), 2)
    49.28
    """
    t4, t5 = load_table4().set_index("id"), load_table5().set_index("id")
    blin_ino = pd.concat([_months(t4["blin_days"]), _months(t4["ino_days"])], axis=1).min(axis=1)
    dated = pd.concat([blin_ino, _months(t5["days_to_second"])], axis=1)
    f = pd.DataFrame(index=dated.index)
    f["first_tx"], f["last_tx"] = dated.min(axis=1), dated.max(axis=1)
    f["blin_ino_tx"] = blin_ino
    cr4 = pd.concat([t4["blin_response"], t4["ino_response"]], axis=1).apply(
        lambda r: r.astype(str).str.contains("cr") & ~r.astype(str).eq("nr")
    )
    cr5 = t5["response2"].astype(str).str.contains("cr")
    f["cr"] = pd.concat([cr4.any(axis=1), cr5]).groupby(level=0).any().reindex(f.index)
    f["cd19"] = t4["cd19_at_relapse"].where(t4["cd19_at_relapse"] != "not_reported")
    site = t5["relapse_site"].map(
        lambda s: "mrd" if "MRD" in s else ("bm_em" if "EM" in s else "bm")
    )
    f["site"] = site
    return f.sort_index(key=lambda s: s.str[3:].astype(int))


def _counts(counts: pd.Series) -> dict[str, dict[str, int]]:
    c = {k: int(v) for k, v in counts.items()}
    salvage, cr = c["salvage"], c["salvage_cr"]
    return {
        "salvage_outcome": {"cr": cr, "no_cr": salvage - cr},  # rest: none (palliative)
        "cd19": {"negative": c["cd19neg"], "positive": 30 - c["cd19neg"]},
        "site": {
            "mrd": c["prog_mrd"],
            "em_only": c["iso_em"],
            "bm_em": c["prog_em"] - c["iso_em"],
        },
    }


def _deal(
    rows: pd.Index,
    levels: dict[str, int],
    rest: str,
    fixed: pd.Series,
    rng: np.random.Generator,
    allowed: dict[str, set[str]] | None = None,
) -> pd.Series:
    """Deal levels with exact counts to ``rows``; ``fixed`` cells keep their level.

    ``allowed`` restricts some free rows (row label -> levels they may take).
    """
    pool = dict(levels)
    pool[rest] = len(rows) - sum(levels.values())
    out = pd.Series(pd.NA, index=rows, dtype=object)
    for i, level in fixed.dropna().items():
        if pool.get(level, 0) < 1:
            raise ValueError(f"facts need more {level!r} than the published count allows")
        pool[level] -= 1
        out[i] = level
    restricted = [i for i in (allowed or {}) if pd.isna(out[i])]
    for i in restricted:
        choices = [lvl for lvl in sorted(allowed[i]) for _ in range(pool[lvl])]
        if not choices:
            raise ValueError(f"no level left for row {i} among {sorted(allowed[i])}")
        out[i] = choices[rng.integers(len(choices))]
        pool[out[i]] -= 1
    free = out.index[out.isna()]
    deck = np.array([lvl for lvl, n in sorted(pool.items()) for _ in range(n)], dtype=object)
    out[free] = rng.permutation(deck)
    return out


def printed_cr(c: pd.DataFrame) -> pd.Series:
    """Per row of ``c``: whether Table 4 or 5 prints a CR to salvage for the patient.

    Examples
    --------
    >>> from carbook.reconstruct.run import load_cohort
    >>> int(printed_cr(load_cohort("wudhikarn2021")).sum())
    10
    """
    cr = table_facts()["cr"].reindex(c["id"]).astype("boolean").fillna(False)
    return pd.Series(cr.to_numpy(bool), index=c.index)


def _bounds(c: pd.DataFrame) -> pd.DataFrame:
    """Per row: latest t_rr, earliest t_last, shortest survival after progression.

    ``rr_max`` comes before the first dated treatment, ``last_min`` after the last;
    ``post_min`` is :func:`cr_min_post` for a table CR to salvage, else 0.
    """
    f = table_facts().reindex(c["id"])
    cr = printed_cr(c).to_numpy()
    return pd.DataFrame(
        {
            "rr_max": f["first_tx"].to_numpy() - 0.01,
            "last_min": f["last_tx"].to_numpy() + 0.01,
            "blin_ino": f["blin_ino_tx"].to_numpy(),
            "post_min": np.where(cr, cr_min_post(), 0.0),
        },
        index=c.index,
    ).fillna({"rr_max": np.inf, "last_min": -np.inf})


def salvage_limit(c: pd.DataFrame, b: pd.DataFrame, i: int) -> float:
    """Latest possible first salvage (months from progression) for row ``i``."""
    return float(min(c.at[i, "t_post"], b.at[i, "rr_max"] + 0.01 - c.at[i, "t_rr"]))


def construct(
    c: pd.DataFrame,
    counts: pd.Series,
    rng: np.random.Generator,
    given: pd.DataFrame | None = None,
) -> None:
    """Add the post-progression columns to the cohort, in place (times must exist).

    ``given`` (rows of the progressed: ``salvage_outcome`` and ``t_salvage``, from
    :func:`.poststart.place`) fixes the salvage groups and first salvages instead of
    dealing and drawing them.

    Examples
    --------
    >>> from carbook.studies.wudhikarn2021 import model
    >>> from carbook.reconstruct.spec import load_spec
    >>> c, _ = model.build(load_spec("wudhikarn2021"), np.random.default_rng(3))
    >>> c.loc[c["progressed"] == 1, "salvage_outcome"].value_counts().to_dict()
    {'no_cr': 17, 'cr': 13, 'none': 8}
    """
    f = table_facts().reindex(c["id"]).set_index(c.index)
    prog = c.index[c["progressed"] == 1]
    levels = _counts(counts)
    in_table = f.index[f["first_tx"].notna()]
    short = prog[c.loc[prog, "t_post"].to_numpy(float) < cr_min_post()]
    cr = pd.Series("cr", index=c.index).where(printed_cr(c))
    salv = (
        given["salvage_outcome"].loc[prog]
        if given is not None
        else _deal(
            prog,
            levels["salvage_outcome"],
            "none",
            cr.loc[prog],
            rng,
            {
                **{i: {"cr", "no_cr"} - ({"cr"} if i in short else set()) for i in in_table},
                # too short a survival after progression for a remission of the printed range
                **{i: {"no_cr", "none"} for i in short if i not in in_table},
            },
        )
    )
    cd19 = _deal(prog, levels["cd19"], "unknown", f["cd19"].loc[prog], rng)
    site = _deal(prog, levels["site"], "bm", f["site"].loc[prog], rng)
    c["salvage_outcome"], c["cd19"], c["site"] = NA, NA, NA
    c.loc[prog, "salvage_outcome"], c.loc[prog, "cd19"], c.loc[prog, "site"] = salv, cd19, site
    marrow = prog[site.isin(["bm", "bm_em"]).to_numpy()]
    median, lo, hi = _blast_anchors()
    c["blasts"] = np.nan
    c.loc[prog, "blasts"] = 0.0
    c.loc[marrow, "blasts"] = exact_values(len(marrow), median, lo, hi, 1.0, rng)
    b = _bounds(c)
    c["t_salvage"] = np.nan
    for i in prog[salv.isin(["cr", "no_cr"]).to_numpy()]:
        limit = salvage_limit(c, b, i)
        c.at[i, "t_salvage"] = round(max(min(rng.exponential(0.7), 0.9 * limit), 0.01), 2)
    if given is not None:
        c.loc[prog, "t_salvage"] = given["t_salvage"].loc[prog].to_numpy(float)
    c["t_blin_ino"] = np.round(b["blin_ino"] - c["t_rr"], 2)
    c["t_cr"], c["t_relapse2"] = np.nan, np.nan
    for i in prog[(salv == "cr").to_numpy()]:
        for col, _, value in _new_cr(c, i, c.at[i, "t_salvage"], rng):
            c.at[i, col] = value


def _new_cr(c: pd.DataFrame, i: int, start: float, rng: np.random.Generator) -> list[Change]:
    """CR and relapse times for row ``i`` becoming a CR to salvage started at ``start``."""
    end = c.at[i, "t_post"]
    t_cr = round(start + (end - start) * rng.uniform(0.05, 0.4), 2)
    relapse = round(t_cr + (end - t_cr) * rng.uniform(0.2, 0.95), 2)
    if not start < t_cr < relapse < end:
        t_cr, relapse = round((start + end) / 2, 2), np.nan
    if rng.random() < 0.3 or not start < t_cr < end:
        relapse = np.nan
    return [("t_cr", i, t_cr), ("t_relapse2", i, relapse)]


def remission(c: pd.DataFrame, origin: str = "t_cr") -> tuple[np.ndarray, np.ndarray]:
    """(months from ``origin`` to relapse, death or last contact; 1 if relapse or death).

    NaN for patients without a CR to salvage. ``origin="t_salvage"`` gives the
    event-free survival of Figure 3A as read here (from the first salvage).

    Examples
    --------
    >>> c = pd.DataFrame({"t_salvage": [1.0, np.nan], "t_cr": [2.0, np.nan],
    ...                   "t_relapse2": [5.0, np.nan], "t_post": [9.0, 4.0], "dead": [1, 1]})
    >>> time, event = remission(c)
    >>> time.tolist()[0], int(event[0])
    (3.0, 1)
    """
    relapse = c["t_relapse2"].to_numpy(float)
    end = np.where(np.isnan(relapse), c["t_post"].to_numpy(float), relapse)
    event = np.where(np.isnan(relapse), c["dead"].to_numpy(), 1)
    in_cr = ~np.isnan(c["t_cr"].to_numpy(float))
    return np.where(in_cr, end - c[origin].to_numpy(float), np.nan), event


def _anchors_text(claim: str) -> dict[str, str]:
    """A "median (range)" claim's value, low and high as printed (text)."""
    reg = load_published("wudhikarn2021").set_index("id").loc[claim]
    return {k: str(reg[k]) for k in ("value", "low", "high")}


def _anchors(claim: str) -> tuple[float, float, float]:
    """Printed median, minimum and maximum of a "median (range)" claim."""
    text = _anchors_text(claim)
    return float(text["value"]), float(text["low"]), float(text["high"])


def _blast_anchors() -> tuple[float, float, float]:
    return _anchors("prog_bm_blast_median")


def feasible(c: pd.DataFrame, b: pd.DataFrame, i: int, t_rr: float, t_last: float) -> bool:
    """Whether row ``i`` with these times keeps every dated treatment and salvage time.

    A CR to salvage also keeps the shortest survival after progression the printed
    remission range allows (:func:`cr_min_post`).

    Examples
    --------
    >>> from carbook.studies.wudhikarn2021 import model
    >>> from carbook.reconstruct.spec import load_spec
    >>> c, _ = model.build(load_spec("wudhikarn2021"), np.random.default_rng(3))
    >>> i = int(c.index[c["id"] == "MSK15"][0])  # blinatumomab 1500 days after CAR T
    >>> feasible(c, _bounds(c), i, c.at[i, "t_rr"], 40.0)  # dead before it: impossible
    False
    """
    if t_rr > b.at[i, "rr_max"] or t_last < b.at[i, "last_min"]:
        return False
    post = round(t_last - t_rr, 2)  # times live on a 0.01-month grid: compare there
    if _cr(c, i) and post < cr_min_post():
        return False
    s = c.at[i, "t_salvage"] if "t_salvage" in c else np.nan
    if np.isnan(s):
        return True
    latest = np.nanmax([s, c.at[i, "t_cr"], c.at[i, "t_relapse2"]])
    return bool(latest < post - 0.005 and s <= b.at[i, "rr_max"] + 0.01 - t_rr)


def _cr(c: pd.DataFrame, i: int) -> bool:
    """Whether row ``i`` is a CR to salvage (False before salvage outcomes exist)."""
    return "salvage_outcome" in c and c.at[i, "salvage_outcome"] == "cr"


def _start_changes(c: pd.DataFrame, b: pd.DataFrame, i: int, j: int) -> dict[int, float]:
    """First-salvage times after rows ``i`` and ``j`` trade a salvage for palliation."""
    start = {}
    for a, src in ((i, j), (j, i)):
        s = c.at[src, "t_salvage"]
        if not np.isnan(s):
            s = max(min(s, round(0.9 * salvage_limit(c, b, a), 2)), 0.01)
        start[a] = s
    return start


def _salvage_swap(prog: pd.Index, free: pd.Index, in_table: pd.Series, b: pd.DataFrame) -> Move:
    """Swap salvage outcomes (none / no CR / CR); table patients never get "none"."""

    def swap_salvage(c: pd.DataFrame, rng: np.random.Generator) -> list[Change]:
        i, j = rng.choice(free, 2, replace=False)
        oi, oj = c.at[i, "salvage_outcome"], c.at[j, "salvage_outcome"]
        if oi == oj or (oj == "none" and in_table[i]) or (oi == "none" and in_table[j]):
            return []
        short = cr_min_post()
        if (oj == "cr" and c.at[i, "t_post"] < short) or (oi == "cr" and c.at[j, "t_post"] < short):
            return []  # a CR needs a remission of the printed range
        out: list[Change] = [("salvage_outcome", i, oj), ("salvage_outcome", j, oi)]
        start = {i: c.at[i, "t_salvage"], j: c.at[j, "t_salvage"]}
        if "none" in (oi, oj):
            start = _start_changes(c, b, i, j)
            out += [("t_salvage", a, s) for a, s in start.items()]
        for a, level in ((i, oj), (j, oi)):
            cr = _new_cr(c, a, start[a], rng) if level == "cr" else None
            out += cr or [("t_cr", a, np.nan), ("t_relapse2", a, np.nan)]
        return out

    return swap_salvage


def _salvage_time(prog: pd.Index, b: pd.DataFrame, tune: dict) -> Move:
    """Scale one first-salvage time, before any dated treatment and the CR."""

    def move_salvage(c: pd.DataFrame, rng: np.random.Generator) -> list[Change]:
        pool = prog[c.loc[prog, "t_salvage"].notna().to_numpy()]
        i = pool[rng.integers(len(pool))]
        limit = np.nanmin([salvage_limit(c, b, i), c.at[i, "t_cr"]])
        new = c.at[i, "t_salvage"] * np.exp(rng.normal(0, 3 * tune["sigma"]))
        return [("t_salvage", i, round(float(np.clip(new, 0.01, max(0.01, limit - 0.01))), 2))]

    return move_salvage


def _cr_time(prog: pd.Index, tune: dict) -> Move:
    """Move a CR time, or the relapse that ends it (or drop the relapse)."""

    def move_cr(c: pd.DataFrame, rng: np.random.Generator) -> list[Change]:
        pool = prog[c.loc[prog, "t_cr"].notna().to_numpy()]
        i = pool[rng.integers(len(pool))]
        start, t_cr, rel, end = (c.at[i, k] for k in ("t_salvage", "t_cr", "t_relapse2", "t_post"))
        step = rng.normal(0, tune["sigma"]) * (end - start)
        if rng.random() < 0.5:
            upper = end if np.isnan(rel) else rel
            new = round(float(np.clip(t_cr + step, start + 0.01, upper - 0.01)), 2)
            return [("t_cr", i, new)] if start < new < upper else []
        if not np.isnan(rel) and rng.random() < 0.2:
            return [("t_relapse2", i, np.nan)]
        base = t_cr + (end - t_cr) * rng.uniform() if np.isnan(rel) else rel + step
        new = round(float(np.clip(base, t_cr + 0.01, end - 0.01)), 2)
        return [("t_relapse2", i, new)] if t_cr < new < end else []

    return move_cr


def _column_swap(prog: pd.Index, col: str, keep: pd.Series, also: tuple[str, ...] = ()) -> Move:
    """Swap a column (and ``also``) between two progressed patients without a fact on it."""
    pool = prog[~keep.loc[prog].to_numpy()]

    def move(c: pd.DataFrame, rng: np.random.Generator) -> list[Change]:
        i, j = rng.choice(pool, 2, replace=False)
        if c.at[i, col] == c.at[j, col]:
            return []
        return [(k, a, c.at[z, k]) for k in (col, *also) for a, z in ((i, j), (j, i))]

    return move


def pairs(c: pd.DataFrame) -> dict[str, Callable[[pd.DataFrame], Iterator[list[Change]]]]:
    """Every swap of CD19 status, of relapse site with blasts, and of a CR (``Model.pairs``).

    Between two who progressed and have no published fact on the column, in row order.
    A CR moves from a CR to salvage to a salvaged patient without one, with its
    remission (:func:`_cr_exchange`); a CR that Table 4 or 5 prints stays.
    """
    f = table_facts().reindex(c["id"]).set_index(c.index)
    prog = c.index[c["progressed"] == 1]

    def each(col: str, also: tuple[str, ...]) -> Callable:
        pool = [int(i) for i in prog[~f[col].notna().loc[prog].to_numpy()]]
        return lambda c: column_swaps(c, [col, *also], pool)

    def blasts(c: pd.DataFrame) -> Iterator[list[Change]]:
        rows = marrow_rows(c)
        values = pd.Series(c["blasts"].to_numpy(float)[rows], index=rows)
        for i, new in interior_steps(values, _blast_anchors(), 1.0):
            yield [("blasts", int(i), new)]

    free = [int(i) for i in prog[~printed_cr(c).loc[prog].to_numpy()]]

    def cr_exchanges(c: pd.DataFrame) -> Iterator[list[Change]]:
        outcome = c["salvage_outcome"].to_numpy()
        for i in (i for i in free if outcome[i] == "cr"):
            for j in (j for j in free if outcome[j] == "no_cr"):
                yield _cr_exchange(c, i, j)

    return {
        "swap_cd19": each("cd19", ()),
        "swap_site": each("site", ("blasts",)),
        "step_blasts": blasts,
        "swap_blasts": lambda c: column_swaps(c, ["blasts"], [int(i) for i in marrow_rows(c)]),
        "swap_cr": cr_exchanges,
    }


def _cr_exchange(c: pd.DataFrame, i: int, j: int) -> list[Change]:
    """Row ``i``'s CR to salvage goes to row ``j`` (no CR), with ``i``'s remission.

    The remission keeps its duration, so the 13 durations (and their printed median and
    range) stay: ended by a relapse, it starts as long after ``j``'s first salvage as
    after ``i``'s (earlier if it would not end before ``j``'s death or last contact);
    ended by death or last contact, it ends at ``j``'s. Declines (empty) when ``j``
    cannot hold it, or lives too short a time after progression for a CR
    (:func:`cr_min_post`).

    Examples
    --------
    >>> c = pd.DataFrame({"salvage_outcome": ["cr", "no_cr"], "t_salvage": [0.5, 1.0],
    ...                   "t_cr": [1.5, np.nan], "t_relapse2": [4.5, np.nan],
    ...                   "t_post": [9.0, 12.0]})
    >>> [(col, row, float(v)) for col, row, v in _cr_exchange(c, 0, 1) if col != "salvage_outcome"]
    [('t_cr', 0, nan), ('t_relapse2', 0, nan), ('t_cr', 1, 2.0), ('t_relapse2', 1, 5.0)]
    """
    start, end = c.at[j, "t_salvage"], c.at[j, "t_post"]
    t_cr, rel = c.at[i, "t_cr"], c.at[i, "t_relapse2"]
    if np.isnan(rel):
        rem = round(c.at[i, "t_post"] - t_cr, 2)
        new_cr, new_rel = round(end - rem, 2), np.nan
    else:
        rem = round(rel - t_cr, 2)
        new_cr = min(round(start + t_cr - c.at[i, "t_salvage"], 2), round(end - 0.01 - rem, 2))
        new_rel = round(new_cr + rem, 2)
    if new_cr < start + 0.01 - 1e-9 or end < cr_min_post():
        return []
    return [
        ("salvage_outcome", i, "no_cr"),
        ("t_cr", i, np.nan),
        ("t_relapse2", i, np.nan),
        ("salvage_outcome", j, "cr"),
        ("t_cr", j, new_cr),
        ("t_relapse2", j, new_rel),
    ]


def marrow_rows(c: pd.DataFrame) -> np.ndarray:
    """Row positions of those who progressed with marrow disease (they carry blasts).

    Examples
    --------
    >>> c = pd.DataFrame({"progressed": [1, 1, 0, 1], "site": ["bm", "em_only", "na", "bm_em"]})
    >>> marrow_rows(c).tolist()
    [0, 3]
    """
    keep = (np.asarray(c["progressed"]) == 1) & np.isin(np.asarray(c["site"]), ["bm", "bm_em"])
    return np.flatnonzero(keep)


def _blast_move(prog: pd.Index) -> Move:
    """Move one interior marrow-blast value within its half (median and range stay)."""
    anchors = _blast_anchors()

    def move_blasts(c: pd.DataFrame, rng: np.random.Generator) -> list[Change]:
        rows = prog[c.loc[prog, "site"].isin(["bm", "bm_em"]).to_numpy()]
        change = interior_change(c.loc[rows, "blasts"], anchors, 1.0, rng)
        return [] if change is None else [("blasts", *change)]

    return move_blasts


def remission_values(
    current: np.ndarray, cap: np.ndarray, anchors: tuple[float, float, float]
) -> np.ndarray:
    """Remission durations with the printed median and range, each near its current one.

    Rank by ``cap`` (the longest remission each patient's times allow): the lowest cap
    takes the minimum, the highest the maximum, the middle one the median; the others
    keep their current duration, clipped into their half and under their cap where
    the half allows. A value above its cap needs a later relapse or an earlier first
    salvage (:func:`place_remission`).
    Needs an odd count (the median is then one of the values).

    Examples
    --------
    >>> cur = np.array([1.2, 3.0, 9.0, 40.0, 5.0])
    >>> remission_values(cur, np.array([1.5, 4.0, 10.0, 60.0, 6.0]), (4.5, 2.1, 32.1)).tolist()
    [2.1, 3.0, 9.0, 32.1, 4.5]
    """
    med, lo, hi = anchors
    n = len(current)
    if n < 3 or n % 2 == 0:
        raise ValueError(f"remission_values needs an odd count of at least 3, got {n}")
    order = np.argsort(cap, kind="stable")
    out = np.empty(n)
    for rank, k in enumerate(order):
        if rank in (0, n - 1, n // 2):
            out[k] = lo if rank == 0 else (hi if rank == n - 1 else med)
            continue
        a, b = (lo, med) if rank < n // 2 else (med, hi)
        out[k] = np.clip(current[k], a, max(a, min(b, cap[k])))
    return np.round(out, 2)


def place_remission() -> Move:
    """Put the CR remissions on the printed median (range) at once (Figure 3A text).

    Only the remission target reads ``t_cr``, so the CR times move freely between the
    first salvage and the end of remission; where a remission cannot reach its value,
    a relapse that ends it comes later, or else the first salvage comes earlier (the
    event-free survival from salvage and the salvage time-dependent HR then change,
    and the search weighs that).
    """
    anchors = _anchors("salv_remission_duration_median")

    def place(c: pd.DataFrame, rng: np.random.Generator) -> list[Change]:
        t_cr = c["t_cr"].to_numpy(float)
        rows = np.flatnonzero(~np.isnan(t_cr))
        if rows.size < 3 or rows.size % 2 == 0:
            return []
        rel = c["t_relapse2"].to_numpy(float)[rows]
        post = c["t_post"].to_numpy(float)[rows]
        end = np.where(np.isnan(rel), post, rel)
        start = c["t_salvage"].to_numpy(float)[rows]
        cap = np.round(end - start - 0.01, 2)
        values = remission_values(np.round(end - t_cr[rows], 2), cap, anchors)
        out: list[Change] = []
        for k, i in enumerate(rows):
            new_cr = round(float(end[k] - values[k]), 2)
            if values[k] > cap[k] and round(start[k] + 0.01 + values[k], 2) < post[k]:
                new_cr = round(start[k] + 0.01, 2)  # a later relapse ends the remission
                out.append(("t_relapse2", int(i), round(new_cr + values[k], 2)))
            elif values[k] > cap[k]:
                if new_cr - 0.01 < 0.01:
                    return []
                out.append(("t_salvage", int(i), round(new_cr - 0.01, 2)))
            if new_cr != t_cr[i]:
                out.append(("t_cr", int(i), new_cr))
        return out

    return place


def moves(c: pd.DataFrame, fixed_cr: pd.Series, tune: dict) -> dict[str, Move]:
    """Moves of the post-progression columns; each keeps every count and fact above.

    Examples
    --------
    >>> from carbook.studies.wudhikarn2021 import model
    >>> from carbook.reconstruct.spec import load_spec
    >>> c, _ = model.build(load_spec("wudhikarn2021"), np.random.default_rng(3))
    >>> sorted(moves(c, printed_cr(c), {"sigma": 0.35}))[:3]
    ['move_blasts', 'move_cr', 'move_salvage']
    """
    b = _bounds(c)
    f = table_facts().reindex(c["id"]).set_index(c.index)
    in_table = pd.Series(f["first_tx"].notna().to_numpy(), index=c.index)
    prog = c.index[c["progressed"] == 1]
    return {
        "swap_salvage": _salvage_swap(prog, prog[~fixed_cr.loc[prog].to_numpy()], in_table, b),
        "move_salvage": _salvage_time(prog, b, tune),
        "swap_cd19": _column_swap(prog, "cd19", f["cd19"].notna()),
        "swap_site": _column_swap(prog, "site", f["site"].notna(), ("blasts",)),
        "move_blasts": _blast_move(prog),
        "move_cr": _cr_time(prog, tune),
    }


def death_causes(c: pd.DataFrame, counts: pd.Series, rng: np.random.Generator) -> None:
    """Add ``death_cause`` in place, after calibration (no target reads it).

    Among the 31 deaths after progression: disease 24, salvage-related 3, unknown 4,
    with Tables 4 and 5 where they agree (MSK29 is "disease" in Table 4 but
    "unknown" in Table 5, and is left free). Deaths without progression:
    ``"not_published"``; alive: empty.

    Raises
    ------
    ValueError
        If the table facts need more deaths of a cause than published.

    Examples
    --------
    >>> from carbook.reconstruct.run import load_cohort
    >>> c = load_cohort("wudhikarn2021")
    >>> c.loc[c["progressed"] == 1, "death_cause"].value_counts().to_dict()
    {'disease': 24, 'unknown': 4, 'trm': 3}
    """
    t4, t5 = load_table4().set_index("id"), load_table5().set_index("id")
    both = pd.concat([t4["cause_of_death"], t5["cause_of_death"]], axis=1, keys=["t4", "t5"])
    both = both.replace("", np.nan)
    consistent = both["t4"].isna() | both["t5"].isna() | (both["t4"] == both["t5"])
    agreed = both["t4"].fillna(both["t5"]).where(consistent)
    dead_prog = c.index[(c["progressed"] == 1) & (c["dead"] == 1)]
    fixed = c.loc[dead_prog, "id"].map(agreed)
    value = {k: int(v) for k, v in counts.items()}
    levels = {"trm": value["death_trm"], "unknown": value["death_unknown"]}
    cause = pd.Series("", index=c.index, dtype=object)
    cause[(c["progressed"] == 0) & (c["dead"] == 1)] = "not_published"
    cause[dead_prog] = _deal(dead_prog, levels, "disease", fixed, rng)
    c["death_cause"] = cause
