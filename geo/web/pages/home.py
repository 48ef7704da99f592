"""Overview: what the catalogue holds, where it comes from, and the demo warning."""

import pandas as pd
import streamlit as st

from geo.web.auth import current_role
from geo.web.loaders import get_all_sites, get_catalogue
from geo.web.state import tr
from geo.web.ui import demo_banner, guarded, show

_ = tr()
staff = current_role() == "staff"


def _when(value: str | None) -> str:
    """The catalogue's build time in the reader's format ("?" when unknown or unreadable)."""
    try:
        return _.datetime(value) if value else "?"
    except ValueError:
        return str(value)


st.title(_("Investment sites in Lombardy"))
with guarded():
    cat = get_catalogue()
    meta = cat.metadata()
    sites = get_all_sites()
    demo_banner(bool(sites["is_demo"].fillna(False).any()) or meta.get("demo") == "true")
    st.markdown(_("Areas and buildings offered by their owners for new investment in Lombardy, with the ZLS and "
                  "ZIS zones: find and compare sites for an investor, or offer a site."))
    a, b = st.columns(2)
    a.page_link("geo/web/pages/find.py", label=_("Find sites"), icon=":material/search:")
    b.page_link("geo/web/pages/owner.py", label=_("Offer a site"), icon=":material/upload_file:")
    c1, c2, c3, c4 = st.columns(4)
    c1.metric(_.pgettext("listings counted", "Published"), _.integer(int((sites["status"] == "published").sum())))
    if staff:  # the size of the validation queue is internal
        c2.metric(_.pgettext("listings counted", "Submitted"), _.integer(int((sites["status"] == "submitted").sum())))
    counts = cat.counts()
    c3.metric("ZLS", _.integer(counts.get("zls_municipalities", 0)))
    c4.metric("ZIS", _.integer(counts.get("zis_areas", 0)))
    show("caption", _("Catalogue built on {when} · schema {version}"),
         when=_when(meta.get("built_at")), version=meta.get("schema_version"))
    if staff:
        st.subheader(_("Catalogue contents"))
        st.dataframe(pd.DataFrame(sorted(counts.items()), columns=[_("Layer"), _("Rows")]), hide_index=True,
                     width="content")
    show("info", _("ZLS municipalities over-approximate the real ZLS perimeter ({area})."),
         area=_.unit(3303, "area-hectare", 0))
    st.subheader(_("Sources and licences"))
    src = cat.sources()
    heads = {"name": _("Source"), "licence": _("Licence"), "attribution": _("Attribution"), "notes": _("Notes")}
    st.dataframe(src[list(heads)].rename(columns=heads), hide_index=True)
