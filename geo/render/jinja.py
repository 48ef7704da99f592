"""The Jinja2 environment of the HTML renderers: templates in ``geo/render/templates``, autoescape on.

One environment per language (a server renders Italian and English pages at once,
so no translation is installed globally): ``_()``, ``ngettext``/``pgettext`` and
``{% trans %}`` in a template come from that language's catalogues, and ``fmt`` is
its :class:`geo.i18n.Translator` for numbers and dates.

>>> render("_demo.html", "it", demo=True).startswith('<span class="demo" title="DATI DIMOSTRATIVI')
True
>>> render("_demo.html", "en", demo=True).count("&lt;")
0
"""

from __future__ import annotations

import functools

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from geo.i18n import check_lang, translations, translator

__all__ = ["environment", "render", "Markup"]


@functools.lru_cache(maxsize=None)
def environment(lang: str) -> Environment:
    """The template environment of ``lang`` (cached: one per language, read-only once built)."""
    lang = check_lang(lang)
    env = Environment(loader=PackageLoader("geo.render", "templates"),
                      autoescape=select_autoescape(default=True, default_for_string=True),
                      extensions=["jinja2.ext.i18n"], undefined=StrictUndefined, trim_blocks=True,
                      lstrip_blocks=True, keep_trailing_newline=False)
    env.install_gettext_translations(translations(lang), newstyle=True)
    env.globals.update(lang=lang, fmt=translator(lang))
    return env


def render(template: str, lang: str, **context) -> Markup:
    """``template`` rendered in ``lang``; every value not already :class:`Markup` is escaped."""
    return Markup(environment(lang).get_template(template).render(**context).strip())
