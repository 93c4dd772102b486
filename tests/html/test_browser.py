"""The built book in headless Chromium, at laptop (1366 px) and phone (390 px) width.

Every page is served from ``_build/html`` on 127.0.0.1 and opened once per width;
a full-page screenshot goes to ``_build/screenshots/``. The tests then check what a
reader offline would meet: console errors, requests that leave the local server,
widget cells, tables, figure widths on a phone, and exercise solutions that open.

Needs Debian's chromium (``make html-test`` installs it when run as root) and
playwright from PyPI; playwright's own browser download does not work offline.
"""

from __future__ import annotations

import functools
import http.server
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HTML = ROOT / "_build" / "html"
SHOTS = ROOT / "_build" / "screenshots"
CHROMIUM = Path("/usr/bin/chromium")
WIDTHS = (1366, 390)
PHONE_MIN_FIGURE = 340
PAGES = (
    sorted(
        p.relative_to(HTML).as_posix()
        for p in HTML.rglob("*.html")
        if "_static" not in p.parts
        and p.name not in ("search.html", "genindex.html")
        and 'http-equiv="refresh"' not in p.read_text(encoding="utf-8")[:2000].lower()
    )
    if HTML.is_dir()
    else []
)

# One evaluation per page: everything the tests below need to know.
MEASURE = """() => {
  const main = document.querySelector('main') || document.body;
  const tables = Array.from(main.querySelectorAll('table'));
  const overflowing = tables.filter(t => {
    let box = t;  // the table itself may be the scrolling box (display: block)
    while (box && box !== main) {
      const o = getComputedStyle(box).overflowX;
      if (o === 'auto' || o === 'scroll') return false;
      if (t.scrollWidth > box.clientWidth + 2) return true;
      box = box.parentElement;
    }
    return t.scrollWidth > main.clientWidth + 2;
  }).length;
  const ellipsis = tables.filter(t => Array.from(t.querySelectorAll('td, th'))
      .some(c => ['...', '…'].includes(c.textContent.trim()))).length;
  const figures = Array.from(main.querySelectorAll('.cell_output img'))
      .map(i => Math.round(i.getBoundingClientRect().width));
  const widgets = Array.from(main.querySelectorAll('div.cell.tag_widget')).map(c => ({
      static: c.querySelectorAll('.cell_output img, .cell_output table').length,
      controls: c.querySelectorAll('.widget-dropdown, .widget-slider, .widget-toggle-buttons,'
                                   + ' .widget-hslider, select, input').length,
  }));
  return {overflowing, ellipsis, figures, widgets,
          scrollX: document.documentElement.scrollWidth > window.innerWidth + 2};
}"""


def _serve(directory: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):  # keep pytest's output readable
            pass

    handler = functools.partial(Quiet, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


def _visit(context, base: str, rel: str, width: int) -> dict:
    page, notes = context.new_page(), {"console": [], "external": []}
    page.on(
        "console",
        lambda m: (
            m.type == "error"
            and not m.text.startswith("Failed to load resource")  # reported with its URL below
            and notes["console"].append(m.text[:200])
        ),
    )
    page.on(
        "response",
        lambda r: r.status >= 400 and notes["console"].append(f"{r.status}: {r.url[:160]}"),
    )
    page.on("pageerror", lambda e: notes["console"].append(f"page error: {str(e)[:200]}"))
    page.on(
        "request",
        lambda r: (
            not r.url.startswith((base, "data:", "blob:")) and notes["external"].append(r.url[:160])
        ),
    )
    page.goto(base + rel, wait_until="load")
    if page.query_selector("div.cell.tag_widget"):
        try:  # the widget manager renders the saved state after load
            page.wait_for_selector("div.cell.tag_widget .jupyter-widgets", timeout=15000)
        except Exception:  # reported by test_widget_controls_render
            pass
    page.wait_for_timeout(800)
    page.screenshot(path=str(SHOTS / f"{rel.replace('/', '_')[:-5]}_{width}.png"), full_page=True)
    notes.update(page.evaluate(MEASURE))
    notes["solutions"] = _open_solutions(page)
    page.close()
    return notes


def _open_solutions(page) -> list[bool]:
    """Click each solution's toggle; True where its content then shows."""
    opened = []
    for box in page.query_selector_all("main .solution.dropdown, main details.solution"):
        toggle = box.query_selector("button.toggle-button, summary, .admonition-title")
        if toggle is None:
            opened.append(False)
            continue
        toggle.scroll_into_view_if_needed()
        toggle.click()
        page.wait_for_timeout(300)
        body = box.query_selector(".cell, p:not(.admonition-title), div.highlight")
        opened.append(bool(body and body.is_visible()))
    return opened


def _visit_all(sync_api, base: str, width: int) -> dict[tuple[str, int], dict]:
    """Every page at one width, in a browser of its own (one playwright per thread)."""
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        context = browser.new_context(viewport={"width": width, "height": 900})
        out = {(rel, width): _visit(context, base, rel, width) for rel in PAGES}
        context.close()
        browser.close()
    return out


@pytest.fixture(scope="module")
def report() -> dict[tuple[str, int], dict]:
    """Each width in its own thread and browser: the two widths load at once."""
    sync_api = pytest.importorskip("playwright.sync_api")
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} missing: `make html-test` installs it (apt-get install chromium)")
    SHOTS.mkdir(parents=True, exist_ok=True)
    server, base = _serve(HTML)
    try:
        with ThreadPoolExecutor(max_workers=len(WIDTHS)) as pool:
            parts = list(pool.map(functools.partial(_visit_all, sync_api, base), WIDTHS))
    finally:
        server.shutdown()
        server.server_close()
    return {key: notes for part in parts for key, notes in part.items()}


CASES = [(rel, w) for w in WIDTHS for rel in PAGES]
IDS = [f"{rel.removesuffix('.html')}@{w}" for rel, w in CASES]


def test_pages_were_built():
    assert PAGES, f"no pages under {HTML}; run `make book` first"


@pytest.mark.parametrize(("rel", "width"), CASES, ids=IDS)
def test_no_console_errors(report, rel, width):
    assert not report[(rel, width)]["console"]


@pytest.mark.parametrize(("rel", "width"), CASES, ids=IDS)
def test_no_request_leaves_the_local_server(report, rel, width):
    assert not report[(rel, width)]["external"]


@pytest.mark.parametrize(("rel", "width"), CASES, ids=IDS)
def test_tables_are_whole_and_fit_or_scroll(report, rel, width):
    r = report[(rel, width)]
    assert r["overflowing"] == 0, "table wider than its container without a scrollbar"
    assert r["ellipsis"] == 0, "table truncated by pandas ('...' rows or columns)"
    assert not r["scrollX"], "the page itself scrolls sideways"


@pytest.mark.parametrize("rel", PAGES)
def test_figures_are_legible_on_a_phone(report, rel):
    narrow = [w for w in report[(rel, 390)]["figures"] if w < PHONE_MIN_FIGURE]
    assert not narrow, f"figures narrower than {PHONE_MIN_FIGURE} px at 390 px: {narrow}"


@pytest.mark.parametrize(("rel", "width"), CASES, ids=IDS)
def test_widget_cells_show_their_default_result_and_controls(report, rel, width):
    for i, cell in enumerate(report[(rel, width)]["widgets"]):
        assert cell["static"], f"widget cell {i} shows no default figure or table"
        assert cell["controls"], f"widget cell {i}: controls did not render from saved state"


@pytest.mark.parametrize("rel", PAGES)
def test_exercise_solutions_open(report, rel):
    opened = report[(rel, 1366)]["solutions"]
    assert all(opened), f"solutions that did not open: {[i for i, o in enumerate(opened) if not o]}"


def test_book_has_widgets_and_exercises(report):
    assert sum(len(r["widgets"]) for r in report.values()) >= 2 * 6
    assert sum(len(r["solutions"]) for r in report.values()) >= 5
