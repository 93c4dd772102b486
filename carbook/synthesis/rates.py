"""Response rates after re-treatment, gathered across the four documents.

Every count is read, never typed: Wudhikarn 2021's per-drug rates are recomputed from its
per-patient Tables 4 and 5, every other count is the ``n``/``N`` of a registry row
(``data/<study>/published.csv``). What is typed here is only what the documents say
about each row in words: population, disease, treatment, how response is defined, and
which rows share patients.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from carbook.data.wudhikarn2021 import load_table4, load_table5
from carbook.published import load_published
from carbook.studies.wudhikarn2021.patients import is_cr
from carbook.tables import proportion_ci

__all__ = [
    "B_ALL_CART_RETREATMENT",
    "CART_ONE_PER_STUDY",
    "DEFAULT_POOL",
    "PATIENTS",
    "RETREATMENT_ROWS",
    "ROW_SETS",
    "Row",
    "check_independent",
    "registry_claims",
    "retreatment_table",
    "salvage_cr_rates",
]

#: the roles a row can play in a comparison of re-treatments after CAR T
SECOND_CART = "second CD19 CAR T after CAR T failure"
OTHER_SALVAGE = "other salvage after CAR T failure"
FIRST_CART = "first CD19 CAR T (comparator, not a re-treatment after CAR T)"
DONOR_CART = "donor-derived CD19 CAR T after alloHSCT relapse (no prior CAR T stated)"


@dataclass(frozen=True)
class Row:
    """One response rate: where its counts come from and what the document says it is."""

    key: str
    short: str  # a label short enough for a forest plot on a phone
    study: str
    population: str
    disease: str
    treatment: str
    role: str
    response: str
    source: str  # "registry:<claim id>" or "table4:<drug>" / "table5" (per-patient tables)

    @property
    def patients(self) -> frozenset[str]:
        """The groups of patients this row counts; rows sharing a group share patients."""
        return PATIENTS.get(self.key, frozenset({self.study}))


#: Rows whose patients are not all of one study's single pool. Wudhikarn 2021's rows all
#: share patients (Tables 4 and 5 overlap: MSK29, MSK44, MSK56 had both; all are among the
#: 30 salvaged). Xu 2023's 26 CART2 and 15 non-CART2 patients are disjoint, and all are
#: among the 84 who had CART1.
PATIENTS: dict[str, frozenset[str]] = {
    "x_cart1": frozenset({"xu2023 CART2", "xu2023 non-CART2", "xu2023 CART1"}),
    "x_cart2": frozenset({"xu2023 CART2"}),
    "x_postallo": frozenset({"xu2023 CART2"}),
    "x_adj_postallo": frozenset({"xu2023 CART2"}),
    "x_adj_noallo_cart2": frozenset({"xu2023 CART2"}),
    "x_adj_noallo_other": frozenset({"xu2023 non-CART2"}),
}

#: every response rate after (re-)treatment the four documents report, in document order
RETREATMENT_ROWS: tuple[Row, ...] = (
    Row(
        "w_salvage",
        "any salvage",
        "wudhikarn2021",
        "adults progressing after CD19 CAR T, given salvage",
        "B-ALL",
        "any salvage, any line",
        OTHER_SALVAGE,
        "CR after any salvage line",
        "registry:abs_salvage_cr_n",
    ),
    Row(
        "w_blin",
        "blinatumomab",
        "wudhikarn2021",
        "given blinatumomab after CAR T (Table 4)",
        "B-ALL",
        "blinatumomab",
        OTHER_SALVAGE,
        "CR among all 7 given it (the text's 3 of 6 counts morphologic disease only)",
        "table4:blin",
    ),
    Row(
        "w_ino",
        "inotuzumab",
        "wudhikarn2021",
        "given inotuzumab after CAR T (Table 4)",
        "B-ALL",
        "inotuzumab",
        OTHER_SALVAGE,
        "CR after inotuzumab (a response printed 'unknown' counts as no CR)",
        "table4:ino",
    ),
    Row(
        "w_blin_ino",
        "blina and/or ino",
        "wudhikarn2021",
        "given blinatumomab and/or inotuzumab (Table 4)",
        "B-ALL",
        "blinatumomab and/or inotuzumab",
        OTHER_SALVAGE,
        "CR after either drug",
        "table4:any",
    ),
    Row(
        "w_reinf",
        "CAR T reinfusion",
        "wudhikarn2021",
        "CAR T reinfusion after progression (Table 5)",
        "B-ALL",
        "second infusion of a CD19 CAR T",
        SECOND_CART,
        "CR after the second infusion",
        "table5",
    ),
    Row(
        "x_cart2",
        "CART2",
        "xu2023",
        "suboptimal response or relapse after CART1",
        "B-ALL",
        "second CD19 CAR T (CART2)",
        SECOND_CART,
        "CR after CART2",
        "registry:cr_cart2_n",
    ),
    Row(
        "x_cart1",
        "CART1",
        "xu2023",
        "CART1 patients evaluable (79 of 84)",
        "B-ALL",
        "first CD19 CAR T (CART1)",
        FIRST_CART,
        "CR after CART1",
        "registry:cr_cart1_n",
    ),
    Row(
        "x_postallo",
        "CART2 post-allo",
        "xu2023",
        "relapse after consolidative alloHSCT post-CART1",
        "B-ALL",
        "second CD19 CAR T (CART2)",
        SECOND_CART,
        "'response rate' (the abstract does not define it)",
        "registry:cr_postallo_n",
    ),
    Row(
        "x_adj_postallo",
        "adj. CART2 post-allo",
        "xu2023",
        "adjusted cohort: CART2 after alloHSCT",
        "B-ALL",
        "second CD19 CAR T (CART2)",
        SECOND_CART,
        "'response rate' (undefined)",
        "registry:cr_adj_postallo_n",
    ),
    Row(
        "x_adj_noallo_cart2",
        "adj. CART2 no allo",
        "xu2023",
        "adjusted cohort: CART2 without alloHSCT",
        "B-ALL",
        "second CD19 CAR T (CART2)",
        SECOND_CART,
        "'response rate' (undefined)",
        "registry:cr_adj_noallo_cart2_n",
    ),
    Row(
        "x_adj_noallo_other",
        "adj. other no allo",
        "xu2023",
        "adjusted cohort: non-CART2 without alloHSCT",
        "B-ALL",
        "treatment other than CART2 (unnamed)",
        OTHER_SALVAGE,
        "'response rate' (undefined)",
        "registry:cr_adj_noallo_other_n",
    ),
    Row(
        "z_donor",
        "donor CAR T",
        "zhang2021",
        "B-ALL relapsing after alloHSCT (9 centres)",
        "B-ALL",
        "donor-derived CD19 CAR T",
        DONOR_CART,
        "CR",
        "registry:cr_n",
    ),
    Row(
        "g_response",
        "CAR-T2 response",
        "gauthier2021",
        "CLL given a second CAR T infusion",
        "CLL",
        "second infusion of a CD19 CAR T (CAR-T2)",
        SECOND_CART,
        "'responded' (a lay summary; CR or PR presumably)",
        "registry:responders_n",
    ),
    Row(
        "g_cr",
        "CAR-T2 CR",
        "gauthier2021",
        "CLL given a second CAR T infusion",
        "CLL",
        "second infusion of a CD19 CAR T (CAR-T2)",
        SECOND_CART,
        "CR",
        "registry:cr_n",
    ),
)

#: second CD19 CAR T after CAR T failure, CR, one row per study (no shared patients)
DEFAULT_POOL: tuple[str, ...] = ("w_reinf", "x_cart2", "g_cr")

#: one CD19 CAR T row per study, Zhang 2021's donor-derived first CAR T included
CART_ONE_PER_STUDY: tuple[str, ...] = ("w_reinf", "x_cart2", "z_donor", "g_cr")

#: the B-ALL rows of :data:`DEFAULT_POOL`
B_ALL_CART_RETREATMENT: tuple[str, ...] = ("w_reinf", "x_cart2")


#: named sets of rows that share no patients: the chapter's widget offers these
ROW_SETS: dict[str, tuple[str, ...]] = {
    "second CAR T, CR, one row per study": DEFAULT_POOL,
    "second CAR T in B-ALL only": B_ALL_CART_RETREATMENT,
    "second CAR T, 'response' as each study defines it": ("w_reinf", "x_cart2", "g_response"),
    "one CAR T row per study (with Zhang's donor CAR T)": CART_ONE_PER_STUDY,
    "any re-treatment after CAR T failure": ("w_salvage", "x_cart2", "x_adj_noallo_other", "g_cr"),
    "first CAR T (not re-treatments)": ("x_cart1", "z_donor"),
}

#: author and year of each study, for labels
AUTHORS = {
    "wudhikarn2021": "Wudhikarn 2021",
    "xu2023": "Xu 2023",
    "zhang2021": "Zhang 2021",
    "gauthier2021": "Gauthier 2021",
}


#: the registry row that prints (and scores) each count recomputed from Tables 4 and 5
TABLE_CLAIMS = {
    "w_blin": "blin_n",
    "w_ino": "ino_cr_n",
    "w_blin_ino": "abs_blin_ino_cr_n",
    "w_reinf": "reinf_cr_n",
}


def registry_claims() -> pd.DataFrame:
    """The registry row behind each rate: its scorecard shows how each count is reproduced.

    Returns
    -------
    pandas.DataFrame
        ``key``, ``study``, ``claim_id``.

    Examples
    --------
    >>> registry_claims().set_index("key").loc["x_cart2", "claim_id"]
    'cr_cart2_n'
    """
    rows = []
    for row in RETREATMENT_ROWS:
        kind, _, claim = row.source.partition(":")
        rows.append((row.key, row.study, claim if kind == "registry" else TABLE_CLAIMS[row.key]))
    return pd.DataFrame(rows, columns=["key", "study", "claim_id"])


def check_independent(keys: tuple[str, ...] | list[str]) -> None:
    """Refuse a set of rows in which one row's patients include another's.

    Parameters
    ----------
    keys : sequence of str
        Keys of :data:`RETREATMENT_ROWS`.

    Raises
    ------
    ValueError
        If a key is unknown, repeated, or two rows share patients (see :data:`PATIENTS`).

    Examples
    --------
    >>> check_independent(DEFAULT_POOL)
    >>> check_independent(["x_cart2", "x_postallo"])
    Traceback (most recent call last):
    ...
    ValueError: rows 'x_cart2' and 'x_postallo' share patients: pool one of them
    """
    groups = {r.key: r.patients for r in RETREATMENT_ROWS}
    unknown = [k for k in keys if k not in groups]
    if unknown:
        raise ValueError(f"unknown row keys {unknown}; known: {sorted(groups)}")
    if len(set(keys)) != len(keys):
        raise ValueError(f"row keys repeated in {list(keys)}")
    for i, a in enumerate(keys):
        for b in keys[i + 1 :]:
            if groups[a] & groups[b]:
                raise ValueError(f"rows {a!r} and {b!r} share patients: pool one of them")


def _table4_counts(drug: str) -> tuple[int, int]:
    """CRs and patients given ``drug`` ("blin", "ino" or "any") in Table 4."""
    t4 = load_table4()
    blin = t4["blin_days"].notna()
    ino = t4["ino_days"].notna()
    cr_blin = blin & is_cr(t4["blin_response"])
    cr_ino = ino & is_cr(t4["ino_response"])
    given, cr = {"blin": (blin, cr_blin), "ino": (ino, cr_ino)}.get(
        drug, (blin | ino, cr_blin | cr_ino)
    )
    return int(cr.sum()), int(given.sum())


def _table5_counts() -> tuple[int, int]:
    t5 = load_table5()
    return int(is_cr(t5["response2"]).sum()), len(t5)


def _registry_counts(claim: str) -> Callable[[pd.DataFrame, str], tuple[int, int]]:
    def read(reg: pd.DataFrame, study: str) -> tuple[int, int]:
        key = (study, claim)
        if key not in reg.index:
            raise ValueError(f"data/{study}/published.csv has no row id {claim!r}")
        row = reg.loc[key]
        if pd.isna(row["n"]) or pd.isna(row["N"]):
            raise ValueError(f"data/{study}/published.csv row {claim!r} has no n/N")
        return int(row["n"]), int(row["N"])

    return read


def _counts(row: Row, reg: pd.DataFrame) -> tuple[int, int]:
    kind, _, what = row.source.partition(":")
    if kind == "registry":
        return _registry_counts(what)(reg, row.study)
    if kind == "table4":
        return _table4_counts(what)
    if kind == "table5":
        return _table5_counts()
    raise ValueError(f"row {row.key!r}: unknown source {row.source!r}")


def retreatment_table(ci_method: str = "clopper_pearson", conf: float = 0.95) -> pd.DataFrame:
    """Every response rate after re-treatment the documents report, with its CI.

    Parameters
    ----------
    ci_method : str
        A method of :data:`carbook.tables.CI_METHODS`; default Clopper-Pearson, R's
        ``binom.test(x, n)$conf.int``. None of the documents prints a CI for these
        rates, except Zhang 2021 (its 79% CR, 95% CI 66-92).
    conf : float
        Confidence level.

    Returns
    -------
    pandas.DataFrame
        One row per :data:`RETREATMENT_ROWS`, indexed by ``key``: ``label``, ``study``,
        ``population``, ``disease``, ``treatment``, ``role``, ``response`` (its
        definition), ``x``, ``n``, ``ci_method``, ``estimate``, ``low``, ``high``
        (percent), ``patients`` (rows sharing a group share patients), ``source``.

    Raises
    ------
    ValueError
        If a registry row is missing or has no n/N, or ``ci_method`` is unknown.

    Examples
    --------
    >>> t = retreatment_table()
    >>> t.loc[["w_reinf", "x_cart2", "g_cr"], ["x", "n"]].values.tolist()
    [[4, 10], [14, 26], [2, 9]]
    >>> t.loc["z_donor", ["low", "high"]].astype(float).round(1).tolist()
    [64.0, 90.0]
    """
    reg = load_published().set_index(["study", "id"])
    out = []
    for row in RETREATMENT_ROWS:
        x, n = _counts(row, reg)
        est, lo, hi = proportion_ci(x, n, method=ci_method, conf=conf)  # type: ignore[arg-type]
        fields = {k: v for k, v in row.__dict__.items() if k not in ("source", "short")}
        fields = {"key": row.key, "label": f"{AUTHORS[row.study]}: {row.short}"} | fields
        fields["patients"] = "; ".join(sorted(row.patients))
        out.append(
            fields
            | {"x": x, "n": n, "ci_method": ci_method}
            | {"estimate": 100 * est, "low": 100 * lo, "high": 100 * hi, "source": row.source}
        )
    return pd.DataFrame(out).set_index("key")


_SALVAGE_LABELS = {
    "w_blin_ino": "blinatumomab/inotuzumab after CAR T (B-ALL)",
    "w_reinf": "CAR T reinfusion (B-ALL)",
    "x_cart2": "second CD19 CAR T (B-ALL)",
    "g_cr": "second CD19 CAR T (CLL)",
}


def salvage_cr_rates() -> pd.DataFrame:
    """CR rates after CAR T failure across studies, with Clopper-Pearson 95% CIs.

    The four CR rows of :func:`retreatment_table` the salvage chapter compares:
    Wudhikarn 2021's blinatumomab/inotuzumab (Table 4) and reinfusion (Table 5), Xu
    2023's CART2 and Gauthier 2021's CLL CRs. CIs are R's ``binom.test`` (exact).

    Returns
    -------
    pandas.DataFrame
        ``label``, ``study``, ``x``, ``n``, ``estimate``, ``low``, ``high`` (percent).

    Examples
    --------
    >>> salvage_cr_rates()[["x", "n"]].values.tolist()
    [[7, 12], [4, 10], [14, 26], [2, 9]]
    """
    t = retreatment_table().loc[list(_SALVAGE_LABELS)]
    t = t.assign(label=[_SALVAGE_LABELS[k] for k in t.index]).reset_index(drop=True)
    return t[["label", "study", "x", "n", "estimate", "low", "high"]]
