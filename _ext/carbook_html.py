"""Sphinx hooks for the book's HTML (a jupyter-book ``local_extensions`` entry).

- Each chapter can be downloaded as the notebook executed during the build
  (``.ipynb`` with outputs), not only as its MyST source, which needs jupytext.
- Pages open in light mode: without a default, the theme logs "Got invalid theme
  mode" on a reader's first visit (and the figures are drawn for a white page).
- Every script tag appears once: sphinx-thebe registers its configuration script
  twice in a jupyter-book build, and the second ``const THEBE_JS_URL`` throws
  "Identifier 'THEBE_JS_URL' has already been declared" on every page.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx


def _unique_scripts(context: dict[str, Any]) -> None:
    scripts = context.get("script_files")
    if not scripts:
        return
    seen: list[tuple[str, str]] = []
    unique = []
    for script in scripts:
        # the same inline script is registered once as filename None, once as ""
        key = (str(script.filename or ""), repr(sorted(script.attributes.items())))
        if key not in seen:
            seen.append(key)
            unique.append(script)
    scripts[:] = unique


def _executed_notebook(app: Sphinx, pagename: str) -> Path | None:
    path = Path(app.outdir).parent / "jupyter_execute" / f"{pagename}.ipynb"
    return path if path.is_file() else None


def _add_notebook_download(app: Sphinx, pagename: str, context: dict[str, Any]) -> None:
    source = _executed_notebook(app, pagename)
    groups = [b for b in context.get("header_buttons", []) if b.get("label") == "download-buttons"]
    if source is None or not groups:
        return
    target = Path(app.outdir) / "_sources" / f"{pagename}.ipynb"
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(source, target)
    buttons = groups[0]["buttons"]
    if any(b.get("label") == "download-notebook-button" for b in buttons):
        return
    buttons.insert(
        0,
        {
            "type": "link",
            "url": f"{context['pathto']('_sources', 1)}/{pagename}.ipynb",
            "text": ".ipynb",
            "icon": "fas fa-code",
            "tooltip": "Download the executed notebook (open it in JupyterLab)",
            "label": "download-notebook-button",
        },
    )


def page_context(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    """Run after sphinx-book-theme's own ``html-page-context`` handlers."""
    _unique_scripts(context)
    _add_notebook_download(app, pagename, context)


def light_by_default(app: Sphinx, config: Any) -> None:
    """Give the theme a default colour mode (jupyter-book sets none).

    pydata-sphinx-theme reads ``default_mode`` from the HTML context (a theme option
    of that name is refused).
    """
    config.html_context.setdefault("default_mode", "light")


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the hooks."""
    app.connect("config-inited", light_by_default)
    app.connect("html-page-context", page_context, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
