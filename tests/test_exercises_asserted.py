"""Every exercise solution in every chapter is checked by a hidden assert cell.

A solution whose claims are not asserted can drift from what its code prints; nbval
then runs the asserts, so a wrong solution fails the build.
"""

import re
from pathlib import Path

import pytest

CHAPTERS = sorted((Path(__file__).parents[1] / "chapters").glob("*.md"))
SOLUTION = re.compile(r"```\{solution-start\} (\S+)(.*?)```\{solution-end\}", re.S)
HIDDEN_ASSERT = re.compile(
    r"```\{code-cell\}[^\n]*\n:tags: \[remove-cell\]\n(?:(?!```).*\n)*?assert "
)


def solutions():
    for path in CHAPTERS:
        for m in SOLUTION.finditer(path.read_text()):
            yield pytest.param(m.group(2), id=f"{path.stem}:{m.group(1)}")


@pytest.mark.parametrize("body", list(solutions()))
def test_solution_has_hidden_assert(body):
    assert HIDDEN_ASSERT.search(body), "solution without a hidden (remove-cell) assert"


def test_every_exercise_has_a_solution():
    for path in CHAPTERS:
        text = path.read_text()
        labels = re.findall(r"```\{exercise\}\n:label: (\S+)", text)
        solved = re.findall(r"```\{solution-start\} (\S+)", text)
        assert sorted(labels) == sorted(solved), path.name
