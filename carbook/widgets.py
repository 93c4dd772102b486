"""Thin ipywidgets wiring around pure functions.

A widget needs a live kernel: in the static book its area is empty. Every widget
here therefore displays the default result first, as an ordinary figure or table,
then the controls and an output area that shows the result of the current
settings as soon as a control moves. The chapters tag such cells ``widget``; a test
of the built HTML checks that each of them shows something.

``ipywidgets.interactive`` is not used: it does not display what the function
*returns* (its ``auto_display`` is off), so a moved control showed nothing.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import Any, ClassVar

import ipywidgets as widgets
import matplotlib.pyplot as plt
from IPython.core.formatters import DisplayFormatter
from IPython.display import display
from matplotlib.figure import Figure

__all__ = ["LIVE_NOTE", "Explorer", "live_note", "move_every_control", "static_then_interactive"]

LIVE_NOTE = (
    "Interactive version: open this chapter in JupyterLab (`make lab` in a clone of the "
    "repository, see the introduction) to move the controls. The static result above "
    "shows the default settings."
)


def live_note() -> Any:
    """The :data:`LIVE_NOTE` as a Markdown admonition-like block for a ``remove-input`` cell.

    Returns
    -------
    IPython.display.Markdown
        Rendered as a paragraph in the book (not as a code box).

    Examples
    --------
    >>> live_note().data.startswith("*Interactive version")
    True
    """
    from IPython.display import Markdown

    return Markdown(f"*{LIVE_NOTE}*")


def _formatted(result: Any) -> dict[str, Any]:
    """One ``display_data`` output (a Jupyter output dict) for ``result``."""
    from IPython import get_ipython

    shell = get_ipython()
    if shell is not None:
        data, metadata = shell.display_formatter.format(result)
    else:  # plain Python (tests, doctests): text/html and text/plain only
        data, metadata = DisplayFormatter().format(result)
    if isinstance(result, Figure):
        plt.close(result)  # shown once here, never again by the inline backend
    return {"output_type": "display_data", "data": data, "metadata": metadata}


class Explorer(widgets.VBox):
    """Controls and an output area redrawn whenever a control moves.

    Parameters
    ----------
    func : callable
        Pure function returning something displayable (figure, DataFrame).
    controls : dict
        ipywidgets value controls keyed by ``func``'s arguments.
    fixed : dict
        Other arguments of ``func``, passed unchanged.
    """

    _made: ClassVar[weakref.WeakSet[Explorer]] = weakref.WeakSet()

    @classmethod
    def instances(cls) -> list[Explorer]:
        """Every explorer made in this kernel (a live-kernel test moves their controls)."""
        return list(cls._made)

    def __init__(
        self,
        func: Callable[..., Any],
        controls: dict[str, widgets.ValueWidget],
        fixed: dict[str, Any],
    ) -> None:
        self.func, self.controls, self.fixed = func, controls, fixed
        self.output = widgets.Output()
        super().__init__([*controls.values(), self.output])
        for control in controls.values():
            control.observe(self.redraw, names="value")
        Explorer._made.add(self)

    def arguments(self) -> dict[str, Any]:
        """The arguments of ``func`` at the controls' current values."""
        return {**self.fixed, **{k: c.value for k, c in self.controls.items()}}

    def redraw(self, change: object = None) -> None:
        """Replace the output area's content by ``func`` at the current values.

        Exceptions are shown in the output area, as a traceback would be, instead of
        being lost in the kernel's log.
        """
        try:
            output = _formatted(self.func(**self.arguments()))
        except Exception as err:  # shown to the reader, not swallowed
            text = f"{type(err).__name__}: {err}"
            output = {"output_type": "stream", "name": "stderr", "text": text}
        self.output.outputs = (output,)


def static_then_interactive(func: Callable[..., Any], **controls: Any) -> Explorer:
    """Display ``func`` at the controls' default values, then the live controls.

    The default result is an ordinary output (it shows in the static book). Below
    it, the controls and an output area that is empty until a control moves; then
    it shows ``func`` at the new values. End the cell with ``;`` or assign the
    result, or Jupyter echoes the controls a second time.

    Parameters
    ----------
    func : callable
        Pure function returning something displayable (figure, DataFrame).
    **controls
        ipywidgets value controls, ``ipywidgets.fixed`` values or plain values,
        keyed by ``func``'s arguments. Plain values are passed unchanged.

    Returns
    -------
    Explorer
        The controls and their output area (already displayed).

    Examples
    --------
    >>> slider = widgets.IntSlider(value=3)
    >>> ui = static_then_interactive(lambda n: n * 2, n=slider)  # doctest: +ELLIPSIS
    6
    Explorer(...)
    >>> slider.value = 5
    >>> ui.output.outputs[0]["data"]["text/plain"]
    '10'
    """
    live = {k: v for k, v in controls.items() if isinstance(v, widgets.ValueWidget)}
    fixed = {
        k: (v.value if isinstance(v, widgets.fixed) else v)
        for k, v in controls.items()
        if k not in live
    }
    ui = Explorer(func, live, fixed)
    default = func(**ui.arguments())
    display(default)
    if isinstance(default, Figure):
        plt.close(default)
    display(ui)
    return ui


#: what a redrawn output area must show: a figure or a table, not just text
SHOWN = frozenset({"image/svg+xml", "image/png", "text/html"})


def _move(control: widgets.ValueWidget) -> None:
    """Move ``control`` to another value: the next option, else its max (or min)."""
    if isinstance(control, widgets.widget_selection._Selection):
        control.index = (control.index + 1) % len(control.options)
    elif control.value != control.max:
        control.value = control.max
    else:
        control.value = control.min


def move_every_control(expected: int) -> list[str]:
    """Move every control of every :class:`Explorer` made in this kernel; check each redraws.

    ``make nbval`` appends a call to each chapter that has widgets (see
    :func:`carbook.book.nbval_notebook`), so that nbval, running the chapter in a real
    IPython kernel (the inline backend, as in JupyterLab), also fails when a control
    redraws nothing: its output area must then hold one display of a figure or a
    table (:data:`SHOWN`).

    Parameters
    ----------
    expected : int
        The number of explorers the chapter makes (its ``static_then_interactive``
        calls): fewer means one was never displayed.

    Returns
    -------
    list of str
        The names of the controls moved, one per move.

    Raises
    ------
    AssertionError
        Naming the control, if the explorers are not ``expected`` or a move shows
        no figure or table.

    Examples
    --------
    >>> import pandas as pd
    >>> Explorer._made.clear()
    >>> n = widgets.IntSlider(value=1, max=3)
    >>> _ = static_then_interactive(lambda n: pd.DataFrame({"n": [n]}), n=n)  # doctest: +ELLIPSIS
    n...
    >>> move_every_control(1)
    ['n']
    >>> _ = Explorer(lambda n: None, {"n": widgets.IntSlider()}, {})
    >>> move_every_control(2)
    Traceback (most recent call last):
    ...
    AssertionError: control 'n' redrew ['text/plain'], not a figure or table
    """
    explorers = Explorer.instances()
    if len(explorers) != expected:
        raise AssertionError(f"{len(explorers)} explorers, expected {expected}")
    moved = []
    for ui in explorers:
        for name, control in ui.controls.items():
            ui.output.outputs = ()
            _move(control)
            outputs = ui.output.outputs
            shown = sorted(outputs[0].get("data", {})) if len(outputs) == 1 else []
            if not SHOWN & set(shown):
                raise AssertionError(f"control {name!r} redrew {shown}, not a figure or table")
            moved.append(name)
    return moved
