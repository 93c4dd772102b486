"""Numbers gathered across studies, for comparison chapters."""

from __future__ import annotations

import pandas as pd

from carbook.data.wudhikarn2021 import load_table4, load_table5
from carbook.published import load_published
from carbook.studies.wudhikarn2021.patients import is_cr
from carbook.tables import proportion_ci

__all__ = ["salvage_cr_rates"]


def salvage_cr_rates() -> pd.DataFrame:
    """CR rates after CAR T failure across studies, with Clopper-Pearson 95% CIs.

    Wudhikarn 2021 counts come from its per-patient Tables 4 and 5; Xu 2023 and
    Gauthier 2021 from the n/N printed in their registries. CIs are R's
    ``binom.test`` (exact); none of the papers prints one for these rates.

    Returns
    -------
    pandas.DataFrame
        ``label``, ``study``, ``x``, ``n``, ``estimate``, ``low``, ``high`` (percent).

    Examples
    --------
    >>> salvage_cr_rates()[["x", "n"]].values.tolist()
    [[7, 12], [4, 10], [14, 26], [2, 9]]
    """
    t4, t5 = load_table4(), load_table5()
    cr_t4 = int((is_cr(t4["blin_response"]) | is_cr(t4["ino_response"])).sum())
    reg = load_published().set_index(["study", "id"])
    xu = reg.loc[("xu2023", "cr_cart2_pct")]
    ga = reg.loc[("gauthier2021", "cr_n")]
    rows = [
        ("blinatumomab/inotuzumab after CAR T (B-ALL)", "wudhikarn2021", cr_t4, len(t4)),
        ("CAR T reinfusion (B-ALL)", "wudhikarn2021", int(is_cr(t5["response2"]).sum()), len(t5)),
        ("second CD19 CAR T (B-ALL)", "xu2023", int(xu["n"]), int(xu["N"])),
        ("second CD19 CAR T (CLL)", "gauthier2021", int(ga["n"]), int(ga["N"])),
    ]
    out = []
    for label, study, x, n in rows:
        est, lo, hi = proportion_ci(x, n, method="clopper_pearson")
        out.append(
            {
                "label": label,
                "study": study,
                "x": x,
                "n": n,
                "estimate": 100 * est,
                "low": 100 * lo,
                "high": 100 * hi,
            }
        )
    return pd.DataFrame(out)
