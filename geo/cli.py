"""The ``geo`` command: one entry point, one subcommand module per area.

Each area registers its subcommands from its own module (``register(sub)``), so
this file stays a table of contents. A :class:`~geo.errors.UserError` becomes
a readable message and exit code 1, never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from typing import Sequence

from geo.errors import UserError

# Modules that define ``register(subparsers) -> None``. Imported lazily so
# that ``geo --help`` stays fast and a missing optional extra only breaks
# its own subcommand.
COMMAND_MODULES: tuple[str, ...] = (
    "geo.commands.build",
    "geo.commands.imports",
    "geo.commands.search",
    "geo.commands.listing",
    "geo.commands.brownfield",
    "geo.commands.catalogue",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="geo",
        description="Lombardy investment sites: catalogue, search, listings, brownfield layer.",
    )
    parser.add_argument(
        "--catalogue",
        dest="catalogue_path",
        default=os.environ.get("GEO_CATALOGUE", "data/catalogue.gpkg"),
        help="catalogue GeoPackage (default: $GEO_CATALOGUE or data/catalogue.gpkg)",
    )
    parser.add_argument("--lang", choices=["it", "en"], default="en", help="language of messages")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:  # area not built yet
                continue
            raise
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except UserError as exc:
        print(f"error: {exc.message(getattr(args, 'lang', 'en'))}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
