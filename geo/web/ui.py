"""Page helpers: the demo banner, and errors shown in the user's language."""

from __future__ import annotations

import contextlib
import logging
import uuid
from typing import Iterator

import streamlit as st

from streamlit.runtime.scriptrunner_utils.exceptions import RerunException, StopException

from geo.errors import UserError
from geo.web.state import current_lang, t

log = logging.getLogger("geo.web")


def demo_badge(is_demo: bool | None) -> str:
    """A short visible marker for demo records, '' for real ones."""
    return t("demo") if is_demo else ""


def demo_banner(has_demo: bool) -> None:
    if has_demo:
        st.warning(t("demo_banner"), icon=":material/science:")


def flash(message: str) -> None:
    """A success message that survives the ``st.rerun()`` following an action (shown by :func:`guarded`)."""
    st.session_state["_flash"] = message


def show_flash() -> None:
    message = st.session_state.pop("_flash", None)
    if message:
        st.success(message)


def show_user_error(exc: UserError) -> None:
    st.error(exc.message(current_lang()))


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
        st.error(t("unexpected_error", ref=ref))
