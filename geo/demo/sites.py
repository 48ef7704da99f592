"""Generate demo listings and demo ZIS areas (flagged, never presented as real).

Real owner listings are not public, so the demo catalogue shows the tool
working. It is deterministic (``numpy.random.default_rng(seed)``), places every
site inside a real Lombardy municipality, favours the plain and the industrial
belts, and keeps every record internally consistent and valid under
:func:`geo.schema.validate_record`.

The prices per m² below are **illustrative demo assumptions**, not market data.
"""

from __future__ import annotations

import datetime as dt

import geopandas as gpd
import numpy as np
import shapely
from shapely.geometry import Point, box

from geo.places import METRIC_CRS
from geo.schema import FIELD, prov_column

#: Illustrative demo prices (EUR per m² of land) by province. NOT market data.
DEMO_PRICE_EUR_M2 = {"MI": 260, "MB": 190, "BG": 120, "BS": 115, "VA": 110, "CO": 120, "LC": 105,
                     "LO": 85, "PV": 70, "CR": 65, "MN": 60, "SO": 55}
#: Expected share of demo sites in ZLS municipalities.
ZLS_SHARE = 0.10
#: Weight of each province in the draw (plain and industrial belts heavier than the Alps).
PROVINCE_WEIGHT = {"MI": 3.0, "MB": 2.5, "BG": 2.2, "BS": 2.2, "VA": 1.6, "CO": 1.0, "LC": 0.8,
                   "LO": 1.5, "PV": 1.3, "CR": 2.0, "MN": 2.0, "SO": 0.6}
USES_BY_KIND = {
    "area": ["industrial", "logistics", "data_center", "research", "offices", "retail"],
    "building": ["offices", "industrial", "logistics", "research", "education", "tourism", "health",
                 "student_housing", "retail", "residential"],
    "area_with_buildings": ["industrial", "logistics", "offices", "research", "data_center", "retail"],
}
ZONING = {
    "industrial": ("Ambito produttivo D1 - industriale/artigianale", "Productive zone D1"),
    "logistics": ("Ambito produttivo D2 - logistica", "Logistics zone D2"),
    "offices": ("Ambito terziario-direzionale", "Office zone"),
    "retail": ("Ambito commerciale", "Retail zone"),
    "research": ("Ambito per servizi e ricerca", "Services and research"),
    "data_center": ("Ambito produttivo D1 - tecnologico", "Technology zone"),
    "tourism": ("Ambito turistico-ricettivo", "Tourism zone"),
    "education": ("Ambito servizi pubblici", "Public services"),
    "health": ("Ambito servizi sanitari", "Health services"),
    "student_housing": ("Ambito residenziale-servizi", "Residential services"),
    "residential": ("Ambito residenziale B2", "Residential B2"),
}
KIND_TITLE = {"area": ("Area", "Site"), "building": ("Immobile", "Building"),
              "area_with_buildings": ("Compendio", "Estate")}
USE_TITLE = {"industrial": ("produttivo", "industrial"), "logistics": ("logistico", "logistics"),
             "offices": ("direzionale", "office"), "retail": ("commerciale", "retail"),
             "research": ("per ricerca", "R&D"), "data_center": ("per data center", "data centre"),
             "tourism": ("turistico", "hospitality"), "education": ("per istruzione", "education"),
             "health": ("sanitario", "health"), "student_housing": ("per residenze universitarie", "student housing"),
             "residential": ("residenziale", "residential")}


CONDITION_BY_ORIGIN = {
    "brownfield": (["to_renovate", "to_demolish", "ruin", "good"], [0.4, 0.3, 0.15, 0.15]),
    "regeneration": (["new", "good", "to_renovate", "to_demolish"], [0.2, 0.35, 0.3, 0.15]),
    "inactive": (["good", "to_renovate", "to_demolish"], [0.45, 0.4, 0.15]),
    "disused": (["to_renovate", "to_demolish", "ruin"], [0.45, 0.35, 0.2]),
}
#: Obviously fictitious owners, consistent with the owner type.
OWNER_NAME = {
    "company": "Demo Immobiliare {n} S.r.l.",
    "public_body": "Ente Pubblico Demo {n} (fittizio)",
    "non_profit": "Fondazione Demo {n} (fittizia)",
    "private_person": "Persona Demo {n} (fittizia)",
}
DEMO_INCENTIVES = [
    "[DEMO] Riduzione degli oneri di urbanizzazione per il recupero di aree dismesse",
    "[DEMO] Esenzione IMU per 3 anni per nuovi insediamenti produttivi",
    "[DEMO] Sportello comunale dedicato con tempi istruttori ridotti",
]
#: Road distance / straight line of a declared distance (a demo assumption: roads detour 15-45%).
ROAD_FACTOR = (1.15, 1.45)
#: The stated tolerance of a declared or "verified" road distance against the computed straight line:
#: never below it, at most ``MAX_DETOUR`` times it plus ``SLACK_KM`` (the way from the site to the road).
MAX_DETOUR, SLACK_KM = 1.5, 1.0


def within_tolerance(declared_km: float, straight_km: float) -> bool:
    """Is a declared road distance consistent with the computed straight-line one?

    >>> within_tolerance(12.0, 10.0), within_tolerance(9.0, 10.0), within_tolerance(30.0, 10.0)
    (True, False, False)
    """
    return straight_km - 0.05 <= declared_km <= straight_km * MAX_DETOUR + SLACK_KM


def road_km(straight_km: float, factor: float) -> float:
    """A plausible declared road distance: the straight line times ``factor``, rounded *up* to 100 m (so that
    rounding never brings it below the straight line).

    >>> road_km(10.0, 1.2), road_km(0.04, 1.15)
    (12.0, 0.1)
    """
    return float(np.ceil(round(straight_km * factor * 10.0, 6)) / 10.0)


def _factor(draw: float, scale: float) -> float:
    """A road factor in :data:`ROAD_FACTOR` from a draw the generator already makes (``draw`` >= 0): the
    random stream, and so every other demo value, stays as it was."""
    lo, hi = ROAD_FACTOR
    return lo + (hi - lo) * (1.0 - float(np.exp(-draw / scale)))


#: Inland ports (approximate, WGS84) and the provinces whose sites declare a distance to them.
INLAND_PORTS = [({"CR", "LO", "PV", "BS"}, (9.985, 45.125)),   # Cremona
                ({"MN", "CR", "BS"}, (10.835, 45.150))]         # Mantova Valdaro


def _inland_ports_m() -> list[tuple[set[str], tuple[float, float]]]:
    pts = gpd.GeoSeries([Point(xy) for _, xy in INLAND_PORTS], crs=4326).to_crs(METRIC_CRS)
    return [(prov, (p.x, p.y)) for (prov, _), p in zip(INLAND_PORTS, pts)]


def _airport_xy(airports: gpd.GeoDataFrame | None, kind: str = "airport") -> np.ndarray | None:
    """EPSG:32632 coordinates of the infrastructure of ``kind`` the computed distances use (commercial
    airports only), or None."""
    if airports is None or len(airports) == 0:
        return None
    sel = airports[airports["kind"] == kind] if "kind" in airports else airports
    if kind == "airport" and "subkind" in sel:
        sel = sel[sel["subkind"] == "airport"]
    if len(sel) == 0:
        return None
    pts = sel.geometry.to_crs(METRIC_CRS)
    return np.column_stack([pts.x.to_numpy(), pts.y.to_numpy()])


def _straight_km(xy: np.ndarray | None, pt: Point) -> float | None:
    if xy is None:
        return None
    return float(np.min(np.hypot(xy[:, 0] - pt.x, xy[:, 1] - pt.y))) / 1000.0


def _declared(rng: np.random.Generator, xy: np.ndarray | None, pt: Point, draw: float, scale: float,
              p_unknown: float) -> float | None:
    """A declared road distance to the nearest feature at ``xy`` (None when unknown or without the layer)."""
    value = None if xy is None else road_km(_straight_km(xy, pt), _factor(draw, scale))
    return _maybe(rng, value, p_unknown)


def _pick(rng: np.random.Generator, values, p=None):
    return values[int(rng.choice(len(values), p=p))]


def _maybe(rng: np.random.Generator, value, p_unknown: float):
    return None if rng.random() < p_unknown else value


def demo_sites(municipalities: gpd.GeoDataFrame, n: int = 320, seed: int = 20250908,
               zls_codes: set[str] | None = None, today: dt.date = dt.date(2026, 1, 1),
               airports: gpd.GeoDataFrame | None = None) -> list[dict]:
    """Generate ``n`` demo listing records (typed values + provenance + optional outline).

    Parameters
    ----------
    municipalities
        The ISTAT municipalities layer (``istat``, ``name``, ``province``, ``population_2023``).
    zls_codes
        ISTAT codes of ZLS municipalities; about 10% of the sites are put there.
    today
        Reference date for availability (fixed so the output is deterministic).
    airports
        The ``infrastructure`` layer (airports, motorway exits, railway stations); when given, each *declared*
        distance (``airport_km``, ``motorway_junction_km``, ``rail_station_km``) is a plausible road
        distance to the nearest one, :data:`ROAD_FACTOR` times the straight line the system computes, so
        never below it and within :func:`within_tolerance`, "verified" ones included. Without it they
        are left unknown (nothing to be consistent with).

    Returns
    -------
    list of dict
        Records with typed values, ``key__prov`` and, for some, ``outline``
        (shapely, EPSG:4326); ``site_id`` is ``DEMO-0001``... and ``is_demo`` is True.

    Examples
    --------
    >>> from geo.layers.admin import municipalities
    >>> recs = demo_sites(municipalities(), n=3, seed=1)
    >>> [r["is_demo"] for r in recs]
    [True, True, True]
    """
    rng = np.random.default_rng(seed)
    mun = municipalities.to_crs(METRIC_CRS).reset_index(drop=True)
    w = mun["province"].map(PROVINCE_WEIGHT).fillna(0.5).to_numpy() * np.sqrt(
        mun["population_2023"].clip(lower=500).to_numpy())
    # Alpine municipalities (north of ~45.85 N) are mostly mountains: fewer sites.
    lat = municipalities.geometry.representative_point().y.to_numpy()
    w = w * np.where(lat > 45.85, 0.4, 1.0)
    p = w / w.sum()
    zls_idx = np.flatnonzero(mun["istat"].isin(zls_codes or set()).to_numpy())
    airport_xy = _airport_xy(airports)
    exit_xy, station_xy = _airport_xy(airports, "motorway_junction"), _airport_xy(airports, "rail_station")
    # The ZLS municipalities already get p_zls by weight; an extra direct draw tops it up to ZLS_SHARE.
    p_zls = float(p[zls_idx].sum()) if len(zls_idx) else 0.0
    extra_zls = max(0.0, (ZLS_SHARE - p_zls) / (1.0 - p_zls))
    ports_m = _inland_ports_m()
    records: list[dict] = []
    for i in range(n):
        if len(zls_idx) and rng.random() < extra_zls:
            j = int(rng.choice(zls_idx))
        else:
            j = int(rng.choice(len(mun), p=p))
        m = mun.iloc[j]
        # 150 m inside the border, so that the point is unambiguously in its municipality.
        inner = m.geometry.buffer(-150)
        poly = inner if inner.area > 1e5 else m.geometry
        minx, miny, maxx, maxy = poly.bounds
        for _ in range(200):
            pt = Point(rng.uniform(minx, maxx), rng.uniform(miny, maxy))
            if poly.contains(pt):
                break
        kind = _pick(rng, ["area", "building", "area_with_buildings"], [0.4, 0.25, 0.35])
        offer = "B" if rng.random() < 0.12 else "A"
        land = float(np.round(np.exp(rng.normal(np.log(18000), 1.0)).clip(2000, 300000), -1))
        if offer == "B":
            land = max(land, 40000.0)
        if kind == "area":
            covered = None
            condition = "bare_land"
            origin = _pick(rng, ["greenfield", "brownfield", "regeneration"], [0.6, 0.25, 0.15])
        else:
            covered = float(np.round(land * rng.uniform(0.15, 0.7), -1))
            if kind == "building":
                covered = float(np.round(land * rng.uniform(0.5, 0.9), -1))
            origin = _pick(rng, ["brownfield", "regeneration", "inactive", "disused"], [0.25, 0.2, 0.25, 0.3])
            # A long-disused plant is not "new": the state follows the origin.
            condition = _pick(rng, *CONDITION_BY_ORIGIN[origin])
        pool = USES_BY_KIND[kind]
        k_uses = int(rng.integers(1, 4))
        uses = list(dict.fromkeys(_pick(rng, pool) for _ in range(k_uses)))
        main = uses[0]
        occupancy = "vacant" if origin in ("disused", "inactive") or kind == "area" else \
            _pick(rng, ["vacant", "partly_used", "in_use"], [0.6, 0.3, 0.1])
        years_unused = int(rng.integers(1, 25)) if origin in ("disused", "inactive") else (
            0 if occupancy == "in_use" else None)
        contamination = _pick(rng, ["none_known", "suspected", "investigating", "remediation_ongoing", "remediated"],
                              [0.55, 0.15, 0.1, 0.1, 0.1]) if origin != "greenfield" else "none_known"
        transaction = _pick(rng, ["sale", "lease", "sale_or_lease", "other"], [0.45, 0.2, 0.3, 0.05])
        unit_price = DEMO_PRICE_EUR_M2.get(m["province"], 80) * rng.uniform(0.6, 1.5)
        price = float(np.round(land * unit_price, -3)) if transaction != "lease" else None
        lease = float(np.round(unit_price * 0.07, 1)) if transaction in ("lease", "sale_or_lease") else None
        avail = today + dt.timedelta(days=int(rng.integers(0, 540)))
        pt_ll = gpd.GeoSeries([pt], crs=METRIC_CRS).to_crs(4326).iloc[0]
        kt, ut = KIND_TITLE[kind], USE_TITLE[main]
        if kind == "area" and ut[0].endswith("o") and " " not in ut[0]:  # "Area" is feminine
            ut = (ut[0][:-1] + "a", ut[1])
        name = str(m["name"])
        owner_type = _pick(rng, ["company", "public_body", "private_person", "non_profit"], [0.6, 0.25, 0.1, 0.05])
        role = _pick(rng, ["owner", "co_owner", "delegate"], [0.8, 0.13, 0.07])
        cadastral = _maybe(rng, f"{int(rng.integers(1, 60))}/{int(rng.integers(1, 900))}", 0.4)
        tag = f"demo_{i + 1:04d}"
        if airport_xy is not None:
            airport_km = _maybe(rng, road_km(_straight_km(airport_xy, pt), rng.uniform(*ROAD_FACTOR)), 0.5)
        else:
            airport_km = None
        port_xy = [xy for prov, xy in ports_m if m["province"] in prov]
        port_km = (_maybe(rng, road_km(min(np.hypot(x - pt.x, y - pt.y) for x, y in port_xy) / 1000.0,
                                       rng.uniform(1.15, 1.4)), 0.5) if port_xy else None)
        year_built = (int(rng.integers(2016, 2025)) if condition == "new" else
                      _maybe(rng, int(rng.integers(1950, 2015)), 0.4)) if kind != "area" else None
        rec: dict = {
            "site_id": f"DEMO-{i + 1:04d}",
            "offer_type": offer, "asset_kind": kind, "origin": origin,
            "title_it": f"[DEMO] {kt[0]} {ut[0]} a {name}",
            "title_en": _maybe(rng, f"[DEMO] {ut[1][0].upper() + ut[1][1:]} {kt[1].lower()} in {name}", 0.2),
            "description_it": (f"Scheda dimostrativa generata automaticamente: non è un'offerta reale. "
                               f"{kt[0]} di circa {land:,.0f} m² nel comune di {name}.").replace(",", "."),
            "description_en": _maybe(rng, "Automatically generated demo listing: not a real offer. "
                                          f"{kt[1]} of about {land:,.0f} m² in {name}.", 0.25),
            "owner_type": owner_type,
            "owner_name": OWNER_NAME[owner_type].format(n=i + 1),
            "contact_name": _maybe(rng, f"Referente Demo {i + 1:03d}", 0.3),
            "contact_email": f"demo{i + 1:03d}@example.invalid",
            "contact_phone": _maybe(rng, f"+39 02 {int(rng.integers(1000000, 9999999))}", 0.4),
            "applicant_role": role,
            "delegation": f"{tag}_delega.pdf" if role == "delegate" else None,
            "municipality_istat": str(m["istat"]),
            "address": _maybe(rng, f"Via Demo {int(rng.integers(1, 200))}, {name}", 0.2),
            "lat": round(pt_ll.y, 6), "lon": round(pt_ll.x, 6),
            "cadastral_refs": cadastral,
            "land_area_m2": land,
            "covered_area_m2": covered,
            "floor_area_m2": _maybe(rng, float(np.round((covered or 0) * rng.uniform(1.0, 2.2), -1)) if covered else None, 0.3),
            "residual_buildable_m2": _maybe(rng, float(np.round(land * rng.uniform(0.05, 0.5), -1)), 0.5),
            "max_coverage_ratio": _maybe(rng, float(np.round(rng.uniform(0.4, 0.7), 2)), 0.4),
            "max_height_m": _maybe(rng, float(rng.choice([10, 12, 15, 18, 25])), 0.4),
            "buildings_count": int(rng.integers(1, 6)) if kind != "area" else 0,
            "year_built": year_built,
            "zoning": ZONING[main][0],
            "permitted_uses": ";".join(uses),
            "implementation_plan": _maybe(rng, _pick(rng, ["none_needed", "to_be_approved", "approved", "agreement_signed"]), 0.3),
            "constraints": _maybe(rng, _pick(rng, ["landscape", "hydrogeological", "seismic", "airport", "environmental"]), 0.7),
            "condition": condition, "occupancy": occupancy,
            "years_unused": years_unused, "contamination": contamination,
            "transaction": transaction, "price_eur": _maybe(rng, price, 0.2) if price else None,
            "lease_eur_m2_year": lease, "available_from": avail.isoformat(),
            "motorway_junction_km": _declared(rng, exit_xy, pt, rng.gamma(2.0, 3.0), 6.0, 0.4),
            "rail_station_km": _declared(rng, station_xy, pt, rng.gamma(1.6, 2.5), 4.0, 0.5),
            "airport_km": airport_km, "port_km": port_km,
            "rail_siding": _maybe(rng, bool(rng.random() < 0.15), 0.4),
            "power_kw": _maybe(rng, float(np.round(np.exp(rng.normal(np.log(1500), 1.0)), -1)), 0.35),
            "gas": _maybe(rng, bool(rng.random() < 0.7), 0.3),
            "water": _maybe(rng, bool(rng.random() < 0.9), 0.25),
            "sewer": _maybe(rng, bool(rng.random() < 0.85), 0.3),
            "fibre": _maybe(rng, bool(rng.random() < 0.55), 0.35),
            "crisis_area": _maybe(rng, bool(rng.random() < 0.08), 0.55),
            "local_incentives": _maybe(rng, _pick(rng, DEMO_INCENTIVES), 0.8),
            "photos": _maybe(rng, ";".join(f"{tag}_foto_{k}.jpg" for k in range(1, int(rng.integers(2, 5)))), 0.35),
            "site_plan": _maybe(rng, f"{tag}_planimetria.pdf", 0.45),
            "zoning_extract": _maybe(rng, f"{tag}_estratto_pgt.pdf", 0.5),
            "cadastral_extract": f"{tag}_visura_catastale.pdf" if cadastral and rng.random() < 0.7 else None,
            "masterplan": f"{tag}_masterplan.pdf" if offer == "B" else None,
            "status": "published" if rng.random() < 0.85 else "submitted",
            "is_demo": True, "version": None,
        }
        if offer == "B" or rng.random() < 0.3:
            side = np.sqrt(land)
            rect = box(pt.x - side / 2, pt.y - side / 2, pt.x + side / 2, pt.y + side / 2)
            rec["outline"] = gpd.GeoSeries([rect], crs=METRIC_CRS).to_crs(4326).iloc[0]
        for k, v in list(rec.items()):
            f = FIELD.get(k)
            if f is None or f.source != "owner" or v is None:
                continue
            rec[prov_column(k)] = "verified" if rng.random() < 0.1 else "declared"
        if rec.get("outline") is not None:
            rec[prov_column("outline")] = "declared"
        records.append(rec)
    return records


def demo_zis() -> gpd.GeoDataFrame:
    """Two demo ZIS areas, labelled DEMO: no ZIS perimeter is public yet."""
    rows = [
        ("DEMO-ZIS-1", "DEMO – Polo scienze della vita (esempio)", "life sciences", (9.085, 45.515), 1200),
        ("DEMO-ZIS-2", "DEMO – Distretto agri-food e logistica fluviale (esempio)", "agri-food, logistics",
         (10.035, 45.125), 1500),
        ("DEMO-ZIS-3", "DEMO – Manifattura avanzata (esempio)", "advanced manufacturing", (10.25, 45.53), 1000),
    ]
    pts = gpd.GeoSeries([Point(xy) for *_, xy, _r in rows], crs=4326).to_crs(METRIC_CRS)
    geoms = [shapely.MultiPolygon([p.buffer(r, quad_segs=4)]) for p, (*_, r) in zip(pts, rows)]
    return gpd.GeoDataFrame({
        "zis_id": [r[0] for r in rows], "name": [r[1] for r in rows], "sector": [r[2] for r in rows],
        "lead_partner": ["DEMO (fittizio / fictitious)"] * 3,
        "partners_public": ["DEMO"] * 3, "partners_research": ["DEMO"] * 3,
        "partners_civil": ["DEMO"] * 3, "partners_private": ["DEMO"] * 3,
        "phase": ["candidate"] * 3, "is_demo": [True] * 3, "source": ["demo generator"] * 3,
    }, geometry=gpd.GeoSeries(geoms, crs=METRIC_CRS).to_crs(4326), crs=4326)

