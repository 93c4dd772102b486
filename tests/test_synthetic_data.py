"""SYNTHETIC cohorts are data with a schema: corruptions are refused, naming file, line, column."""

import shutil

import pytest

from carbook.data.synthetic import cohort_path, load_synthetic
from carbook.reconstruct.reports import load_report


@pytest.fixture
def cohort_copy(tmp_path):
    path = tmp_path / "synthetic_cohort_seed1.csv"
    shutil.copy(cohort_path("zhang2021", 1), path)
    return path


def _corrupt_line(path, line, column, value):
    lines = path.read_text().split("\n")
    header = lines[0].split(",")
    cells = lines[line - 1].split(",")
    cells[header.index(column)] = value
    lines[line - 1] = ",".join(cells)
    path.write_text("\n".join(lines))


@pytest.mark.parametrize(
    ("line", "column", "value", "message"),
    [
        (3, "time", "-2.5", "line 3, column time: -2.5"),
        (4, "event", "3", "line 4, column event: 3"),
        (5, "synthetic", "REAL", "line 5, column synthetic: REAL"),
        (6, "id", "P1", "column id: P1"),
    ],
)
def test_corrupted_cohort_is_refused_with_file_line_and_column(
    cohort_copy, line, column, value, message
):
    _corrupt_line(cohort_copy, line, column, value)
    with pytest.raises(ValueError, match=r"synthetic_cohort_seed1\.csv") as err:
        load_synthetic("zhang2021", path=cohort_copy)
    assert message in str(err.value)


def test_cohort_without_its_synthetic_label_is_refused(cohort_copy):
    text = cohort_copy.read_text().split("\n")
    cohort_copy.write_text("\n".join(line.split(",", 1)[1] for line in text if line))
    with pytest.raises(ValueError, match="missing column"):
        load_synthetic("zhang2021", path=cohort_copy)


def test_missing_cohort_says_how_to_make_it():
    with pytest.raises(ValueError, match="python -m carbook reconstruct"):
        load_synthetic("zhang2021", seed=99)


def test_every_committed_cohort_and_report_is_labelled():
    for study, seeds in {
        "wudhikarn2021": range(1, 6),
        "zhang2021": [1],
        "xu2023": [1],
        "gauthier2021": [1],
    }.items():
        for seed in seeds:
            assert (load_synthetic(study, seed)["synthetic"] == "SYNTHETIC").all()
            assert (load_report(study, seed)["synthetic"] == "SYNTHETIC").all()
