"""Texts the brownfield layer stores in both languages, from one English message.

Candidates' explanations and a run's warnings are data: they are written in the
run GeoPackage (``explanation_it``/``explanation_en`` columns, the run record's
warnings) and read there by analysts, in QGIS too. They are still written once,
in English, marked with ``N_``, and translated from the ``brownfield`` catalogue
into each language of the interface.

>>> from geo.i18n import N_
>>> both(N_("too small to assess from Sentinel-2"))
{'it': 'troppo piccola per Sentinel-2', 'en': 'too small to assess from Sentinel-2'}
>>> both(N_("Candidate {id}: {explanation}"), id="BF-1", explanation=lambda _: _.lang)["it"]
'Candidato BF-1: it'

A plural is chosen in each language by a function of the translator:

>>> both(lambda _: _.ngettext("only {n} decision (at least {min} needed)",
...                           "only {n} decisions (at least {min} needed)", 1), n=1, min=20)["en"]
'only 1 decision (at least 20 needed)'
"""

from __future__ import annotations

from typing import Any, Callable

from geo.i18n import LOCALES, Translator, translator


def both(msgid: str | Callable[[Translator], str], **values: Any) -> dict[str, str]:
    """``msgid`` (English, marked ``N_``) in every language of the interface, its placeholders filled.

    ``msgid`` may be a function of the translator (``lambda _: _.ngettext(...)``) for a plural.
    A value written differently per language (a number, a percentage, a text
    already in each language) is a function of the :class:`~geo.i18n.Translator`.
    """
    out = {}
    for lang in LOCALES:
        _ = translator(lang)
        text = msgid(_) if callable(msgid) else _(msgid)
        out[lang] = text.format(**{k: (v(_) if callable(v) else v) for k, v in values.items()}) if values else text
    return out
