"""``geo search``: the search engine on the command line (GeoJSON or CSV on stdout)."""

from __future__ import annotations

import argparse
import sys

from geo.places import province_name
from geo.commands._args import int_between
from geo.i18n import N_, translator
from geo.search.limits import arg_type
from geo.search.query import FLAGS, LISTS, NUMBERS, list_choices


#: Option of a Query field whose option is not ``--field-name`` (lists are given one value per option).
OPTION = {"asset_kinds": "--kind", "origins": "--origin", "uses": "--use", "transactions": "--transaction",
          "conditions": "--condition", "contaminations": "--contamination", "utilities": "--utility",
          "provinces": "--province", "municipalities": "--municipality", "uses_all": "--all-uses",
          "in_zis": "--zis", "confirmed_within_months": "--confirmed-within",
          "statuses": "--status"}
#: Help of the options that need one (the rest say what they are by their name).
HELP = {
    "near": N_("a Lombardy municipality name (tolerant: case, accents, 'S.' for San)"),
    "radius_km": N_("radius around --near/--point (default: 20 km)"),
    "uses_all": N_("require every --use, not any"),
    "available_by": N_("YYYY-MM-DD"),
    "zls": N_("in a ZLS Lombardia municipality"),
    "aid_area": N_("in the 2022-2027 regional aid map"),
    "in_zis": N_("in a ZIS"),
    "provinces": N_("province code, e.g. CR"),
    "municipalities": N_("ISTAT code"),
    "statuses": N_("listing status (with --staff: submitted, published, draft = sent back, withdrawn...)"),
    "confirmed_within_months": N_("only listings confirmed by their owner (or updated) in the last MONTHS months"),
}
META = {"confirmed_within_months": "MONTHS"}


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("search", help=N_("search the catalogue; prints GeoJSON (default) or CSV"),
                       description=N_("Example: geo search --near Cremona --radius-km 25 --min-land-m2 10000 --zls "
                                      "--use logistics"))
    a = p.add_argument
    # One option per Query field, of the field's kind (geo.search.query's NUMBERS, FLAGS, LISTS); the values are
    # checked by make_query, as the find page's and a link's are. COMPOSED fields have options of their own shape.
    for name in _query_fields():
        option, kw = OPTION.get(name, "--" + name.replace("_", "-")), {"dest": name}
        if name in HELP:
            kw["help"] = HELP[name]
        if name in META:
            kw["metavar"] = META[name]
        if name in FLAGS:
            a(option, action="store_true", **kw)
        elif name in LISTS:
            a(option, action="append", default=[], choices=list_choices()[name] or None, **kw)
        elif name in NUMBERS:
            a(option, type=arg_type(name), **kw)
        elif name not in COMPOSED:  # near, available_by: text
            a(option, **kw)
    a("--point", nargs=2, type=float, metavar=("LAT", "LON"), help=N_("centre of the radius search"))
    a("--bbox", nargs=4, type=float, metavar=("W", "S", "E", "N"))
    a("--polygon", help=N_("GeoJSON geometry (WGS84) of the search area"))
    a("--max-km", action="append", default=[], metavar="KIND=KM",
      help=N_("max distance to the nearest airport|motorway_junction|rail_station|rail_freight_terminal|port"))
    a("--max-min", action="append", default=[], metavar="KIND=MIN",
      help=N_("max minutes by truck to the nearest motorway|rail_station|rail_terminal|port"))
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
COMPOSED = ("point", "bbox", "polygon", "max_km", "max_min")
QUERY_ARGS = tuple(k for k in _query_fields() if k not in COMPOSED)


def query_from_args(args: argparse.Namespace):
    """The command line -> a Query through the same function as the find page and the URL."""
    from geo.errors import UserError
    from geo.search import make_query

    values = {k: getattr(args, k) for k in QUERY_ARGS}
    max_km = {}
    for item in args.max_km:
        kind, sep, km = item.partition("=")
        if not sep:
            raise UserError(N_("--max-km: KIND=KM is needed, not '{item}'"), item=item)
        max_km[kind] = km
    values["max_km"] = max_km
    max_min = {}
    for item in args.max_min:
        kind, sep, minutes = item.partition("=")
        if not sep:
            raise UserError(N_("--max-min: KIND=MIN is needed, not '{item}'"), item=item)
        max_min[kind] = minutes
    values["max_min"] = max_min
    values["point"] = list(args.point) if args.point else None
    values["bbox"] = list(args.bbox) if args.bbox else None
    values["polygon"] = _polygon(args.polygon) if args.polygon else None
    return make_query(values)


def _run(args: argparse.Namespace) -> int:
    from geo.catalogue import open_catalogue
    from geo.export import to_csv, to_geojson
    from geo.search import Brief, SearchIndex, search

    q = query_from_args(args)
    brief = Brief.load(args.brief) if args.brief else Brief()
    cat = open_catalogue(args.catalogue_path)
    index = SearchIndex.from_sites(cat.sites(statuses=None))
    if any(c.column == "drive_point" for c in brief.criteria):
        from geo.routing.drive import catalogue_graph

        index.graph = catalogue_graph(cat)  # minutes from a point on the catalogue's network
    res = search(index, q, brief, role="staff" if args.staff else "public",
                 places=cat.places(), hide_failed=args.hide_failed)
    sites = res.sites
    if args.limit:
        sites = sites.head(args.limit)
    out = to_csv(sites, staff=args.staff) if args.format == "csv" else to_geojson(sites, staff=args.staff)
    sys.stdout.write(out + ("\n" if not out.endswith("\n") else ""))
    _ = translator(args.lang)
    if res.place is not None:  # the look-up is tolerant: say which municipality it settled on (and the radius)
        m = res.place
        print(_("near: {name} ({province}, ISTAT {istat}), {km} km").format(
            name=m["name"], province=province_name(m["province"]), istat=m["istat"],
            km=_.number(q.effective_radius_km, 3)),
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
