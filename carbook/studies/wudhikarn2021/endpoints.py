"""The endpoints of wudhikarn2021, defined once: what ends EFS, R/R and OS.

Times are months from CAR T infusion (from progression for ``os_post``). EFS ends at
refractoriness, relapse (together: R/R, "progression") or death; R/R is a competing
risk with death (status 1 R/R, 2 death, 0 censored); OS ends at death. The
calibration reads these array functions (:data:`ENDPOINTS`); the chapters read the
same definitions as pandas Series (:mod:`.outcomes`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from carbook.studies.wudhikarn2021 import post

__all__ = ["ENDPOINTS", "efs", "os_", "rr"]


def os_(c: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Overall survival: (months to death or last contact, died).

    Examples
    --------
    >>> c = pd.DataFrame({"t_last": [5.0, 9.0], "dead": [1, 0]})
    >>> [a.tolist() for a in os_(c)]
    [[5.0, 9.0], [1, 0]]
    """
    return c["t_last"].to_numpy(), c["dead"].to_numpy()


def rr(c: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """R/R with death competing: (months, status 1 R/R / 2 death / 0 censored).

    Examples
    --------
    >>> c = pd.DataFrame({"progressed": [1, 0, 0], "t_rr": [2.0, None, None],
    ...                   "t_last": [5.0, 4.0, 9.0], "dead": [1, 1, 0]})
    >>> [a.tolist() for a in rr(c)]
    [[2.0, 4.0, 9.0], [1, 2, 0]]
    """
    prog = c["progressed"].to_numpy() == 1
    time = np.where(prog, c["t_rr"].to_numpy(), c["t_last"].to_numpy())
    return time, np.where(prog, 1, np.where(c["dead"].to_numpy() == 1, 2, 0))


def efs(c: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Event-free survival: (months to R/R or death, either happened).

    Examples
    --------
    >>> c = pd.DataFrame({"progressed": [1, 0, 0], "t_rr": [2.0, None, None],
    ...                   "t_last": [5.0, 4.0, 9.0], "dead": [1, 1, 0]})
    >>> efs(c)[1].tolist()
    [1, 1, 0]
    """
    time, status = rr(c)
    return time, (status > 0).astype(int)


def _os_post(c: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    prog = c["progressed"].to_numpy() == 1
    return np.where(prog, c["t_post"].to_numpy(), np.nan), c["dead"].to_numpy()


#: endpoint name (as in ``targets.yaml``) -> function of a cohort giving (time, status)
ENDPOINTS = {
    "os": os_,
    "rr": rr,
    "efs": efs,
    "os_post": _os_post,
    "remission": post.remission,
    "efs_cr": lambda c: post.remission(c, "t_salvage"),
}
