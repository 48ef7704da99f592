"""Staff validation: the queue of submitted listings, what changed, verify, publish (confirmed) or send back;
investors' enquiries as a queue (status, assignee, reply, history)."""

import pandas as pd
import streamlit as st

from geo.errors import UserError
from geo.i18n import translator
from geo.listing.enquiries import (MAX_REPLY, STATUS_LABELS, STATUSES, answer, assign, close, enquiry_history,
                                   enquiry_queue, event_words, reopen)
from geo.listing.freshness import due_for_reconfirmation, reconfirm_months
from geo.listing.status import listing_title, local_time, state_label, verifiable_fields
from geo.listing.submission import mark_verified, publish, send_back, staff_queue
from geo.render import display_value
from geo.schema import FIELD
from geo.settings import settings
from geo.web.auth import actor, require_can
from geo.media.store import media_file
from geo.web.gallery import show_gallery, site_media
from geo.web.loaders import get_all_sites, get_catalogue
from geo.web.outbox_panel import show_outbox
from geo.web.site_panel import show_map, show_sheet
from geo.web.state import current_lang
from geo.web.ui import flash, guarded, md, show, show_user_error, table_height

lang = current_lang()
_ = translator(lang)
role = require_can("review_queue")  # stops the page for anyone else, whatever the URL says
st.title(_("Validation"))
DEMO = _("DEMO")


def _act(kind: str, sid: str, seen: int, name: str = "") -> None:
    """One staff action on listing ``sid`` at version ``seen`` (a button callback, before the page reruns)."""
    cat = get_catalogue()
    try:
        if kind == "verify":
            chosen = st.session_state.get(f"ver_{sid}") or []
            mark_verified(cat, role, sid, chosen, actor(), expected_version=seen)
            flash(md(_.ngettext("{site}: {n} field marked verified.", "{site}: {n} fields marked verified.",
                                len(chosen)), site=sid, n=len(chosen)))
        elif kind == "ask_publish":  # step one: nothing written, the page asks to confirm
            st.session_state["staff_confirm_publish"] = (sid, seen)
        elif kind == "cancel_publish":
            st.session_state.pop("staff_confirm_publish", None)
        elif kind == "publish":
            st.session_state.pop("staff_confirm_publish", None)
            publish(cat, role, sid, actor(), expected_version=seen)
            flash(md(_("{listing} ({site}) published: now visible in public search."), listing=name, site=sid))
            st.query_params.pop("site", None)
            st.query_params.pop("v", None)
        else:
            send_back(cat, role, sid, st.session_state.get(f"why_{sid}", ""), actor(), expected_version=seen)
            flash(md(_("{listing} ({site}) sent back to the owner."), listing=name, site=sid))
            st.query_params.pop("site", None)
            st.query_params.pop("v", None)
    except UserError as exc:
        st.session_state.pop("staff_confirm_publish", None)
        st.session_state["_staff_error"] = exc  # shown at the top of the next run


def _enquiry_act(kind: str, eid: str, seen: int) -> None:
    """One enquiry action bound to the history length ``seen`` shown on the page (a button callback)."""
    cat = get_catalogue()
    me = actor()
    try:
        if kind == "assign":
            change = assign(cat, role, eid, st.session_state.get(f"enq_who_{eid}") or None, me, seen=seen)
        elif kind == "assign_me":
            change = assign(cat, role, eid, me, me, seen=seen)
        elif kind == "answer":
            change = answer(cat, role, eid, st.session_state.get(f"enq_reply_{eid}", ""), me, seen=seen)
        elif kind == "close":
            change = close(cat, role, eid, me, seen=seen)
        else:
            change = reopen(cat, role, eid, me, seen=seen)
        # The widgets show what is now stored (they keep their own state otherwise).
        st.session_state[f"enq_who_{eid}"] = change.after["assigned_to"] or ""
        st.session_state[f"enq_reply_{eid}"] = change.after["reply"] or ""
        flash(md(_("Enquiry {enquiry}: {what}."), enquiry=eid, what=event_words(
            {"action": change.action, "assigned_to": change.after["assigned_to"]}, _)))
    except UserError as exc:
        st.session_state["_staff_error"] = exc


def _when(iso: object, time: bool = True) -> str:
    """A stored UTC ISO timestamp in Europe/Rome time, in the page's locale ("" when there is none)."""
    return local_time(iso, lang, time)


def _value(key: str, value: object) -> str:
    """A changed value as the sheet shows it (choice labels, numbers, dates); the raw text otherwise."""
    if value is None or key not in FIELD:
        return "" if value is None else str(value)
    try:
        return display_value(key, value, lang)
    except (ValueError, TypeError):
        return str(value)


def _none(v: object) -> bool:
    return v is None or v is pd.NA or (isinstance(v, float) and pd.isna(v)) or str(v) == ""


def show_enquiries(cat, title) -> None:
    """Investors' enquiries as a queue: filters, the list, one enquiry in full with its actions and history."""
    every = enquiry_queue(cat, role)
    n_new = int((every["status"] == "new").sum()) if len(every) else 0
    show("caption", _("Investor enquiries: {new} new of {n}"), new=n_new, n=len(every))
    me = actor()
    known = sorted({me, *(e for e, r in settings().roles.items() if r == "staff"),
                    *(a for a in every.get("assigned_to", []) if not _none(a))})
    f1, f2 = st.columns(2)
    statuses = f1.multiselect(_("Enquiry status"), STATUSES, default=[],
                              format_func=lambda s: _(STATUS_LABELS[s]), placeholder=_("any"), key="enq_status")
    ANY, MINE, NOBODY = "", "\x00me", "\x00nobody"
    who = f2.selectbox(_("Assigned to"), [ANY, MINE, NOBODY, *known], key="enq_assignee",
                       format_func=lambda a: {ANY: _("anyone"), MINE: _("me"), NOBODY: _("nobody")}.get(a, a))
    assignee = me if who == MINE else (None if who in (ANY, NOBODY) else who)
    q = enquiry_queue(cat, role, statuses=statuses or None, assignee=assignee, unassigned=who == NOBODY)
    if len(q) == 0:
        st.info(_("No enquiry with these filters."))
        return
    st.dataframe(pd.DataFrame({  # visitors' text shown as table cells: never Markdown, never HTML
        _("Received"): [_when(c) for c in q["created_at"]],
        _("Status"): [_(STATUS_LABELS.get(s, s)) for s in q["status"]],
        _("Assigned to"): ["" if _none(a) else a for a in q["assigned_to"]],
        _("ID"): q["site_id"],
        _("Title"): [title(s, t) for s, t in zip(q["site_id"], q["title"])],
        _("Name"): q["name"], _("E-mail"): q["email"],
        _("Message"): q["message"]}), hide_index=True, width="stretch", height=table_height(len(q)),
        column_config={_("Message"): st.column_config.TextColumn(width="large")})
    ids = q["enquiry_id"].tolist()
    by_id = q.set_index("enquiry_id")
    eid = st.selectbox(_("Enquiry to work on"), ids, key="enq_pick", format_func=lambda e: _(
        "{received} — {name} — {site} ({status})").format(
        received=_when(by_id.loc[e, "created_at"]), name=by_id.loc[e, "name"], site=by_id.loc[e, "site_id"],
        status=_(STATUS_LABELS.get(by_id.loc[e, "status"], by_id.loc[e, "status"]))))
    row = by_id.loc[eid]
    seen = int(row["seen"])
    show("markdown", _("**{name}** ({email}) about {site} ({title}), {received}:"), name=row["name"],
         email=row["email"], site=row["site_id"], title=title(row["site_id"], row["title"]),
         received=_when(row["created_at"]))
    st.text(row["message"])  # the whole message, as typed: plain text, never cut
    closed = row["status"] == "closed"
    a1, a2, a3 = st.columns([2, 1, 1], vertical_alignment="bottom")
    # Widgets keep one identity (their key) across runs: their first value is set once, here, not passed as
    # a parameter that changes after each action (a new widget would stand beside the old one meanwhile).
    st.session_state.setdefault(f"enq_who_{eid}", "" if _none(row["assigned_to"]) else row["assigned_to"])
    st.session_state.setdefault(f"enq_reply_{eid}", "" if _none(row["reply"]) else row["reply"])
    a1.selectbox(_("Assign to"), [""] + known, key=f"enq_who_{eid}", disabled=closed,
                 format_func=lambda a: a or _("nobody"))
    a2.button(_("Assign"), key=f"enq_assign_{eid}", disabled=closed, on_click=_enquiry_act,
              args=("assign", eid, seen))
    a3.button(_("Assign to me"), key=f"enq_me_{eid}", disabled=closed, on_click=_enquiry_act,
              args=("assign_me", eid, seen))
    st.text_area(_("Reply sent to the enquirer"), key=f"enq_reply_{eid}", max_chars=MAX_REPLY, disabled=closed)
    b1, b2 = st.columns(2)
    b1.button(_("Record reply (answered)"), key=f"enq_answer_{eid}", type="primary", disabled=closed,
              on_click=_enquiry_act, args=("answer", eid, seen))
    if closed:
        b2.button(_("Reopen"), key=f"enq_reopen_{eid}", on_click=_enquiry_act, args=("reopen", eid, seen))
    else:
        b2.button(_("Close enquiry"), key=f"enq_close_{eid}", on_click=_enquiry_act, args=("close", eid, seen))
    history = enquiry_history(cat, role, eid)
    st.markdown(md("**{text}**", text=_("History")))
    st.dataframe(pd.DataFrame({
        _("When"): [_when(a) for a in history["at"]],
        _("Who"): [row["name"] if a == "public" else a for a in history["actor"]],
        _("What"): [event_words(r, _) for r in history.to_dict("records")],
        _("Text"): ["" if _none(t) else t for t in history["text"]]}), hide_index=True, width="stretch",
        height=table_height(len(history)), column_config={_("Text"): st.column_config.TextColumn(width="large")})


def show_listing(cat, sid: str, item: dict, title) -> None:
    """One listing of the queue in full: changes, map with its outline, verify, publish (confirmed), send back."""
    diff = pd.DataFrame({
        _("Field"): [FIELD[k].label(lang) if k in FIELD else _("Listing created") if k == "_created" else k
                     for k, _old, _new in item["diff"]],
        _("Before"): [_value(k, old) for k, old, _new in item["diff"]],
        _("After"): [_value(k, new) for k, _old, new in item["diff"]],
    })
    st.markdown(md("**{text}**", text=_("Changes from the previous version")))
    st.dataframe(diff, hide_index=True, width="stretch", height=table_height(len(diff)))
    rec = cat.site(sid, role="staff")
    seen = rec["version"]
    name = _("'{title}' v{version}").format(title=title(sid, item["title"]) or sid, version=seen)
    show_map(rec, lang, key=f"staff_map_{sid}", height=320)  # where it is, its outline drawn
    keys = verifiable_fields(rec)
    chosen = st.multiselect(_("Mark as verified"), keys, format_func=lambda k: FIELD[k].label(lang),
                            placeholder=_("Choose"), key=f"ver_{sid}")
    # Actions run as callbacks bound to the version shown here: if the owner replaced or withdrew the listing
    # since this page was drawn, the action is refused with "reload and retry", never applied to unseen content.
    pending = st.session_state.get("staff_confirm_publish")
    if pending and pending[0] == sid:
        show("warning", _("Publish {listing} ({site})? Investors will see it in public search and can send "
                          "enquiries about it."), listing=name, site=sid)
        p1, p2 = st.columns(2)
        p1.button(md(_("Yes, publish {listing}"), listing=name), key=f"pub_yes_{sid}", type="primary",
                  on_click=_act, args=("publish", sid, pending[1], name))
        p2.button(_("Cancel"), key=f"pub_no_{sid}", on_click=_act, args=("cancel_publish", sid, seen))
    c1, c2, c3 = st.columns(3)
    c1.button(_("Verify"), key=f"verbtn_{sid}", disabled=not chosen, on_click=_act,
              args=("verify", sid, seen))
    c2.button(md(_("Publish {listing}…"), listing=name), key=f"pub_{sid}", type="primary", on_click=_act,
              args=("ask_publish", sid, seen))
    reason = c3.text_input(_("Reason"), key=f"why_{sid}")
    c3.button(md(_("Send back {listing}"), listing=name), key=f"back_{sid}", disabled=not reason,
              on_click=_act, args=("back", sid, seen, name))
    show_sheet(rec, lang, staff=True)  # the investor sheet's panel, with the staff-only fields
    st.markdown(md("**{text}**", text=_("Photos and plans")))
    show_gallery(site_media([sid], role)[sid], lang, key=f"staff_gallery_{sid}",
                 files=lambda m: media_file(cat, m, role=role))


def show_queue(cat, title, records: dict) -> None:
    """The listings waiting for staff, and one of them in full (the one in the link, if it is waiting)."""
    queue = staff_queue(cat, role)
    show("caption", _.ngettext("{n} listing waiting", "{n} listings waiting", len(queue)), n=len(queue))
    by_id = {q["site_id"]: q for q in queue}
    wanted = st.query_params.get("site")
    linked_version = st.query_params.get("v")
    if wanted and wanted not in by_id:
        # A link to a listing that is not (or no longer) waiting: said, and no other listing opened in its place.
        status = (records.get(wanted) or {}).get("status")
        if status is None:
            show("warning", _("The listing {site} in the link does not exist: choose one from the queue."),
                 site=wanted)
        else:
            show("warning", _("The listing {site} in the link is no longer waiting for validation: it is now "
                              "{status}. Choose one from the queue."), site=wanted, status=state_label(status, lang))
    elif wanted and linked_version and str(by_id[wanted]["version"]) != str(linked_version):
        show("warning", _("The listing {site} changed since this link was made: the link was for version "
                          "{linked}, it is now at version {version}. Check the changes below."),
             site=wanted, linked=linked_version, version=by_id[wanted]["version"])
    if not queue:
        st.info(_("Nothing to validate."))
        return
    # The whole queue at a glance; one listing in full below (rendering every sheet would not scale).
    st.dataframe(pd.DataFrame({
        _("ID"): [q["site_id"] for q in queue],
        DEMO: [DEMO if q["is_demo"] else "" for q in queue],
        _("Title"): [title(q["site_id"], q["title"]) for q in queue],
        _("Version"): [q["version"] for q in queue],
        _("Updated"): [_when(q["updated_at"]) for q in queue],
        _("Fields changed"): [len(q["diff"]) for q in queue],
    }), hide_index=True, width="stretch", height=min(38 * (len(queue) + 1), 320))
    ids = list(by_id)
    sid = st.selectbox(_("Listing to review"), ids, index=ids.index(wanted) if wanted in by_id else
                       (None if wanted else 0), placeholder=_("Choose a listing"),
                       format_func=lambda s: _("{site} — {title} (v{version})").format(
                           site=f"{s} · {DEMO}" if by_id[s]["is_demo"] else s,
                           title=title(s, by_id[s]["title"]), version=by_id[s]["version"]), key="staff_pick")
    if sid is not None:
        # A link to this page opens the same listing, and says so if it changed since.
        st.query_params["site"] = sid
        st.query_params["v"] = str(by_id[sid]["version"])
        show_listing(cat, sid, by_id[sid], title)


with guarded():
    failed = st.session_state.pop("_staff_error", None)
    if failed is not None:
        show_user_error(failed)
    cat = get_catalogue()
    sites = get_all_sites()  # the cached frame, not a read per rerun
    records = sites.drop(columns="geometry", errors="ignore").set_index("site_id")[
        ["title_it", "title_en", "status", "version"]].to_dict("index") if len(sites) else {}

    def title(sid: str, fallback: object = "") -> str:
        """The owner's title in the page's language, "(Italian only)" when it is in the other one."""
        return listing_title(records.get(sid), lang, fallback)

    due = due_for_reconfirmation(cat, role, sites=sites)
    months = reconfirm_months()
    with st.expander(md(_.ngettext("To be reconfirmed: {n} listing published over {period} ago",
                                   "To be reconfirmed: {n} listings published over {period} ago", len(due)),
                        n=len(due), period=_.ngettext("{n} month", "{n} months", months).format(n=months))):
        if len(due):
            st.dataframe(pd.DataFrame({
                _("ID"): due["site_id"], DEMO: [DEMO if d is True else "" for d in due["is_demo"]],
                _("Title"): [title(s, t) for s, t in zip(due["site_id"], due["title_it"])],
                _("Confirmed on"): [_when(c, time=False) for c in due["confirmed_at"]]}),
                hide_index=True, width="stretch", height=table_height(len(due)))
        else:
            st.info(_("No listing to reconfirm."))
    # Two sections chosen by a keyed widget: it keeps the reader's place across the reruns of every action (tabs
    # and expanders are rebuilt, and reset, when a message above them comes or goes).
    sections = {"listings": _("Listings to validate"), "enquiries": _("Investor enquiries")}
    section = st.radio(_("Section"), list(sections), format_func=sections.get, horizontal=True,
                       key="staff_section", label_visibility="collapsed")
    if section == "enquiries":
        show_enquiries(cat, title)
        show_outbox(cat, role)  # what was e-mailed about them (and anything that failed)
    else:
        show_queue(cat, title, records)

