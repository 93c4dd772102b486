"""The reconstruction engine: construction with exact margins, then search.

Re-exports :mod:`carbook.reconstruct.construction` and :mod:`carbook.reconstruct.search`
under one name, for the study models that use both.
"""

from carbook.reconstruct.construction import (
    Change,
    Model,
    Move,
    column_swaps,
    construct_categorical,
    construct_continuous,
    construct_within,
    derive,
    exact_values,
    interior_change,
    interior_steps,
)
from carbook.reconstruct.rankplace import rank_move
from carbook.reconstruct.search import anneal, calibrate

__all__ = [
    "Change",
    "Model",
    "Move",
    "anneal",
    "calibrate",
    "column_swaps",
    "construct_categorical",
    "construct_continuous",
    "construct_within",
    "derive",
    "exact_values",
    "interior_change",
    "interior_steps",
    "rank_move",
]
