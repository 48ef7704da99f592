"""Field definitions of a site listing (domain.md §2).

Each :class:`Field` carries everything the rest of the system needs to know
about one value: its type and closed list, unit, whether it is required,
labels and help text in Italian and English, who provides it (the owner, the
system, or GIS computation), whether investors may see it, and how much it
weighs in the completeness score.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Lang = Literal["it", "en"]
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

#: Groups in display order, with their labels.
GROUPS: dict[str, tuple[str, str]] = {
    "identity": ("Identità", "Identity"),
    "owner": ("Proprietà e contatti", "Owner and contacts"),
    "location": ("Localizzazione", "Location"),
    "size": ("Dimensioni", "Size"),
    "planning": ("Stato di diritto (urbanistica)", "Planning status"),
    "state": ("Stato di fatto", "Physical state"),
    "deal": ("Condizioni di offerta", "Deal"),
    "access": ("Accessibilità", "Access"),
    "utilities": ("Reti e servizi", "Utilities"),
    "zones": ("Zone e incentivi", "Zones and incentives"),
    "files": ("Allegati", "Attachments"),
    "lifecycle": ("Stato della scheda", "Listing status"),
}


@dataclass(frozen=True)
class Field:
    """One field of a site listing. See the module docstring."""

    key: str
    group: str
    kind: Kind
    label_it: str
    label_en: str
    help_it: str = ""
    help_en: str = ""
    unit: str | None = None
    unit_en: str | None = None  # when the unit has words ("anni" / "years"); else ``unit`` serves both
    choices: tuple[str, ...] = ()
    #: labels of the choices: value -> (it, en)
    choice_labels: dict[str, tuple[str, str]] = field(default_factory=dict, compare=False, hash=False)
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
        return self.label_it if lang == "it" else self.label_en

    def help(self, lang: Lang = "en") -> str:
        return self.help_it if lang == "it" else self.help_en

    def label_with_unit(self, lang: Lang = "en") -> str:
        return f"{self.label(lang)} ({self.unit_text(lang)})" if self.unit else self.label(lang)

    def unit_text(self, lang: Lang = "en") -> str:
        """The unit in ``lang`` ('' when the field has none)."""
        if not self.unit:
            return ""
        return self.unit_en if lang == "en" and self.unit_en else self.unit

    def choice_label(self, value: str, lang: Lang = "en") -> str:
        pair = self.choice_labels.get(value)
        if pair is None:
            return str(value)
        return pair[0] if lang == "it" else pair[1]

    @property
    def stored(self) -> bool:
        """Whether the value is a column of the ``sites`` layer."""
        return self.kind != "geometry"

    @property
    def multi_valued(self) -> bool:
        return self.kind in ("multi", "list", "attachment")


def _c(**pairs: tuple[str, str]) -> dict[str, tuple[str, str]]:
    return dict(pairs)


_USES = _c(
    industrial=("Industriale / produttivo", "Industrial / manufacturing"),
    logistics=("Logistica", "Logistics"),
    offices=("Uffici / terziario", "Offices"),
    retail=("Commercio", "Retail"),
    tourism=("Turistico-ricettivo", "Tourism / hospitality"),
    residential=("Residenziale", "Residential"),
    education=("Istruzione", "Education"),
    student_housing=("Residenze universitarie", "Student housing"),
    health=("Sanità", "Health care"),
    sport=("Sport", "Sport"),
    research=("Ricerca e sviluppo", "Research and development"),
    data_center=("Data center", "Data centre"),
)

_BOOL_HELP = ("Sì / No", "Yes / No")

FIELDS: tuple[Field, ...] = (
    # ---------------------------------------------------------------- system
    Field("site_id", "lifecycle", "id", "Codice scheda", "Listing code", source="system",
          sheet="none", weight=0),
    # -------------------------------------------------------------- identity
    Field("offer_type", "identity", "enum", "Tipo di offerta", "Offer type",
          "A: area o immobile per una futura attività; B: più ampia, con funzioni o masterplan già individuati.",
          "A: area or building for a future activity; B: larger, with functions or a masterplan already identified.",
          choices=("A", "B"),
          choice_labels=_c(A=("A - area/immobile per nuova attività", "A - site for a new activity"),
                           B=("B - con funzioni o masterplan", "B - with functions or masterplan")),
          required=True, weight=1),
    Field("asset_kind", "identity", "enum", "Tipologia", "Asset kind",
          "Area libera, edificio, o area con edifici.", "Bare area, building, or area with buildings.",
          choices=("area", "building", "area_with_buildings"),
          choice_labels=_c(area=("Area", "Land"), building=("Edificio", "Building"),
                           area_with_buildings=("Area con edifici", "Land with buildings")),
          required=True, weight=3),
    Field("origin", "identity", "enum", "Origine", "Origin",
          "Greenfield (mai edificata), brownfield, rigenerazione, inattiva o dismessa.",
          "Greenfield (never built), brownfield, regeneration, inactive or disused.",
          choices=("greenfield", "brownfield", "regeneration", "inactive", "disused"),
          choice_labels=_c(greenfield=("Greenfield", "Greenfield"), brownfield=("Brownfield", "Brownfield"),
                           regeneration=("Area di rigenerazione", "Regeneration area"),
                           inactive=("Inattiva", "Inactive"), disused=("Dismessa", "Disused")),
          required=True, weight=2),
    Field("title_it", "identity", "text", "Titolo (italiano)", "Title (Italian)",
          "Titolo breve della scheda, testo semplice.", "Short title of the listing, plain text.",
          required=True, max_length=120, weight=1),
    Field("title_en", "identity", "text", "Titolo (inglese)", "Title (English)",
          "Titolo in inglese per gli investitori esteri.", "Title in English for foreign investors.",
          max_length=120, weight=1),
    Field("description_it", "identity", "longtext", "Descrizione (italiano)", "Description (Italian)",
          "Descrizione in testo semplice (niente HTML).", "Description in plain text (no HTML).",
          max_length=4000, weight=1),
    Field("description_en", "identity", "longtext", "Descrizione (inglese)", "Description (English)",
          "Descrizione in inglese.", "Description in English.", max_length=4000, weight=1),
    # ----------------------------------------------------------------- owner
    Field("owner_type", "owner", "enum", "Tipo di proprietario", "Owner type",
          choices=("public_body", "company", "non_profit", "private_person"),
          choice_labels=_c(public_body=("Ente pubblico", "Public body"), company=("Impresa", "Company"),
                           non_profit=("Ente non profit", "Non-profit"),
                           private_person=("Persona fisica", "Private person")),
          required=True, sheet="owner", weight=0.5),
    Field("owner_name", "owner", "text", "Proprietario", "Owner name",
          "Ragione sociale o nome. Non pubblicato.", "Company or person name. Not published.",
          required=True, public=False, max_length=200, sheet="owner", weight=0.5),
    Field("contact_name", "owner", "text", "Referente", "Contact person",
          "Non pubblicato.", "Not published.", public=False, max_length=200, sheet="owner", weight=0.2),
    Field("contact_email", "owner", "email", "E-mail del referente", "Contact e-mail",
          "Non pubblicata; usata dallo staff per le verifiche.", "Not published; used by staff for checks.",
          required=True, public=False, max_length=200, sheet="owner", weight=0.5),
    Field("contact_phone", "owner", "phone", "Telefono del referente", "Contact phone",
          "Non pubblicato.", "Not published.", public=False, max_length=40, sheet="owner", weight=0.2),
    Field("applicant_role", "owner", "enum", "Ruolo del richiedente", "Applicant role",
          "Un delegato deve allegare la delega firmata.", "A delegate must attach the signed delegation.",
          choices=("owner", "co_owner", "delegate"),
          choice_labels=_c(owner=("Proprietario", "Owner"), co_owner=("Comproprietario", "Co-owner"),
                           delegate=("Delegato", "Delegate")),
          required=True, public=False, sheet="owner", weight=0.2),
    Field("delegation", "owner", "attachment", "Delega firmata", "Signed delegation",
          "Nome del file della delega (obbligatoria per i delegati).",
          "File name of the delegation (required for delegates).", public=False, sheet="owner", weight=0),
    # -------------------------------------------------------------- location
    Field("municipality_istat", "location", "istat", "Comune (codice ISTAT)", "Municipality (ISTAT code)",
          "Codice ISTAT a 6 cifre di un comune lombardo, es. 019036 per Cremona.",
          "6-digit ISTAT code of a Lombardy municipality, e.g. 019036 for Cremona.",
          required=True, weight=2),
    Field("municipality_name", "location", "text", "Comune", "Municipality",
          "Dal codice ISTAT.", "From the ISTAT code.", source="computed", sheet="none", weight=0),
    Field("province", "location", "text", "Provincia", "Province",
          "Dal codice ISTAT.", "From the ISTAT code.", source="computed", sheet="none", weight=0),
    Field("address", "location", "text", "Indirizzo", "Address", max_length=300, weight=0.5),
    Field("lat", "location", "lat", "Latitudine", "Latitude",
          "Gradi decimali WGS84 (es. 45.1336). Deve cadere nel comune dichiarato.",
          "WGS84 decimal degrees (e.g. 45.1336). Must fall inside the declared municipality.",
          unit="°", min=-90, max=90, weight=2),
    Field("lon", "location", "lon", "Longitudine", "Longitude",
          "Gradi decimali WGS84 (es. 10.0226).", "WGS84 decimal degrees (e.g. 10.0226).",
          unit="°", min=-180, max=180, weight=0),
    Field("outline", "location", "geometry", "Perimetro", "Outline",
          "Poligono in WKT o GeoJSON (WGS84). Obbligatorio per il tipo B.",
          "Polygon as WKT or GeoJSON (WGS84). Required for type B.",
          required_for_type_b=True, weight=1),
    Field("cadastral_refs", "location", "list", "Riferimenti catastali", "Cadastral references",
          "Elenco foglio/mappale[/sub], separati da punto e virgola (es. 12/345; 12/346/2).",
          "List of sheet/parcel[/sub], separated by semicolons (e.g. 12/345; 12/346/2).", weight=0.5),
    # ------------------------------------------------------------------ size
    Field("land_area_m2", "size", "float", "Superficie territoriale", "Land area",
          "Superficie totale dell'area.", "Total area of the site.",
          unit="m²", required=True, min=0, plausible=(50, 500, 5_000_000, 50_000_000), weight=3),
    Field("covered_area_m2", "size", "float", "Superficie coperta", "Covered area",
          "Non può superare la superficie territoriale.", "Cannot exceed the land area.",
          unit="m²", min=0, plausible=(None, None, 1_000_000, 20_000_000), weight=2),
    Field("floor_area_m2", "size", "float", "Superficie lorda di pavimento (SLP)", "Gross floor area",
          unit="m²", min=0, plausible=(None, None, 2_000_000, 50_000_000), weight=1.5),
    Field("residual_buildable_m2", "size", "float", "Capacità edificatoria residua", "Residual buildable area",
          unit="m²", min=0, plausible=(None, None, 2_000_000, 50_000_000), weight=1),
    Field("max_coverage_ratio", "size", "float", "Rapporto di copertura massimo", "Maximum coverage ratio",
          "Tra 0 e 1 (es. 0,6).", "Between 0 and 1 (e.g. 0.6).", min=0, max=1, weight=0.5),
    Field("max_height_m", "size", "float", "Altezza massima", "Maximum height", unit="m", min=0, max=300,
          plausible=(None, None, 80, None), weight=0.5),
    Field("buildings_count", "size", "int", "Numero di edifici", "Number of buildings", min=0, max=1000,
          plausible=(None, None, 100, None), weight=0.3),
    Field("year_built", "size", "int", "Anno di costruzione", "Year built", min=1800, max=2100,
          plausible=(None, 1850, 2030, None), weight=0.3),
    # -------------------------------------------------------------- planning
    Field("zoning", "planning", "text", "Destinazione urbanistica (PGT)", "Zoning (PGT)",
          "Destinazione prevista dal Piano di Governo del Territorio.",
          "Zoning in the municipal plan (PGT).", required=True, max_length=300, weight=2),
    Field("permitted_uses", "planning", "multi", "Destinazioni d'uso ammesse", "Permitted uses",
          "Una o più, separate da punto e virgola.", "One or more, separated by semicolons.",
          choices=tuple(_USES), choice_labels=_USES, required=True, weight=3),
    Field("implementation_plan", "planning", "enum", "Piano attuativo", "Implementation plan",
          choices=("none_needed", "to_be_approved", "approved", "agreement_signed"),
          choice_labels=_c(none_needed=("Non necessario", "Not needed"),
                           to_be_approved=("Da approvare", "To be approved"),
                           approved=("Approvato", "Approved"),
                           agreement_signed=("Convenzione firmata", "Agreement signed")), weight=1),
    Field("constraints", "planning", "multi", "Vincoli", "Constraints",
          choices=("landscape", "heritage", "hydrogeological", "seismic", "airport", "environmental"),
          choice_labels=_c(landscape=("Paesaggistico", "Landscape"), heritage=("Beni culturali", "Heritage"),
                           hydrogeological=("Idrogeologico", "Hydrogeological"), seismic=("Sismico", "Seismic"),
                           airport=("Aeroportuale", "Airport"), environmental=("Ambientale", "Environmental")),
          weight=1),
    # ----------------------------------------------------------------- state
    Field("condition", "state", "enum", "Condizioni", "Condition",
          choices=("bare_land", "new", "good", "to_renovate", "to_demolish", "ruin"),
          choice_labels=_c(bare_land=("Area libera", "Bare land"), new=("Nuovo", "New"), good=("Buono", "Good"),
                           to_renovate=("Da ristrutturare", "To renovate"),
                           to_demolish=("Da demolire", "To demolish"), ruin=("Rudere", "Ruin")),
          required=True, weight=2),
    Field("occupancy", "state", "enum", "Occupazione", "Occupancy",
          choices=("vacant", "partly_used", "in_use"),
          choice_labels=_c(vacant=("Libero", "Vacant"), partly_used=("Parzialmente utilizzato", "Partly used"),
                           in_use=("In uso", "In use")), required=True, weight=1.5),
    Field("years_unused", "state", "int", "Anni di inutilizzo", "Years unused", unit="anni", unit_en="years", min=0,
          max=200, plausible=(None, None, 80, None), weight=0.5),
    Field("contamination", "state", "enum", "Contaminazione", "Contamination",
          choices=("none_known", "suspected", "investigating", "remediation_ongoing", "remediated"),
          choice_labels=_c(none_known=("Nessuna nota", "None known"), suspected=("Sospetta", "Suspected"),
                           investigating=("In caratterizzazione", "Under investigation"),
                           remediation_ongoing=("Bonifica in corso", "Remediation ongoing"),
                           remediated=("Bonificata", "Remediated")), required=True, weight=2),
    # ------------------------------------------------------------------ deal
    Field("transaction", "deal", "enum", "Tipo di transazione", "Transaction",
          choices=("sale", "lease", "sale_or_lease", "other"),
          choice_labels=_c(sale=("Vendita", "Sale"), lease=("Locazione", "Lease"),
                           sale_or_lease=("Vendita o locazione", "Sale or lease"), other=("Altro", "Other")),
          required=True, weight=2),
    Field("price_eur", "deal", "float", "Prezzo richiesto", "Asking price", unit="€", min=0,
          plausible=(None, 1_000, 1_000_000_000, 10_000_000_000), weight=2),
    Field("lease_eur_m2_year", "deal", "float", "Canone annuo", "Annual rent", unit="€/m²/anno", unit_en="€/m²/year", min=0,
          plausible=(None, 1, 500, 5_000), weight=1),
    Field("available_from", "deal", "date", "Disponibile dal", "Available from",
          "Data (gg/mm/aaaa).", "Date (dd/mm/yyyy).", required=True, weight=2),
    # ---------------------------------------------------------------- access
    Field("motorway_junction_km", "access", "float", "Distanza dal casello (dichiarata)",
          "Distance to motorway junction (declared)", unit="km", min=0, max=500, plausible=(None, None, 150, None), weight=1),
    Field("rail_station_km", "access", "float", "Distanza dalla stazione (dichiarata)",
          "Distance to railway station (declared)", unit="km", min=0, max=500, plausible=(None, None, 150, None), weight=0.5),
    Field("airport_km", "access", "float", "Distanza dall'aeroporto (dichiarata)",
          "Distance to airport (declared)", unit="km", min=0, max=500, plausible=(None, None, 150, None), weight=0.5),
    Field("port_km", "access", "float", "Distanza dal porto (dichiarata)", "Distance to port (declared)",
          unit="km", min=0, max=500, plausible=(None, None, 150, None), weight=0.5),
    Field("rail_siding", "access", "bool", "Raccordo ferroviario", "Rail siding", *_BOOL_HELP, weight=1),
    Field("dist_airport_km", "access", "float", "Aeroporto più vicino (calcolata)", "Nearest airport (computed)",
          "Distanza in linea d'aria, calcolata dal sistema.", "Straight-line distance computed by the system.",
          unit="km", source="computed", sheet="none", weight=0),
    Field("nearest_airport", "access", "text", "Aeroporto più vicino", "Nearest airport", source="computed",
          sheet="none", weight=0),
    Field("dist_motorway_junction_km", "access", "float", "Casello più vicino (calcolata)",
          "Nearest motorway junction (computed)", unit="km", source="computed", sheet="none", weight=0),
    Field("dist_rail_station_km", "access", "float", "Stazione più vicina (calcolata)",
          "Nearest railway station (computed)", unit="km", source="computed", sheet="none", weight=0),
    Field("nearest_rail_station", "access", "text", "Stazione più vicina", "Nearest railway station",
          source="computed", sheet="none", weight=0),
    Field("dist_rail_freight_terminal_km", "access", "float", "Terminal ferroviario merci più vicino (calcolata)",
          "Nearest rail freight terminal (computed)", unit="km", source="computed", sheet="none", weight=0),
    Field("dist_port_km", "access", "float", "Porto più vicino (calcolata)", "Nearest port (computed)",
          unit="km", source="computed", sheet="none", weight=0),
    # ------------------------------------------------------------- utilities
    Field("power_kw", "utilities", "float", "Potenza elettrica disponibile", "Available power", unit="kW",
          min=0, max=1_000_000, plausible=(None, None, 100_000, None), weight=2),
    Field("gas", "utilities", "bool", "Gas", "Gas", *_BOOL_HELP, weight=0.5),
    Field("water", "utilities", "bool", "Acquedotto", "Water", *_BOOL_HELP, weight=0.5),
    Field("sewer", "utilities", "bool", "Fognatura", "Sewer", *_BOOL_HELP, weight=0.5),
    Field("fibre", "utilities", "bool", "Fibra ottica", "Fibre", *_BOOL_HELP, weight=1),
    # ----------------------------------------------------------------- zones
    Field("in_zls", "zones", "bool", "In un comune della ZLS Lombardia", "In a ZLS Lombardia municipality",
          "Calcolato dai comuni della ZLS; il perimetro reale della ZLS è più piccolo dei comuni.",
          "Computed from the ZLS municipalities; the real ZLS perimeter is smaller than the municipalities.",
          source="computed", sheet="none", weight=0),
    Field("zls_aid_area", "zones", "bool", "In area della Carta degli aiuti 2022-2027",
          "In the 2022-2027 regional aid map",
          "Dove si applica il credito d'imposta ZLS (art. 107.3.c TFUE).",
          "Where the ZLS tax credit applies (art. 107.3.c TFEU).", source="computed", sheet="none", weight=0),
    Field("zis_id", "zones", "text", "Zona di Innovazione e Sviluppo (ZIS)", "Innovation and Development Zone (ZIS)",
          source="computed", sheet="none", weight=0),
    Field("crisis_area", "zones", "bool", "Area di crisi industriale", "Industrial crisis area", *_BOOL_HELP,
          weight=0.3),
    Field("local_incentives", "zones", "longtext", "Incentivi locali", "Local incentives", max_length=2000,
          weight=0.5),
    Field("legal_disused_area", "zones", "bool", "Area dismessa ai sensi della L.R. 1/2007",
          "Disused area under Regional Law 1/2007",
          "Calcolato: superficie coperta > 2.000 m² (produttive) o > 5.000 m² (altre), inutilizzata da oltre 4 anni.",
          "Computed: covered area > 2,000 m² (productive) or > 5,000 m² (other), unused for more than 4 years.",
          source="computed", sheet="none", weight=0),
    # ----------------------------------------------------------------- files
    Field("photos", "files", "attachment", "Fotografie", "Photos", "Nomi dei file, separati da punto e virgola.",
          "File names, separated by semicolons.", weight=1),
    Field("site_plan", "files", "attachment", "Planimetria", "Site plan", weight=0.5),
    Field("zoning_extract", "files", "attachment", "Estratto PGT", "Zoning extract", weight=0.5),
    Field("cadastral_extract", "files", "attachment", "Estratto catastale", "Cadastral extract", weight=0.3),
    Field("masterplan", "files", "attachment", "Masterplan", "Masterplan", "Obbligatorio per il tipo B.",
          "Required for type B.", required_for_type_b=True, weight=0.5),
    # ------------------------------------------------------------- lifecycle
    Field("status", "lifecycle", "enum", "Stato", "Status",
          choices=("draft", "submitted", "validated", "published", "withdrawn", "expired"),
          choice_labels=_c(draft=("Bozza", "Draft"), submitted=("Inviata", "Submitted"),
                           validated=("Validata", "Validated"), published=("Pubblicata", "Published"),
                           withdrawn=("Ritirata", "Withdrawn"), expired=("Scaduta", "Expired")),
          source="system", sheet="none", weight=0),
    Field("is_demo", "lifecycle", "bool", "Dato dimostrativo", "Demo data",
          "Scheda generata per dimostrazione: non è un'offerta reale.",
          "Generated for demonstration: not a real offer.", source="system", sheet="none", weight=0),
    Field("owner_id", "lifecycle", "id", "Codice proprietario", "Owner code", source="system", public=False,
          sheet="none", weight=0),
    Field("submission_id", "lifecycle", "id", "Codice invio", "Submission code", source="system", public=False,
          sheet="none", weight=0),
    Field("version", "lifecycle", "int", "Versione", "Version", source="system", sheet="none", weight=0),
    Field("created_at", "lifecycle", "timestamp", "Creata il", "Created", source="system", sheet="none", weight=0),
    Field("updated_at", "lifecycle", "timestamp", "Aggiornata il", "Updated", source="system", sheet="none",
          weight=0),
    Field("confirmed_at", "lifecycle", "timestamp", "Disponibilità confermata il", "Availability confirmed",
          source="system", sheet="none", weight=0),
    Field("expires_at", "lifecycle", "timestamp", "Scade il", "Expires", source="system", sheet="none", weight=0),
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
