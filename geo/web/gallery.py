"""A listing's photos and plans on a page: pictures from the catalogue's bytes (never a file path).

Used by the owner's preview (media checked but not yet stored), the staff page and the site sheet.
Captions are the owner's text: escaped before Streamlit reads them as Markdown.
"""

from __future__ import annotations

import hashlib
from typing import Callable, Sequence

import streamlit as st

from geo.i18n import translator
from geo.media.model import Media
from geo.media.prepare import MediaUpload, prepare_media
from geo.media.store import media_for
from geo.web.ui import md, md_escape

#: What the media uploader itself lets through (MB): twice the largest file limit, so that a file over a
#: limit reaches our check and is refused in the owner's language, naming it (Streamlit's refusal is English).
WIDGET_MAX_MB = 40


def show_gallery(items: Sequence[Media], lang: str, *, columns: int = 3, key: str = "gallery",
                 files: Callable[[Media], bytes | None] | None = None) -> None:
    """Photos as a grid of large thumbnails with their captions, then plans as first-page thumbnails.

    ``files(media)`` returns a plan's PDF for a download button (none when it is not given).
    """
    _ = translator(lang)
    photos = [m for m in items if m.kind == "photo"]
    plans = [m for m in items if m.kind == "plan"]
    if not photos and not plans:
        st.caption(_("No photos or plans."))
        return
    if photos:
        st.markdown(md("**{text}**", text=_.ngettext("{n} photo", "{n} photos", len(photos)).format(n=len(photos))))
        cols = st.columns(columns)
        for i, p in enumerate(photos):
            with cols[i % columns]:
                st.image(p.thumb_1280, caption=md_escape(p.caption) if p.caption else None, width="stretch")
    if plans:
        st.markdown(md("**{text}**", text=_.ngettext("{n} plan", "{n} plans", len(plans)).format(n=len(plans))))
        cols = st.columns(columns)
        for i, p in enumerate(plans):
            with cols[i % columns]:
                pages = _.ngettext("{n} page", "{n} pages", p.pages or 0).format(n=p.pages or 0)
                st.image(p.thumb_320, caption=md("{name} ({pages})", name=p.caption or p.name, pages=pages),
                         width="stretch")
                data = files(p) if files is not None else None
                if data:
                    st.download_button(_("Download the PDF"), data, file_name=p.name, mime="application/pdf",
                                       key=f"{key}_plan_{i}", icon=":material/download:")


@st.cache_data(max_entries=64, show_spinner=False)
def _media(target: str, revision: str, ids: tuple[str, ...], role: str) -> dict[str, list[Media]]:
    from geo.web.loaders import catalogue_handle

    return media_for(catalogue_handle(target), list(ids), role=role)


def site_media(ids: Sequence[str], role: str) -> dict[str, list[Media]]:
    """:func:`geo.media.store.media_for` read once per catalogue revision (the thumbnails, not the files)."""
    from geo.web.loaders import revision_stamp

    return _media(*revision_stamp(), tuple(ids), role)


@st.cache_data(max_entries=4, show_spinner=False)
def _prepared(key: tuple, _uploads: tuple[MediaUpload, ...], _sites: tuple) -> list[Media]:
    """Checked media, once per (files' hashes, captions, rows): a rerun does not re-encode the photos."""
    return prepare_media(list(_uploads), list(_sites))


def prepared_media(uploads: Sequence[MediaUpload], sites: Sequence) -> list[Media]:
    """:func:`geo.media.prepare.prepare_media`, cached per content (raises its ``MediaError`` every time)."""
    key = (tuple((u.name, hashlib.sha256(u.data).hexdigest(), u.caption, u.row) for u in uploads),
           tuple((s.row, tuple(sorted((k, str(s.record.get(k))) for k in
                                      ("photos", "site_plan", "zoning_extract", "cadastral_extract", "masterplan"))))
                 for s in sites))
    return _prepared(key, tuple(uploads), tuple(sites))
