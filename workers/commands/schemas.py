"""``newsflow schemas export DIR``."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any


def register(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser("schemas", help="export the topic contracts as JSON Schema")
    actions = parser.add_subparsers(dest="action", required=True)
    export = actions.add_parser("export", help="write one JSON Schema file per topic contract")
    export.add_argument("directory", type=Path, metavar="DIR")
    export.set_defaults(func=run_export)


def run_export(args: argparse.Namespace) -> int:
    from schemas.export import export

    for path in export(args.directory):
        print(path)
    return 0
