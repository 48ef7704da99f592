"""An investor brief: criteria, each hard or soft, saved and reloaded as JSON."""

from __future__ import annotations

import datetime as _dt
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from geo.errors import UserError
from geo.i18n import N_, translator
from geo.schema import FIELD

BRIEF_VERSION = 1
#: The dates an ``available_by`` criterion may name (the find page's date widget has the same range).
DATE_MIN, DATE_MAX = _dt.date(1900, 1, 1), _dt.date(2200, 12, 31)

#: criterion key -> (operator, column in the index, label source)
CRITERIA: dict[str, tuple[str, str]] = {
    "land_area_min": ("min", "land_area_m2"),
    "land_area_max": ("max", "land_area_m2"),
    "covered_area_min": ("min", "covered_area_m2"),
    "floor_area_min": ("min", "floor_area_m2"),
    "power_min": ("min", "power_kw"),
    "price_max": ("max", "price_eur"),
    "price_m2_max": ("max", "price_eur_m2"),
    "lease_max": ("max", "lease_eur_m2_year"),
    "asset_kind": ("any", "asset_kind"),
    "origin": ("any", "origin"),
    "condition": ("any", "condition"),
    "contamination": ("any", "contamination"),
    "transaction": ("any", "transaction"),
    "province": ("any", "province"),
    "uses_any": ("any", "permitted_uses"),
    "uses_all": ("all", "permitted_uses"),
    "rail_siding": ("true", "rail_siding"),
    "gas": ("true", "gas"),
    "water": ("true", "water"),
    "sewer": ("true", "sewer"),
    "fibre": ("true", "fibre"),
    "in_zls": ("true", "in_zls"),
    "zls_aid_area": ("true", "zls_aid_area"),
    "in_zis": ("true", "zis_id"),
    "available_by": ("by", "available_from"),
    "airport_km": ("within_km", "dist_airport_km"),
    "motorway_junction_km": ("within_km", "dist_motorway_junction_km"),
    "rail_station_km": ("within_km", "dist_rail_station_km"),
    "port_km": ("within_km", "dist_port_km"),
    "distance_to_point_km": ("within_km", "point"),
    # Truck drive times (issue 20): "within N minutes by truck of KIND" (geo/routing/drive.py).
    "drive_motorway_min": ("within_min", "drive_motorway_min"),
    "drive_rail_station_min": ("within_min", "drive_rail_station_min"),
    "drive_rail_terminal_min": ("within_min", "drive_rail_terminal_min"),
    "drive_port_min": ("within_min", "drive_port_min"),
    # "sites within N minutes by truck of this point": value {"lat", "lon", "min", "label"}
    "drive_from_point_min": ("within_min", "drive_point"),
}


@dataclass
class Criterion:
    """One requirement of the investor. ``value`` depends on the criterion:
    a number, a list of choices, a date string, ``True``, or for
    ``distance_to_point_km`` a dict ``{"lat", "lon", "km", "label"}``."""

    key: str
    value: Any = True
    hard: bool = True
    weight: float = 1.0

    def __post_init__(self) -> None:
        if self.key not in CRITERIA:
            raise UserError(N_("Unknown criterion: {key}. Allowed: {allowed}."), key=repr(self.key),
                            allowed=", ".join(CRITERIA))
        if isinstance(self.weight, (int, float)) and not isinstance(self.weight, bool) and self.weight < 0:
            raise UserError(N_("A criterion weight cannot be negative."))

    def checked(self) -> "Criterion":
        """This criterion with its value checked against its kind and the limits (numbers as floats, dates
        ISO), or a UserError naming it: how a brief file and a link are read (:meth:`Brief.from_dict`)."""
        value, hard, weight = _checked(self)
        return Criterion(self.key, value, hard, weight)

    @property
    def op(self) -> str:
        return CRITERIA[self.key][0]

    @property
    def column(self) -> str:
        return CRITERIA[self.key][1]

    def label(self, lang: str = "en") -> str:
        """What the criterion is about, in ``lang`` ("Available power", "Distance to Milan")."""
        _ = translator(lang)
        col = self.column
        if col == "price_eur_m2":
            return _("Price per m²")
        if col == "point":
            name = (self.value or {}).get("label") or _("point")
            return _("Distance to {name}").format(name=name)
        if col == "drive_point":
            name = (self.value if isinstance(self.value, dict) else {}).get("label") or _("point")
            return _("Truck drive from {name}").format(name=name)
        if col == "zis_id":
            return _("In a ZIS")
        return FIELD[col].label(lang).removesuffix(" " + _.pgettext("field label suffix", "(computed)"))

    def importance(self, lang: str = "en") -> str:
        """Whether the criterion is hard or soft, as a reader says it ("Required" / "Preferred").

        >>> Criterion("power_min", 5000).importance("it"), Criterion("gas", hard=False).importance("en")
        ('Vincolante', 'Preferred')
        """
        return translator(lang)(HARD if self.hard else SOFT)


def _checked(c: Criterion) -> tuple[Any, bool, float]:
    """``(value, hard, weight)`` of ``c`` checked against its kind and the limits (one UserError naming the
    criterion otherwise): the same rules for a brief file, a link and the find page."""
    import datetime as dt

    from geo.search.limits import CRITERION_LIMIT, PROVINCES, check_number
    from geo.search.query import _flag, _number

    op, col, v = c.op, c.column, c.value
    name = c.key
    if op in ("min", "max"):
        value: Any = _number(name, v, limit=CRITERION_LIMIT[col])
    elif op == "within_km" and col != "point":
        value = _number(name, v, limit="distance_km")
    elif op == "within_min" and col != "drive_point":
        value = _number(name, v, limit="max_min")
    elif op == "within_min":
        if not isinstance(v, dict) or not {"lat", "lon", "min"} <= set(v) or set(v) - {"lat", "lon", "min", "label"}:
            raise UserError(N_("{name}: {{\"lat\", \"lon\", \"min\", \"label\"}} is needed."), name=name)
        value = {"lat": _number("lat", v["lat"], allow_negative=True), "lon": _number("lon", v["lon"], allow_negative=True),
                 "min": _number(name, v["min"], limit="max_min")}
        if None in value.values():
            raise UserError(N_("{name}: the value is missing."), name=name)
        check_number("lat", value["lat"])
        check_number("lon", value["lon"])
        if "label" in v:
            if not isinstance(v["label"], str) or len(v["label"]) > 200:
                raise UserError(N_("{name}: the label must be a text of at most 200 characters."), name=name)
            value["label"] = v["label"]
    elif op == "within_km":
        if not isinstance(v, dict) or not {"lat", "lon", "km"} <= set(v) or set(v) - {"lat", "lon", "km", "label"}:
            raise UserError(N_("{name}: {{\"lat\", \"lon\", \"km\", \"label\"}} is needed."), name=name)
        value = {"lat": _number("lat", v["lat"], allow_negative=True), "lon": _number("lon", v["lon"], allow_negative=True),
                 "km": _number(name, v["km"], limit="distance_km")}
        if "label" in v:
            if not isinstance(v["label"], str) or len(v["label"]) > 200:
                raise UserError(N_("{name}: the label must be a text of at most 200 characters."), name=name)
            value["label"] = v["label"]
    elif op in ("any", "all"):
        allowed = PROVINCES if col == "province" else FIELD[col].choices
        if not isinstance(v, (list, tuple)) or not v or len(v) > 100:
            raise UserError(N_("{name}: a list of values is needed."), name=name)
        for x in v:
            if not isinstance(x, str) or x not in allowed:
                raise UserError(N_("{name}: unknown value '{value}' (allowed: {allowed})."), name=name, value=x,
                                allowed=", ".join(allowed))
        value = list(v)
    elif op == "true":
        if v is not True:
            raise UserError(N_("{name}: the value must be true."), name=name)
        value = True
    else:  # "by"
        try:
            value = dt.date.fromisoformat(v).isoformat() if isinstance(v, str) and len(v) <= 20 else None
        except ValueError:
            value = None
        if value is None or not DATE_MIN.isoformat() <= value <= DATE_MAX.isoformat():
            raise UserError(N_("available_by: '{raw}' is not a YYYY-MM-DD date."), raw=v)
    if value is None:
        raise UserError(N_("{name}: the value is missing."), name=name)
    weight = _number("weight", c.weight)
    if weight is None:
        raise UserError(N_("{name}: the value is missing."), name="weight")
    check_number("weight", weight)
    return value, _flag("hard", c.hard), weight


#: How a criterion counts, as shown next to it: a hard one decides the verdict, a soft one moves the score.
HARD = N_("Required")
SOFT = N_("Preferred")


@dataclass
class Brief:
    """A named set of criteria."""

    name: str = ""
    criteria: list[Criterion] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"version": BRIEF_VERSION, "name": self.name, "criteria": [asdict(c) for c in self.criteria]}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Brief":
        if not isinstance(d, dict) or "criteria" not in d:
            raise UserError(N_("Invalid brief: no 'criteria' list."))
        if d.get("version", BRIEF_VERSION) > BRIEF_VERSION:
            raise UserError(N_("Brief saved by a newer version ({version})."), version=d["version"])
        try:
            crit = [Criterion(**c).checked() for c in d["criteria"]]
        except TypeError as exc:
            raise UserError(N_("Invalid criterion: {error}"), error=str(exc)) from None
        return cls(name=str(d.get("name", "")), criteria=crit)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, separators=(",", ":"), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> "Brief":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise UserError(N_("The brief file is not valid JSON (line {line}, column {column})."),
                            line=exc.lineno, column=exc.colno) from None
        return cls.from_dict(data)

    def save(self, path: str | Path) -> None:
        Path(path).write_text(json.dumps(self.to_dict(), ensure_ascii=False, indent=2), encoding="utf-8")

    @classmethod
    def load(cls, path: str | Path) -> "Brief":
        p = Path(path)
        if not p.exists():
            raise UserError(N_("File not found: {path}"), path=str(p))
        return cls.from_json(p.read_text(encoding="utf-8"))
