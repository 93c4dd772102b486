"""A bounded store of the most recently used results, for the calibration's caches.

The search evaluates many cohorts in which most fits see the same arrays as a
recent evaluation (a move outside a population, a rejected move undone). Its caches
(:class:`carbook.reconstruct.targets.Memo`, the Evaluator's per-target states,
:class:`carbook.reconstruct.coxcolumns.CoxColumns`) keep results here, keyed by
the values they were computed from; ``functools.lru_cache`` cannot key on arrays.
"""

from __future__ import annotations

from collections.abc import Hashable

__all__ = ["MISSING", "Recent"]

#: what :meth:`Recent.get` returns for a key it does not hold
MISSING = object()


class Recent:
    """At most ``size`` results by key; the least recently used goes first (0: none kept).

    Examples
    --------
    >>> r = Recent(2)
    >>> r.put("a", 1); r.put("b", 2); r.get("a")  # "a" is now the most recent
    1
    >>> r.put("c", 3)  # full: the least recently used ("b") goes
    >>> r.get("b") is MISSING, r.get("a"), len(r)
    (True, 1, 2)
    """

    def __init__(self, size: int) -> None:
        if size < 0:
            raise ValueError(f"size must be at least 0, got {size}")
        self.size = size
        self._store: dict[Hashable, object] = {}

    def __len__(self) -> int:
        return len(self._store)

    def get(self, key: Hashable) -> object:
        """The result kept for ``key`` (now the most recently used), or :data:`MISSING`."""
        hit = self._store.pop(key, MISSING)
        if hit is not MISSING:
            self._store[key] = hit
        return hit

    def put(self, key: Hashable, value: object) -> None:
        """Keep ``value`` for ``key`` as the most recently used (the oldest goes when full)."""
        self._store.pop(key, None)
        if not self.size:
            return
        if len(self._store) >= self.size:
            del self._store[next(iter(self._store))]
        self._store[key] = value
