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
from geo.redact import RedactingFilter
from geo.web.state import current_lang, tr

log = logging.getLogger("geo.web")
log.addFilter(RedactingFilter())  # a logged error may quote a connection string: never its secrets


def demo_banner(has_demo: bool) -> None:
    if has_demo:
        _ = tr()
        st.warning(_("DEMO DATA: listings and ZIS marked DEMO are generated automatically and are not real "
                     "offers or zones."), icon=":material/science:")


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:&=^\"'])")


def md_escape(text: object) -> str:
    """Owner (or any user) text made inert for Streamlit Markdown: labels, captions, messages.

    Every Markdown punctuation character gets a backslash, so ``![p](http://x/p.png)`` shows those
    characters instead of loading an image, a bare URL is not turned into a link, and ``:red[...]``
    or ``$...$`` are not directives; line breaks become spaces (labels are one line). URLs,
    ``www.`` names and e-mail addresses get an invisible word joiner so they are not auto-linked.

    >>> print(md_escape("![p](http://evil.example/p.png)").replace("\\u2060", "|"))
    \\!\\[p\\]\\(http\\:|//evil\\.example/p\\.png\\)
    """
    text = " ".join(str(text).splitlines())
    # Streamlit links bare URLs, www. names and e-mail addresses in the text *after* escapes are
    # resolved; an invisible word joiner (U+2060) breaks the pattern and shows nothing.
    text = _AUTOLINK.sub(lambda m: m.group(0)[:-1] + "\u2060" + m.group(0)[-1], text)
    return _MD_SPECIAL.sub(r"\\\1", text)


_AUTOLINK = re.compile(r"(?i):/|\bwww\.|@.")


def flash(message: str) -> None:
    """A success message that survives the ``st.rerun()`` following an action (shown by :func:`guarded`)."""
    st.session_state["_flash"] = message


def show_flash() -> None:
    message = st.session_state.pop("_flash", None)
    if message:
        st.success(message)


Kind = Literal["error", "warning", "info", "success"]


def show(kind: Kind, template: str, /, **values: object) -> None:
    """Show a message whose ``template`` is ours (translated, may use Markdown) and whose ``values``
    quote input (a URL, a typed name, an uploaded file, a stored record): the one way a page puts
    input into a message box. Every value is escaped with :func:`md_escape`, so a value can never
    become a link, an image or a directive.
    """
    getattr(st, kind)(template.format(**{k: md_escape(v) for k, v in values.items()}))


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
        st.error(_("Unexpected error: the operation was not carried out and the catalogue is unchanged. "
                   "Reference: {ref}").format(ref=ref))
