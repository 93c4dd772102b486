"""static_then_interactive: the default result shows, and a moved control redraws."""

import ipywidgets as ipw
import matplotlib.pyplot as plt
import pandas as pd
import pytest

from carbook import widgets


def _table(n, label="x"):
    return pd.DataFrame({label: range(n)})


def test_default_result_is_displayed_once_and_output_area_starts_empty(capsys):
    ui = widgets.static_then_interactive(_table, n=ipw.IntSlider(value=2, min=1, max=9))
    shown = capsys.readouterr().out
    assert shown.count("   x\n") == 1  # the default table, printed once
    assert ui.output.outputs == ()  # nothing duplicated into the saved widget state


@pytest.mark.parametrize(
    "control",
    [ipw.IntSlider(value=2, min=1, max=9), ipw.Dropdown(options=[2, 5], value=2)],
    ids=["slider", "dropdown"],
)
def test_moving_a_control_shows_the_new_result(control, capsys):
    ui = widgets.static_then_interactive(_table, n=control, label=ipw.fixed("rows"))
    control.value = 5
    (out,) = ui.output.outputs
    assert out["output_type"] == "display_data"
    assert "4" in out["data"]["text/plain"]  # 5 rows: 0..4
    assert "rows" in out["data"]["text/html"]
    control.value = 2
    (out,) = ui.output.outputs  # replaced, not appended
    assert "4" not in out["data"]["text/plain"]


def test_every_control_redraws():
    a, b = ipw.IntSlider(value=1), ipw.Text(value="p")
    ui = widgets.static_then_interactive(lambda n, s: s * n, n=a, s=b)
    a.value = 3
    assert ui.output.outputs[0]["data"]["text/plain"] == "'ppp'"
    b.value = "q"
    assert ui.output.outputs[0]["data"]["text/plain"] == "'qqq'"


def test_a_figure_is_closed_after_display():
    def fig(n):
        f, ax = plt.subplots()
        ax.plot(range(n))
        return f

    before = len(plt.get_fignums())
    ui = widgets.static_then_interactive(fig, n=ipw.IntSlider(value=2))
    ui.children[0].value = 4
    assert len(plt.get_fignums()) == before
    assert ui.output.outputs


def test_an_error_is_shown_in_the_output_area():
    ui = widgets.static_then_interactive(lambda n: 1 // n, n=ipw.IntSlider(value=1))
    ui.children[0].value = 0
    (out,) = ui.output.outputs
    assert out["name"] == "stderr" and "ZeroDivisionError" in out["text"]
