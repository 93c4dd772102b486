"""Ensembles: each finished cohort is written, and a failing seed is named, not fatal."""

import pytest

from carbook.__main__ import main
from carbook.data.synthetic import cohort_path
from carbook.studies import models

STUDY = "xu2023"


@pytest.fixture
def seed_two_fails(monkeypatch):
    """Seed 2's calibration raises; the others run for real (jobs=1 runs in-process)."""
    real = models.reconstruct

    def flaky(study, seed, budget, progress):
        if seed == 2:
            raise ValueError("no starting cohort")
        return real(study, seed, budget, progress)

    monkeypatch.setattr(models, "reconstruct", flaky)


def test_cli_writes_the_other_seeds_and_names_the_failed_one(seed_two_fails, tmp_path, capsys):
    argv = ["reconstruct", STUDY, "--seed", "1", "--ensemble", "3", "--budget", "5"]
    assert main([*argv, "--out", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "seed 2 failed: ValueError: no starting cohort" in err
    assert "1 of 3 seeds failed: [2]" in err
    written = {seed: cohort_path(STUDY, seed, directory=tmp_path).exists() for seed in (1, 2, 3)}
    assert written == {1: True, 2: False, 3: True}


def test_reconstruct_many_raises_naming_every_failed_seed(seed_two_fails):
    with pytest.raises(ValueError, match=r"^seed 2 failed: ValueError: no starting cohort$"):
        models.reconstruct_many(STUDY, [1, 2, 3], budget=5, progress=False)


def test_reconstruct_each_yields_in_seed_order_whatever_the_jobs():
    one = [(s, o[0]) for s, o in models.reconstruct_each(STUDY, [3, 1], 5, 1, False)]
    two = [(s, o[0]) for s, o in models.reconstruct_each(STUDY, [3, 1], 5, 2, False)]
    assert [s for s, _ in one] == [s for s, _ in two] == [3, 1]
    assert all(a.equals(b) for (_, a), (_, b) in zip(one, two, strict=True))
