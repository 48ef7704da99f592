"""Validation messages in Italian and English.

An :class:`Issue` is data (field key, code, parameters); its text is made only
when shown, in the reader's language, from the table below. The Excel checker
adds where the value was (sheet, row, column) around it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Literal

Lang = Literal["it", "en"]
Severity = Literal["error", "warning"]

#: code -> (Italian, English). ``{label}`` is the field label in the same language.
MESSAGES: dict[str, tuple[str, str]] = {
    "required": ("{label}: campo obbligatorio mancante.", "{label}: required field is missing."),
    "required_type_b": ("{label}: obbligatorio per le offerte di tipo B.", "{label}: required for type B offers."),
    "required_delegate": ("{label}: un delegato deve allegare la delega firmata.",
                          "{label}: a delegate must attach the signed delegation."),
    "required_location": ("Posizione mancante: indicare latitudine e longitudine oppure un perimetro.",
                          "Location missing: give latitude and longitude or an outline."),
    "not_in_list": ("{label}: «{value}» non è un valore ammesso. Valori ammessi: {allowed}.",
                    "{label}: '{value}' is not an allowed value. Allowed: {allowed}."),
    "not_a_number": ("{label}: «{value}» non è un numero.", "{label}: '{value}' is not a number."),
    "not_an_integer": ("{label}: «{value}» non è un numero intero.", "{label}: '{value}' is not a whole number."),
    "below_min": ("{label}: {value} è minore del minimo ammesso ({min}).",
                  "{label}: {value} is below the minimum allowed ({min})."),
    "above_max": ("{label}: {value} supera il massimo ammesso ({max}).",
                  "{label}: {value} is above the maximum allowed ({max})."),
    "must_be_positive": ("{label}: deve essere maggiore di zero (trovato {value}).",
                         "{label}: must be greater than zero (found {value})."),
    "not_a_bool": ("{label}: «{value}» non è Sì/No.", "{label}: '{value}' is not Yes/No."),
    "not_a_date": ("{label}: «{value}» non è una data valida (usare gg/mm/aaaa).",
                   "{label}: '{value}' is not a valid date (use dd/mm/yyyy or yyyy-mm-dd)."),
    "bad_email": ("{label}: «{value}» non è un indirizzo e-mail valido.",
                  "{label}: '{value}' is not a valid e-mail address."),
    "bad_phone": ("{label}: «{value}» non è un numero di telefono valido.",
                  "{label}: '{value}' is not a valid phone number."),
    "too_long": ("{label}: testo troppo lungo ({length} caratteri, massimo {max_length}).",
                 "{label}: text too long ({length} characters, at most {max_length})."),
    "html_in_text": ("{label}: il testo contiene marcatori HTML; sarà mostrato come testo semplice.",
                     "{label}: the text contains HTML markup; it will be shown as plain text."),
    "bad_istat": ("{label}: «{value}» non è un codice ISTAT a 6 cifre (es. 019036).",
                  "{label}: '{value}' is not a 6-digit ISTAT code (e.g. 019036)."),
    "istat_padded": ("{label}: il codice «{value}» aveva perso lo zero iniziale; letto come {fixed}.",
                     "{label}: code '{value}' had lost its leading zero; read as {fixed}."),
    "unknown_municipality": ("{label}: nessun comune lombardo ha il codice ISTAT {value}.",
                             "{label}: no Lombardy municipality has ISTAT code {value}."),
    "bad_lat": ("{label}: {value} non è una latitudine valida (tra -90 e 90).",
                "{label}: {value} is not a valid latitude (between -90 and 90)."),
    "bad_lon": ("{label}: {value} non è una longitudine valida (tra -180 e 180).",
                "{label}: {value} is not a valid longitude (between -180 and 180)."),
    "latlon_swapped": ("Latitudine e longitudine sembrano invertite: ({lat}, {lon}) cade fuori dalla Lombardia, "
                       "({lon}, {lat}) invece vi cade. Scambiare i due valori.",
                       "Latitude and longitude look swapped: ({lat}, {lon}) falls outside Lombardy, while "
                       "({lon}, {lat}) falls inside it. Swap the two values."),
    "outside_lombardy": ("Il punto ({lat}, {lon}) cade fuori dalla Lombardia.",
                         "The point ({lat}, {lon}) falls outside Lombardy."),
    "outside_municipality": ("Il punto ({lat}, {lon}) cade a {distance_m} m dal comune dichiarato {municipality} "
                             "(tolleranza {tolerance_m} m){found}.",
                             "The point ({lat}, {lon}) is {distance_m} m from the declared municipality "
                             "{municipality} (tolerance {tolerance_m} m){found}."),
    "bad_geometry": ("{label}: geometria non leggibile ({detail}). Usare WKT o GeoJSON di un poligono in WGS84.",
                     "{label}: unreadable geometry ({detail}). Use WKT or GeoJSON of a polygon in WGS84."),
    "outline_far": ("Il punto cade a {distance_m} m dal perimetro indicato.",
                    "The point is {distance_m} m from the given outline."),
    "bad_cadastral": ("{label}: «{value}» non è nel formato foglio/mappale[/sub] (es. 12/345).",
                      "{label}: '{value}' is not in the form sheet/parcel[/sub] (e.g. 12/345)."),
    "bad_filename": ("{label}: nome di file non ammesso «{value}».", "{label}: file name not allowed '{value}'."),
    "covered_gt_land": ("Superficie coperta ({covered}) maggiore della superficie territoriale ({land}).",
                        "Covered area ({covered}) is larger than the land area ({land})."),
    "building_on_bare_land": ("Condizione «area libera» incompatibile con la tipologia «edificio».",
                              "Condition 'bare land' is inconsistent with asset kind 'building'."),
    "years_unused_in_use": ("Anni di inutilizzo indicati ({value}) per un bene dichiarato in uso.",
                            "Years unused given ({value}) for a site declared in use."),
    "excel_error": ("{label}: la cella contiene l'errore di Excel «{value}» (una formula non riuscita): "
                    "scrivere il valore.",
                    "{label}: the cell holds the Excel error '{value}' (a formula that failed): type the value."),
    "not_finite": ("{label}: «{value}» non è un numero utilizzabile (infinito o troppo grande).",
                   "{label}: '{value}' is not a usable number (infinite or far too large)."),
    "wrong_unit": ("{label}: l'unità di «{value}» non è riconosciuta o non vale per questo campo: scrivere il "
                   "numero in {unit}.",
                   "{label}: the unit in '{value}' is unknown or does not fit this field: write the number in {unit}."),
    "no_unit_expected": ("{label}: «{value}»: scrivere solo il numero, senza unità.",
                         "{label}: '{value}': write the number only, without a unit."),
    "unit_converted": ("{label}: «{value}» letto come {converted} {unit}: verificare.",
                       "{label}: '{value}' read as {converted} {unit}: please check."),
    "implausible_low": ("{label}: {value} {unit} non è plausibile (minimo {limit} {unit}): controllare l'unità "
                        "(ettari o m²?) e le cifre.",
                        "{label}: {value} {unit} is not plausible (at least {limit} {unit}): check the unit "
                        "(hectares or m²?) and the digits."),
    "implausible_high": ("{label}: {value} {unit} non è plausibile (massimo {limit} {unit}): controllare l'unità "
                         "e le cifre.",
                         "{label}: {value} {unit} is not plausible (at most {limit} {unit}): check the unit and "
                         "the digits."),
    "unusual_low": ("{label}: {value} {unit} è insolitamente basso (di solito almeno {limit} {unit}): verificare.",
                    "{label}: {value} {unit} is unusually low (usually at least {limit} {unit}): please check."),
    "unusual_high": ("{label}: {value} {unit} è insolitamente alto (di solito al massimo {limit} {unit}): "
                     "verificare.",
                     "{label}: {value} {unit} is unusually high (usually at most {limit} {unit}): please check."),
    "date_out_of_range": ("{label}: la data {value} è fuori dall'intervallo ammesso ({min} - {max}).",
                          "{label}: the date {value} is outside the allowed range ({min} to {max})."),
    "unusual_date": ("{label}: la data {value} è insolita (prima del 2000 o oltre 10 anni da oggi): verificare.",
                     "{label}: the date {value} is unusual (before 2000 or more than 10 years ahead): please check."),
    "invisible_char": ("{label}: il testo contiene un carattere invisibile o di controllo ({char}, posizione "
                       "{position}): riscrivere il valore senza copiarlo.",
                       "{label}: the text contains an invisible or control character ({char}, position "
                       "{position}): type the value again instead of pasting it."),
    "covered_without_buildings": ("Superficie coperta indicata per un'area senza edifici.",
                                  "Covered area given for land without buildings."),
}


def fmt_number(value: Any, lang: Lang = "en", digits: int = 2) -> str:
    """Format a number for people: ``12,345.5`` in English, ``12.345,5`` in Italian."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    if float(value).is_integer():
        text = f"{int(value):,}"
    else:
        text = f"{value:,.{digits}f}".rstrip("0").rstrip(".")
    if lang == "it":
        text = text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    return text


@dataclass(frozen=True)
class Issue:
    """One validation problem of one field (or of a pair of fields)."""

    key: str
    code: str
    params: dict[str, Any] = field(default_factory=dict)
    severity: Severity = "error"

    def message(self, lang: Lang = "en") -> str:
        from geo.schema.fields import FIELD

        it, en = MESSAGES[self.code]
        template = it if lang == "it" else en
        f = FIELD.get(self.key)
        label = f.label(lang) if f else self.key
        params = {}
        for k, v in self.params.items():
            if k in ("lat", "lon"):
                params[k] = f"{v:.5f}" if isinstance(v, float) else str(v)
            elif k in ("value", "min", "max") and isinstance(v, str):
                params[k] = v
            elif k == "allowed" and isinstance(v, (list, tuple)):  # as the template's drop-downs show them
                params[k] = "; ".join(f.choice_label(str(c), lang) if f else str(c) for c in v)
            else:
                params[k] = fmt_number(v, lang)
        if "{unit}" in template:  # the field's own unit, in the reader's language
            params["unit"] = (f.unit_text(lang) if f else "") or ""
        text = template.format(label=label, **params)
        if params.get("unit") == "":  # a field without a unit: no gap where the unit would be
            text = re.sub(r" +(?=[ :.,)])", "", text)
        return text
