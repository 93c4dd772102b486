"""Small helpers shared by several test modules (imported as ``helpers``)."""

from __future__ import annotations

import numpy as np


def same_values(a: dict, b: dict) -> bool:
    """Two dicts of floats with the same keys and bit-equal values (NaN equal to NaN).

    Examples
    --------
    >>> same_values({"x": 1.0, "y": float("nan")}, {"x": 1.0, "y": float("nan")})
    True
    >>> same_values({"x": 1.0}, {"x": 1.0 + 1e-16 * 3})
    False
    """
    return a.keys() == b.keys() and all(
        a[k] == b[k] or (np.isnan(a[k]) and np.isnan(b[k])) for k in a
    )
