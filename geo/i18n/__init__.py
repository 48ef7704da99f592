"""One way to speak two languages: gettext catalogues and Babel formatting.

Every string a person reads (pages, command line, validation messages, verdict
reasons, PDFs, exports) is written in English in the code, marked for
translation, and translated from the catalogues in ``geo/locale/<lang>/LC_MESSAGES``
(``.po`` kept in git, ``.mo`` compiled by ``make``; a missing or stale ``.mo`` is
compiled in memory from its ``.po``). Numbers, dates, currency and units are
formatted by Babel for ``it_IT`` and ``en_GB``.

A server answers visitors in different languages at once, so nothing is
installed globally: a page or function asks for its language's translator.

>>> _ = translator("it")
>>> _("English only")
'Solo in inglese'
>>> translator("en")("English only")
'English only'
>>> _.number(30000.5, digits=1), translator("en").number(30000.5, digits=1)
('30.000,5', '30,000.5')
>>> _.unit(30000, "area-square-meter"), translator("en").money(1_800_000)
('30.000 m²', '€1,800,000')
>>> _.money(1_800_000) == "1.800.000\N{NO-BREAK SPACE}€"   # never broken across lines
True
>>> import datetime as dt
>>> _.date(dt.date(2026, 3, 1)), translator("en").date(dt.date(2026, 3, 1))
('1 mar 2026', '1 Mar 2026')

Strings in module-level tables are marked with :func:`N_` and translated where
they are shown:

>>> NOTE = N_("Italian only")
>>> translator("it")(NOTE)
'Solo in italiano'
"""

from __future__ import annotations

import datetime as dt
import functools
import gettext as _gettext
import io
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from babel.dates import format_date as _format_date
from babel.dates import format_datetime as _format_datetime
from babel.numbers import format_currency as _format_currency
from babel.numbers import format_decimal as _format_decimal
from babel.numbers import format_percent as _format_percent
from babel.units import format_unit as _format_unit

Lang = Literal["it", "en"]

#: The languages of the interface and the Babel locale each is formatted in.
LOCALES: dict[str, str] = {"it": "it_IT", "en": "en_GB"}
#: The language the code's strings are written in (needs no catalogue).
SOURCE_LANG: Lang = "en"
#: The translated languages (one ``.po`` per domain each).
TRANSLATED: tuple[str, ...] = ("it",)
LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"

#: Message domains: one ``.po`` per domain and language, each extracted from these
#: paths (relative to the project root; the first matching prefix wins, ``geo`` is the rest).
DOMAINS: dict[str, tuple[str, ...]] = {
    "workflow": ("geo/web/pages/owner.py", "geo/web/pages/staff.py", "geo/web/pages/analyst.py"),
    "web": ("app.py", "geo/web"),
    "listing": ("geo/listing", "geo/schema"),
    "search": ("geo/search", "geo/layers", "geo/places.py", "geo/export.py"),
    "render": ("geo/render",),
    "brownfield": ("geo/brownfield",),
    "cli": ("geo/cli.py", "geo/commands"),
    "geo": ("geo",),
}


def N_(message: str) -> str:
    """Mark ``message`` for translation where it is defined; translate it where shown."""
    return message


def check_lang(lang: str | None) -> Lang:
    """``lang`` if it is one of ours, else Italian (the region's language)."""
    return lang if lang in LOCALES else "it"  # type: ignore[return-value]


def _load_domain(lang: str, domain: str) -> _gettext.NullTranslations | None:
    po = LOCALE_DIR / lang / "LC_MESSAGES" / f"{domain}.po"
    mo = po.with_suffix(".mo")
    if mo.exists() and (not po.exists() or mo.stat().st_mtime >= po.stat().st_mtime):
        with open(mo, "rb") as fh:
            return _gettext.GNUTranslations(fh)
    if not po.exists():
        return None
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with open(po, "rb") as fh:
        catalog = read_po(fh, locale=LOCALES[lang], domain=domain)
    buf = io.BytesIO()
    write_mo(buf, catalog)
    buf.seek(0)
    return _gettext.GNUTranslations(buf)


@functools.lru_cache(maxsize=None)
def translations(lang: str) -> _gettext.NullTranslations:
    """The gettext translations of ``lang``: every domain chained (English: the source strings)."""
    lang = check_lang(lang)
    first: _gettext.NullTranslations | None = None
    if lang != SOURCE_LANG:
        for domain in DOMAINS:
            t = _load_domain(lang, domain)
            if t is None:
                continue
            if first is None:
                first = t
            else:
                first.add_fallback(t)
    return first or _gettext.NullTranslations()


@dataclass(frozen=True)
class Translator:
    """The strings and formats of one language. Call it like gettext's ``_``."""

    lang: Lang

    @property
    def locale(self) -> str:
        return LOCALES[self.lang]

    # -- strings -------------------------------------------------------------
    def __call__(self, message: str) -> str:
        return translations(self.lang).gettext(message) if message else message

    def gettext(self, message: str) -> str:
        return self(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return translations(self.lang).ngettext(singular, plural, n)

    def pgettext(self, context: str, message: str) -> str:
        return translations(self.lang).pgettext(context, message)

    # -- formats (Babel, CLDR) ---------------------------------------------------
    def number(self, value: float | int, digits: int = 0, *, trim: bool = True) -> str:
        """``value`` with the locale's separators and at most ``digits`` decimals
        (trailing zeros dropped when ``trim``). Not finite -> "—"."""
        if value is None or (isinstance(value, float) and not math.isfinite(value)):
            return "—"
        frac = ("#" if trim else "0") * digits
        pattern = "#,##0" + (f".{frac}" if digits else "")
        return _format_decimal(round(float(value), digits) if digits else round(float(value)), format=pattern,
                               locale=self.locale)

    def integer(self, value: int) -> str:
        return self.number(value, 0)

    def percent(self, fraction: float, digits: int = 0) -> str:
        """``fraction`` (0.6) as a percentage ("60%")."""
        pattern = "#,##0" + (f".{'#' * digits}" if digits else "") + "%"
        return _format_percent(fraction, format=pattern, locale=self.locale)

    def money(self, euros: float, digits: int = 0) -> str:
        """An amount in euro in the locale's currency format ("1.800.000 €", "€1,800,000")."""
        if euros is None or (isinstance(euros, float) and not math.isfinite(euros)):
            return "—"
        from babel import Locale

        pattern = Locale.parse(self.locale).currency_formats["standard"].pattern
        if digits == 0:
            pattern = pattern.replace(".00", "")
        return _format_currency(euros, "EUR", format=pattern, currency_digits=False, locale=self.locale)

    def unit(self, value: float, unit: str, digits: int = 1) -> str:
        """``value`` with a CLDR unit, e.g. ``unit(3, "area-hectare")`` -> "3 ha"."""
        return _format_unit(round(float(value), digits), unit, length="short", locale=self.locale,
                            format="#,##0" + (f".{'#' * digits}" if digits else ""))

    def date(self, value: dt.date | dt.datetime | str, fmt: str = "medium") -> str:
        """A date as people of the locale write it ("1 mar 2026", "1 Mar 2026").

        A moment (a stored UTC timestamp) is first taken to Rome's calendar: 23:30 UTC on 1 March is
        already 2 March for the people reading the page."""
        if isinstance(value, str):
            value = _moment(value) if "T" in value or " " in value.strip() else dt.date.fromisoformat(value[:10])
        if isinstance(value, dt.datetime):
            value = to_local(value).date()
        return _format_date(value, format=fmt, locale=self.locale)

    def datetime(self, value: dt.datetime | str, fmt: str = "medium") -> str:
        """A moment in the locale's format, on Rome's clock (the catalogue stores UTC).

        >>> translator("it").datetime("2026-07-01T10:00:00+00:00")
        '1 lug 2026, 12:00:00'
        """
        moment = _moment(value) if isinstance(value, str) else value
        return _format_datetime(to_local(moment), format=fmt, locale=self.locale)


#: The time zone every page, document and message shows times in (the catalogue stores UTC).
LOCAL_TZ = "Europe/Rome"


def to_local(moment: dt.datetime) -> dt.datetime:
    """``moment`` on Rome's clock (a naive moment is the catalogue's UTC)."""
    from zoneinfo import ZoneInfo

    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.timezone.utc)
    return moment.astimezone(ZoneInfo(LOCAL_TZ))


def local_today() -> dt.date:
    """Today's date in Rome (a server on UTC is still on yesterday until 01:00 or 02:00 Rome time)."""
    return to_local(dt.datetime.now(dt.timezone.utc)).date()


def _moment(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))


@functools.lru_cache(maxsize=None)
def translator(lang: str | None) -> Translator:
    """The :class:`Translator` of ``lang`` (Italian for an unknown language)."""
    return Translator(check_lang(lang))


@dataclass(frozen=True)
class Localised:
    """Owner content in the reader's language, or visibly in the other one."""

    text: str
    lang: Lang
    fallback: bool

    def note(self) -> str | None:
        """"Italian only" / "Solo in inglese" when the text is in the other language."""
        if not self.fallback:
            return None
        reader = translator("en" if self.lang == "it" else "it")
        return reader(N_("Italian only") if self.lang == "it" else N_("English only"))

    def noted(self, limit: int | None = None) -> str:
        """The text (cut to ``limit`` characters), followed by " (Italian only)" when it fell back."""
        text = self.text[:limit]
        return f"{text} ({self.note()})" if self.fallback else text


def content(record: dict, field: str, lang: str) -> Localised | None:
    """The bilingual field ``field`` (``title``, ``description``) of ``record`` in ``lang``.

    Falls back to the other language *visibly* (:meth:`Localised.note`), never silently;
    None when neither is filled.

    >>> c = content({"description_it": "Capannone", "description_en": ""}, "description", "en")
    >>> c.text, c.fallback, c.note(), c.noted()
    ('Capannone', True, 'Italian only', 'Capannone (Italian only)')
    >>> content({"title_it": "A", "title_en": "B"}, "title", "it").text
    'A'
    """
    lang = check_lang(lang)
    other: Lang = "en" if lang == "it" else "it"
    for candidate, fallback in ((lang, False), (other, True)):
        value = record.get(f"{field}_{candidate}")
        if isinstance(value, str) and value.strip():
            return Localised(value, candidate, fallback)
    return None

