"""Overview: what the catalogue holds, where it comes from, and the demo warning."""

import pandas as pd
import streamlit as st

from geo.web.auth import current_role
from geo.web.loaders import get_all_sites, get_catalogue
from geo.web.state import current_lang, t
from geo.web.ui import demo_banner, guarded

staff = current_role() == "staff"
st.title(t("app_title"))
with guarded():
    cat = get_catalogue()
    meta = cat.metadata()
    sites = get_all_sites()
    demo_banner(bool(sites["is_demo"].fillna(False).any()) or meta.get("demo") == "true")
    st.markdown(t("home_intro"))
    a, b = st.columns(2)
    a.page_link("geo/web/pages/find.py", label=t("page_find"), icon=":material/search:")
    b.page_link("geo/web/pages/owner.py", label=t("page_owner"), icon=":material/upload_file:")
    c1, c2, c3, c4 = st.columns(4)
    c1.metric(t("published"), int((sites["status"] == "published").sum()))
    if staff:  # the size of the validation queue is internal
        c2.metric(t("submitted"), int((sites["status"] == "submitted").sum()))
    counts = cat.counts()
    c3.metric("ZLS", counts.get("zls_municipalities", 0))
    c4.metric("ZIS", counts.get("zis_areas", 0))
    st.caption(f"{t('built_at')} {meta.get('built_at', '?')} · schema {meta.get('schema_version')}")
    if staff:
        st.subheader(t("catalogue_counts"))
        st.dataframe(pd.DataFrame(sorted(counts.items()), columns=[t("layer"), t("rows")]), hide_index=True,
                     width="content")
    st.info(t("zls_note"))
    st.subheader(t("sources"))
    src = cat.sources()
    it = current_lang() == "it"
    heads = {"name": "Fonte" if it else "Source", "licence": "Licenza" if it else "Licence",
             "attribution": "Attribuzione" if it else "Attribution", "notes": "Note" if it else "Notes"}
    st.dataframe(src[list(heads)].rename(columns=heads), hide_index=True)
