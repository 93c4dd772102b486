"""Wudhikarn 2021 (MSKCC): adults with B-ALL progressing after CD19 CAR T (seeds 000/001).

:func:`.reproduce.reproduce` gathers every number this book recomputes for the study: counts
and percents (``counts.csv``), Table 1 P values (:mod:`.table1`), the summaries
of Tables 4 and 5 (:mod:`.patients`), and what needs patient data on the SYNTHETIC
calibrated cohort (:mod:`.synthetic`).
"""
