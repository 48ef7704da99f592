"""Truck speeds per road class, junction and access penalties: the one documented table.

Speeds are the legal maxima of the Italian highway code (*Codice della Strada*, D.Lgs. 285/1992,
art. 142) for a heavy goods vehicle, *autoveicoli destinati al trasporto di cose ... di massa
complessiva a pieno carico superiore a 12 t* (art. 142 c. 3 lett. e): **80 km/h on motorways, 70 km/h
outside built-up areas**; inside built-up areas the general limit of **50 km/h** (art. 142 c. 1) applies
to every vehicle. Text: Gazzetta Ufficiale, D.Lgs. 30 aprile 1992 n. 285, art. 142
(https://www.gazzettaufficiale.it, codice redazionale 092G0306).

OpenStreetMap's ``highway`` class is mapped to the article's road types; the classes the article
does not name (links, local and residential streets) carry an assumption, stated in ``basis``. A
``maxspeed`` lower than the class speed wins (never a higher one: the truck limit caps it).

=====================  ======  ======================================================================
class                  km/h    basis
=====================  ======  ======================================================================
motorway               80      art. 142 c. 3 e): autostrade, > 12 t
motorway_link          40      assumption: ramps and toll lanes, half the motorway speed
trunk                  70      art. 142 c. 3 e): fuori dei centri abitati (extraurbane principali)
trunk_link             40      assumption, as motorway_link
primary                70      art. 142 c. 3 e): fuori dei centri abitati
primary_link           40      assumption
secondary              70      art. 142 c. 3 e): fuori dei centri abitati (extraurbane secondarie)
secondary_link         40      assumption
tertiary               50      assumption: crosses villages (art. 142 c. 1, centri abitati 50)
tertiary_link          40      assumption
unclassified           50      art. 142 c. 1: 50 km/h in centri abitati (assumed mostly inside them)
residential            30      assumption: urban streets, many of them in 30 km/h zones
living_street          10      assumption: walking pace
service                20      assumption: yards, access roads
ferry                  10      assumption: a ferry's crossing plus waiting, as an average speed
=====================  ======  ======================================================================

Penalties: ``junction_s`` (10 s) is added to an edge leaving a node where three or more roads meet
(a crossing, a roundabout: an assumption for braking and giving way); ``access_min`` (2 min) is added
each time a truck enters or leaves the *default motorway graph* at an exit (ramp and toll barrier: an
assumption). The leg from a site to the graph (and from the graph to a destination) is the straight-line
distance times ``detour`` (1.3) at ``local_kmh`` (40 km/h): road distance is commonly 1.2-1.4 times the
straight line on regional road networks, and 40 km/h is a truck on local roads mixing 70 km/h stretches
with villages, junctions and the last metres to a gate (both assumptions, stated with every figure they
give: provenance ``estimated``).

Every figure is configurable: ``GEO_TRUCK_SPEEDS="motorway=90,residential=25,detour=1.25"`` (classes,
``detour``, ``local_kmh``, ``junction_s``, ``access_min``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from typing import Mapping

from geo.errors import UserError
from geo.i18n import N_

#: Road class -> truck speed (km/h), as in the module's table.
CLASS_KMH: dict[str, float] = {
    "motorway": 80.0, "motorway_link": 40.0, "trunk": 70.0, "trunk_link": 40.0, "primary": 70.0,
    "primary_link": 40.0, "secondary": 70.0, "secondary_link": 40.0, "tertiary": 50.0, "tertiary_link": 40.0,
    "unclassified": 50.0, "residential": 30.0, "living_street": 10.0, "service": 20.0, "ferry": 10.0,
}
#: Where each speed comes from (shown in the docs and kept with an imported network).
SOURCE = ("Codice della Strada (D.Lgs. 285/1992) art. 142 c. 3 lett. e) (> 12 t: 80 km/h autostrade, 70 km/h "
          "fuori dei centri abitati) and c. 1 (50 km/h centri abitati); other classes and the penalties are "
          "stated assumptions (geo/routing/speeds.py)")
ENV = "GEO_TRUCK_SPEEDS"


@dataclass(frozen=True)
class Profile:
    """The truck profile: speeds per class, penalties, and the off-network leg's detour and speed."""

    kmh: Mapping[str, float] = field(default_factory=lambda: dict(CLASS_KMH))
    detour: float = 1.3
    local_kmh: float = 40.0
    junction_s: float = 10.0
    access_min: float = 2.0

    @property
    def key(self) -> tuple:
        """A hashable identity of the profile (for caches)."""
        return (tuple(sorted(self.kmh.items())), self.detour, self.local_kmh, self.junction_s, self.access_min)

    def speed(self, road_class: str, maxspeed: float | None = None) -> float | None:
        """km/h of a truck on ``road_class`` (None: not a road a truck drives), capped by ``maxspeed``.

        >>> Profile().speed("motorway"), Profile().speed("secondary", 50), Profile().speed("footway")
        (80.0, 50.0, None)
        """
        v = self.kmh.get(road_class)
        if v is None:
            return None
        if maxspeed is not None and 0 < maxspeed < v:
            return float(maxspeed)
        return float(v)

    def leg_min(self, metres):
        """Minutes of an off-network leg of ``metres`` straight-line (scalar or array).

        >>> round(Profile().leg_min(10_000), 1)   # 10 km x 1.3 at 40 km/h
        19.5
        """
        return metres * self.detour / (self.local_kmh * 1000.0 / 60.0)

    def method(self) -> str:
        """The estimate's method in one line (English; kept with the figures)."""
        return (f"straight line x {self.detour:g} at {self.local_kmh:g} km/h to the road graph, "
                f"truck speeds of art. 142 CdS")


def parse(text: str, base: Profile | None = None) -> Profile:
    """A profile from ``key=value,...`` (classes, ``detour``, ``local_kmh``, ``junction_s``, ``access_min``).

    >>> parse("motorway=90,detour=1.2").kmh["motorway"], parse("detour=1.2").detour
    (90.0, 1.2)
    """
    p = base or Profile()
    kmh = dict(p.kmh)
    other: dict[str, float] = {}
    for item in (s.strip() for s in text.split(",")):
        if not item:
            continue
        key, sep, raw = item.partition("=")
        key = key.strip()
        try:
            v = float(raw)
        except ValueError:
            v = float("nan")
        if not sep or not (v == v) or v <= 0 or v > 200:
            raise UserError(N_("{env}: '{item}' is not KEY=NUMBER with a number above 0 and at most 200."),
                            env=ENV, item=item)
        if key in ("detour", "local_kmh", "junction_s", "access_min"):
            other[key] = v
        elif key in CLASS_KMH:
            kmh[key] = v
        else:
            raise UserError(N_("{env}: unknown key '{key}' (allowed: {allowed})."), env=ENV, key=key,
                            allowed=", ".join([*CLASS_KMH, "detour", "local_kmh", "junction_s", "access_min"]))
    if other.get("detour", p.detour) < 1:
        raise UserError(N_("{env}: detour must be at least 1 (a road is never shorter than the straight line)."),
                        env=ENV)
    return replace(p, kmh=kmh, **other)


def profile() -> Profile:
    """The profile in force: the table above, changed by ``GEO_TRUCK_SPEEDS`` when set."""
    raw = os.environ.get(ENV, "")
    return parse(raw) if raw.strip() else Profile()
