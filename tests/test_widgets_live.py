"""Every widget of every chapter redraws in a live kernel.

Each chapter that uses ``static_then_interactive`` is converted to a notebook and run
by nbclient in a real IPython kernel (the inline matplotlib backend, as in
JupyterLab); a last cell then moves every control of every explorer and asserts
that the explorer's output area shows a new result each time.
"""

from pathlib import Path

import jupytext
import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = sorted(
    p for p in (ROOT / "chapters").glob("*.md") if "static_then_interactive" in p.read_text()
)

DRIVE = """
import ipywidgets as ipw
from carbook.widgets import Explorer

def _move(control):
    if isinstance(control, ipw.widgets.widget_selection._Selection):
        control.index = (control.index + 1) % len(control.options)
    elif control.value != control.max:
        control.value = control.max
    else:
        control.value = control.min

moved = []
for ui in Explorer.instances():
    for name, control in ui.controls.items():
        ui.output.outputs = ()
        _move(control)
        (out,) = ui.output.outputs
        assert out["output_type"] == "display_data", (name, out)
        shown = set(out["data"]) & {"image/svg+xml", "image/png", "text/html"}
        assert shown, (name, list(out["data"]))
        moved.append(name)
print("moved:", len(Explorer.instances()), len(moved), sorted(moved))
"""


def test_some_chapters_have_widgets():
    assert len(CHAPTERS) >= 4


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_every_control_redraws_in_a_live_kernel(chapter):
    nb = jupytext.read(chapter)
    nb.cells.append(nbformat.v4.new_code_cell(DRIVE))
    resources = {"metadata": {"path": str(chapter.parent)}}
    NotebookClient(nb, timeout=600, kernel_name="python3", resources=resources).execute()
    text = "".join(o.get("text", "") for o in nb.cells[-1].outputs)
    calls = chapter.read_text().count("static_then_interactive(")
    assert text.startswith("moved:"), text
    explorers, controls = int(text.split()[1]), int(text.split()[2])
    assert explorers == calls, f"{chapter.name}: {explorers} explorers for {calls} calls"
    assert controls >= explorers, text
