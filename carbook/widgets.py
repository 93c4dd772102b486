"""Thin ipywidgets wiring around pure functions.

A widget needs a live kernel: in the static book its area is empty. Every widget
here therefore displays the default result first, as an ordinary figure or table,
then the controls. The chapters tag such cells ``widget``; a test of the built
HTML checks that each of them shows something.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import ipywidgets as widgets
from IPython.display import display

__all__ = ["LIVE_NOTE", "static_then_interactive"]

LIVE_NOTE = (
    "Interactive version: open this chapter in JupyterLab (`make lab`, or download the "
    "notebook from the top bar) to move the controls. The static result above shows "
    "the default settings."
)


def static_then_interactive(func: Callable[..., Any], **controls: Any) -> widgets.Widget:
    """Display ``func`` at the controls' default values, then an interactive version.

    Parameters
    ----------
    func : callable
        Pure function returning something displayable (figure, DataFrame).
    **controls
        ipywidgets controls (or fixed values), keyed by ``func``'s arguments.

    Returns
    -------
    ipywidgets.Widget
        The interactive widget (already displayed).

    Examples
    --------
    >>> w = static_then_interactive(lambda n: n * 2, n=widgets.IntSlider(value=3))
    ... # doctest: +ELLIPSIS
    6
    ...
    >>> w.result
    6
    """
    defaults = {
        k: (v.value if isinstance(v, widgets.ValueWidget) else v) for k, v in controls.items()
    }
    display(func(**defaults))
    ui = widgets.interactive(func, **controls)
    display(ui)
    return ui
