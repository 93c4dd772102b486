"""Command line.

``python -m carbook scorecard [--csv] [--study KEY]``: the whole-book scorecard.
``python -m carbook reconstruct STUDY [--seed N] [--ensemble K] [--budget B]``: calibrate
and write the synthetic cohort(s) of a study (byte-identical for a seed).
"""

from __future__ import annotations

import argparse
import sys

from carbook.published import studies
from carbook.scorecard import book_scorecard, study_scorecard, summary


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m carbook", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    sc = sub.add_parser("scorecard", help="published vs reproduced numbers of the whole book")
    sc.add_argument("--csv", action="store_true", help="print the full table as CSV")
    sc.add_argument("--study", choices=studies(), help="only this study")
    rc = sub.add_parser("reconstruct", help="calibrate and write synthetic cohorts")
    rc.add_argument("study", help="study key, e.g. wudhikarn2021")
    rc.add_argument("--seed", type=int, default=1, help="first seed (default 1)")
    rc.add_argument("--ensemble", type=int, default=1, help="number of cohorts (seeds N..N+K-1)")
    rc.add_argument("--budget", type=int, default=None, help="search iterations per cohort")
    return parser


def _reconstruct(args: argparse.Namespace) -> int:
    from carbook.reconstruct.run import BUDGET, reconstruct, write

    if args.ensemble < 1:
        raise SystemExit("--ensemble must be at least 1")
    for seed in range(args.seed, args.seed + args.ensemble):
        cohort, report = reconstruct(args.study, seed, args.budget or BUDGET)
        for path in write(args.study, seed, cohort, report):
            print(path)
        met = int(report["within"].sum())
        print(f"seed {seed}: {met}/{len(report)} printed numbers within printed precision")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    args = _parser().parse_args(argv)
    if args.command == "reconstruct":
        return _reconstruct(args)
    table = study_scorecard(args.study) if args.study else book_scorecard()
    if args.csv:
        try:
            table.to_csv(sys.stdout, index=False)
        except BrokenPipeError:  # e.g. piped into `head`
            sys.stderr.close()
    else:
        print(summary(table).to_string())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
