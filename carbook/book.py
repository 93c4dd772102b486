"""Book assembly: every study's reproductions scored against its registry.

The scorecard (:mod:`carbook.scorecard`) compares what it is given and knows no
study; this module hands it each study's reproductions (:mod:`carbook.studies`).
The chapters and ``python -m carbook scorecard`` call the same functions, so they
cannot disagree.
"""

from __future__ import annotations

from pathlib import Path

import jupytext
import nbformat
import pandas as pd

from carbook.published import load_published, studies
from carbook.scorecard import score
from carbook.studies import reproduce

__all__ = ["book_scorecard", "nbval_notebook", "study_scorecard", "write_nbval_notebooks"]


def study_scorecard(study: str) -> pd.DataFrame:
    """Score one study with the reproductions its module computes (if any).

    Examples
    --------
    >>> from carbook.scorecard import STATUSES
    >>> sc = study_scorecard("zhang2021")
    >>> set(sc["status"]) <= set(STATUSES)
    True
    """
    return score(load_published(study), reproduce(study))


def book_scorecard() -> pd.DataFrame:
    """The whole-book scorecard: every published number of every study.

    Examples
    --------
    >>> sc = book_scorecard()
    >>> sorted(sc["study"].unique()) == studies()
    True
    """
    return pd.concat([study_scorecard(s) for s in studies()], ignore_index=True)


#: the cell :func:`nbval_notebook` appends to a chapter that makes explorers
MOVE_CELL = (
    "# Added for nbval (not in the chapter): move every control, check each redraws.\n"
    "from carbook.widgets import move_every_control\n"
    "\n"
    "move_every_control(expected={expected})"
)


def nbval_notebook(chapter: Path) -> nbformat.NotebookNode:
    """The chapter as a notebook for nbval, with a last cell moving every widget control.

    A chapter whose explorers (``static_then_interactive``) are made gets a last
    code cell calling :func:`carbook.widgets.move_every_control` with their number,
    so that nbval, which runs each notebook in a live IPython kernel, also fails
    when a control redraws nothing or an explorer is missing. Other chapters are
    converted unchanged (``jupytext --to ipynb``).

    Examples
    --------
    >>> nb = nbval_notebook(Path("chapters/zhang2021_counts.md"))
    >>> print(nb.cells[-1].source.splitlines()[-1])
    move_every_control(expected=1)
    >>> nbval_notebook(Path("chapters/intro.md")).cells[-1].source.startswith("# Added")
    False
    """
    nb = jupytext.read(chapter)
    expected = chapter.read_text(encoding="utf-8").count("static_then_interactive(")
    if expected:
        source = MOVE_CELL.format(expected=expected)
        nb.cells.append(nbformat.v4.new_code_cell(source))
    return nb


def write_nbval_notebooks(chapters: list[Path], directory: Path) -> list[Path]:
    """Write :func:`nbval_notebook` of each chapter to ``directory``; return the paths.

    Raises
    ------
    ValueError
        If a chapter is not a MyST Markdown file that exists.
    """
    paths = []
    for chapter in chapters:
        if chapter.suffix != ".md" or not chapter.is_file():
            raise ValueError(f"chapters: {chapter} is not a MyST Markdown chapter")
        path = directory / f"{chapter.stem}.ipynb"
        nbformat.write(nbval_notebook(chapter), path)
        paths.append(path)
    return paths
