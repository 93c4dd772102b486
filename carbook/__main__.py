"""Command line: ``python -m carbook scorecard [--csv] [--study KEY]``."""

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
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    args = _parser().parse_args(argv)
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
