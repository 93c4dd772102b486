"""Let ``make book`` read and write the chapters in parallel (Sphinx ``-j``).

Sphinx reads in parallel only if every extension declares itself safe. Two of
jupyter-book's extensions declare nothing, so Sphinx assumes they are not and reads
(and executes) the chapters one at a time. For the HTML builder they are safe, and
this extension says so once they are loaded:

- ``sphinx_multitoc_numbering`` only replaces ``TocTreeCollector.
  assign_section_numbers``, which runs in the main process on the merged
  environment, after the parallel read;
- ``sphinx_jupyterbook_latex`` registers node classes and transforms that act only
  for the LaTeX builder (its ``builder-inited`` hook returns at once otherwise).

Checked by building the book with ``BOOK_JOBS=2`` (``_ext/build_book.py``) under ``-W``
and running the HTML tests on the result.
"""

from __future__ import annotations

from typing import Any

from sphinx.application import Sphinx
from sphinx.builders.html import StandaloneHTMLBuilder

#: extensions that declare nothing but are parallel-safe for HTML (see above)
UNDECLARED_SAFE = ("sphinx_multitoc_numbering", "sphinx_jupyterbook_latex")


def declare_parallel_safe(app: Sphinx) -> None:
    """Mark :data:`UNDECLARED_SAFE` parallel-safe, for HTML builders only."""
    if not isinstance(app.builder, StandaloneHTMLBuilder):
        return
    for name in UNDECLARED_SAFE:
        ext = app.extensions.get(name)
        if ext is not None and ext.parallel_read_safe is None:
            ext.parallel_read_safe = ext.parallel_write_safe = True


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the hook (it runs after every extension has been loaded)."""
    app.connect("builder-inited", declare_parallel_safe)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
