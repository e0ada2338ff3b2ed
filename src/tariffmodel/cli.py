"""The ``tariffmodel`` command line.

Each subcommand lives in a module of :mod:`tariffmodel.commands` that defines
``register(subparsers)``; this module finds them, parses the arguments and turns bad input into
a plain message and exit code 2 (never a traceback).
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys

from . import __version__, commands
from .errors import InputError


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tariffmodel",
        description="Maximum Allowed Distribution Revenue (Schedule 2 of NEDC's Distribution "
        "Licence): run scenarios, explore them, review them.",
    )
    parser.add_argument("--version", action="version", version=f"tariffmodel {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{commands.__name__}.{info.name}")
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        status = args.func(args)
    except InputError as exc:
        print(f"tariffmodel {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"tariffmodel {args.command}: interrupted", file=sys.stderr)
        return 130
    return int(status or 0)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
