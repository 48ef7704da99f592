"""Page helpers: the demo banner, and errors shown in the user's language."""

from __future__ import annotations

import contextlib
import logging
import re
import uuid
from typing import Iterator, Literal

import streamlit as st

from streamlit.runtime.scriptrunner_utils.exceptions import RerunException, StopException

from geo.errors import UserError
from geo.i18n import Translator
from geo.redact import RedactingFilter
from geo.web.state import current_lang, tr

log = logging.getLogger("geo.web")
log.addFilter(RedactingFilter())  # a logged error may quote a connection string: never its secrets


def css_string(text: str) -> str:
    """``text`` as a quoted CSS string: every character but ASCII letters, digits and spaces as a hex
    escape ended by a space (which CSS consumes), so nothing in it can end the string, the rule or the
    ``<style>`` element (and HTML entities, which are not decoded inside ``<style>``, are never needed).

    >>> print(css_string('Scegli "il" file • </style>'))
    "Scegli \\22 il\\22  file \\2022  \\3c \\2f style\\3e "
    """
    return '"' + "".join(c if (c.isascii() and c.isalnum()) or c == " " else f"\\{ord(c):x} "
                         for c in text) + '"'


@contextlib.contextmanager
def map_frame(key: str, height: int) -> Iterator[None]:
    """A container for one map (``st_folium`` of ``height`` px) whose frame holds that height from the start.

    A component's frame comes in at height 0 and grows once its map has loaded: everything below it moved (the
    owner's Submit button 300 px down and back, seconds on a slow machine: a click then missed). The rule is
    ours, the key made of letters, digits, ``_`` and ``-`` only, the height an integer.
    """
    safe = re.sub(r"[^A-Za-z0-9_-]", "_", key)
    # vertical-align: an inline frame sits on the text baseline, 8 px of descender below it once it has loaded
    # (not display: block, which would show the frame Streamlit hides beside its placeholder until then).
    rule = (f"<style>.st-key-mapframe_{safe} iframe {{ min-height: {int(height)}px; vertical-align: bottom; }}"
            "</style>")  # no page text
    with st.container(key=f"mapframe_{safe}"):
        st.html(rule)
        yield


def table_height(n_rows: int) -> int:
    """The height in px Streamlit gives a table of ``n_rows`` by itself (35 px a row and the header, 2 px of
    border, at least one row, at most 400 px: then it scrolls), for ``st.dataframe(height=...)``.

    Given up front, the placeholder drawn while the browser loads the table's code holds it: left to Streamlit,
    the placeholder is 40 px and everything below moved down once the table came in (the owner's Submit button
    ~100-260 px, a second after the check).

    >>> table_height(3), table_height(0), table_height(50)
    (142, 72, 400)
    """
    return min(max(int(n_rows), 1) * 35 + 35 + 2, 400)


def uploader_css(_: Translator, key_prefix: str, max_mb: int, types: list[str]) -> str:
    """A ``<style>`` that makes the file uploaders whose key starts with ``key_prefix`` speak the reader's
    language.

    Streamlit writes "Upload", "10MB per file • XLSX, ..." and "Drag and drop a file here" in English
    and offers no parameter for them (streamlit/streamlit#13500): the rules hide those texts in those
    uploaders only and show translated ones in their place. Put it on the page with
    ``st.markdown(..., unsafe_allow_html=True)``: it holds our texts only, each CSS-escaped.
    """
    scope = f'[class*="st-key-{key_prefix}"] [data-testid="stFileUploaderDropzone"]'
    limit = _("Up to {size} per file • {types}").format(
        size=_.unit(max_mb, "digital-megabyte", 0), types=", ".join(t.upper() for t in types))
    button, drop = css_string(_("Choose file")), css_string(_("Drop the file here"))
    return "\n".join([
        "<style>",
        # The button's label (Markdown inside the button): hidden, ours after it, same font.
        f'{scope} button [data-testid="stMarkdownContainer"] > * {{ display: none; }}',
        f'{scope} button [data-testid="stMarkdownContainer"]::after {{ content: {button}; }}',
        # The size and type limit: the text nodes shrink to nothing, ours keeps the span's colour.
        f'{scope} [data-testid="stFileUploaderDropzoneInstructions"] span {{ font-size: 0; }}',
        f'{scope} [data-testid="stFileUploaderDropzoneInstructions"] span::after '
        f'{{ content: {css_string(limit)}; font-size: 0.875rem; }}',
        # While a file is dragged over the zone.
        f"{scope} > div:not([data-testid]) > span:only-child {{ font-size: 0; }}",
        f"{scope} > div:not([data-testid]) > span:only-child::after "
        f'{{ content: {drop}; font-size: 0.875rem; }}',
        "</style>",
    ])


def demo_banner(has_demo: bool) -> None:
    if has_demo:
        _ = tr()
        st.warning(_("DEMO DATA: listings and ZIS marked DEMO are generated automatically and are not real "
                     "offers or zones."), icon=":material/science:")


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:&=^\"'])")
# Characters that change how the text around them is shown without being seen: C0/C1 controls and the
# bidirectional overrides and isolates (a value could show a message reversed or hide its end).
_UNSEEN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
# Streamlit links bare URLs, www. names and e-mail addresses in the text *after* backslash escapes are
# resolved: an invisible word joiner (U+2060) after "http:", "www" and "@" breaks those patterns and
# shows nothing. (An escaped colon already keeps :smile: and :red[...] as text: measured in Chromium by
# tests/web/test_e2e_url_markup.py, which sees them become an emoji and red text without the escape.)
_AUTOLINK = re.compile(r"(?i):(?=/)|\bwww(?=\.)|@")
WORD_JOINER = "\u2060"


def md_escape(text: object) -> str:
    """Any input (a URL value, typed or uploaded text, a stored record) made inert for Streamlit Markdown.

    Every Markdown punctuation character gets a backslash, so ``![p](http://x/p.png)`` shows those
    characters instead of loading an image, ``<b>`` is text, and ``:red[...]`` or ``$...$`` are not
    directives; line breaks become spaces (labels are one line). URLs, ``www.`` names and e-mail
    addresses get an invisible word joiner so they are not linked; control characters and
    bidirectional overrides become U+FFFD (a value cannot reverse or hide the rest of the message).

    >>> print(md_escape("![p](http://evil.example/p.png)").replace("\\u2060", "|"))
    \\!\\[p\\]\\(http\\:|//evil\\.example/p\\.png\\)
    """
    text = " ".join(str(text).splitlines())
    text = _UNSEEN.sub("\ufffd", text)
    text = _AUTOLINK.sub(lambda m: m.group(0) + WORD_JOINER, text)
    return _MD_SPECIAL.sub(r"\\\1", text)


def md(template: str, /, **values: object) -> str:
    """``template`` (ours: translated, may use Markdown) with ``values`` (input) escaped by :func:`md_escape`.

    The one way a page builds a Markdown text that quotes anything: messages (via :func:`show`),
    captions, expander, tab and widget labels, flash messages. ``tests/web/test_markup_lint.py`` fails
    on an f-string, ``.format``, ``%`` or ``+`` given to ``st.error`` and friends instead.

    >>> md("**{n}** sites near {place}", n=3, place="[x](http://e.vil)").replace("\\u2060", "")
    '**3** sites near \\\\[x\\\\]\\\\(http\\\\://e\\\\.vil\\\\)'
    """
    return template.format(**{k: md_escape(v) for k, v in values.items()})


def flash(message: str) -> None:
    """A success message that survives the ``st.rerun()`` following an action (shown by :func:`guarded`)."""
    st.session_state["_flash"] = message


def show_flash() -> None:
    message = st.session_state.pop("_flash", None)
    if message:
        st.success(message)


Kind = Literal["error", "warning", "info", "success", "caption", "subheader", "markdown", "toast"]


def show(kind: Kind, template: str, /, **values: object) -> None:
    """Show a message whose ``template`` is ours (translated, may use Markdown) and whose ``values``
    quote input (a URL, a typed name, an uploaded file, a stored record): the one way a page puts
    input into a message box. Every value is escaped with :func:`md_escape`, so a value can never
    become a link, an image or a directive.
    """
    getattr(st, kind)(md(template, **values))


def show_user_error(exc: UserError, kind: Kind = "error") -> None:
    """A :class:`UserError` in the reader's language, its values escaped (they quote input)."""
    getattr(st, kind)(exc.message(current_lang(), escape=md_escape))


@contextlib.contextmanager
def guarded() -> Iterator[None]:
    """Run a block; show user errors as messages and unexpected ones without a traceback."""
    show_flash()
    try:
        yield
    except UserError as exc:
        show_user_error(exc)
    except (StopException, RerunException):
        raise
    except Exception:  # noqa: BLE001 - the page must never show a traceback
        ref = uuid.uuid4().hex[:8]
        log.exception("unexpected error %s", ref)
        _ = tr()
        show("error", _("Unexpected error: the operation was not carried out and the catalogue is unchanged. "
                        "Reference: {ref}"), ref=ref)
