"""One citation style: author-year in the text and in every bibliography.

The text cites author-year (``bibtex_reference_style: author_year``) but
sphinxcontrib-bibtex labels bibliography entries with pybtex's ``alpha`` style
("[WFR+21]"). This registers ``authoryear``: pybtex's ``plain`` formatting (entries
sorted by author, year, title), labelled "Wudhikarn et al., 2021". Select it with
``bibtex_default_style: authoryear``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from pybtex.plugin import register_plugin
from pybtex.style.formatting.plain import Style as PlainStyle
from pybtex.style.labels import BaseLabelStyle
from sphinx.application import Sphinx


def _surname(person: Any) -> str:
    return " ".join(person.prelast_names + person.last_names).replace("{", "").replace("}", "")


def author_year(entry: Any) -> str:
    """'Surname, year', 'A and B, year' or 'A et al., year' for one bibliography entry."""
    people = entry.persons.get("author") or entry.persons.get("editor") or []
    names = [_surname(p) for p in people if _surname(p) != "others"]
    if not names:
        who = entry.fields.get("title", entry.key)[:30]
    elif len(people) == 1:
        who = names[0]
    elif len(people) == 2 and len(names) == 2:
        who = f"{names[0]} and {names[1]}"
    else:
        who = f"{names[0]} et al."
    return f"{who}, {entry.fields.get('year', 'n.d.')}"


class AuthorYearLabels(BaseLabelStyle):
    """Author-year labels, made unique with a, b, ... when two entries collide."""

    def format_labels(self, sorted_entries: Iterable[Any]) -> Iterator[str]:
        """Yield one label per entry, in the given order."""
        entries = list(sorted_entries)
        labels = [author_year(e) for e in entries]
        for label in labels:
            if labels.count(label) > 1:
                same = [i for i, lab in enumerate(labels) if lab == label]
                for n, i in enumerate(same):
                    labels[i] = f"{label}{chr(ord('a') + n)}"
        yield from labels


class AuthorYearStyle(PlainStyle):
    """pybtex's plain style with :class:`AuthorYearLabels`."""

    default_label_style = AuthorYearLabels


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the pybtex style (sphinxcontrib-bibtex looks it up by name)."""
    register_plugin("pybtex.style.formatting", "authoryear", AuthorYearStyle)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
