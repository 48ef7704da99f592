"""``geo import zis|zls-perimeter|infrastructure|actors|roads FILE``: validated, atomic imports.

The file is read and validated completely first; then one atomic write replaces
the layer and refreshes the computed fields of every site (in_zls, zis_id,
distances), recording each changed value in ``site_changes``.
"""

from __future__ import annotations

import argparse

from geo.i18n import N_, translator

# Kept literal so that building the parser imports nothing heavy (same as geo.layers.imports).
INFRA_KINDS = ("airport", "motorway_junction", "rail_station", "rail_freight_terminal", "port")
ACTOR_KINDS = ("cluster", "university", "irccs", "its", "incubator")  # = geo.layers.actors.ACTOR_KINDS


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("import", help=N_("import a layer from a file into the catalogue"))
    s = p.add_subparsers(dest="what", required=True, metavar="WHAT")
    z = s.add_parser("zis", help=N_("ZIS areas (polygons) and actors (points), GeoJSON or GeoPackage; replaces "
                                    "layers zis_areas and zis_actors"))
    z.add_argument("file")
    z.set_defaults(func=_zis)
    zp = s.add_parser("zls-perimeter", help=N_("the real ZLS perimeter (polygons); then in_zls is computed from it"))
    zp.add_argument("file")
    zp.set_defaults(func=_zls)
    i = s.add_parser("infrastructure", help=N_("points of one kind (GeoJSON, GeoPackage or CSV with lat/lon); "
                                               "re-importing a source replaces its rows"))
    i.add_argument("file")
    i.add_argument("--kind", required=True, choices=INFRA_KINDS)
    i.add_argument("--source", help=N_("source name kept on each row (default: the file name)"))
    i.set_defaults(func=_infra)
    a = s.add_parser("actors", help=N_("innovation actors of one kind (points: GeoJSON, GeoPackage or CSV with "
                                       "lat/lon); re-importing a source replaces its rows"))
    a.add_argument("file")
    a.add_argument("--kind", required=True, choices=ACTOR_KINDS)
    a.add_argument("--source", help=N_("source name kept on each row (default: the file name)"))
    a.set_defaults(func=_actors)
    r = s.add_parser("roads", help=N_("a road network (OpenStreetMap .osm.pbf, or GeoPackage/GeoJSON lines with a "
                                      "'highway' column): truck drive times are then computed on it"))
    r.add_argument("file")
    r.add_argument("--source", help=N_("source name kept with the network (default: the file name)"))
    r.set_defaults(func=_roads)
    for q in (z, zp, i, a, r):
        q.add_argument("--licence", default="not declared", help=N_("licence of the file, kept in the sources table"))
        q.add_argument("--attribution", default="", help=N_("attribution of the file, kept in the sources table"))


def _with_source(cur, layers: dict, args: argparse.Namespace, source: str) -> dict:
    """Add (or replace) the imported file's row in the ``sources`` table."""
    import pandas as pd

    sid = f"import:{args.what}:{source}"
    old = cur.sources()
    row = pd.DataFrame([{"source_id": sid, "name": f"{args.what}: {source}", "licence": args.licence,
                         "attribution": args.attribution, "url": "", "notes": f"imported from {args.file}"}])
    keep = old[old["source_id"] != sid] if len(old) else old
    return {**layers, "sources": pd.concat([keep, row], ignore_index=True) if len(keep) else row}


def _apply(args: argparse.Namespace, change, source: str | None = None) -> int:
    from pathlib import Path

    from geo.catalogue import open_catalogue

    source = source or Path(args.file).name
    cat = open_catalogue(args.catalogue_path)
    written = cat.update_layers(lambda cur: _with_source(cur, change(cur), args, source),
                                actor=f"geo import {args.what}", reason=f"import of {args.file}")
    _ = translator(args.lang)
    for n, g in written.items():
        print(_.ngettext("{layer}: {n} row written to {catalogue}", "{layer}: {n} rows written to {catalogue}",
                         len(g)).format(layer=n, n=_.integer(len(g)), catalogue=args.catalogue_path))
    return 0


def _zis(args: argparse.Namespace) -> int:
    from geo.layers.imports import read_zis

    areas, actors = read_zis(args.file)
    return _apply(args, lambda _cur: {"zis_areas": areas, "zis_actors": actors})


def _zls(args: argparse.Namespace) -> int:
    from geo.layers.imports import read_zls_perimeter

    from pathlib import Path

    from geo.layers.zls import check_perimeter

    perimeter = read_zls_perimeter(args.file)

    def change(cur):
        check_perimeter(perimeter, cur.layer("zls_municipalities"), Path(args.file).name)
        return {"zls_perimeter": perimeter}
    return _apply(args, change)


def _infra(args: argparse.Namespace) -> int:
    from geo.layers.imports import merge_infrastructure, read_infrastructure

    new = read_infrastructure(args.file, args.kind, args.source)
    return _apply(args, lambda cur: {"infrastructure": merge_infrastructure(cur.layer("infrastructure"), new,
                                                                            args.kind)},
                  source=str(new["source"].iloc[0]))


def _actors(args: argparse.Namespace) -> int:
    from geo.layers.actors import merge_actors, read_actors
    from geo.layers.imports import check_layer_rows

    new = read_actors(args.file, args.kind, args.source)
    return _apply(args, lambda cur: {"innovation_actors": check_layer_rows(
        "innovation_actors", merge_actors(cur.layer("innovation_actors"), new))},
                  source=str(new["source"].iloc[0]))


def _roads(args: argparse.Namespace) -> int:
    import sys
    from pathlib import Path

    from geo.routing.drive import graph_tables
    from geo.routing.roads import read_roads
    from geo.routing.speeds import profile

    source = args.source or Path(args.file).name
    graph, report = read_roads(args.file, profile(), source)
    nodes, edges = graph_tables(graph)
    _ = translator(args.lang)
    print(_("{ways} roads read ({outside} outside Lombardy left out): {nodes} nodes, {edges} edges, {pieces} "
            "connected pieces, the largest holding {share} of the nodes").format(
        ways=_.integer(report.ways), outside=_.integer(report.outside), nodes=_.integer(report.nodes),
        edges=_.integer(report.edges), pieces=_.integer(report.pieces), share=_.percent(report.largest_share)),
        file=sys.stderr)
    return _apply(args, lambda _cur: {"road_nodes": nodes, "road_edges": edges}, source=source)
