"""``newsflow``: one command, a subcommand per job. Each subcommand lives in workers.commands."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from workers import __version__

COMMANDS = ("process", "schemas", "broker", "worker", "produce", "demo", "dlq")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="newsflow",
        description="Stream-processing ingestion of news pages: raw pages in, structured articles out.",
    )
    parser.add_argument("--version", action="version", version=f"newsflow {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMANDS:
        importlib.import_module(f"workers.commands.{name}").register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code = args.func(args)
    except KeyboardInterrupt:
        return 130
    except (FileNotFoundError, ValueError) as exc:
        print(f"newsflow {args.command}: error: {exc}", file=sys.stderr)
        return 2
    return int(code or 0)


if __name__ == "__main__":
    sys.exit(main())
