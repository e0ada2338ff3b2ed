"""``tariffmodel review``: the batch over a folder of scenarios into a dated review folder."""

from __future__ import annotations

import argparse
import datetime as _dt
import sys
from pathlib import Path

from tariffmodel.cli.commands.batch import add_batch_options, execute
from tariffmodel.inputs.errors import InputError


def review_folder(root, today: _dt.date | None = None) -> Path:
    """``ROOT/review-YYYY-MM-DD`` for today's date (UTC).

    >>> review_folder("reports", _dt.date(2026, 11, 22)).as_posix()
    'reports/review-2026-11-22'
    """
    day = today or _dt.datetime.now(_dt.UTC).date()
    return Path(root) / f"review-{day.isoformat()}"


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "review",
        help="review every scenario of a folder into ROOT/review-DATE/",
        description="Run the review notebook over DIR/*.yaml into ROOT/review-YYYY-MM-DD/ "
        "(a batch, see 'tariffmodel batch'). Run again the same day, it continues that "
        "review and re-runs only scenarios whose inputs changed.",
    )
    p.add_argument("folder", metavar="DIR", help="folder of scenario files (*.yaml)")
    p.add_argument("--out", default="reports", metavar="ROOT", help="where review folders go")
    add_batch_options(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    folder = Path(args.folder)
    if not folder.is_dir():
        # Else a mistyped folder would be taken for one scenario file, which fails.
        rule = "is a file, not a folder of scenarios" if folder.exists() else "no such folder"
        raise InputError(rule, file=args.folder, key="DIR")
    out = review_folder(args.out)
    args.scenarios = [args.folder]
    return execute(args, out, resume=True, command=" ".join(["tariffmodel", *sys.argv[1:]]))
