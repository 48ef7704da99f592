"""Staff validation: the queue of submitted listings, what changed, verify, publish or send back."""

import pandas as pd
import streamlit as st

from geo.listing.submission import mark_verified, publish, send_back, staff_queue
from geo.render import render_sheet_html
from geo.schema import FIELD, FIELDS
from geo.web.auth import actor, require_role
from geo.web.loaders import get_catalogue
from geo.web.state import current_lang, t
from geo.web.ui import guarded

lang = current_lang()
it = lang == "it"
role = require_role("staff")  # stops the page for anyone else, whatever the URL says
st.title(t("page_staff"))

with guarded():
    cat = get_catalogue()
    queue = staff_queue(cat, role)
    st.caption(f"{len(queue)} " + ("schede in attesa" if it else "listings waiting"))
    for item in queue:
        sid = item["site_id"]
        demo = " · DEMO" if item["is_demo"] else ""
        with st.expander(f"{sid}{demo} — {item['title']} (v{item['version']})"):
            diff = pd.DataFrame(item["diff"], columns=["field", "old", "new"])
            diff["field"] = diff["field"].map(lambda k: FIELD[k].label(lang) if k in FIELD else k)
            st.markdown("**" + ("Modifiche rispetto alla versione precedente" if it else
                                "Changes from the previous version") + "**")
            st.dataframe(diff, hide_index=True, width="stretch")
            rec = cat.site(sid)
            st.html(render_sheet_html(rec, lang, staff=True, standalone=False))
            keys = [f.key for f in FIELDS if f.source == "owner" and rec.get(f.key) is not None]
            chosen = st.multiselect("Segna come verificati" if it else "Mark as verified", keys,
                                    format_func=lambda k: FIELD[k].label(lang), placeholder=t("choose"),
                                    key=f"ver_{sid}")
            c1, c2, c3 = st.columns(3)
            if c1.button("Verifica" if it else "Verify", key=f"verbtn_{sid}", disabled=not chosen):
                mark_verified(cat, role, sid, chosen, actor())
                st.rerun()
            if c2.button("Pubblica" if it else "Publish", key=f"pub_{sid}", type="primary"):
                publish(cat, role, sid, actor())
                st.rerun()
            reason = c3.text_input("Motivo" if it else "Reason", key=f"why_{sid}")
            if c3.button("Rimanda al proprietario" if it else "Send back", key=f"back_{sid}", disabled=not reason):
                send_back(cat, role, sid, reason, actor())
                st.rerun()
