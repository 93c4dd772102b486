"""Validated data files are cached by content: same frames, copies, and errors every time."""

import shutil

import pandas as pd
import pytest

from carbook import data, published
from carbook.data import load_counts
from carbook.data import wudhikarn2021 as patients
from carbook.published import load_published

STUDY = "wudhikarn2021"


@pytest.fixture
def copy(tmp_path, monkeypatch):
    shutil.copytree(data.DATA_DIR / STUDY, tmp_path / STUDY)
    monkeypatch.setattr(data, "DATA_DIR", tmp_path)
    monkeypatch.setattr(published, "DATA_DIR", tmp_path)
    return tmp_path / STUDY


def _uncached(monkeypatch, load):
    """``load()`` with empty caches: what validating the file afresh returns."""
    monkeypatch.setattr(published, "_BY_CONTENT", {})
    return load()


@pytest.mark.parametrize(
    "load",
    [
        patients.load_table4,
        patients.load_table5,
        lambda: load_counts(STUDY),
        lambda: load_published(STUDY),
    ],
)
def test_a_cached_load_equals_a_fresh_one_and_is_a_copy(load, monkeypatch):
    first = load()
    first.iloc[0, 0] = "changed by a caller"  # callers may modify what they get
    second, third = load(), load()
    fresh = _uncached(monkeypatch, load)
    for frame in (second, third):
        pd.testing.assert_frame_equal(frame, fresh, check_exact=True)
        assert frame.dtypes.equals(fresh.dtypes)
    assert second is not third and not second.iloc[0, 0] == "changed by a caller"


def test_an_edited_file_is_validated_again(copy):
    path = copy / "table5.csv"
    assert len(patients.load_table5()) == 10  # now cached
    path.write_text(path.read_text().replace(",Flu/Cy,1,yes,746,", ",Flu/Cy,1,maybe,746,"))
    for _ in range(2):  # a bad file raises every time: errors are not cached
        with pytest.raises(ValueError, match=r"table5\.csv"):
            patients.load_table5()


def test_an_edited_registry_or_counts_file_is_read_again(copy):
    before = load_counts(STUDY)
    counts = copy / "counts.csv"
    text = counts.read_text()
    lines = text.splitlines(keepends=True)
    counts.write_text(lines[0] + lines[1].replace(",", ",x", 1) + "".join(lines[2:]))
    with pytest.raises(ValueError, match=r"counts\.csv"):
        load_counts(STUDY)
    counts.write_text(text)
    pd.testing.assert_frame_equal(load_counts(STUDY), before)
    registry = copy / "published.csv"
    registry.write_text(registry.read_text().replace(",exact,\n", ",bogus,\n", 1))
    for _ in range(2):
        with pytest.raises(ValueError, match=r"published\.csv"):
            load_published(STUDY)


def test_a_file_is_validated_once_per_content(copy, monkeypatch):
    calls = []
    validate = data._validate
    monkeypatch.setattr(data, "_validate", lambda *a: calls.append(a[2]) or validate(*a))
    for _ in range(3):
        patients.load_table4()
    assert calls == [copy / "table4.csv"]
