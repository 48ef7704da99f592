"""Staff validation: the queue of submitted listings, what changed, verify, publish or send back."""

import pandas as pd
import streamlit as st

from geo.errors import UserError
from geo.i18n import translator
from geo.listing.enquiries import enquiries_for_staff
from geo.web.outbox_panel import show_outbox
from geo.listing.freshness import due_for_reconfirmation, reconfirm_months
from geo.listing.status import listing_title, verifiable_fields
from geo.listing.submission import mark_verified, publish, send_back, staff_queue
from geo.media.store import media_file
from geo.render import display_value
from geo.schema import FIELD
from geo.web.auth import actor, require_can
from geo.web.gallery import show_gallery, site_media
from geo.web.loaders import get_all_sites, get_catalogue
from geo.web.site_panel import show_sheet
from geo.web.state import current_lang
from geo.web.ui import flash, guarded, md, show, show_user_error

lang = current_lang()
_ = translator(lang)
role = require_can("review_queue")  # stops the page for anyone else, whatever the URL says
st.title(_("Validation"))
DEMO = _("DEMO")


def _act(kind: str, sid: str, seen: int) -> None:
    """One staff action on listing ``sid`` at version ``seen`` (a button callback, before the page reruns)."""
    cat = get_catalogue()
    try:
        if kind == "verify":
            chosen = st.session_state.get(f"ver_{sid}") or []
            mark_verified(cat, role, sid, chosen, actor(), expected_version=seen)
            flash(md(_.ngettext("{site}: {n} field marked verified.", "{site}: {n} fields marked verified.",
                                len(chosen)), site=sid, n=len(chosen)))
        elif kind == "publish":
            publish(cat, role, sid, actor(), expected_version=seen)
            flash(md(_("{site} published: now visible in public search."), site=sid))
            st.query_params.pop("site", None)
        else:
            send_back(cat, role, sid, st.session_state.get(f"why_{sid}", ""), actor(), expected_version=seen)
            flash(md(_("{site} sent back to the owner."), site=sid))
            st.query_params.pop("site", None)
    except UserError as exc:
        st.session_state["_staff_error"] = exc  # shown at the top of the next run


def _when(iso: object, time: bool = True) -> str:
    """A stored ISO timestamp in the page's locale ("" when there is none)."""
    if iso is None or (isinstance(iso, float) and pd.isna(iso)) or not str(iso).strip():
        return ""
    try:
        return _.datetime(str(iso)) if time else _.date(str(iso))
    except (ValueError, TypeError):
        return str(iso)


def _value(key: str, value: object) -> str:
    """A changed value as the sheet shows it (choice labels, numbers, dates); the raw text otherwise."""
    if value is None or key not in FIELD:
        return "" if value is None else str(value)
    try:
        return display_value(key, value, lang)
    except (ValueError, TypeError):
        return str(value)


with guarded():
    failed = st.session_state.pop("_staff_error", None)
    if failed is not None:
        show_user_error(failed)
    cat = get_catalogue()
    sites = get_all_sites()  # the cached frame, not a read per rerun
    records = sites.drop(columns="geometry", errors="ignore").set_index("site_id")[
        ["title_it", "title_en"]].to_dict("index") if len(sites) else {}

    def title(sid: str, fallback: object = "") -> str:
        """The owner's title in the page's language, "(Italian only)" when it is in the other one."""
        return listing_title(records.get(sid), lang, fallback)

    due = due_for_reconfirmation(cat, role, sites=sites)
    enquiries = enquiries_for_staff(cat, role)
    months = reconfirm_months()
    with st.expander(md(_.ngettext("To be reconfirmed: {n} listing published over {period} ago",
                                   "To be reconfirmed: {n} listings published over {period} ago", len(due)),
                        n=len(due), period=_.ngettext("{n} month", "{n} months", months).format(n=months))):
        st.dataframe(pd.DataFrame({
            _("ID"): due["site_id"], DEMO: [DEMO if d is True else "" for d in due["is_demo"]],
            _("Title"): [title(s, t) for s, t in zip(due["site_id"], due["title_it"])],
            _("Confirmed on"): [_when(c, time=False) for c in due["confirmed_at"]]}),
            hide_index=True, width="stretch")
    with st.expander(md(_("Investor enquiries: {n}"), n=len(enquiries))):
        st.dataframe(pd.DataFrame({  # visitors' text shown as table cells: never Markdown, never HTML
            _("Received"): [_when(c) for c in enquiries["created_at"]],
            _("ID"): enquiries["site_id"],
            _("Title"): [title(s, t) for s, t in zip(enquiries["site_id"], enquiries["title"])],
            _("Name"): enquiries["name"], _("E-mail"): enquiries["email"],
            _("Message"): enquiries["message"]}), hide_index=True, width="stretch")
    show_outbox(cat, role)
    queue = staff_queue(cat, role)
    show("caption", _.ngettext("{n} listing waiting", "{n} listings waiting", len(queue)), n=len(queue))
    if not queue:
        st.info(_("Nothing to validate."))
        st.stop()
    # The whole queue at a glance; one listing in full below (rendering every sheet would not scale).
    st.dataframe(pd.DataFrame({
        _("ID"): [q["site_id"] for q in queue],
        DEMO: [DEMO if q["is_demo"] else "" for q in queue],
        _("Title"): [title(q["site_id"], q["title"]) for q in queue],
        _("Version"): [q["version"] for q in queue],
        _("Updated"): [_when(q["updated_at"]) for q in queue],
        _("Fields changed"): [len(q["diff"]) for q in queue],
    }), hide_index=True, width="stretch", height=min(38 * (len(queue) + 1), 320))
    by_id = {q["site_id"]: q for q in queue}
    wanted = st.query_params.get("site")
    ids = list(by_id)
    if wanted and wanted not in by_id:  # a link to a listing that is not (or no longer) waiting
        st.warning(_("The listing in the link is not waiting for validation: showing the first in the queue."))
    sid = st.selectbox(_("Listing to review"), ids, index=ids.index(wanted) if wanted in by_id else 0,
                       format_func=lambda s: _("{site} — {title} (v{version})").format(
                           site=f"{s} · {DEMO}" if by_id[s]["is_demo"] else s,
                           title=title(s, by_id[s]["title"]), version=by_id[s]["version"]), key="staff_pick")
    st.query_params["site"] = sid  # a link to this page opens the same listing
    item = by_id[sid]
    diff = pd.DataFrame({
        _("Field"): [FIELD[k].label(lang) if k in FIELD else _("Listing created") if k == "_created" else k
                     for k, _old, _new in item["diff"]],
        _("Before"): [_value(k, old) for k, old, _new in item["diff"]],
        _("After"): [_value(k, new) for k, _old, new in item["diff"]],
    })
    st.markdown(md("**{text}**", text=_("Changes from the previous version")))
    st.dataframe(diff, hide_index=True, width="stretch")
    rec = cat.site(sid, role="staff")
    keys = verifiable_fields(rec)
    chosen = st.multiselect(_("Mark as verified"), keys, format_func=lambda k: FIELD[k].label(lang),
                            placeholder=_("Choose"), key=f"ver_{sid}")
    # Actions run as callbacks bound to the version shown here: if the owner replaced or withdrew the listing
    # since this page was drawn, the action is refused with "reload and retry", never applied to unseen content.
    seen = rec["version"]
    c1, c2, c3 = st.columns(3)
    c1.button(_("Verify"), key=f"verbtn_{sid}", disabled=not chosen, on_click=_act,
              args=("verify", sid, seen))
    c2.button(_("Publish"), key=f"pub_{sid}", type="primary", on_click=_act,
              args=("publish", sid, seen))
    reason = c3.text_input(_("Reason"), key=f"why_{sid}")
    c3.button(_("Send back"), key=f"back_{sid}", disabled=not reason,
              on_click=_act, args=("back", sid, seen))
    show_sheet(rec, lang, staff=True)  # the investor sheet's panel, with the staff-only fields
    st.markdown(md("**{text}**", text=_("Photos and plans")))
    show_gallery(site_media([sid], role)[sid], lang, key=f"staff_gallery_{sid}",
                 files=lambda m: media_file(cat, m, role=role))
