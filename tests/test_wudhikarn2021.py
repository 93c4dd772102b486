"""wudhikarn2021: data files, Table 1 detective, Tables 4/5 summaries, expansion search."""

import re

import numpy as np
import pandas as pd
import pytest

from carbook import book, synthesis
from carbook.data import DATA_DIR, evaluate_counts, load_counts
from carbook.studies.wudhikarn2021 import expansion, flow, patients, table1

STUDY = "wudhikarn2021"


def test_every_expected_exact_number_is_reproduced():
    sc = book.study_scorecard(STUDY)
    exact = sc[sc["level"] == "exact"]
    assert len(exact) > 200
    ok = exact["status"].isin(["exact", "input"])
    assert ok.all(), exact.loc[~ok, "claim_id"]


def test_no_number_is_outside():
    sc = book.study_scorecard(STUDY)
    assert not (sc["status"] == "outside").any()


def test_arithmetic_checks_fail_only_where_the_paper_is_inconsistent():
    c = load_counts(STUDY)
    checked = c[(c["formula"] != "") & c["count"].notna()]
    failed = set(checked.loc[checked["count"] != checked["value"], "event"])
    assert failed == {"ph_text", "t1_burden_total_noprog"}


def test_formula_errors_are_named():
    df = pd.DataFrame({"event": ["a", "b"], "count": [1, pd.NA], "formula": ["", "a + zz"]})
    with pytest.raises(ValueError, match="unknown event"):
        evaluate_counts(df)
    loop = pd.DataFrame({"event": ["a", "b"], "count": [pd.NA, pd.NA], "formula": ["b", "a"]})
    with pytest.raises(ValueError, match="circular"):
        evaluate_counts(loop)


def test_gtsummary_rule_reproduces_most_table1_rows():
    summary = table1.rule_summary().set_index("test")
    best = summary["rows_reproduced"].idxmax()
    assert best == "gtsummary default"
    assert summary.loc[best, "rows_reproduced"] == 8
    assert summary.loc[best, "rows"] == 11


def test_contingency_complement_and_unknown_characteristic():
    tests = table1.load_tests()
    crs3 = tests[(tests["characteristic"] == "CRS") & (tests["primary"] == "yes")].iloc[0]
    assert table1.contingency(crs3).tolist() == [[9, 29], [6, 12]]
    with pytest.raises(ValueError, match="characteristic must be one of"):
        table1.detective("eye colour")


def test_table4_and_table5_have_the_printed_shape():
    assert len(patients.load_table4()) == 12
    t5 = patients.load_table5()
    assert len(t5) == 10
    assert (t5["crs2"] == "yes").sum() == 8
    assert (t5["icans2"] == "yes").sum() == 2
    assert t5.loc[t5["icans2_grade"] == "5", "id"].tolist() == ["MSK17"]


def test_every_inferred_code_is_documented():
    readme = (DATA_DIR / STUDY / "README.md").read_text()
    used = set(re.findall(r"R\d", " ".join(patients.load_table5()["inference"])))
    documented = set(re.findall(r"\*\*(R\d)\*\*", readme))
    assert used and used <= documented


def test_every_inferred_column_name_is_a_column():
    for frame in (patients.load_table4(), patients.load_table5()):
        names = {n for cell in frame["inferred"] for n in cell.split(";") if n}
        assert names <= set(frame.columns)


def test_bad_table5_value_names_the_file(tmp_path, monkeypatch):
    import shutil

    from carbook import data, published

    shutil.copytree(DATA_DIR / STUDY, tmp_path / STUDY)
    path = tmp_path / STUDY / "table5.csv"
    path.write_text(path.read_text().replace(",Flu/Cy,1,yes,746,", ",Flu/Cy,1,maybe,746,"))
    monkeypatch.setattr(data, "DATA_DIR", tmp_path)
    monkeypatch.setattr(published, "DATA_DIR", tmp_path)
    with pytest.raises(ValueError, match=r"table5\.csv"):
        patients.load_table5()


def test_comparable_expansion_threshold_does_not_matter_in_stated_range():
    t5 = patients.load_table5()
    counts = {r: int(patients._similar_or_higher(t5, r).sum()) for r in np.linspace(0.22, 0.92, 15)}
    assert set(counts.values()) == {4}


def test_expansion_search_finds_the_readings_that_give_015():
    """Issue 13: R's default wilcox.test and Mood's median test print .15 (checked in R)."""
    res = expansion.test_search()
    assert res["pvalue"].between(0, 1).all()
    hits = res[res["reproduces"] & ~res["placed"]].set_index(["msk16", "msk36", "test"])
    assert hits.loc[("missing", "0", "wilcox.test"), "pvalue"].item() == pytest.approx(
        0.149423625134608, abs=1e-9
    )  # tests/fixtures/tables_family.csv, wilcox.test
    assert hits.loc[("missing", "missing", "median test (fisher.test)"), "pvalue"].item() == (
        pytest.approx(0.153434800493624, abs=1e-9)
    )
    assert not res.duplicated(["design", "msk16", "msk36", "non_expanders", "test", "scale"]).any()


def test_expansion_readings_respect_the_text():
    """MSK36's first peak is placed only below its second (the text: a higher expansion)."""
    for r in expansion.readings():
        assert r.first.size in (8, 9, 10) and r.second.size in (6, 10)
    options = expansion._options(patients.load_table5())
    assert np.nanmax(list(options["MSK36"].values())) < 177758
    assert np.nanmax(list(options["MSK16"].values())) > 2320302


def test_flow_nodes_counts_come_from_counts_csv():
    nodes = flow.flow_nodes().set_index("node")
    assert nodes.loc["progressed", "n"] == 38
    assert nodes.loc["salvage", "n"] + nodes.loc["palliative", "n"] == 38


def test_salvage_cr_rates_are_exact_intervals():
    rates = synthesis.salvage_cr_rates()
    assert (rates["low"] <= rates["estimate"]).all() and (rates["estimate"] <= rates["high"]).all()
    assert rates["study"].tolist() == ["wudhikarn2021", "wudhikarn2021", "xu2023", "gauthier2021"]


def test_one_detective_one_rule():
    """Issue 13: no registry row says "no test" while the detective finds one."""
    from carbook.published import load_published, studies
    from carbook.studies.wudhikarn2021 import findings

    f = findings.search_findings()
    assert f["consistent"].all(), f[~f["consistent"]]
    # every reason anywhere in the book that claims an empty search has its search here
    for study in studies():
        reg = load_published(study)
        claims = set(reg.loc[reg["reason"].str.contains(findings.NONE_FOUND), "id"])
        assert claims <= set(f.index), (study, claims - set(f.index))


def test_scorecard_reads_the_detective():
    card = book.study_scorecard("wudhikarn2021").set_index("claim_id")
    verdicts = table1.verdicts()
    for claim, v in verdicts.iterrows():
        assert card.loc[claim, "reproduced"] == v["pvalue"]
        assert (card.loc[claim, "status"] == "not_reproducible") == (v["matches"] == 0)
