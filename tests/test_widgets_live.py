"""Every widget of every chapter redraws in a live kernel.

``make nbval`` runs each chapter in a real IPython kernel (the inline matplotlib
backend, as in JupyterLab). :func:`carbook.book.nbval_notebook` appends to each
chapter with explorers a last cell, :func:`carbook.widgets.move_every_control`, that
moves every control and fails when one redraws nothing. These tests check that the
cell is there for every such chapter and that, in a live kernel, it passes on
explorers that redraw and fails on one that does not.
"""

import ast
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from carbook.book import MOVE_CELL, nbval_notebook

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = sorted(
    p for p in (ROOT / "chapters").glob("*.md") if "static_then_interactive(" in p.read_text()
)


def test_some_chapters_have_widgets():
    assert len(CHAPTERS) >= 4


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_nbval_notebook_moves_every_explorer_of_the_chapter(chapter):
    calls = chapter.read_text().count("static_then_interactive(")
    last = nbval_notebook(chapter).cells[-1]
    assert last.cell_type == "code"
    assert last.source == MOVE_CELL.format(expected=calls)


def test_chapters_without_widgets_are_converted_unchanged():
    plain = sorted(set((ROOT / "chapters").glob("*.md")) - set(CHAPTERS))
    assert plain, "every chapter has widgets: nothing to compare"
    for chapter in plain:
        assert "move_every_control" not in nbval_notebook(chapter).cells[-1].source


EXPLORERS = """
import ipywidgets as ipw
import matplotlib.pyplot as plt
import pandas as pd
from carbook.widgets import static_then_interactive

def curve(k):
    fig, ax = plt.subplots()
    ax.plot([0, 1], [0, k])
    return fig

static_then_interactive(curve, k=ipw.IntSlider(value=1, max=3));
static_then_interactive(lambda group: pd.DataFrame({"g": [group]}),
                        group=ipw.Dropdown(options=["a", "b"]));
"""


def _run(*sources: str) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources])
    NotebookClient(nb, timeout=120, kernel_name="python3").execute()
    return nb


def test_move_cell_passes_in_a_live_kernel_when_every_control_redraws():
    nb = _run(EXPLORERS, MOVE_CELL.format(expected=2))
    (out,) = nb.cells[-1].outputs
    assert out["output_type"] == "execute_result"
    # Explorer.instances() comes from a WeakSet: any order
    assert sorted(ast.literal_eval(out["data"]["text/plain"])) == ["group", "k"]


def test_move_cell_fails_in_a_live_kernel_on_a_control_that_redraws_nothing():
    dud = "static_then_interactive(lambda n: None, n=ipw.IntSlider());"
    with pytest.raises(CellExecutionError, match="control 'n' redrew \\['text/plain'\\]"):
        _run(EXPLORERS, dud, MOVE_CELL.format(expected=3))


def test_move_cell_fails_when_an_explorer_is_missing():
    with pytest.raises(CellExecutionError, match="2 explorers, expected 3"):
        _run(EXPLORERS, MOVE_CELL.format(expected=3))


def test_notebooks_command_writes_one_notebook_per_chapter_and_names_a_bad_one(tmp_path, capsys):
    from carbook.__main__ import main

    chapter = ROOT / "chapters" / "intro.md"
    assert main(["notebooks", str(chapter), "--out", str(tmp_path)]) == 0
    assert [p.name for p in tmp_path.iterdir()] == ["intro.ipynb"]
    assert main(["notebooks", str(tmp_path / "intro.ipynb"), "--out", str(tmp_path)]) == 2
    assert "intro.ipynb is not a MyST Markdown chapter" in capsys.readouterr().err
