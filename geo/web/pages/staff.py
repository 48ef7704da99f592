"""Staff validation: the queue of submitted listings, what changed, verify, publish or send back."""

import pandas as pd
import streamlit as st

from geo.listing.enquiries import enquiries_for_staff
from geo.listing.freshness import due_for_reconfirmation, reconfirm_months
from geo.listing.submission import mark_verified, publish, send_back, staff_queue
from geo.render import render_sheet_html
from geo.schema import FIELD, FIELDS
from geo.web.auth import actor, require_role
from geo.web.loaders import get_all_sites, get_catalogue
from geo.web.state import current_lang, t
from geo.errors import UserError
from geo.web.ui import flash, guarded, show_user_error

lang = current_lang()
it = lang == "it"
role = require_role("staff")  # stops the page for anyone else, whatever the URL says
st.title(t("page_staff"))



def _act(kind: str, sid: str, seen: int) -> None:
    """One staff action on listing ``sid`` at version ``seen`` (a button callback, before the page reruns)."""
    cat = get_catalogue()
    try:
        if kind == "verify":
            chosen = st.session_state.get(f"ver_{sid}") or []
            mark_verified(cat, role, sid, chosen, actor(), expected_version=seen)
            flash(f"{sid}: {len(chosen)} campi segnati come verificati." if it else
                  f"{sid}: {len(chosen)} fields marked verified.")
        elif kind == "publish":
            publish(cat, role, sid, actor(), expected_version=seen)
            flash(f"{sid} pubblicata: ora è visibile nella ricerca pubblica." if it else
                  f"{sid} published: now visible in public search.")
            st.query_params.pop("site", None)
        else:
            send_back(cat, role, sid, st.session_state.get(f"why_{sid}", ""), actor(), expected_version=seen)
            flash(f"{sid} rimandata al proprietario." if it else f"{sid} sent back to the owner.")
            st.query_params.pop("site", None)
    except UserError as exc:
        st.session_state["_staff_error"] = exc  # shown at the top of the next run


with guarded():
    failed = st.session_state.pop("_staff_error", None)
    if failed is not None:
        show_user_error(failed)
    cat = get_catalogue()
    due = due_for_reconfirmation(cat, role, sites=get_all_sites())  # the cached frame, not a read per rerun
    enquiries = enquiries_for_staff(cat, role)
    with st.expander((f"Da riconfermare: {len(due)} schede pubblicate da più di {reconfirm_months()} mesi" if it else
                      f"To be reconfirmed: {len(due)} listings published over {reconfirm_months()} months ago")):
        st.dataframe(pd.DataFrame({
            "ID": due["site_id"], t("demo"): ["DEMO" if d is True else "" for d in due["is_demo"]],
            ("Titolo" if it else "Title"): due["title_it"],
            ("Confermata il" if it else "Confirmed on"): [str(c or "")[:10] for c in due["confirmed_at"]]}),
            hide_index=True, width="stretch")
    with st.expander((f"Richieste di investitori: {len(enquiries)}" if it else
                      f"Investor enquiries: {len(enquiries)}")):
        st.dataframe(pd.DataFrame({  # visitors' text shown as table cells: never Markdown, never HTML
            ("Ricevuta" if it else "Received"): [str(c)[:16].replace("T", " ") for c in enquiries["created_at"]],
            "ID": enquiries["site_id"], ("Titolo" if it else "Title"): enquiries["title"],
            ("Nome" if it else "Name"): enquiries["name"], "E-mail": enquiries["email"],
            ("Messaggio" if it else "Message"): enquiries["message"]}), hide_index=True, width="stretch")
    queue = staff_queue(cat, role)
    st.caption(f"{len(queue)} " + ("schede in attesa" if it else "listings waiting"))
    if not queue:
        st.info("Nessuna scheda da validare." if it else "Nothing to validate.")
        st.stop()
    # The whole queue at a glance; one listing in full below (rendering every sheet would not scale).
    st.dataframe(pd.DataFrame({
        "ID": [q["site_id"] for q in queue],
        t("demo"): ["DEMO" if q["is_demo"] else "" for q in queue],
        ("Titolo" if it else "Title"): [q["title"] for q in queue],
        ("Versione" if it else "Version"): [q["version"] for q in queue],
        ("Aggiornata" if it else "Updated"): [q["updated_at"] for q in queue],
        ("Campi modificati" if it else "Fields changed"): [len(q["diff"]) for q in queue],
    }), hide_index=True, width="stretch", height=min(38 * (len(queue) + 1), 320))
    by_id = {q["site_id"]: q for q in queue}
    wanted = st.query_params.get("site")
    ids = list(by_id)
    sid = st.selectbox("Scheda da esaminare" if it else "Listing to review", ids,
                       index=ids.index(wanted) if wanted in by_id else 0,
                       format_func=lambda s: f"{s}{' · DEMO' if by_id[s]['is_demo'] else ''} — {by_id[s]['title']} "
                                             f"(v{by_id[s]['version']})", key="staff_pick")
    st.query_params["site"] = sid  # a link to this page opens the same listing
    item = by_id[sid]
    diff = pd.DataFrame(item["diff"], columns=["field", "old", "new"])
    diff["field"] = diff["field"].map(lambda k: FIELD[k].label(lang) if k in FIELD else k)
    st.markdown("**" + ("Modifiche rispetto alla versione precedente" if it else
                        "Changes from the previous version") + "**")
    st.dataframe(diff.rename(columns={"field": "Campo" if it else "Field", "old": "Prima" if it else "Before",
                                      "new": "Dopo" if it else "After"}), hide_index=True, width="stretch")
    rec = cat.site(sid, role="staff")
    keys = [f.key for f in FIELDS if f.source == "owner" and rec.get(f.key) is not None]
    chosen = st.multiselect("Segna come verificati" if it else "Mark as verified", keys,
                            format_func=lambda k: FIELD[k].label(lang), placeholder=t("choose"), key=f"ver_{sid}")
    # Actions run as callbacks bound to the version shown here: if the owner replaced or withdrew the listing
    # since this page was drawn, the action is refused with "reload and retry", never applied to unseen content.
    seen = rec["version"]
    c1, c2, c3 = st.columns(3)
    c1.button("Verifica" if it else "Verify", key=f"verbtn_{sid}", disabled=not chosen, on_click=_act,
              args=("verify", sid, seen))
    c2.button("Pubblica" if it else "Publish", key=f"pub_{sid}", type="primary", on_click=_act,
              args=("publish", sid, seen))
    reason = c3.text_input("Motivo" if it else "Reason", key=f"why_{sid}")
    c3.button("Rimanda al proprietario" if it else "Send back", key=f"back_{sid}", disabled=not reason,
              on_click=_act, args=("back", sid, seen))
    st.html(render_sheet_html(rec, lang, staff=True, standalone=False))
