"""Zhang 2021: donor-derived CD19 CAR T for B-ALL relapsing after alloHSCT (seed 003).

Only aggregate counts are published. Which CI method the authors used is not stated;
:func:`ci_method` finds it by :func:`carbook.cimatch.search_ci_methods` over the
three printed intervals (CR, CRS, ICANS), so the choice is made by the data, in
the open, and shown in the chapter.
"""

from __future__ import annotations

import pandas as pd

from carbook.cimatch import km_transform_check, search_ci_methods
from carbook.data import load_counts
from carbook.published import load_published
from carbook.reconstruct.spec import load_spec
from carbook.records import reproduction, reproductions
from carbook.studies.common import from_counts, from_synthetic
from carbook.studies.zhang2021_survival import cir_efs_proof, os_width_proof

__all__ = ["ci_cases", "ci_method", "external_comparison", "interval_shapes", "reproduce"]

STUDY = "zhang2021"


def ci_cases() -> pd.DataFrame:
    """The printed percent intervals next to the counts they come from.

    Examples
    --------
    >>> first = ci_cases().iloc[0]
    >>> first["claim_id"], int(first["x"]), int(first["n"])
    ('cr_pct', 34, 43)
    >>> first[["value", "low", "high"]].tolist()
    ['79', '66', '92']
    """
    counts = load_counts(STUDY)
    counts = counts[counts["percent_claim"] != ""]
    reg = load_published(STUDY).set_index("id")
    out = pd.DataFrame(
        {
            "claim_id": counts["percent_claim"].to_numpy(),
            "x": counts["count"].astype(int).to_numpy(),
            "n": counts["denominator"].astype(int).to_numpy(),
        }
    )
    for col in ("value", "low", "high"):
        out[col] = reg.loc[out["claim_id"], col].to_numpy()
    return out


def ci_method() -> str:
    """The single CI method that reproduces all printed bounds (unrounded point).

    Raises
    ------
    ValueError
        If no method, or more than one, reproduces every bound.

    Examples
    --------
    >>> ci_method()
    't_mean'
    """
    res = search_ci_methods(ci_cases())
    winners = res[res["all_match"] & (res["rounding"] == "unrounded")]["method"].tolist()
    if len(winners) != 1:
        raise ValueError(f"expected exactly one matching CI method, found {winners}")
    return winners[0]


#: printed survival intervals, and whether each is a cumulative incidence (F, not S)
SURVIVAL_CLAIMS = {"efs_1y": False, "os_1y": False, "cir_1y_cr": True, "efs_1y_cr": False}


def interval_shapes() -> pd.DataFrame:
    """Which interval transforms each printed 1-year interval fits (printed numbers only).

    Each transform is symmetric on its own scale (:func:`carbook.cimatch.km_transform_check`):
    ``plain`` on the estimate itself (symmetric), ``log`` and ``log-log`` as R's
    ``survfit``. A cumulative incidence F is checked on F (``F: ...``; log-log on F is
    ``cmprsk``'s interval) and on 1 - F (``1-F: ...``; log-log there is a 1 - KM
    interval with ``conf.type = "log-log"``). ``os_1y_cr`` prints as ``efs_1y_cr``.

    Examples
    --------
    >>> shapes = interval_shapes()
    >>> shapes.loc["efs_1y", "plain"], shapes.loc["cir_1y_cr", "F: plain"]
    (True, False)
    """
    reg = load_published(STUDY).set_index("id")
    rows = {}
    for claim, incidence in SURVIVAL_CLAIMS.items():
        v, lo, hi = (reg.loc[claim, k] for k in ("value", "low", "high"))
        row = {"printed": f"{v} ({lo}, {hi})", "below": float(v) - float(lo)}
        row["above"] = float(hi) - float(v)
        fits = km_transform_check(v, lo, hi)["consistent"]
        if incidence:
            flip = km_transform_check(*(str(100 - int(x)) for x in (v, hi, lo)))["consistent"]
            row |= {f"F: {k}": b for k, b in fits.items()}
            row |= {f"1-F: {k}": b for k, b in flip.items()}
        else:
            row |= dict(fits.items())
        rows[claim] = row
    return pd.DataFrame.from_dict(rows, orient="index")


def reproduce() -> pd.DataFrame:
    """Every zhang2021 number that the published counts allow.

    Examples
    --------
    >>> reproduce().set_index("claim_id").loc["cr_pct", "reproduced"].round(2)
    np.float64(79.07)
    """
    counts = load_counts(STUDY)
    method = ci_method()
    rows = from_counts(
        counts, method, selected=f"CI method {method}: the one that prints every bound"
    )
    # The finding behind the two "N = 43" rows: the CR subgroup is the CR count.
    n_cr = int(counts.set_index("event").loc["complete_remission", "count"])
    for claim in ("cr_subgroup_n_cir", "cr_subgroup_n_efs"):
        rows.append(reproduction(claim, n_cr, method="size of the CR subgroup = CR count"))
    return reproductions(rows + _with_proof(_with_conf_types(from_synthetic(STUDY))))


def _printed(reg: pd.DataFrame, claim: str) -> str:
    """A registry percentage as the document prints it, e.g. ``43% (25, 62)``."""
    row = reg.loc[claim]
    return f"{row['value']}% ({row['low']}, {row['high']})"


def _proof_reasons() -> dict[str, str]:
    """The computed proofs of the survival half, claim -> reason (only those that hold).

    Every published number in the reason is read from the registry, none typed here.
    """
    out = {}
    proof = os_width_proof()
    if proof["holds"]:
        reg = load_published(STUDY).set_index("id")
        n = int(reg.loc["os_1y", "N"])
        out["os_1y"] = (
            f"proof: with Greenwood's variance (any survfit conf.type) "
            f"{_printed(reg, 'os_1y')} needs "
            f"an effective n of at most {proof['n_eff_printed']:.2f}, but {n} subjects whose "
            f"survivors' median follow-up prints as {reg.loc['fu_median', 'value']} months "
            f"give at least {proof['n_eff_min']:.2f} (every order of deaths and censorings "
            "searched; zhang2021_survival.os_width_proof)."
        )
    return out


def _cir_reason() -> dict[str, str]:
    """The CIR interval's contradiction with the CR subgroup's EFS interval, if it holds.

    Every published number in the reason is read from the registry and the counts.
    """
    proof = cir_efs_proof()
    if not proof["holds"]:
        return {}
    reg = load_published(STUDY).set_index("id")
    n_cr = int(load_counts(STUDY).set_index("event").loc["complete_remission", "count"])
    (efs_ct, (e0, e1)), (cir_ct, (c0, c1)) = (next(iter(proof[k].items())) for k in ("efs", "cir"))
    efs = reg.loc["efs_1y_cr", "value"]
    return {
        "cir_1y_cr": (
            f"proof: contradicts efs_1y_cr. In the {n_cr} in CR no death can precede relapse "
            "within the year (one such death makes EFS / (1 - CIR) at most "
            f"{proof['one_death']:.4f}; both printing {efs}% needs at least "
            f"{proof['ratio_floor']:.4f}), "
            "so 1 - CIR and EFS are one Kaplan-Meier curve with one Greenwood variance. "
            f"EFS {_printed(reg, 'efs_1y_cr')} needs n_eff {e0:.2f}-{e1:.2f} ({efs_ct}, the "
            f"only conf.type that fits it), the CIR interval {c0:.2f}-{c1:.2f} ({cir_ct} on "
            "1 - F, the only one that fits it); cmprsk's log(-log) fits it for no variance "
            "(zhang2021_survival.cir_efs_proof, cir_shape_proof)."
        )
    }


def _with_proof(rows: list[dict[str, object]]) -> list[dict[str, object]]:
    """Misses that rest on a computed proof (:func:`_proof_reasons`) say so.

    A synthetic cohort meeting a number proved unreachable would contradict the proof,
    so that raises.
    """
    reasons = _proof_reasons() | _cir_reason()
    for row in rows:
        claim = str(row["claim_id"])
        if claim not in reasons:
            continue
        if not row["miss"]:
            raise ValueError(f"{claim} met by the synthetic cohort, against its proof")
        reached = str(row["miss"]).split(": not met", 1)[0]  # values reached only
        row["grounds"] = "proof"
        row["miss"] = f"{reasons[claim]} {reached}"
    return rows


def _with_conf_types(rows: list[dict[str, object]]) -> list[dict[str, object]]:
    """Name the KM interval transform each target uses, and that it was chosen to match.

    ``targets.yaml`` sets ``conf_type: plain`` because only "plain" is symmetric like the
    printed intervals (:func:`interval_shapes`): a choice made because it matches.
    """
    conf = {t.claim: t.params.get("conf_type") for t in load_spec(STUDY).targets}
    for row in rows:
        ct = conf.get(str(row["claim_id"]))
        if ct:
            row["method"] = str(row["method"]).replace("conf.type='log'", f"conf.type='{ct}'")
            row["selected"] = f"conf.type '{ct}': the only transform the printed intervals fit"
    return rows


def external_comparison() -> pd.DataFrame:
    """The document's 1-year OS next to the two salvage options it cites.

    All three numbers are *published* (none is recomputed here): the point is where
    the cited values fall relative to the published interval.

    Returns
    -------
    pandas.DataFrame
        ``label``, ``estimate``, ``low``, ``high`` (percent; NaN where no CI is
        printed), ``source`` and ``below_zhang_ci`` (the cited value is below the
        lower limit of the donor-derived CAR T interval).

    Examples
    --------
    >>> external_comparison()["below_zhang_ci"].tolist()
    [False, True, True]
    """
    reg = load_published(STUDY).set_index("id")
    rows = [
        ("os_1y", "donor-derived CAR T (this study)", "Zhang 2021"),
        ("dli_os_1y", "donor lymphocyte infusion", "Vaezi 2018 (cited)"),
        ("hsct2_os_1y", "second alloHSCT", "Poon 2013 (cited)"),
    ]
    out = pd.DataFrame(
        {
            "label": [label for _, label, _ in rows],
            "estimate": [float(reg.loc[i, "value"]) for i, _, _ in rows],
            "low": [float(reg.loc[i, "low"] or "nan") for i, _, _ in rows],
            "high": [float(reg.loc[i, "high"] or "nan") for i, _, _ in rows],
            "source": [src for _, _, src in rows],
        }
    )
    out["below_zhang_ci"] = out["estimate"] < out.loc[0, "low"]
    out["low"] = out["low"].fillna(out["estimate"])
    out["high"] = out["high"].fillna(out["estimate"])
    return out
