"""``geo search``: the search engine on the command line (GeoJSON or CSV on stdout)."""

from __future__ import annotations

import argparse
import sys

from geo.commands._args import int_between
from geo.i18n import N_, translator
from geo.schema import FIELD
from geo.search.limits import PROVINCES, UTILITIES, arg_type


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("search", help=N_("search the catalogue; prints GeoJSON (default) or CSV"),
                       description=N_("Example: geo search --near Cremona --radius-km 25 --min-land-m2 10000 --zls "
                                      "--use logistics"))
    a = p.add_argument
    a("--near", help=N_("a Lombardy municipality name (tolerant: case, accents, 'S.' for San)"))
    a("--point", nargs=2, type=float, metavar=("LAT", "LON"), help=N_("centre of the radius search"))
    a("--radius-km", type=arg_type("radius_km"), help=N_("radius around --near/--point (default: 20 km)"))
    a("--bbox", nargs=4, type=float, metavar=("W", "S", "E", "N"))
    a("--polygon", help=N_("GeoJSON geometry (WGS84) of the search area"))
    for name in ("land", "covered", "floor"):
        a(f"--min-{name}-m2", type=arg_type(f"min_{name}_m2"))
        a(f"--max-{name}-m2", type=arg_type(f"max_{name}_m2"))
    a("--kind", action="append", default=[], choices=FIELD["asset_kind"].choices, dest="asset_kinds")
    a("--origin", action="append", default=[], choices=FIELD["origin"].choices, dest="origins")
    a("--use", action="append", default=[], choices=FIELD["permitted_uses"].choices, dest="uses")
    a("--all-uses", action="store_true", help=N_("require every --use, not any"))
    a("--transaction", action="append", default=[], choices=FIELD["transaction"].choices, dest="transactions")
    a("--max-price-eur", type=arg_type("max_price_eur"))
    a("--max-price-eur-m2", type=arg_type("max_price_eur_m2"))
    a("--available-by", help=N_("YYYY-MM-DD"))
    a("--condition", action="append", default=[], choices=FIELD["condition"].choices, dest="conditions")
    a("--contamination", action="append", default=[], choices=FIELD["contamination"].choices,
      dest="contaminations")
    a("--min-power-kw", type=arg_type("min_power_kw"))
    a("--utility", action="append", default=[], choices=UTILITIES, dest="utilities")
    a("--rail-siding", action="store_true")
    a("--zls", action="store_true", help=N_("in a ZLS Lombardia municipality"))
    a("--aid-area", action="store_true", help=N_("in the 2022-2027 regional aid map"))
    a("--zis", action="store_true", dest="in_zis", help=N_("in a ZIS"))
    a("--province", action="append", default=[], dest="provinces", choices=PROVINCES, help=N_("province code, e.g. CR"))
    a("--municipality", action="append", default=[], dest="municipalities", help=N_("ISTAT code"))
    a("--max-km", action="append", default=[], metavar="KIND=KM",
      help=N_("max distance to the nearest airport|motorway_junction|rail_station|rail_freight_terminal|port"))
    a("--confirmed-within", dest="confirmed_within_months", metavar="MONTHS", type=arg_type("confirmed_within_months"),
      help=N_("only listings confirmed by their owner (or updated) in the last MONTHS months"))
    a("--brief", help=N_("investor brief (JSON file)"))
    a("--hide-failed", action="store_true")
    a("--staff", action="store_true", help=N_("include unpublished listings and contact fields"))
    a("--format", choices=["geojson", "csv"], default="geojson")
    a("--limit", type=int_between(1, 10_000_000), help=N_("at most this many sites (>= 1)"))
    p.set_defaults(func=_run)


def _query_fields() -> tuple[str, ...]:
    from dataclasses import fields

    from geo.search import Query

    return tuple(f.name for f in fields(Query))


#: Query fields the command line reads under their own name; the rest (``COMPOSED``) are built from options
#: of another shape below. Every Query field is one or the other (tests/search/test_url_contract.py checks it).
COMPOSED = ("uses_all", "point", "bbox", "polygon", "max_km")
QUERY_ARGS = tuple(k for k in _query_fields() if k not in COMPOSED)


def query_from_args(args: argparse.Namespace):
    """The command line -> a Query through the same function as the find page and the URL."""
    from geo.errors import UserError
    from geo.search import make_query

    values = {k: getattr(args, k) for k in QUERY_ARGS}
    values["uses_all"] = args.all_uses
    max_km = {}
    for item in args.max_km:
        kind, sep, km = item.partition("=")
        if not sep:
            raise UserError(N_("--max-km: KIND=KM is needed, not '{item}'"), item=item)
        max_km[kind] = km
    values["max_km"] = max_km
    values["point"] = list(args.point) if args.point else None
    values["bbox"] = list(args.bbox) if args.bbox else None
    values["polygon"] = _polygon(args.polygon) if args.polygon else None
    return make_query(values)


def _run(args: argparse.Namespace) -> int:
    from geo.catalogue import open_catalogue
    from geo.export import to_csv, to_geojson
    from geo.search import Brief, SearchIndex, search
    from geo.search.query import find_place

    q = query_from_args(args)
    brief = Brief.load(args.brief) if args.brief else Brief()
    cat = open_catalogue(args.catalogue_path)
    places = cat.places()
    res = search(SearchIndex.from_sites(cat.sites(statuses=None)), q, brief, role="staff" if args.staff else "public",
                 places=places, hide_failed=args.hide_failed)
    sites = res.sites
    if args.limit:
        sites = sites.head(args.limit)
    out = to_csv(sites, staff=args.staff) if args.format == "csv" else to_geojson(sites, staff=args.staff)
    sys.stdout.write(out + ("\n" if not out.endswith("\n") else ""))
    _ = translator(args.lang)
    if q.near:  # the look-up is tolerant: say which municipality it settled on (and the radius used)
        m = find_place(places, q.near)
        print(_("near: {name} ({province}, ISTAT {istat}), {km} km").format(
            name=m["name"], province=m["province"], istat=m["istat"], km=_.number(q.effective_radius_km, 3)),
            file=sys.stderr)
    print(_.ngettext("{n} site", "{n} sites", len(sites)).format(n=_.integer(len(sites))), file=sys.stderr)
    return 0


def _polygon(text: str) -> dict:
    import json

    from geo.errors import UserError

    try:
        g = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UserError(N_("--polygon: invalid GeoJSON ({error} at character {position})"), error=exc.msg,
                        position=exc.pos) from None
    if not isinstance(g, dict) or g.get("type") not in ("Polygon", "MultiPolygon"):
        raise UserError(N_("--polygon: a GeoJSON Polygon or MultiPolygon geometry (WGS84) is needed"))
    return g
