"""An investor brief: criteria, each hard or soft, saved and reloaded as JSON."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

from geo.errors import UserError
from geo.i18n import N_, translator
from geo.schema import FIELD

Op = Literal["min", "max", "any", "all", "true", "by", "within_km"]
BRIEF_VERSION = 1

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
        if self.weight < 0:
            raise UserError(N_("A criterion weight cannot be negative."))

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
        if col == "zis_id":
            return _("In a ZIS")
        return FIELD[col].label(lang).removesuffix(" " + _.pgettext("field label suffix", "(computed)"))

    def importance(self, lang: str = "en") -> str:
        """Whether the criterion is hard or soft, as a reader says it ("Required" / "Preferred").

        >>> Criterion("power_min", 5000).importance("it"), Criterion("gas", hard=False).importance("en")
        ('Vincolante', 'Preferred')
        """
        return translator(lang)(HARD if self.hard else SOFT)


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
            crit = [Criterion(**c) for c in d["criteria"]]
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
