"""``jupyter-book build`` with Sphinx's parallel jobs, which its command line lacks.

jupyter-book 1.x builds through ``jupyter_book.sphinx.build_sphinx``, which accepts
``jobs`` (Sphinx's ``-j``), but its ``build`` command never passes it (upstream issue
jupyter-book#1735). myst-nb is parallel-safe, so with ``jobs=N`` Sphinx reads, and
myst-nb executes, N chapters at a time. Usage, as ``jupyter-book``::

    BOOK_JOBS=2 python _ext/build_book.py build -W --keep-going .
"""

import os
import sys

import jupyter_book.sphinx
from jupyter_book.cli.main import main

_build_sphinx = jupyter_book.sphinx.build_sphinx


def _parallel(*args, **kwargs):
    kwargs["jobs"] = int(os.environ.get("BOOK_JOBS") or os.cpu_count() or 1)
    return _build_sphinx(*args, **kwargs)


if __name__ == "__main__":
    jupyter_book.sphinx.build_sphinx = _parallel
    sys.exit(main())
