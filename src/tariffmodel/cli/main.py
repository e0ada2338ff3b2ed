"""The ``tariffmodel`` command line.

Each subcommand lives in a module of :mod:`tariffmodel.cli.commands` that defines
``register(subparsers)``; this module finds them, parses the arguments and turns bad input into
a plain message and exit code 2 (never a traceback).
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import signal
import sys
import threading

from tariffmodel import __version__
from tariffmodel.cli import commands
from tariffmodel.inputs.errors import InputError
from tariffmodel.reporting.staging import check_output_folder


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
    # The commands' modules load numpy, pandas and the engine: a second or two. A Ctrl-C then
    # may surface as another error (numpy turns one inside its C extension's start into an
    # ImportError): an interrupt seen meanwhile ends the command quietly, whatever it raised.
    seen: list[int] = []

    def interrupt(signum, frame):
        seen.append(signum)
        raise KeyboardInterrupt

    watch = threading.current_thread() is threading.main_thread()
    before = signal.signal(signal.SIGINT, interrupt) if watch else None
    try:
        parser = build_parser()
    except BaseException:
        if not seen:
            raise
        print("tariffmodel: interrupted", file=sys.stderr)
        return 130
    finally:
        if watch:
            signal.signal(signal.SIGINT, before)
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    name = f"tariffmodel {args.command}"
    try:
        # Every command's --out is an output folder: a bad one is reported before any work,
        # not after a long run.
        if getattr(args, "out", None) is not None:
            check_output_folder(args.out)
        status = args.func(args)
    except InputError as exc:
        print(f"{name}: error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        # A file the system would not let us read or write (permissions, a folder where a
        # file is due, a full disk): the file and the reason, not a traceback.
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"{name}: error: {where}{exc.strerror or exc}", file=sys.stderr)
        return 2
    except UnicodeDecodeError as exc:
        print(f"{name}: error: a file is not UTF-8 text ({exc})", file=sys.stderr)
        return 2
    except MemoryError:
        # The limits of the commands should prevent this; the last resort if they do not.
        print(
            f"{name}: error: not enough memory for this run; ask for fewer draws, samples or "
            "grid points",
            file=sys.stderr,
        )
        return 2
    except KeyboardInterrupt:
        print(f"{name}: interrupted", file=sys.stderr)
        return 130
    return int(status or 0)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
