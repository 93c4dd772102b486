"""Command line.

``python -m carbook scorecard [--csv] [--study KEY]``: the whole-book scorecard.
``python -m carbook reconstruct STUDY --out DIR [--seed N] [--ensemble K] [--jobs J]
[--budget B]``: calibrate SYNTHETIC cohort(s) of a study, J at a time (joblib
processes), and write each with its report (byte-identical for a seed, whatever J).
Writing over the committed cohorts under ``data/<study>/`` needs ``--overwrite-data``
instead of ``--out``.
``python -m carbook validate [--out DIR]``: the validation on R's lung and veteran data
(:mod:`carbook.reconstruct.validation`), written to ``data/validation/`` by default.
``python -m carbook notebooks CHAPTER.md ... --out DIR``: the chapters as notebooks for
nbval, each with widgets given a last cell that moves every control
(:func:`carbook.book.nbval_notebook`); ``make nbval`` runs them.

Errors in arguments or data print one line naming the problem and exit with status 2.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from carbook._cpu import portable_numpy

portable_numpy()  # before anything imports numpy: the same cohort bytes on every CPU

from carbook.book import book_scorecard, study_scorecard, write_nbval_notebooks
from carbook.data import DATA_DIR
from carbook.published import studies
from carbook.reconstruct import validation
from carbook.reconstruct.run import BUDGET, writable, write
from carbook.scorecard import summary
from carbook.studies.models import MODELS, SeedFailure, reconstruct_each


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m carbook",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", required=True)
    sc = sub.add_parser("scorecard", help="published vs reproduced numbers of the whole book")
    sc.add_argument("--csv", action="store_true", help="print the full table as CSV")
    sc.add_argument("--study", choices=studies(), help="only this study")
    rc = sub.add_parser("reconstruct", help="calibrate and write SYNTHETIC cohorts")
    rc.add_argument("study", choices=sorted(MODELS), help="study key")
    where = rc.add_mutually_exclusive_group(required=True)
    where.add_argument("--out", type=Path, help="folder to write the cohort(s) and report(s) to")
    where.add_argument(
        "--overwrite-data",
        action="store_true",
        help="write over the committed cohorts in data/<study>/",
    )
    rc.add_argument("--seed", type=int, default=1, help="first seed (default 1)")
    rc.add_argument(
        "--ensemble", type=_positive, default=1, help="number of cohorts (seeds N..N+K-1)"
    )
    rc.add_argument(
        "--jobs", type=_positive, default=1, help="cohorts calibrated in parallel (default 1)"
    )
    rc.add_argument(
        "--budget", type=_positive, default=BUDGET, help=f"search iterations (default {BUDGET})"
    )
    nb = sub.add_parser("notebooks", help="chapters as notebooks for nbval")
    nb.add_argument("chapters", type=Path, nargs="+", help="MyST Markdown chapters")
    nb.add_argument("--out", type=Path, required=True, help="folder for the .ipynb files")
    va = sub.add_parser("validate", help="validation of the reconstruction on real data sets")
    va.add_argument("--out", type=Path, help="folder for the tables (default data/validation/)")
    return parser


def _validate(args: argparse.Namespace) -> int:
    directory = writable(args.out) if args.out else None
    for path in validation.write_results(directory=directory):
        print(path)
    return 0


def _notebooks(args: argparse.Namespace) -> int:
    for path in write_nbval_notebooks(args.chapters, writable(args.out)):
        print(path)
    return 0


def _reconstruct(args: argparse.Namespace) -> int:
    directory = writable(DATA_DIR / args.study if args.overwrite_data else args.out)
    seeds = range(args.seed, args.seed + args.ensemble)
    failed = []
    for seed, outcome in reconstruct_each(args.study, seeds, args.budget, args.jobs):
        if isinstance(outcome, SeedFailure):
            print(f"seed {seed} failed: {outcome.error}", file=sys.stderr)
            failed.append(seed)
            continue
        cohort, report = outcome
        for path in write(args.study, seed, cohort, report, directory):
            print(path)
        met = int(report["within"].sum())
        print(f"seed {seed}: {met}/{len(report)} printed numbers within printed precision")
    if failed:
        print(f"error: {len(failed)} of {len(seeds)} seeds failed: {failed}", file=sys.stderr)
        return 1
    return 0


def _scorecard(args: argparse.Namespace) -> int:
    table = study_scorecard(args.study) if args.study else book_scorecard()
    if args.csv:
        try:
            table.to_csv(sys.stdout, index=False)
        except BrokenPipeError:  # e.g. piped into `head`
            sys.stderr.close()
    else:
        print(summary(table).to_string())
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit status (2 on bad arguments or data)."""
    args = _parser().parse_args(argv)
    try:
        commands = {
            "notebooks": _notebooks,
            "reconstruct": _reconstruct,
            "validate": _validate,
            "scorecard": _scorecard,
        }
        return commands[args.command](args)
    except ValueError as err:
        print(f"error: {str(err).splitlines()[0]}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
