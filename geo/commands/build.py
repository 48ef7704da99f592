"""``geo build`` and ``geo info``."""

from __future__ import annotations

import argparse
import os

from geo.commands._args import cli_translator, int_between, non_negative_int
from geo.i18n import N_, translator

# Same as geo.catalogue.build.DEFAULT_*; literals so that `geo --help` imports nothing heavy.
DEFAULT_SEED = 20250908
DEFAULT_SITES = 320
MAX_DEMO_SITES = 100_000  # the benchmarks use 10,000; a typo of 1e12 must not run for hours


def register(sub: argparse._SubParsersAction) -> None:
    _ = cli_translator()
    p = sub.add_parser("build", help=N_("build the catalogue offline from packaged sources (+ demo records)"))
    p.add_argument("--no-demo", action="store_true", help=N_("build without any demo record"))
    p.add_argument("--seed", type=non_negative_int, default=DEFAULT_SEED, help=N_("seed of the demo generator"))
    p.add_argument("--sites", type=int_between(0, MAX_DEMO_SITES), default=DEFAULT_SITES,
                   help=_("number of demo sites (at most {n})").format(n=_.integer(MAX_DEMO_SITES)))
    p.add_argument("--force", action="store_true",
                   help=N_("rebuild a catalogue that holds owners, submissions, enquiries, reviews or imports "
                           "(a backup of it is written first)"))
    p.set_defaults(func=_build)
    q = sub.add_parser("info", help=N_("layer counts, metadata and sources of the catalogue"))
    q.set_defaults(func=_info)


def _build(args: argparse.Namespace) -> int:
    from geo.catalogue import open_catalogue
    from geo.catalogue.build import build_catalogue

    _ = translator(args.lang)
    _writable_folder(args.catalogue_path)

    def backed_up(path: str, counts: dict[str, int]) -> None:
        print(_("backup of the catalogue before the rebuild: {path} ({n} rows)").format(
            path=path, n=_.integer(sum(counts.values()))), flush=True)

    t = build_catalogue(args.catalogue_path, demo=not args.no_demo, seed=args.seed, n_sites=args.sites,
                        force=args.force, on_backup=backed_up)
    cat = open_catalogue(args.catalogue_path)
    _print_counts(cat.counts(), _)
    from geo.catalogue.transfer import display

    if os.path.isfile(args.catalogue_path):
        print(_("built {catalogue} in {seconds} s, {size} MB").format(
            catalogue=display(args.catalogue_path), seconds=_.number(t["total"], 1, trim=False),
            size=_.number(os.path.getsize(args.catalogue_path) / 1e6, 1, trim=False)))
    else:
        print(_("built {catalogue} in {seconds} s").format(catalogue=display(args.catalogue_path),
                                                          seconds=_.number(t["total"], 1, trim=False)))
    return 0


def _print_counts(counts: dict[str, int], _) -> None:
    """One line per layer: its name and how many rows it has (right-aligned, in the reader's digits)."""
    for name, n in sorted(counts.items()):
        print(f"{name:24s} {_.integer(n):>6s}")


def _writable_folder(path: str) -> None:
    """Fail with the OS's own reason (one line from the CLI) before building into a folder that refuses files."""
    import tempfile
    from pathlib import Path

    if "://" in path:  # a database URL, not a file
        return
    folder = Path(path).resolve().parent
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=folder, prefix=".geo-write-test-"):
        pass


def _info(args: argparse.Namespace) -> int:
    from geo.catalogue import open_catalogue

    _ = translator(args.lang)
    cat = open_catalogue(args.catalogue_path)
    for k, v in cat.metadata().items():
        print(f"{k}: {v}")
    _print_counts(cat.counts(), _)
    for _, s in cat.sources().iterrows():
        print(f"- {s['name']} ({s['licence']}): {s['attribution']}")
    return 0
