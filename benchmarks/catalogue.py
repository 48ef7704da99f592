"""The catalogue a benchmark runs on: the one given, else the demo catalogue built into a new temporary folder."""

from __future__ import annotations

import tempfile
from pathlib import Path


def demo_catalogue() -> Path:
    """The demo catalogue (320 sites and the reference layers) built into a new temporary folder."""
    from geo.catalogue.build import build_catalogue

    path = Path(tempfile.mkdtemp()) / "catalogue.gpkg"
    build_catalogue(path, demo=True)
    return path


def catalogue_or_demo(given: str | None) -> Path:
    """``given`` (a benchmark's ``--catalogue``) as a path, else :func:`demo_catalogue`."""
    return Path(given) if given else demo_catalogue()
