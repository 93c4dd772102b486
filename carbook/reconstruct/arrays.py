"""A cohort held as numpy columns, for the inner loop of the times phase.

The study models' moves and endpoints read a cohort through a few pandas idioms
(``c[col]``, ``c[col].to_numpy()``, ``c.at[i, col]``, ``c.index``, ``col in c``,
``c.loc[rows, col]``). :class:`ArrayCohort` answers the same idioms from a dict of
numpy arrays, so the same moves and endpoint functions run without pandas'
per-access overhead, and :class:`TimeEvaluator` recomputes a time target only
when the arrays it reads have changed.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pandas as pd

from carbook.reconstruct.spec import Target
from carbook.reconstruct.targets import Endpoints, Evaluator

__all__ = ["TIME_KINDS", "ArrayCohort", "TimeEvaluator"]

#: target kinds that read only times, event flags and fixed grouping columns
TIME_KINDS = frozenset({"km_median", "km_at", "cif_at", "followup", "median_range", "logrank"})


class Column(np.ndarray):
    """A numpy column that also answers ``to_numpy(dtype)``, as a pandas Series does."""

    def to_numpy(self, dtype: object = None) -> np.ndarray:
        """The values as a plain array (of ``dtype`` if given)."""
        return np.asarray(self, dtype=dtype)


class _Columns:
    """Several columns (``c[[a, b]]``), answering ``to_numpy(dtype)`` as a DataFrame does."""

    def __init__(self, cols: list[Column]) -> None:
        self._cols = cols

    def to_numpy(self, dtype: object = None) -> np.ndarray:
        """The columns side by side, (n, k) (of ``dtype`` if given)."""
        return np.column_stack([np.asarray(c, dtype=dtype) for c in self._cols])


class _At:
    def __init__(self, cols: dict[str, Column]) -> None:
        self._cols = cols

    def __getitem__(self, key: tuple[int, str]) -> object:
        i, col = key
        return self._cols[col][i]

    def __setitem__(self, key: tuple[int, str], value: object) -> None:
        i, col = key
        self._cols[col][i] = value


class _Loc:
    def __init__(self, cols: dict[str, Column]) -> None:
        self._cols = cols

    def __getitem__(self, key: tuple[object, str]) -> pd.Series:
        rows, col = key
        rows = np.asarray(rows)
        return pd.Series(np.asarray(self._cols[col])[rows], index=rows)


class ArrayCohort:
    """A cohort's columns as numpy arrays, indexed 0..n-1 like the frame it copies.

    Parameters
    ----------
    frame : pandas.DataFrame
        With a default RangeIndex (as every constructed cohort has).

    Raises
    ------
    ValueError
        If ``frame``'s index is not 0..n-1.

    Examples
    --------
    >>> f = pd.DataFrame({"t": [1.0, 2.0, 3.0], "dead": [1, 0, 1]})
    >>> c = ArrayCohort(f)
    >>> c.at[1, "t"] = 5.0
    >>> c.index[c["dead"] == 1].tolist(), c["t"].to_numpy().tolist()
    ([0, 2], [1.0, 5.0, 3.0])
    >>> c[["t", "dead"]].to_numpy(float)[1].tolist()
    [5.0, 0.0]
    >>> c.write_back(f, {"t"})
    >>> f["t"].tolist()
    [1.0, 5.0, 3.0]
    """

    def __init__(self, frame: pd.DataFrame) -> None:
        if not frame.index.equals(pd.RangeIndex(len(frame))):
            raise ValueError("cohort index must be 0..n-1 (a default RangeIndex)")
        self._cols: dict[str, Column] = {
            col: np.array(frame[col].to_numpy(), copy=True).view(Column) for col in frame.columns
        }
        self.index = np.arange(len(frame))
        self.at = _At(self._cols)
        self.loc = _Loc(self._cols)

    @property
    def columns(self) -> list[str]:
        """Column names, in the frame's order."""
        return list(self._cols)

    def __len__(self) -> int:
        return len(self.index)

    def __contains__(self, col: object) -> bool:
        return col in self._cols

    def __iter__(self) -> Iterator[str]:
        return iter(self._cols)

    def __getitem__(self, col: str | list[str]) -> Column | _Columns:
        if isinstance(col, list):
            return _Columns([self._cols[c] for c in col])
        return self._cols[col]

    def __setitem__(self, col: str, values: object) -> None:
        self._cols[col] = np.array(values, copy=True).view(Column)

    def copy(self) -> ArrayCohort:
        """An independent copy (the search keeps the best cohort seen)."""
        out = object.__new__(ArrayCohort)
        out._cols = {k: v.copy() for k, v in self._cols.items()}
        out.index, out.at, out.loc = self.index, _At(out._cols), _Loc(out._cols)
        return out

    def write_back(self, frame: pd.DataFrame, columns: set[str] | None = None) -> None:
        """Copy ``columns`` (default: all) into ``frame`` in place, keeping its dtypes."""
        for col in self._cols if columns is None else sorted(columns):
            frame[col] = pd.Series(np.asarray(self._cols[col]), index=frame.index).astype(
                frame[col].dtype
            )


class TimeEvaluator(Evaluator):
    """:class:`Evaluator` of time targets only (those an :class:`ArrayCohort` can answer).

    Like every :class:`Evaluator`, it recomputes a target only when an endpoint's
    (time, status) or a column it reads differs from the last evaluation; the
    others keep their cached values, so the achieved values are identical
    (``tests/test_fast_times.py`` checks it on random cohorts).

    Raises
    ------
    ValueError
        If a target is not of a kind in :data:`TIME_KINDS`.
    """

    def __init__(
        self,
        targets: list[Target],
        endpoints: Endpoints,
        excluded: dict[str, str] | None = None,
        excluded_p: dict[str, str] | None = None,
    ) -> None:
        other = sorted({t.kind for t in targets} - TIME_KINDS)
        if other:
            raise ValueError(f"TimeEvaluator evaluates time targets only; got kinds {other}")
        super().__init__(targets, endpoints, excluded, excluded_p)
