"""Checks on the built HTML (run by `make html-test` after `make book`)."""

import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

HTML = Path(__file__).resolve().parents[2] / "_build" / "html"
PAGES = sorted((HTML / "chapters").glob("*.html")) if HTML.is_dir() else []


def _soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def test_book_was_built():
    assert PAGES, f"no chapter pages under {HTML}; run `make book` first"


def test_favicon_is_served_at_the_root():
    """The root index.html only redirects to the first chapter and names no icon, so a
    browser asks for /favicon.ico (a 404 before; the Makefile's vendor step copies it)."""
    assert (HTML / "favicon.ico").read_bytes() == (
        HTML.parents[1] / "images" / "favicon.ico"
    ).read_bytes()


def _widget_cells():
    return [
        (p.name, i, c) for p in PAGES for i, c in enumerate(_soup(p).select("div.cell.tag_widget"))
    ]


def test_book_has_widget_cells():
    assert _widget_cells(), "no cell tagged 'widget' in the built book"


@pytest.mark.parametrize(("page", "index", "cell"), _widget_cells())
def test_widget_cell_shows_a_static_result(page, index, cell):
    out = cell.select_one("div.cell_output")
    assert out is not None, f"{page}: widget cell {index} has no output"
    visible = out.find_all("img") + out.find_all("table")
    assert visible, f"{page}: widget cell {index} shows no static figure or table"


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_page_has_no_error_output(page):
    soup = _soup(page)
    assert not soup.select("div.output.traceback"), f"{page.name} shows a traceback"
    assert "Traceback (most recent call last)" not in soup.get_text()
    stderr = [o.get_text()[:120] for o in soup.select("div.output.stderr")]
    assert not stderr, f"{page.name} shows warnings or other stderr output: {stderr}"


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_every_survival_figure_cell_shows_its_figure(page):
    """km_figure/cif_figure cells render (their at-risk tables: tests/test_chapters.py)."""
    for cell in _soup(page).select("div.cell"):
        source = cell.select_one("div.cell_input")
        if source and ("km_figure(" in source.get_text() or "cif_figure(" in source.get_text()):
            assert cell.select("div.cell_output img"), f"{page.name}: survival figure not drawn"


def _static_figure_cells():
    """Every cell outside a widget whose output shows an image."""
    return [
        (p.name, i, c)
        for p in PAGES
        for i, c in enumerate(_soup(p).select("div.cell:not(.tag_widget)"))
        if c.select("div.cell_output img")
    ]


def test_book_has_static_figure_cells():
    assert _static_figure_cells(), "no figure cell found in the built book"


@pytest.mark.parametrize(("page", "index", "cell"), _static_figure_cells())
def test_static_figure_has_numbered_caption_and_alt_text(page, index, cell):
    """Figures carry a numbered caption and alt text (cell metadata ``mystnb.figure``)."""
    imgs = cell.select("div.cell_output img")
    assert imgs, f"{page}: figure cell {index} draws nothing"
    for img in imgs:
        figure = img.find_parent("figure")
        assert figure is not None, f"{page}: figure cell {index} has no figure caption"
        caption = figure.select_one("figcaption span.caption-number")
        assert caption and caption.get_text().startswith("Book figure"), (
            f"{page}: figure cell {index} is not numbered as a book figure"
        )
        assert len(img.get("alt", "")) > 20, f"{page}: figure cell {index} has no alt text"


def _named_figures():
    """(page, figure name) for every ``mystnb: figure: name:`` in a chapter's source."""
    out = []
    for src in sorted((HTML.parents[1] / "chapters").glob("*.md")):
        pattern = r"^mystnb:\n  figure:\n(?:    .*\n)*?    name: (\S+)$"
        names = re.findall(pattern, src.read_text(), re.M)
        out += [(src.stem + ".html", name) for name in names]
    return out


def test_chapters_name_figures():
    assert _named_figures(), "no named figure found in the chapters"


@pytest.mark.parametrize(("page", "name"), _named_figures())
def test_named_figure_is_drawn(page, name):
    """A cell that names a figure must output one (a trailing ';' draws nothing)."""
    figure = _soup(HTML / "chapters" / page).select_one(f"figure#{name}")
    assert figure is not None, f"{page}: figure {name} is not in the built page"
    assert figure.select("img"), f"{page}: figure {name} has no image"


def test_scorecard_appendix_lists_every_study():
    text = _soup(HTML / "chapters" / "scorecard.html").get_text()
    for study in ("gauthier2021", "wudhikarn2021", "xu2023", "zhang2021"):
        assert study in text
