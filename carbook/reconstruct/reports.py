"""Calibration reports across seeds: how many printed numbers each SYNTHETIC cohort meets.

The chapters quote these counts through ``glue``; nothing here is typed by hand.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from carbook.data.synthetic import LABEL, cohort_path

__all__ = ["load_report", "met_by_seed"]


def load_report(study: str, seed: int = 1, directory: Path | None = None) -> pd.DataFrame:
    """A committed calibration report (one row per printed part), checked to be SYNTHETIC.

    ``directory`` reads a report written by ``python -m carbook reconstruct --out DIR``.

    Raises
    ------
    ValueError
        If the file is missing or a row lacks the ``SYNTHETIC`` label.

    Examples
    --------
    >>> rep = load_report("xu2023")
    >>> bool(rep["within"].all())
    True
    """
    path = cohort_path(study, seed, "calibration", directory)
    if not path.is_file():
        raise ValueError(f"missing {path}; run: python -m carbook reconstruct {study} --out DIR")
    rep = pd.read_csv(path, dtype={"printed": str}, keep_default_na=False)
    bad = rep.index[rep.get("synthetic", pd.Series("", index=rep.index)) != LABEL]
    if len(bad):
        raise ValueError(f"{path}, line {int(bad[0]) + 2}: column synthetic is not {LABEL}")
    return rep


def met_by_seed(study: str, seeds: Iterable[int], directory: Path | None = None) -> pd.DataFrame:
    """Per seed: printed parts met, of how many; plus a row ``all`` met by every seed.

    ``directory``: the reports of ``python -m carbook reconstruct --out DIR``.

    Examples
    --------
    >>> t = met_by_seed("wudhikarn2021", range(1, 3))
    >>> int(t.loc["all", "met"]) <= int(t.loc[[1, 2], "met"].min())
    True
    """
    within = {
        s: load_report(study, s, directory).set_index(["claim", "part"])["within"] for s in seeds
    }
    table = pd.DataFrame(within)
    out = pd.DataFrame({"met": table.sum(), "of": table.count()})
    out.loc["all"] = [int(table.all(axis=1).sum()), len(table)]
    return out.rename_axis("seed")
