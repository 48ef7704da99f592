"""Validation messages, written in English and translated from the ``listing`` catalogue.

An :class:`Issue` is data (field key, code, parameters); its text is made only
when shown, in the reader's language, from the table below. The Excel checker
adds where the value was (sheet, row, column) around it. Numbers in messages
are formatted by Babel in the reader's locale:

>>> i = Issue("land_area_m2", "unit_converted", {"value": "3 ha", "converted": 30000.0}, "warning")
>>> i.message("it")
'Superficie territoriale: «3 ha» letto come 30.000 m²: verificare.'
>>> i.message("en")
"Land area: '3 ha' read as 30,000 m²: please check."
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from typing import Any, Literal

from geo.i18n import N_, Lang, translator

Severity = Literal["error", "warning"]

#: code -> English message (marked ``N_``, Italian in ``listing.po``). ``{label}`` is the field label in the
#: same language, ``{unit}`` the field's unit; the other placeholders are the issue's parameters.
MESSAGES: dict[str, str] = {
    "required": N_("{label}: required field is missing."),
    "required_type_b": N_("{label}: required for type B offers."),
    "required_delegate": N_("{label}: a delegate must attach the signed delegation."),
    "required_location": N_("Location missing: give latitude and longitude or an outline."),
    "not_in_list": N_("{label}: '{value}' is not an allowed value. Allowed: {allowed}."),
    "not_a_number": N_("{label}: '{value}' is not a number."),
    "not_an_integer": N_("{label}: '{value}' is not a whole number."),
    "below_min": N_("{label}: {value} is below the minimum allowed ({min})."),
    "above_max": N_("{label}: {value} is above the maximum allowed ({max})."),
    "must_be_positive": N_("{label}: must be greater than zero (found {value})."),
    "not_a_bool": N_("{label}: '{value}' is not Yes/No."),
    "not_a_date": N_("{label}: '{value}' is not a valid date (use dd/mm/yyyy or yyyy-mm-dd)."),
    "bad_email": N_("{label}: '{value}' is not a valid e-mail address."),
    "bad_phone": N_("{label}: '{value}' is not a valid phone number."),
    "too_long": N_("{label}: text too long ({length} characters, at most {max_length})."),
    "html_in_text": N_("{label}: the text contains HTML markup; it will be shown as plain text."),
    "bad_istat": N_("{label}: '{value}' is not a 6-digit ISTAT code (e.g. 019036)."),
    "istat_padded": N_("{label}: code '{value}' had lost its leading zero; read as {fixed}."),
    "unknown_municipality": N_("{label}: no Lombardy municipality has ISTAT code {value}."),
    "bad_lat": N_("{label}: {value} is not a valid latitude (between -90 and 90)."),
    "bad_lon": N_("{label}: {value} is not a valid longitude (between -180 and 180)."),
    "latlon_swapped": N_("Latitude and longitude look swapped: ({lat}, {lon}) falls outside Lombardy, while ({lon}, "
                         "{lat}) falls inside it. Swap the two values."),
    "outside_lombardy": N_("The point ({lat}, {lon}) falls outside Lombardy."),
    "outside_municipality": N_("The point ({lat}, {lon}) is {distance_m} m from the declared municipality "
                               "{municipality} (tolerance {tolerance_m} m){found}."),
    "bad_geometry": N_("{label}: unreadable geometry ({detail}). Use WKT or GeoJSON of a polygon in WGS84."),
    "outline_far": N_("The point is {distance_m} m from the given outline."),
    "bad_cadastral": N_("{label}: '{value}' is not in the form sheet/parcel[/sub] (e.g. 12/345)."),
    "bad_filename": N_("{label}: file name not allowed '{value}'."),
    "covered_gt_land": N_("Covered area ({covered}) is larger than the land area ({land})."),
    "building_on_bare_land": N_("Condition 'bare land' is inconsistent with asset kind 'building'."),
    "years_unused_in_use": N_("Years unused given ({value}) for a site declared in use."),
    "excel_error": N_("{label}: the cell holds the Excel error '{value}' (a formula that failed): type the value."),
    "not_finite": N_("{label}: '{value}' is not a usable number (infinite or far too large)."),
    "wrong_unit": N_("{label}: the unit in '{value}' is unknown or does not fit this field: write the number in "
                     "{unit}."),
    "no_unit_expected": N_("{label}: '{value}': write the number only, without a unit."),
    "unit_converted": N_("{label}: '{value}' read as {converted} {unit}: please check."),
    "implausible_low": N_("{label}: {value} {unit} is not plausible (at least {limit} {unit}): check the unit "
                          "(hectares or m²?) and the digits."),
    "implausible_high": N_("{label}: {value} {unit} is not plausible (at most {limit} {unit}): check the unit and "
                           "the digits."),
    "unusual_low": N_("{label}: {value} {unit} is unusually low (usually at least {limit} {unit}): please check."),
    "unusual_high": N_("{label}: {value} {unit} is unusually high (usually at most {limit} {unit}): please check."),
    "date_out_of_range": N_("{label}: the date {value} is outside the allowed range ({min} to {max})."),
    "unusual_date": N_("{label}: the date {value} is unusual (before 2000 or more than 10 years ahead): please check."),
    "invisible_char": N_("{label}: the text contains an invisible or control character ({char}, position "
                         "{position}): type the value again instead of pasting it."),
    "covered_without_buildings": N_("Covered area given for land without buildings."),
}


def fmt_number(value: Any, lang: Lang = "en", digits: int = 2) -> str:
    """A number for people, by Babel in ``lang``'s locale: ``12,345.5`` in English, ``12.345,5`` in Italian.

    At most ``digits`` decimals, trailing zeros dropped; anything else than a number as ``str``.

    >>> fmt_number(12345.5, "it"), fmt_number(12345.5, "en"), fmt_number(0.6, "it"), fmt_number("x")
    ('12.345,5', '12,345.5', '0,6', 'x')
    """
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    return translator(lang).number(value, digits)


def _number(value: float, digits: int, _) -> str:
    return _.number(value, digits)


def _text(message: str, _) -> str:
    return _(message)


def number_param(value: float, digits: int = 0):
    """A :class:`~geo.errors.UserError` parameter: ``value`` formatted in the reader's locale when shown.

    A module-level ``partial``, not a lambda, so an error (or a check result holding one) can be pickled.

    >>> from geo.errors import UserError
    >>> UserError(N_("{n} rows"), n=number_param(1234.5, 1)).message("it")
    '1.234,5 rows'
    """
    return functools.partial(_number, value, digits)


def text_param(message: str):
    """A :class:`~geo.errors.UserError` parameter: an English text (marked ``N_``) translated when shown."""
    return functools.partial(_text, message)


def _date(value: Any, _) -> str:
    try:
        return _.date(value)
    except (TypeError, ValueError, AttributeError):
        return str(value)[:10]


def date_param(value: Any):
    """A :class:`~geo.errors.UserError` parameter: a date (or ISO timestamp) written as the reader's locale does."""
    return functools.partial(_date, value)


def _plural(singular: str, plural: str, n: int, _) -> str:
    return _.ngettext(singular, plural, n).format(n=_.number(n))


def ngettext(singular: str, plural: str, n: int):
    """A :class:`~geo.errors.UserError` parameter with a plural: the English forms (extracted as gettext's
    ``ngettext``, ``{n}`` the count) translated for ``n`` when shown.

    >>> from geo.errors import UserError
    >>> e = UserError(N_("The file has {errors}."), errors=ngettext("{n} error", "{n} errors", 1))
    >>> e.message("en"), e.message("it")
    ('The file has 1 error.', 'Il file ha 1 errore.')
    """
    return functools.partial(_plural, singular, plural, n)


def _joined(messages: tuple[str, ...], sep: str, params: dict[str, Any], _) -> str:
    values = {k: _.number(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else v
              for k, v in params.items()}
    return sep.join(_(m).format(**values) for m in messages)


def joined_param(messages: list[str], sep: str = "; ", **params: Any):
    """A :class:`~geo.errors.UserError` parameter: several English texts (marked ``N_``), each translated and
    filled with ``params`` (numbers by Babel), joined by ``sep``."""
    return functools.partial(_joined, tuple(messages), sep, params)


@dataclass(frozen=True)
class Issue:
    """One validation problem of one field (or of a pair of fields)."""

    key: str
    code: str
    params: dict[str, Any] = field(default_factory=dict)
    severity: Severity = "error"

    def message(self, lang: Lang = "en") -> str:
        from geo.schema.fields import FIELD

        _ = translator(lang)
        template = _(MESSAGES[self.code])
        f = FIELD.get(self.key)
        label = f.label(lang) if f else self.key
        params = {}
        for k, v in self.params.items():
            if k in ("lat", "lon"):  # decimal degrees in the reader's digits (the Italian text pairs them with ";")
                params[k] = _.number(v, 5) if isinstance(v, (int, float)) and not isinstance(v, bool) else str(v)
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

    #: The text of the issue in ``lang`` (same as :meth:`message`).
    text = message
