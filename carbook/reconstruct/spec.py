"""Read ``data/<study>/targets.yaml`` and resolve every number from the registry.

The YAML names claims (``published.csv``) and events (``counts.csv``, or sums and
differences of them); it never holds a number of its own. Resolution happens
here, so a typo in a name fails loudly before any search runs.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
import yaml

from carbook.data import DATA_DIR, evaluate_counts, load_counts
from carbook.published import load_published, printed_interval

__all__ = ["KINDS", "Spec", "Target", "build_spec", "load_spec"]

#: Statistic kinds a target may ask for, with the keys each one needs.
KINDS: dict[str, set[str]] = {
    "km_median": {"endpoint"},
    "km_at": {"endpoint", "time"},
    "cif_at": {"endpoint", "time"},
    "followup": {"endpoint"},
    "median_range": {"where"},  # and a column, or an endpoint (its times)
    "wilcoxon": {"column"},
    "logrank": {"endpoint", "group"},  # P of group 1 vs 0 (within ``where``)
    "cox_hr": {"endpoint", "covariate"},
    "cox_mv": {"endpoint", "covariates", "term"},
    "cox_td": {"endpoint", "switch"},
}


@dataclass(frozen=True)
class Target:
    """One published statistic the cohort must reproduce.

    ``printed`` maps "value", "low", "high" to the printed text (only those that
    were printed), so the precision of each is the printed precision.
    """

    claim: str
    kind: str
    params: dict[str, object]
    printed: dict[str, str]
    p_claim: str | None = None
    p_printed: str | None = None

    def intervals(self) -> dict[str, tuple[float, float]]:
        """Printed interval of each printed part (value and bounds)."""
        return {k: printed_interval(v) for k, v in self.printed.items()}


@dataclass
class Spec:
    """A study's resolved reconstruction targets."""

    study: str
    strata: dict[str, int]
    categorical: dict[str, dict[str, object]]
    free_binary: list[str]
    continuous: dict[str, dict[str, object]]
    derived: dict[str, str]
    #: continuous columns defined only where a 0/1 categorical column is 1 (e.g. days
    #: of corticosteroid among those given it); they move with that column's swaps
    within: dict[str, dict[str, object]] = field(default_factory=dict)
    targets: list[Target] = field(default_factory=list)

    def target(self, claim: str) -> Target:
        """The target of ``claim``.

        Raises
        ------
        ValueError
            If no target has that claim.

        Examples
        --------
        >>> load_spec("wudhikarn2021").target("t3_sex_hr").params["covariate"]
        'male'
        """
        for t in self.targets:
            if t.claim == claim:
                return t
        raise ValueError(f"claim {claim!r} is not a target of {self.study}")


def _event_value(expr: str, counts: pd.DataFrame, where: str) -> int:
    frame = pd.DataFrame(
        {
            "event": [*counts["event"], "_expr"],
            "count": [*counts["value"], pd.NA],
            "formula": [*[""] * len(counts), str(expr)],
        }
    )
    return int(evaluate_counts(frame, where).iloc[-1])


def _printed(reg: pd.DataFrame, claim: str, where: str) -> dict[str, str]:
    if claim not in reg.index:
        raise ValueError(f"{where}: claim {claim!r} is not in published.csv")
    row = reg.loc[claim]
    return {k: row[c] for k, c in (("value", "value"), ("low", "low"), ("high", "high")) if row[c]}


def _categorical(raw: dict, strata: dict[str, int], counts: pd.DataFrame) -> dict[str, dict]:
    out = {}
    for col, spec in raw.items():
        if "rest" not in spec:
            raise ValueError(f"targets.yaml categorical {col!r}: needs a 'rest' level")
        levels = {}
        for stratum, size in strata.items():
            given = {
                str(k): _event_value(v, counts, f"categorical {col}.{stratum}.{k}")
                for k, v in (spec.get(stratum) or {}).items()
            }
            rest = size - sum(given.values())
            if rest < 0:
                raise ValueError(
                    f"targets.yaml categorical {col!r}: {stratum} levels exceed {size}"
                )
            levels[stratum] = {**given, str(spec["rest"]): rest}
        out[col] = levels
    return out


def _continuous(raw: dict, strata: dict[str, int], reg: pd.DataFrame) -> dict[str, dict]:
    out = {}
    for col, spec in raw.items():
        entry: dict[str, object] = {"decimals": int(spec.get("decimals", 0))}
        if "within" in spec:
            entry["within"] = str(spec["within"])
            entry["otherwise"] = float(spec.get("otherwise", "nan"))
        if spec.get("split_median"):
            entry["split_median"] = True
        for stratum in strata:
            printed = _printed(reg, spec[stratum], f"continuous {col}.{stratum}")
            if set(printed) != {"value", "low", "high"}:
                raise ValueError(f"continuous {col}.{stratum}: claim must print median (range)")
            entry[stratum] = tuple(float(printed[k]) for k in ("value", "low", "high"))
            entry.setdefault("claims", {})[stratum] = spec[stratum]
        out[col] = entry
    return out


def _target(raw: dict, reg: pd.DataFrame) -> Target:
    claim, kind = raw.get("claim"), raw.get("kind")
    if kind not in KINDS:
        raise ValueError(f"target {claim!r}: kind must be one of {sorted(KINDS)}, got {kind!r}")
    params = {k: v for k, v in raw.items() if k not in ("claim", "kind", "p_claim")}
    missing = KINDS[kind] - set(params)
    if missing:
        raise ValueError(f"target {claim!r} ({kind}) is missing {sorted(missing)}")
    p_claim = raw.get("p_claim")
    p_printed = _printed(reg, p_claim, f"target {claim}")["value"] if p_claim else None
    return Target(claim, kind, params, _printed(reg, claim, f"target {claim}"), p_claim, p_printed)


def build_spec(study: str, raw: dict, registry: pd.DataFrame, counts: pd.DataFrame) -> Spec:
    """Resolve a targets mapping against a registry and counts held in memory.

    ``registry`` has the columns of ``published.csv`` (at least id, value, low, high);
    ``counts`` those of ``counts.csv`` with a ``value`` column (see
    :func:`carbook.data.load_counts`). :func:`load_spec` reads both from files; the
    validation on real data builds them from the data.
    """
    reg = registry.set_index("id")
    strata = {
        name: _event_value(ev, counts, f"strata.{name}") for name, ev in raw["strata"].items()
    }
    return Spec(
        study=study,
        strata=strata,
        categorical=_categorical(raw.get("categorical") or {}, strata, counts),
        free_binary=list(raw.get("free_binary") or []),
        continuous=_continuous(raw.get("continuous") or {}, strata, reg),
        derived=dict(raw.get("derived") or {}),
        within=_continuous(raw.get("continuous_within") or {}, strata, reg),
        targets=[_target(t, reg) for t in raw.get("targets") or []],
    )


def load_spec(study: str) -> Spec:
    """Load and resolve ``data/<study>/targets.yaml``.

    Raises
    ------
    ValueError
        If the file is missing, or names an unknown claim, event, kind or stratum.

    Examples
    --------
    >>> spec = load_spec("wudhikarn2021")
    >>> spec.strata
    {'progressed': 38, 'not_progressed': 18}
    >>> spec.categorical["burden"]["not_progressed"]["unknown"]
    1
    """
    path = DATA_DIR / study / "targets.yaml"
    if not path.is_file():
        raise ValueError(f"no targets for study {study!r}: {path}")
    raw = yaml.safe_load(path.read_text())
    return build_spec(study, raw, load_published(study), load_counts(study))
