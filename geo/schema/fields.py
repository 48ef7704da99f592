"""Field definitions of a site listing (domain.md §2).

Each :class:`Field` carries everything the rest of the system needs to know
about one value: its type and closed list, unit, whether it is required,
label and help text (written in English, marked with ``N_`` and translated
from the ``listing`` catalogue where shown), who provides it (the owner, the
system, or GIS computation), whether investors may see it, and how much it
weighs in the completeness score.

>>> f = FIELD["condition"]
>>> f.label("it"), f.choice_label("to_renovate", "it"), f.choice_label("to_renovate", "en")
('Condizioni', 'Da ristrutturare', 'To renovate')
>>> FIELD["years_unused"].unit_text("it"), FIELD["years_unused"].unit_text("en")
('anni', 'years')
>>> group_label("planning", "it")
'Stato di diritto (urbanistica)'
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from geo.i18n import N_, Lang, translator

Provenance = Literal["declared", "verified", "computed", "estimated"]
PROVENANCES: tuple[str, ...] = ("declared", "verified", "computed", "estimated")

Kind = Literal[
    "enum",      # one value of ``choices``
    "multi",     # any number of ``choices``, stored ';'-joined
    "text",      # one line of plain text
    "longtext",  # paragraphs of plain text
    "email",
    "phone",
    "int",
    "float",
    "bool",
    "date",      # stored as ISO 'YYYY-MM-DD'
    "istat",     # 6-digit ISTAT municipality code, stored as a string
    "lat",
    "lon",
    "geometry",  # outline polygon; stored in its own layer, not as a column
    "list",      # free list, stored ';'-joined (cadastral references)
    "attachment",  # file names, stored ';'-joined
    "timestamp",   # ISO 8601 UTC, set by the system
    "id",
]

Source = Literal["owner", "system", "computed"]

#: Groups in display order, with their labels (English, translated by :func:`group_label`).
GROUPS: dict[str, str] = {
    "identity": N_("Identity"),
    "owner": N_("Owner and contacts"),
    "location": N_("Location"),
    "size": N_("Size"),
    "planning": N_("Planning status"),
    "state": N_("Physical state"),
    "deal": N_("Deal"),
    "access": N_("Access"),
    "utilities": N_("Utilities"),
    "zones": N_("Zones and incentives"),
    "files": N_("Attachments"),
    "lifecycle": N_("Listing status"),
}


def pgettext(context: str, message: str) -> str:
    """Mark a table text whose English words mean something else elsewhere: extracted with its
    ``context`` (as gettext's ``pgettext``), translated where shown by :func:`translate`."""
    return f"{context}\x04{message}"


def translate(text: str, lang: str = "en") -> str:
    """A text of these tables (marked ``N_`` or :func:`pgettext`) in ``lang``.

    >>> translate(pgettext("listing status", "Published"), "it"), translate(N_("Land area"), "it")
    ('Pubblicata', 'Superficie territoriale')
    """
    _ = translator(lang)
    if "\x04" in text:
        context, message = text.split("\x04", 1)
        return _.pgettext(context, message)
    return _(text)


def group_label(group: str, lang: str = "en") -> str:
    """The label of ``group`` in ``lang`` (the key itself for an unknown group)."""
    return translate(GROUPS[group], lang) if group in GROUPS else group


@dataclass(frozen=True)
class Field:
    """One field of a site listing. See the module docstring."""

    key: str
    group: str
    kind: Kind
    #: the label, in English (marked ``N_``; :meth:`label` translates it)
    text: str
    #: help for whoever fills it in, in English (marked ``N_``)
    help_text: str = ""
    #: the unit as symbols ("m²", "kW") or, when it has words, in English marked ``N_`` ("years")
    unit: str | None = None
    choices: tuple[str, ...] = ()
    #: labels of the choices: value -> English label (marked ``N_``)
    choice_labels: dict[str, str] = field(default_factory=dict, compare=False, hash=False)
    required: bool = False
    required_for_type_b: bool = False
    min: float | None = None
    max: float | None = None
    max_length: int | None = None
    #: (error below, warning below, warning above, error above) in the field's unit, None = no bound:
    #: values a real site cannot have are errors, unusual ones are warnings the owner should read.
    plausible: tuple[float | None, float | None, float | None, float | None] | None = None
    source: Source = "owner"
    #: shown to investors (contacts and owner identity are not published)
    public: bool = True
    #: weight in the completeness score (what investors filter on weighs more)
    weight: float = 1.0
    #: sheet of the Excel template this field belongs to
    sheet: Literal["owner", "sites", "none"] = "sites"

    def label(self, lang: Lang = "en") -> str:
        return translate(self.text, lang)

    def help(self, lang: Lang = "en") -> str:
        return translate(self.help_text, lang)

    def label_with_unit(self, lang: Lang = "en") -> str:
        return f"{self.label(lang)} ({self.unit_text(lang)})" if self.unit else self.label(lang)

    def unit_text(self, lang: Lang = "en") -> str:
        """The unit in ``lang`` ('' when the field has none)."""
        return translate(self.unit, lang) if self.unit else ""

    def choice_label(self, value: str, lang: Lang = "en") -> str:
        """The label of choice ``value`` in ``lang`` (the value itself when it is not a choice)."""
        text = self.choice_labels.get(value)
        return str(value) if text is None else translate(text, lang)

    def choice_names(self, value: str) -> tuple[str, ...]:
        """Every way the owner may write choice ``value``: its code and its label in each language."""
        from geo.i18n import LOCALES

        return (value, *(self.choice_label(value, lang) for lang in LOCALES))

    @property
    def stored(self) -> bool:
        """Whether the value is a column of the ``sites`` layer."""
        return self.kind != "geometry"


def _c(**labels: str) -> dict[str, str]:
    return dict(labels)


_USES = _c(
    industrial=N_("Industrial / manufacturing"),
    logistics=N_("Logistics"),
    offices=N_("Offices"),
    retail=N_("Retail"),
    tourism=N_("Tourism / hospitality"),
    residential=N_("Residential"),
    education=N_("Education"),
    student_housing=N_("Student housing"),
    health=N_("Health care"),
    sport=N_("Sport"),
    research=N_("Research and development"),
    data_center=N_("Data centre"),
)

_BOOL_HELP = N_("Yes / No")

FIELDS: tuple[Field, ...] = (
    # ---------------------------------------------------------------- system
    Field("site_id", "lifecycle", "id", N_("Listing code"), source="system",
          sheet="none", weight=0),
    # -------------------------------------------------------------- identity
    Field("offer_type", "identity", "enum", N_("Offer type"),
          N_("A: area or building for a future activity; B: larger, with functions or a masterplan already identified."),
          choices=("A", "B"),
          choice_labels=_c(A=N_("A - site for a new activity"),
                           B=N_("B - with functions or masterplan")),
          required=True, weight=1),
    Field("asset_kind", "identity", "enum", N_("Asset kind"),
          N_("Bare area, building, or area with buildings."),
          choices=("area", "building", "area_with_buildings"),
          choice_labels=_c(area=N_("Land"), building=N_("Building"),
                           area_with_buildings=N_("Land with buildings")),
          required=True, weight=3),
    Field("origin", "identity", "enum", N_("Origin"),
          N_("Greenfield (never built), brownfield, regeneration, inactive or disused."),
          choices=("greenfield", "brownfield", "regeneration", "inactive", "disused"),
          choice_labels=_c(greenfield=N_("Greenfield"), brownfield=N_("Brownfield"),
                           regeneration=N_("Regeneration area"),
                           inactive=N_("Inactive"), disused=N_("Disused")),
          required=True, weight=2),
    Field("title_it", "identity", "text", N_("Title (Italian)"),
          N_("Short title of the listing, plain text."),
          required=True, max_length=120, weight=1),
    Field("title_en", "identity", "text", N_("Title (English)"),
          N_("Title in English for foreign investors."),
          max_length=120, weight=1),
    Field("description_it", "identity", "longtext", N_("Description (Italian)"),
          N_("Description in plain text (no HTML)."),
          max_length=4000, weight=1),
    Field("description_en", "identity", "longtext", N_("Description (English)"),
          N_("Description in English."), max_length=4000, weight=1),
    # ----------------------------------------------------------------- owner
    Field("owner_type", "owner", "enum", N_("Owner type"),
          choices=("public_body", "company", "non_profit", "private_person"),
          choice_labels=_c(public_body=N_("Public body"), company=N_("Company"),
                           non_profit=N_("Non-profit"),
                           private_person=N_("Private person")),
          required=True, sheet="owner", weight=0.5),
    Field("owner_name", "owner", "text", N_("Owner name"),
          N_("Company or person name. Not published."),
          required=True, public=False, max_length=200, sheet="owner", weight=0.5),
    Field("contact_name", "owner", "text", N_("Contact person"),
          N_("Not published."), public=False, max_length=200, sheet="owner", weight=0.2),
    Field("contact_email", "owner", "email", N_("Contact e-mail"),
          N_("Not published; used by staff for checks."),
          required=True, public=False, max_length=200, sheet="owner", weight=0.5),
    Field("contact_phone", "owner", "phone", N_("Contact phone"),
          N_("Not published."), public=False, max_length=40, sheet="owner", weight=0.2),
    Field("applicant_role", "owner", "enum", N_("Applicant role"),
          N_("A delegate must attach the signed delegation."),
          choices=("owner", "co_owner", "delegate"),
          choice_labels=_c(owner=N_("Owner"), co_owner=N_("Co-owner"),
                           delegate=N_("Delegate")),
          required=True, public=False, sheet="owner", weight=0.2),
    Field("delegation", "owner", "attachment", N_("Signed delegation"),
          N_("File name of the delegation (required for delegates)."), public=False, sheet="owner", weight=0),
    # -------------------------------------------------------------- location
    Field("municipality_istat", "location", "istat", N_("Municipality (ISTAT code)"),
          N_("6-digit ISTAT code of a Lombardy municipality, e.g. 019036 for Cremona."),
          required=True, weight=2),
    Field("municipality_name", "location", "text", N_("Municipality"),
          N_("From the ISTAT code."), source="computed", sheet="none", weight=0),
    Field("province", "location", "text", N_("Province"),
          N_("From the ISTAT code."), source="computed", sheet="none", weight=0),
    Field("address", "location", "text", N_("Address"), max_length=300, weight=0.5),
    Field("lat", "location", "lat", N_("Latitude"),
          N_("WGS84 decimal degrees (e.g. 45.1336). Must fall inside the declared municipality."),
          unit="°", min=-90, max=90, weight=2),
    Field("lon", "location", "lon", N_("Longitude"),
          N_("WGS84 decimal degrees (e.g. 10.0226)."),
          unit="°", min=-180, max=180, weight=0),
    Field("outline", "location", "geometry", N_("Outline"),
          N_("Polygon as WKT or GeoJSON (WGS84). Required for type B."),
          required_for_type_b=True, weight=1),
    Field("cadastral_refs", "location", "list", N_("Cadastral references"),
          N_("List of sheet/parcel[/sub], separated by semicolons (e.g. 12/345; 12/346/2)."), weight=0.5),
    # ------------------------------------------------------------------ size
    Field("land_area_m2", "size", "float", N_("Land area"),
          N_("Total area of the site."),
          unit="m²", required=True, min=0, plausible=(50, 500, 5_000_000, 50_000_000), weight=3),
    Field("covered_area_m2", "size", "float", N_("Covered area"),
          N_("Cannot exceed the land area."),
          unit="m²", min=0, plausible=(None, None, 1_000_000, 20_000_000), weight=2),
    Field("floor_area_m2", "size", "float", N_("Gross floor area"),
          unit="m²", min=0, plausible=(None, None, 2_000_000, 50_000_000), weight=1.5),
    Field("residual_buildable_m2", "size", "float", N_("Residual buildable area"),
          unit="m²", min=0, plausible=(None, None, 2_000_000, 50_000_000), weight=1),
    Field("max_coverage_ratio", "size", "float", N_("Maximum coverage ratio"),
          N_("Between 0 and 1 (e.g. 0.6)."), min=0, max=1, weight=0.5),
    Field("max_height_m", "size", "float", N_("Maximum height"), unit="m", min=0, max=300,
          plausible=(None, None, 80, None), weight=0.5),
    Field("buildings_count", "size", "int", N_("Number of buildings"), min=0, max=1000,
          plausible=(None, None, 100, None), weight=0.3),
    Field("year_built", "size", "int", N_("Year built"), min=1800, max=2100,
          plausible=(None, 1850, 2030, None), weight=0.3),
    # -------------------------------------------------------------- planning
    Field("zoning", "planning", "text", N_("Zoning (PGT)"),
          N_("Zoning in the municipal plan (PGT)."), required=True, max_length=300, weight=2),
    Field("permitted_uses", "planning", "multi", N_("Permitted uses"),
          N_("One or more, separated by semicolons."),
          choices=tuple(_USES), choice_labels=_USES, required=True, weight=3),
    Field("implementation_plan", "planning", "enum", N_("Implementation plan"),
          choices=("none_needed", "to_be_approved", "approved", "agreement_signed"),
          choice_labels=_c(none_needed=N_("Not needed"),
                           to_be_approved=N_("To be approved"),
                           approved=N_("Approved"),
                           agreement_signed=N_("Agreement signed")), weight=1),
    Field("constraints", "planning", "multi", N_("Constraints"),
          choices=("landscape", "heritage", "hydrogeological", "seismic", "airport", "environmental"),
          choice_labels=_c(landscape=N_("Landscape"), heritage=N_("Heritage"),
                           hydrogeological=N_("Hydrogeological"), seismic=N_("Seismic"),
                           airport=N_("Airport"), environmental=N_("Environmental")),
          weight=1),
    # ----------------------------------------------------------------- state
    Field("condition", "state", "enum", N_("Condition"),
          choices=("bare_land", "new", "good", "to_renovate", "to_demolish", "ruin"),
          choice_labels=_c(bare_land=N_("Bare land"), new=N_("New"), good=N_("Good"),
                           to_renovate=N_("To renovate"),
                           to_demolish=N_("To demolish"), ruin=N_("Ruin")),
          required=True, weight=2),
    Field("occupancy", "state", "enum", N_("Occupancy"),
          choices=("vacant", "partly_used", "in_use"),
          choice_labels=_c(vacant=N_("Vacant"), partly_used=N_("Partly used"),
                           in_use=N_("In use")), required=True, weight=1.5),
    Field("years_unused", "state", "int", N_("Years unused"), unit=N_("years"), min=0,
          max=200, plausible=(None, None, 80, None), weight=0.5),
    Field("contamination", "state", "enum", N_("Contamination"),
          choices=("none_known", "suspected", "investigating", "remediation_ongoing", "remediated"),
          choice_labels=_c(none_known=N_("None known"), suspected=N_("Suspected"),
                           investigating=N_("Under investigation"),
                           remediation_ongoing=N_("Remediation ongoing"),
                           remediated=N_("Remediated")), required=True, weight=2),
    # ------------------------------------------------------------------ deal
    Field("transaction", "deal", "enum", N_("Transaction"),
          choices=("sale", "lease", "sale_or_lease", "other"),
          choice_labels=_c(sale=N_("Sale"), lease=N_("Lease"),
                           sale_or_lease=N_("Sale or lease"), other=N_("Other")),
          required=True, weight=2),
    Field("price_eur", "deal", "float", N_("Asking price"), unit="€", min=0,
          plausible=(None, 1_000, 1_000_000_000, 10_000_000_000), weight=2),
    Field("lease_eur_m2_year", "deal", "float", N_("Annual rent"), unit=N_("€/m²/year"), min=0,
          plausible=(None, 1, 500, 5_000), weight=1),
    Field("available_from", "deal", "date", N_("Available from"),
          N_("Date (dd/mm/yyyy)."), required=True, weight=2),
    # ---------------------------------------------------------------- access
    Field("motorway_junction_km", "access", "float", N_("Road distance to the motorway exit (declared)"), unit="km", min=0, max=500, plausible=(None, None, 150, None), weight=1),
    Field("rail_station_km", "access", "float", N_("Road distance to the railway station (declared)"), unit="km", min=0, max=500, plausible=(None, None, 150, None), weight=0.5),
    Field("airport_km", "access", "float", N_("Road distance to the airport (declared)"), unit="km", min=0, max=500, plausible=(None, None, 150, None), weight=0.5),
    Field("port_km", "access", "float", N_("Road distance to the port (declared)"),
          unit="km", min=0, max=500, plausible=(None, None, 150, None), weight=0.5),
    Field("rail_siding", "access", "bool", N_("Rail siding"), _BOOL_HELP, weight=1),
    Field("dist_airport_km", "access", "float", N_("Nearest airport, straight-line distance (computed)"),
          N_("Straight-line distance computed by the system."),
          unit="km", source="computed", sheet="none", weight=0),
    Field("nearest_airport", "access", "text", N_("Nearest airport"), source="computed",
          sheet="none", weight=0),
    Field("dist_motorway_junction_km", "access", "float", N_("Nearest motorway exit, straight-line distance (computed)"), unit="km", source="computed", sheet="none", weight=0),
    Field("dist_rail_station_km", "access", "float", N_("Nearest railway station, straight-line distance (computed)"), unit="km", source="computed", sheet="none", weight=0),
    Field("nearest_rail_station", "access", "text", N_("Nearest railway station"),
          source="computed", sheet="none", weight=0),
    Field("dist_rail_freight_terminal_km", "access", "float", N_("Nearest rail freight terminal, straight-line distance (computed)"), unit="km", source="computed", sheet="none", weight=0),
    Field("dist_port_km", "access", "float", N_("Nearest port, straight-line distance (computed)"),
          unit="km", source="computed", sheet="none", weight=0),
    # Truck drive times (issue 20), filled at write time by geo.routing.drive; provenance estimated (default
    # motorway graph) or computed (an imported road network); the method in drive_method.
    Field("drive_motorway_min", "access", "float", N_("Truck drive to the nearest motorway exit"),
          N_("Minutes by truck, from the road graph (see the method)."), unit="min", source="computed",
          sheet="none", weight=0),
    Field("drive_motorway_to", "access", "text", N_("Motorway exit reached"), source="computed", sheet="none",
          weight=0),
    Field("drive_rail_station_min", "access", "float", N_("Truck drive to the nearest railway station"),
          N_("Minutes by truck, from the road graph (see the method)."), unit="min", source="computed",
          sheet="none", weight=0),
    Field("drive_rail_station_to", "access", "text", N_("Railway station reached"), source="computed",
          sheet="none", weight=0),
    Field("drive_rail_terminal_min", "access", "float", N_("Truck drive to the nearest intermodal rail terminal"),
          N_("Minutes by truck, from the road graph (see the method)."), unit="min", source="computed",
          sheet="none", weight=0),
    Field("drive_rail_terminal_to", "access", "text", N_("Intermodal terminal reached"), source="computed",
          sheet="none", weight=0),
    Field("drive_port_min", "access", "float", N_("Truck drive to the nearest port"),
          N_("Minutes by truck, from the road graph (see the method)."), unit="min", source="computed",
          sheet="none", weight=0),
    Field("drive_port_to", "access", "text", N_("Port reached"), source="computed", sheet="none", weight=0),
    Field("drive_method", "access", "text", N_("Drive times: method"), source="computed", sheet="none", weight=0),
    # ------------------------------------------------------------- utilities
    Field("power_kw", "utilities", "float", N_("Available power"), unit="kW",
          min=0, max=1_000_000, plausible=(None, None, 100_000, None), weight=2),
    Field("gas", "utilities", "bool", N_("Gas"), _BOOL_HELP, weight=0.5),
    Field("water", "utilities", "bool", N_("Water"), _BOOL_HELP, weight=0.5),
    Field("sewer", "utilities", "bool", N_("Sewer"), _BOOL_HELP, weight=0.5),
    Field("fibre", "utilities", "bool", N_("Fibre"), _BOOL_HELP, weight=1),
    # ----------------------------------------------------------------- zones
    Field("in_zls", "zones", "bool", N_("In a ZLS Lombardia municipality"),
          N_("Computed from the ZLS municipalities; the real ZLS perimeter is smaller than the municipalities."),
          source="computed", sheet="none", weight=0),
    Field("zls_aid_area", "zones", "bool", N_("In the 2022-2027 regional aid map"),
          N_("Where the ZLS tax credit applies (art. 107.3.c TFEU)."), source="computed", sheet="none", weight=0),
    Field("zis_id", "zones", "text", N_("Innovation and Development Zone (ZIS)"),
          source="computed", sheet="none", weight=0),
    Field("crisis_area", "zones", "bool", N_("Industrial crisis area"), _BOOL_HELP,
          weight=0.3),
    Field("local_incentives", "zones", "longtext", N_("Local incentives"), max_length=2000,
          weight=0.5),
    Field("legal_disused_area", "zones", "bool", N_("Disused area under Regional Law 1/2007"),
          N_("Computed: covered area > 2,000 m² (productive) or > 5,000 m² (other), unused for more than 4 years."),
          source="computed", sheet="none", weight=0),
    # ----------------------------------------------------------------- files
    Field("photos", "files", "attachment", N_("Photos"), N_("File names, separated by semicolons."), weight=1),
    Field("site_plan", "files", "attachment", N_("Site plan"), weight=0.5),
    Field("zoning_extract", "files", "attachment", N_("Zoning extract"), weight=0.5),
    Field("cadastral_extract", "files", "attachment", N_("Cadastral extract"), weight=0.3),
    Field("masterplan", "files", "attachment", N_("Masterplan"), N_("Required for type B."), required_for_type_b=True, weight=0.5),
    # ------------------------------------------------------------- lifecycle
    Field("status", "lifecycle", "enum", N_("Status"),
          choices=("draft", "submitted", "validated", "published", "withdrawn", "expired"),
          choice_labels=_c(draft=pgettext("listing status", "Draft"), submitted=pgettext("listing status", "Submitted"),
                           validated=pgettext("listing status", "Validated"), published=pgettext("listing status", "Published"),
                           withdrawn=pgettext("listing status", "Withdrawn"), expired=pgettext("listing status", "Expired")),
          source="system", sheet="none", weight=0),
    Field("is_demo", "lifecycle", "bool", N_("Demo data"),
          N_("Generated for demonstration: not a real offer."), source="system", sheet="none", weight=0),
    Field("owner_id", "lifecycle", "id", N_("Owner code"), source="system", public=False,
          sheet="none", weight=0),
    Field("submission_id", "lifecycle", "id", N_("Submission code"), source="system", public=False,
          sheet="none", weight=0),
    Field("version", "lifecycle", "int", N_("Version"), source="system", sheet="none", weight=0),
    Field("created_at", "lifecycle", "timestamp", pgettext("listing date", "Created"), source="system", sheet="none", weight=0),
    Field("updated_at", "lifecycle", "timestamp", pgettext("listing date", "Updated"), source="system", sheet="none",
          weight=0),
    Field("confirmed_at", "lifecycle", "timestamp", N_("Availability confirmed"),
          source="system", sheet="none", weight=0),
    Field("expires_at", "lifecycle", "timestamp", pgettext("listing date", "Expires"), source="system", sheet="none", weight=0),
)

FIELD: dict[str, Field] = {f.key: f for f in FIELDS}
assert len(FIELD) == len(FIELDS), "duplicate field key"


def prov_column(key: str) -> str:
    """Name of the column holding the provenance of ``key``."""
    return f"{key}__prov"


def fields_in_group(group: str) -> list[Field]:
    return [f for f in FIELDS if f.group == group]


def owner_fields(sheet: str | None = None) -> list[Field]:
    """Fields an owner fills in (optionally those of one template sheet)."""
    return [f for f in FIELDS if f.source == "owner" and (sheet is None or f.sheet == sheet)]


def public_fields() -> list[Field]:
    """Fields shown to investors."""
    return [f for f in FIELDS if f.public]


_DTYPES: dict[str, str] = {
    "float": "float64", "lat": "float64", "lon": "float64",
    "int": "Int64", "bool": "boolean",
}


def storage_columns() -> dict[str, str]:
    """Columns of the ``sites`` layer and their pandas dtypes, in order.

    Every stored field ``k`` has a value column ``k`` and a provenance column
    ``k__prov``; system fields (ids, status, timestamps) have no provenance.
    """
    cols: dict[str, str] = {}
    for f in FIELDS:
        if not f.stored:
            continue
        cols[f.key] = _DTYPES.get(f.kind, "object")
    for f in FIELDS:
        if f.stored and f.source != "system":
            cols[prov_column(f.key)] = "object"
    return cols
