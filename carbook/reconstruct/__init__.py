"""Synthetic cohorts calibrated to what a paper publishes (``python -m carbook reconstruct``).

- :mod:`.spec`: the targets file (``data/<study>/targets.yaml``), resolved from the registry;
- :mod:`.targets`: every statistic of a target, in the authors' R conventions, and its loss;
- :mod:`.engine`: exact-margin construction and the annealing search;
- one module per study (:mod:`.wudhikarn2021`) with its endpoints, facts and time moves;
- :mod:`.run`: calibrate, write the cohort and its report byte-identically.
"""
