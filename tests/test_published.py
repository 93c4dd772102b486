"""The registry loader: schema, precision, and clear errors on bad files."""

import math
import shutil

import pytest

from carbook import published
from carbook.published import decimals, load_published, printed_interval

STUDIES = ["gauthier2021", "wudhikarn2021", "xu2023", "zhang2021"]


def test_all_four_studies_have_a_registry():
    assert published.studies() == STUDIES


@pytest.mark.parametrize("study", STUDIES)
def test_registry_validates(study):
    reg = load_published(study)
    assert len(reg) > 0
    assert (reg["study"] == study).all()


def test_registry_holds_a_few_hundred_numbers():
    assert len(load_published()) >= 300


def test_ids_unique_within_each_study():
    reg = load_published()
    assert not reg.duplicated(["study", "id"]).any()


def test_percent_rows_agree_with_their_counts_where_level_exact():
    """Where a percent with n/N is expected exact, n/N must print as the value."""
    reg = load_published()
    rows = reg[(reg["unit"] == "percent") & reg["n"].notna() & (reg["level"] == "exact")]
    assert len(rows) > 50
    for row in rows.itertuples():
        lo, hi = printed_interval(row.value)
        assert lo <= 100 * row.n / row.N < hi, (row.study, row.id)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("13.1", (13.05, 13.15)),
        (".02", (0.015, 0.025)),
        ("29", (28.5, 29.5)),
        ("1.00", (0.995, 1.005)),
    ],
)
def test_printed_interval(text, expected):
    lo, hi = printed_interval(text)
    assert lo == pytest.approx(expected[0]) and hi == pytest.approx(expected[1])


def test_inequalities_and_decimals():
    assert printed_interval(">5") == (5.0, math.inf)
    assert decimals("20.74") == 2


def test_not_a_number_is_rejected():
    with pytest.raises(ValueError, match="not a printed number"):
        printed_interval("n/a")


def test_unknown_study_names_known_ones():
    with pytest.raises(ValueError, match="unknown study 'nope'"):
        load_published("nope")


@pytest.fixture
def data_copy(tmp_path, monkeypatch):
    shutil.copytree(published.DATA_DIR / "zhang2021", tmp_path / "zhang2021")
    monkeypatch.setattr(published, "DATA_DIR", tmp_path)
    return tmp_path / "zhang2021" / "published.csv"


def _corrupt(path, old, new):
    path.write_text(path.read_text().replace(old, new, 1))


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (",exact,\n", ",bogus,\n", "level"),
        ("cr_pct,003", "cr pct,003", "id"),
        (",34,43,percent", ",44,43,percent", "n > N"),
        (",79,66,92,ci95", ",seventy,66,92,ci95", "printed number"),
        (",79,66,92,ci95", ",79,66,92,", "bound must be given"),
        (
            ",reconstructed,needs individual follow-up times",
            ",reconstructed,\n#",
            "reason is required",
        ),
        (",79,66,92,ci95", ",79,80,92,ci95", "published_low <= published"),
        (",79,66,92,ci95", ",79,66,102,ci95", "[0, 100]"),
        (",34,43,percent", ",34,43,percentage", "isin"),
        (",not_reproducible,contradiction: only", ",not_reproducible,only", "starts with proof:"),
    ],
)
def test_schema_errors_name_the_file(data_copy, old, new, message):
    _corrupt(data_copy, old, new)
    with pytest.raises(ValueError, match=r"published\.csv") as err:
        load_published("zhang2021")
    assert message in str(err.value)
    if ",79," in old:
        assert "cr_pct" in str(err.value)  # the claim is named


def test_non_integer_count_names_line(data_copy):
    _corrupt(data_copy, ",34,43,count", ",3.5,43,count")
    with pytest.raises(ValueError, match=r"line 5: n must be a whole number"):
        load_published("zhang2021")


def test_wrong_columns(data_copy):
    _corrupt(data_copy, "id,document", "ident,document")
    with pytest.raises(ValueError, match="columns must be"):
        load_published("zhang2021")
