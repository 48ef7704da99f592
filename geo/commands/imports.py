"""``geo import zis|zls-perimeter|infrastructure FILE``: validated, atomic imports."""

from __future__ import annotations

import argparse

import pandas as pd

from geo.layers.imports import INFRA_KINDS


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("import", help="import a layer from a file into the catalogue")
    s = p.add_subparsers(dest="what", required=True, metavar="WHAT")
    z = s.add_parser("zis", help="ZIS areas (GeoJSON or GeoPackage); replaces the layer")
    z.add_argument("file")
    z.set_defaults(func=_zis)
    zp = s.add_parser("zls-perimeter", help="the real ZLS perimeter (polygons); used for in_zls")
    zp.add_argument("file")
    zp.set_defaults(func=_zls)
    i = s.add_parser("infrastructure", help="points of one kind (GeoJSON, GeoPackage or CSV with lat/lon)")
    i.add_argument("file")
    i.add_argument("--kind", required=True, choices=INFRA_KINDS)
    i.add_argument("--source", help="source name kept on each row (default: the file name)")
    i.set_defaults(func=_infra)


def refresh_computed(cat, layers: dict) -> dict:
    """Recompute the sites' computed fields against the new layers, in the same atomic write."""
    from geo.catalogue.compute import compute_site_fields
    from geo.catalogue.frames import normalise_sites, to_storage

    sites = cat.sites(statuses=None)
    if len(sites) == 0:
        return layers
    get = lambda n: layers.get(n, cat.layer(n))  # noqa: E731
    comp = compute_site_fields(sites, cat.layer("municipalities"), cat.layer("zls_municipalities"),
                               get("infrastructure"), get("zis_areas"), get("zls_perimeter"))
    for c in comp.columns:
        sites[c] = comp[c].values
    return {**layers, "sites": to_storage(normalise_sites(sites))}


def _apply(args, layers: dict) -> int:
    from geo.catalogue import open_catalogue

    cat = open_catalogue(args.catalogue_path)
    cat.replace_layers(refresh_computed(cat, layers))
    for n, g in layers.items():
        print(f"{n}: {len(g)} rows written to {args.catalogue_path}")
    return 0


def _zis(args) -> int:
    from geo.layers.imports import read_zis

    return _apply(args, {"zis_areas": read_zis(args.file)})


def _zls(args) -> int:
    from geo.layers.imports import read_zls_perimeter

    return _apply(args, {"zls_perimeter": read_zls_perimeter(args.file)})


def _infra(args) -> int:
    import geopandas as gpd
    from geo.catalogue import open_catalogue
    from geo.layers.imports import read_infrastructure

    new = read_infrastructure(args.file, args.kind, args.source)
    cat = open_catalogue(args.catalogue_path)
    old = cat.layer("infrastructure")
    src = new["source"].iloc[0] if len(new) else None
    keep = old[~((old["source"] == src) & (old["kind"] == args.kind))] if len(old) else old
    merged = gpd.GeoDataFrame(pd.concat([keep, new], ignore_index=True), geometry="geometry", crs=4326)
    return _apply(args, {"infrastructure": merged})
