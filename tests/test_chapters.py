"""Source-level rules for the chapters (the executed checks are nbval and tests/html)."""

import re
from pathlib import Path

import pytest

CHAPTERS = sorted((Path(__file__).resolve().parents[1] / "chapters").glob("*.md"))
#: lifelines' own plotting draws no number-at-risk table unless asked to
BARE_PLOTS = re.compile(
    r"\.plot_(survival_function|cumulative_density|cumulative_hazard)\(|\b(kmf|ajf)\w*\.plot\("
)


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.name)
def test_survival_curves_are_drawn_with_an_at_risk_table(chapter):
    """Every KM or incidence figure goes through carbook.survplots (which adds the table)."""
    code = "\n".join(re.findall(r"```\{code-cell\}[^\n]*\n(.*?)```", chapter.read_text(), re.S))
    assert not BARE_PLOTS.findall(code), f"{chapter.name}: plot through carbook.survplots"


def test_rule_sees_a_bare_lifelines_plot():
    assert BARE_PLOTS.search("kmf.plot_survival_function(ax=ax)")
    assert BARE_PLOTS.search("kmf_os.plot(ci_show=True)")
    assert not BARE_PLOTS.search("km_figure(ends, 'Figure 1')")
    assert not BARE_PLOTS.search("ax.plot(x, y)")
