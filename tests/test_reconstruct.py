"""carbook.reconstruct: exact margins, determinism, and targets verified with lifelines."""

import io
from math import comb
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lifelines import CoxPHFitter, KaplanMeierFitter
from scipy import stats

from carbook.data import load_counts
from carbook.data.synthetic import cohort_path
from carbook.data.wudhikarn2021 import load_table4, load_table5
from carbook.published import printed_interval
from carbook.reconstruct.construction import construct_categorical, interior_change, interior_steps
from carbook.reconstruct.engine import anneal, derive, exact_values
from carbook.reconstruct.run import BUDGET
from carbook.reconstruct.spec import load_spec
from carbook.studies.models import reconstruct
from carbook.studies.wudhikarn2021 import model
from carbook.studies.wudhikarn2021.endpoints import ENDPOINTS
from carbook.tables import wilcoxon_ranksum

STUDY = "wudhikarn2021"
SPEC = load_spec(STUDY)


def _csv(frame: pd.DataFrame) -> str:
    buf = io.StringIO()
    frame.to_csv(buf, index=False, float_format="%.6f")
    return buf.getvalue()


@pytest.mark.parametrize(
    ("n", "median", "lo", "hi", "step"),
    [(38, 42.5, 23, 74, 1), (18, 55, 23, 68, 1), (29, 5.5, 1.3, 24, 0.01), (7, 2, 1, 7, 1)],
)
def test_exact_values_hit_median_and_range(n, median, lo, hi, step):
    v = exact_values(n, median, lo, hi, step, np.random.default_rng(0))
    assert len(v) == n
    assert (np.median(v), v.min(), v.max()) == pytest.approx((median, lo, hi))


@given(
    st.integers(2, 20).map(lambda k: 2 * k),  # an even count
    st.integers(200, 400),  # the median, in steps of 0.01
    st.integers(0, 2**32 - 1),
)
@settings(max_examples=60, deadline=None)
def test_a_split_median_has_an_untied_middle_pair_that_interior_moves_keep(n, median_steps, seed):
    median, step, rng = median_steps / 100, 0.01, np.random.default_rng(seed)
    lo, hi = median - 1.5, median + 2.0
    v = pd.Series(exact_values(n, median, lo, hi, step, rng, split=True))
    middle = np.sort(v)[n // 2 - 1 : n // 2 + 1]
    assert middle == pytest.approx([median - step, median + step])
    for _ in range(40):  # random interior moves, then every deterministic one
        got = interior_change(v, (median, lo, hi), step, rng, split=True)
        if got is not None:
            v[got[0]] = got[1]
            assert (v.median(), v.min(), v.max()) == pytest.approx((median, lo, hi))
    for i, new in interior_steps(v, (median, lo, hi), step, split=True):
        w = v.copy()
        w[i] = new
        assert (w.median(), w.min(), w.max()) == pytest.approx((median, lo, hi))


def test_the_dose_p_needs_an_untied_median():
    """README S9: .38 is the exact P (no ties) at W = 31; tied, W = 31 and 31.5 give .37, .40."""
    y = np.array([0.79, 1.0, 1.40, 1.54, 1.56, 2.14, 6.75])  # 7 not progressed
    low = [0.72, 0.77, 1.04, 1.24, 1.26]
    high = [1.39, 1.46, 1.73, 2.1, 2.58]
    untied = np.array([*low, 1.36, 1.38, *high])  # median 1.37 of 12, W = 31
    tied = np.array([*low, 1.37, 1.37, *high])
    tied_up = np.array([*low, 1.37, 1.37, 1.40, *high[1:]])  # ties y's 1.40: W = 31.5
    p = {k: wilcoxon_ranksum(x, y).pvalue for k, x in (("u", untied), ("t", tied), ("up", tied_up))}
    assert all(np.median(x) == pytest.approx(1.37) for x in (untied, tied, tied_up))
    assert f"{p['u']:.2f}" == "0.38" and p["u"] == pytest.approx(0.3845, abs=1e-4)
    assert (f"{p['t']:.2f}", f"{p['up']:.2f}") == ("0.37", "0.40")
    ranks = stats.rankdata(np.r_[tied_up, y])
    assert ranks[:12].sum() - 78 == 31.5  # W of the 12


def _margins(cohort: pd.DataFrame) -> dict:
    out = {}
    for col in SPEC.categorical:
        for stratum, levels in SPEC.categorical[col].items():
            got = cohort.loc[cohort["stratum"] == stratum, col].astype(str).value_counts()
            out[col, stratum] = {str(k): int(got.get(str(k), 0)) for k in levels}
    return out


def _table5_kept(cohort: pd.DataFrame) -> None:
    """Table 5's first-infusion disease status, CRS and ICANS, as the data README reads them."""
    c = cohort.set_index("id")
    t5 = load_table5().set_index("id")
    burden = t5["status1"].map({"morphologic": "morphologic", "MRD": "mrd"})
    assert (c.loc[t5.index, "burden"] == burden).all()
    for col in ("crs", "icans"):  # first infusion: printed, or rules R1 and R6
        got, printed = c.loc[t5.index, col].astype(str), t5[f"{col}1"]
        assert (got[printed == "no"] == "none").all(), col  # MSK9, MSK36
        assert (got[printed == "yes"] != "none").all(), col
        assert got["MSK17"] == "grade3plus", col  # grade 4
        assert (printed == "no").sum() == 2 and (printed == "yes").sum() == 7


def _prior_immuno_kept(cohort: pd.DataFrame) -> None:
    """Table 4's prior immunotherapy (3 blinatumomab, no inotuzumab) and Table 1's footnote."""
    c = cohort.set_index("id")
    t4 = load_table4().set_index("id")["prior_immunotherapy"]
    got = c.loc[t4.index, "prior_immuno"]
    assert sorted(got[got != "none"].index) == ["MSK44", "MSK50", "MSK53"]
    assert (got[t4 == "blinatumomab"] == "blin").all()
    assert (c["prior_immuno"] == "both").sum() == 1  # "One patient received both"
    for level, by_progressed in {"blin": {0: 3, 1: 10}, "ino": {0: 1, 1: 3}}.items():
        has = c["prior_immuno"].isin([level, "both"])  # Table 1's counts, not / progressed
        assert has.groupby(c["progressed"]).sum().to_dict() == by_progressed, level


def test_the_patient_given_both_drugs_is_placed_where_most_arrangements_put_it():
    """README S8: with Table 1's counts, 56,700 arrangements against 9,828 (85%)."""
    n = load_counts(STUDY).set_index("event")["value"]
    prog, blin, ino = 38, n["t1_blin_prog"], n["t1_ino_prog"]
    blin_no, ino_no = n["t1_blin_noprog"], n["t1_ino_noprog"]
    # the ways to choose each stratum's blinatumomab patients are common to both
    among_progressed = blin * comb(prog - blin, ino - 1) * comb(18 - blin_no, ino_no)
    among_others = comb(prog - blin, ino) * blin_no
    assert (among_progressed, among_others) == (56_700, 9_828)  # 85% among the progressed
    assert among_progressed > among_others
    assert n["t1_both_prior"] == 1
    margins = SPEC.categorical["prior_immuno"]
    assert margins["progressed"]["both"] == 1 and "both" not in margins["not_progressed"]


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_committed_cohorts_build_the_dose_median_untied(seed):
    c = pd.read_csv(cohort_path(STUDY, seed))
    dose = np.sort(c.loc[(c["steroid"] == 1) & (c["progressed"] == 1), "steroid_dose"])
    assert len(dose) == 12 and dose[5:7].tolist() == pytest.approx([1.36, 1.38])  # README S9


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_committed_cohorts_keep_table4_and_table5_facts(seed):
    cohort = pd.read_csv(cohort_path(STUDY, seed), keep_default_na=False, na_values=[""])
    _table5_kept(cohort)
    _prior_immuno_kept(cohort)


def test_construction_and_moves_keep_every_margin_and_fact():
    rng = np.random.default_rng(7)
    cohort, m = model.build(SPEC, rng)
    expected = {
        (c, s): {str(k): v for k, v in lv.items()}
        for c, by in SPEC.categorical.items()
        for s, lv in by.items()
    }
    assert _margins(cohort) == expected
    anneal(SPEC, m, cohort, rng, n_iter=300, progress=False)
    assert _margins(cohort) == expected
    for col, entry in SPEC.continuous.items():
        for stratum in SPEC.strata:
            v = cohort.loc[cohort["stratum"] == stratum, col]
            assert (v.median(), v.min(), v.max()) == pytest.approx(entry[stratum])
    prog = cohort[cohort["progressed"] == 1]
    assert len(prog) == 38 and prog["dead"].sum() == 31 and prog["relapsed"].sum() == 29
    alive = set(cohort.loc[cohort["dead"] == 0, "id"])
    assert {"MSK15", "MSK39", "MSK44", "MSK36"} <= alive
    _table5_kept(cohort)
    _prior_immuno_kept(cohort)
    assert (cohort["t_last"] <= model.MAX_FOLLOWUP).all()
    prog = cohort["progressed"] == 1
    gap = (cohort.loc[prog, "t_last"] - cohort.loc[prog, "t_rr"] - cohort.loc[prog, "t_post"]).abs()
    assert (gap < 0.011).all()  # time from progression stays consistent (0.01-month grid)
    for col, entry in SPEC.within.items():  # e.g. steroid days among those given steroids
        for stratum in SPEC.strata:
            rows = (cohort["stratum"] == stratum) & (cohort[entry["within"]] == 1)
            v = cohort.loc[rows, col]
            assert (v.median(), v.min(), v.max()) == pytest.approx(entry[stratum]), col


def _post_invariants(cohort: pd.DataFrame) -> None:
    """Counts, table facts and time order of the post-progression columns."""
    from carbook.studies.wudhikarn2021.post import table_facts

    prog = cohort[cohort["progressed"] == 1].set_index("id")
    assert prog["salvage_outcome"].value_counts().to_dict() == {"no_cr": 17, "cr": 13, "none": 8}
    assert prog["cd19"].value_counts().to_dict() == {"positive": 25, "unknown": 8, "negative": 5}
    assert prog["site"].value_counts().to_dict() == {"bm": 23, "bm_em": 10, "em_only": 3, "mrd": 2}
    marrow = prog.loc[prog["site"].isin(["bm", "bm_em"]), "blasts"]
    assert (marrow.median(), marrow.min(), marrow.max()) == (81, 8, 100)
    f = table_facts()
    assert (prog.loc[f.index, "salvage_outcome"] != "none").all()
    assert (prog.loc[f.index[f["cr"]], "salvage_outcome"] == "cr").all()
    known = f["cd19"].dropna()
    assert (prog.loc[known.index, "cd19"] == known).all()
    assert (prog.loc[f.index, "t_rr"] < f["first_tx"]).all()  # progression before salvage
    assert (prog.loc[f.index, "t_last"] > f["last_tx"]).all()  # alive at the last one
    salvaged = prog[prog["salvage_outcome"] != "none"]
    assert (salvaged["t_salvage"] > 0).all() and (salvaged["t_salvage"] < salvaged["t_post"]).all()
    cr = prog[prog["salvage_outcome"] == "cr"]
    assert (cr["t_salvage"] < cr["t_cr"]).all() and (cr["t_cr"] < cr["t_post"]).all()
    rel = cr.dropna(subset=["t_relapse2"])
    assert (rel["t_cr"] < rel["t_relapse2"]).all() and (rel["t_relapse2"] < rel["t_post"]).all()
    assert prog.loc[prog["salvage_outcome"] != "cr", "t_cr"].isna().all()


def test_post_progression_columns_keep_counts_facts_and_time_order():
    rng = np.random.default_rng(11)
    cohort, m = model.build(SPEC, rng)
    _post_invariants(cohort)
    anneal(SPEC, m, cohort, rng, n_iter=400, progress=False)  # every move, late ones too
    _post_invariants(cohort)
    committed = pd.read_csv(cohort_path(STUDY, 1), keep_default_na=False, na_values=[""])
    _post_invariants(committed)
    causes = committed.groupby(["progressed", "dead"])["death_cause"].agg(
        lambda x: x.value_counts().to_dict()
    )
    assert causes[1, 1] == {"disease": 24, "unknown": 4, "trm": 3}
    assert causes[0, 1] == {
        "not_published": int(((committed["progressed"] == 0) & (committed["dead"] == 1)).sum())
    }
    named = committed.set_index("id").loc[
        ["MSK17", "MSK26", "MSK35", "MSK24", "MSK56"], "death_cause"
    ]
    assert named.tolist() == ["trm", "trm", "trm", "unknown", "unknown"]  # Tables 4 and 5


def test_same_seed_same_cohort_different_seed_different_cohort():
    """Two runs of a seed in one process agree to the bit; another seed differs.

    Budget 16 is as strong as a larger one for this: every phase of
    :func:`carbook.reconstruct.search.calibrate` still runs (iterations 4, 2, 4, 4, 8, 1, 2,
    then the fifteen placements and 16 swaps tried, checked below: with the Figure 1 skeleton the
    times run only as the keep-met pass), so every phase draws from the seed's random stream
    and the hazard-ratio phases make their deterministic moves; a larger budget only repeats
    the same moves. The cohort, every column of the report and the count per phase are
    compared, so a difference in any phase shows. Determinism at the full budget and across
    processes is the regeneration test's (seed 1 of every study against the committed
    files).
    """
    runs = [reconstruct(STUDY, seed=s, budget=16, progress=False) for s in (3, 3, 4)]
    (a, ra), (b, rb), (c, _) = runs
    assert ra.attrs["phases"]["iterations"].tolist() == [4, 2, 4, 4, 8, 1, 2, 15, 16]
    assert _csv(a) == _csv(b)
    pd.testing.assert_frame_equal(ra, rb, check_exact=True)
    pd.testing.assert_frame_equal(ra.attrs["phases"], rb.attrs["phases"], check_exact=True)
    assert _csv(a) != _csv(c)


def test_every_row_is_marked_synthetic():
    cohort = pd.read_csv(cohort_path(STUDY, 1))
    assert (cohort["synthetic"] == "SYNTHETIC").all()
    assert len(cohort) == 56


def _committed():
    cohort = pd.read_csv(cohort_path(STUDY, 1))
    report = pd.read_csv(cohort_path(STUDY, 1, "calibration"), dtype={"printed": str})
    derive(SPEC, cohort)
    return cohort, report


def _met(report: pd.DataFrame, claim: str, part: str) -> bool:
    row = report[(report["claim"] == claim) & (report["part"] == part)]
    return bool(row["within"].iloc[0])


def _summary(fit, name: str) -> dict[str, float]:
    s = fit.summary.loc[name]
    return {
        "value": s["exp(coef)"],
        "low": s["exp(coef) lower 95%"],
        "high": s["exp(coef) upper 95%"],
        "p": s["p"],
    }


def _long(time, event, switch) -> pd.DataFrame:
    """Counting-process rows for a 0/1 covariate switching on at ``switch`` (NaN: never)."""
    rows = []
    for k, (t, e, s) in enumerate(zip(time, event, switch, strict=True)):
        if np.isnan(s) or s >= t:
            rows.append((k, 0.0, t, e, 0))
        else:
            rows += [(k, 0.0, s, 0, 0), (k, s, t, e, 1)] if s > 0 else [(k, 0.0, t, e, 1)]
    return pd.DataFrame(rows, columns=["id", "start", "stop", "e", "x"])


def _lifelines_values(t, cohort, endpoints) -> dict[str, float]:
    """What lifelines says for a target, for every part it can compute."""
    from lifelines import CoxTimeVaryingFitter

    if t.kind not in ("km_at", "km_median", "cox_hr", "cox_mv", "cox_td"):
        return {}
    time, status = endpoints[t.params["endpoint"]](cohort)
    keep = np.isfinite(time)
    if t.params.get("where"):
        keep &= cohort[t.params["where"]].to_numpy() == 1
    time, status, cohort = time[keep], status[keep], cohort[keep]
    if t.kind == "km_at":
        kmf = KaplanMeierFitter().fit(time, status == 1)
        return {"value": 100 * kmf.survival_function_at_times(t.params["time"]).iloc[0]}
    if t.kind == "km_median":
        return {"value": KaplanMeierFitter().fit(time, status == 1).median_survival_time_}
    opts = {"fit_options": {"precision": 1e-12}}
    if t.kind == "cox_td":
        long = _long(time, (status == 1).astype(int), cohort[t.params["switch"]].to_numpy(float))
        fit = CoxTimeVaryingFitter().fit(long, event_col="e", id_col="id")
        return _summary(fit, "x")
    covs = t.params.get("covariates", [t.params.get("covariate")])
    data = cohort[covs].astype(float).assign(t=time, e=status == 1)
    fit = CoxPHFitter().fit(data, "t", "e", **opts)
    return _summary(fit, t.params.get("term", covs[0]))


def _note(report: pd.DataFrame, claim: str, part: str) -> str:
    # lifelines prints Wald P values; an LR or score P is checked against R in test_cox_tests
    row = report[(report["claim"] == claim) & (report["part"] == part)]
    return str(row["note"].iloc[0]) if not row.empty else ""


def test_met_km_and_cox_targets_hold_when_recomputed_with_lifelines():
    cohort, report = _committed()
    endpoints = ENDPOINTS
    checked = 0
    for t in SPEC.targets:
        printed = {**t.printed, **({"p": t.p_printed} if t.p_printed else {})}
        for part, value in _lifelines_values(t, cohort, endpoints).items():
            wald_only = part != "p" or _note(report, t.claim, part) in ("", "P by the Wald test")
            if part in printed and _met(report, t.claim, part) and wald_only:
                lo, hi = printed_interval(printed[part])
                assert lo <= value < hi, (t.claim, part, value)
                checked += 1
    assert checked >= 20


def test_report_flags_the_impossible_lymphodepletion_interval():
    _, report = _committed()
    note = report.loc[report["claim"] == "t2_lymphodepletion_hr", "note"].iloc[0]
    assert "2/sqrt(38)" in note


def test_unknown_claim_in_targets_is_named(tmp_path, monkeypatch):
    import shutil

    from carbook import data, published
    from carbook.reconstruct import spec as spec_mod

    shutil.copytree(published.DATA_DIR / STUDY, tmp_path / STUDY)
    path = tmp_path / STUDY / "targets.yaml"
    path.write_text(path.read_text().replace("claim: fig1_os_3y", "claim: fig1_os_9y"))
    for mod in (data, published, spec_mod):
        monkeypatch.setattr(mod, "DATA_DIR", tmp_path)
    with pytest.raises(ValueError, match="fig1_os_9y"):
        spec_mod.load_spec(STUDY)


def test_validation_recovers_targeted_and_not_untargeted_statistics():
    """Small budget: the targeted median is close; an unpublished HR is not pinned."""
    from carbook.reconstruct import validation

    table = validation.validate(seeds=range(1, 3), budget=1500)
    assert abs(table.loc["median OS (targeted)", "error"]) < 1.0
    assert set(table.columns) == {
        "true", "mean", "min", "max", "error", "true_in_range", "baseline_mean", "baseline_error"
    }  # fmt: skip
    assert table["true"].notna().all() and table["mean"].notna().all()


def test_ensemble_spread_reads_every_committed_seed():
    from carbook.studies.wudhikarn2021 import ensemble

    table = ensemble.spread(STUDY, range(1, 6))
    assert (table["min"] <= table["median"]).all() and (table["median"] <= table["max"]).all()
    published = table.loc["3-year OS, % (published)", "range"]
    assert published < table.loc["5-year OS, %", "range"] or published < 2.0
    with pytest.raises(ValueError, match="missing"):
        ensemble.spread(STUDY, range(99, 100))


def test_ensemble_summary_agrees_with_the_committed_cohorts():
    """The 20-seed summary's seeds 1-5 are the committed cohorts (same seeds, same code)."""
    from carbook.studies.wudhikarn2021 import ensemble

    summary = ensemble.load_summary()
    assert list(summary.index) == list(range(1, 21))
    committed = ensemble.per_seed(range(1, 6))
    pd.testing.assert_frame_equal(summary.loc[1:5], committed, check_dtype=False, rtol=1e-9)


def test_ensemble_summary_rejects_bad_files(tmp_path):
    from carbook.studies.wudhikarn2021 import ensemble

    with pytest.raises(ValueError, match="missing"):
        ensemble.load_summary(tmp_path / "none.csv")
    bad = ensemble.load_summary().iloc[:2].copy()
    bad.index = [1, 1]
    bad.rename_axis("seed").to_csv(tmp_path / "dup.csv")
    with pytest.raises(ValueError, match="seeds must be 1, 2"):
        ensemble.load_summary(tmp_path / "dup.csv")
    good = ensemble.load_summary().iloc[:3].copy()
    for column, value in [(ensemble.MET, 999), (ensemble.MET, np.nan), (ensemble.PARTS, 190)]:
        broken = good.copy()
        broken.loc[2, column] = value
        broken.to_csv(tmp_path / "counts.csv")
        with pytest.raises(ValueError, match="seed 2 has impossible counts"):
            ensemble.load_summary(tmp_path / "counts.csv")
    good.drop(columns=ensemble.PARTS).to_csv(tmp_path / "cols.csv")
    with pytest.raises(ValueError, match="missing columns"):
        ensemble.load_summary(tmp_path / "cols.csv")


def test_met_plot_refuses_impossible_counts():
    from carbook.plots import met_plot

    for met in ([120, 192], [np.nan, 120], []):
        with pytest.raises(ValueError, match="between 0 and parts=191"):
            met_plot(pd.Series(met, dtype=float), 191)
    assert met_plot(pd.Series([120, 130]), 191, goals=()).axes[0].get_xlim()[0] == 117


def test_write_summary_reads_an_out_directory(tmp_path):
    from carbook.data.synthetic import cohort_path
    from carbook.studies.wudhikarn2021 import ensemble

    for kind in ("cohort", "calibration"):
        target = cohort_path(STUDY, 1, kind, tmp_path)  # seed 2's files, as seed 1
        target.write_bytes(cohort_path(STUDY, 2, kind).read_bytes())
    path = ensemble.write_summary([1], tmp_path, tmp_path / "summary.csv")
    table = ensemble.load_summary(path)
    assert list(table.index) == [1]
    assert table.loc[1].tolist() == pytest.approx(ensemble.per_seed([2]).loc[2].tolist())


@pytest.mark.parametrize(
    ("study", "n"),
    [("wudhikarn2021", 56), ("zhang2021", 43), ("xu2023", 41), ("gauthier2021", 9)],
)
def test_committed_cohorts_regenerate_byte_identically(study, n, tmp_path):
    from carbook._cpu import avx512_maths
    from carbook.reconstruct import run

    assert not avx512_maths(), "numpy's AVX-512 maths is on: run make unit, or " + run.AVX512_NOTE
    cohort, report = reconstruct(study, seed=1, budget=BUDGET, progress=False)
    assert (cohort["synthetic"] == "SYNTHETIC").all() and len(cohort) == n
    new = {p.name: p for p in run.write(study, 1, cohort, report, tmp_path)}
    old = [cohort_path(study, 1, kind) for kind in ("cohort", "calibration", "phases")]
    for committed in old[:2] + [p for p in old[2:] if p.exists()]:  # phases: once committed
        assert new[committed.name].read_bytes() == committed.read_bytes(), committed.name


def test_medians_only_studies_meet_their_medians():
    for study in ("xu2023", "gauthier2021"):
        report = pd.read_csv(cohort_path(study, 1, "calibration"))
        assert report["within"].all(), study


@pytest.mark.parametrize("seed", range(6))
def test_fast_ranksum_p_equals_the_reference_wilcoxon(seed):
    from carbook.reconstruct.targets import ranksum_p
    from carbook.tables import wilcoxon_ranksum

    rng = np.random.default_rng(seed)
    for nx, ny, step in [(12, 7, 1.0), (38, 18, 0.01), (60, 55, 0.5), (9, 5, 1e-6)]:
        x = np.round(rng.gamma(2, 5, nx) / step) * step
        y = np.round(rng.gamma(2, 6, ny) / step) * step
        assert ranksum_p(x, y) == pytest.approx(wilcoxon_ranksum(x, y).pvalue, rel=1e-12)


def test_closest_p_takes_any_of_the_three_cox_tests():
    """Issue 13: a printed Cox P is met if the Wald, LR or score P gives it."""
    from carbook.reconstruct.targets import closest_p

    lo, hi = printed_interval(".02")
    assert closest_p({"p_wald": 0.027, "p_lr": 0.022, "p_score": 0.023}, lo, hi) == (
        "likelihood-ratio",
        0.022,
    )
    assert closest_p({"p_wald": 0.017, "p_lr": 0.016, "p_score": 0.03}, lo, hi)[0] == "Wald"
    # none inside: the nearest, so the loss still sees how far off it is
    assert closest_p({"p_wald": 0.04, "p_lr": 0.03, "p_score": np.nan}, lo, hi) == (
        "likelihood-ratio",
        0.03,
    )


def test_calibration_report_names_the_test_of_every_met_cox_p():
    from carbook.studies.models import evaluate

    report = evaluate("wudhikarn2021", 1)
    cox = {t.claim for t in load_spec("wudhikarn2021").targets if t.kind.startswith("cox")}
    met = report[(report["part"] == "p") & report["within"] & report["claim"].isin(cox)]
    assert not met.empty and met["note"].str.startswith("P by the ").all()
    assert {"Wald", "likelihood-ratio"} <= set(met["note"].str.extract(r"P by the (.*) test")[0])


#: one stratum of six: 3 without ICANS, 2 of grade 1-2 and 1 of grade 3 or more
_TOX_SPEC = SimpleNamespace(categorical={"icans": {"s": {"none": 3, "g1": 2, "g3": 1}}})


def test_a_fact_of_several_levels_is_dealt_one_of_them_from_the_counts():
    spec = _TOX_SPEC
    facts = pd.DataFrame({"icans": [("g1", "g3"), ("g1", "g3"), "g1", None, None, None]})
    for seed in range(20):
        out = construct_categorical(spec, pd.Series(["s"] * 6), facts, np.random.default_rng(seed))
        assert sorted(out["icans"]) == ["g1", "g1", "g3", "none", "none", "none"]
        assert out["icans"][2] == "g1" and {out["icans"][0], out["icans"][1]} == {"g1", "g3"}
    with pytest.raises(ValueError, match="no level of \\['g1', 'g3'\\] for icans of row 3 in s"):
        too_many = pd.DataFrame({"icans": [("g1", "g3")] * 4 + [None] * 2})
        construct_categorical(spec, pd.Series(["s"] * 6), too_many, np.random.default_rng(0))


@pytest.mark.parametrize(
    ("cells", "match"),
    [
        ([("g1", "g3"), ("g3", "none")], "must all name the same levels"),
        ([("g1", "g7")], r"unknown levels \['g7'\] for icans in s, row 0"),
    ],
)
def test_cells_of_several_levels_are_refused_unless_one_known_set(cells, match):
    spec = _TOX_SPEC
    facts = pd.DataFrame({"icans": [*cells] + [None] * (6 - len(cells))})
    with pytest.raises(ValueError, match=match):
        construct_categorical(spec, pd.Series(["s"] * 6), facts, np.random.default_rng(0))
