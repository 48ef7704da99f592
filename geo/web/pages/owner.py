"""Offer a site: template, upload with every error shown, preview as investors will see it, submit.

Owners are identified by the private link (``?token=...``) they receive on
their first submission; without it the page shows only their own upload.
"""

import hashlib
import tempfile

import pandas as pd
import streamlit as st
from babel import Locale

from geo.i18n import LOCALES, translator
from geo.listing.check import CheckResult, check_workbook
from geo.listing.freshness import is_due, reconfirm, reconfirm_months
from geo.listing.layout import MAX_BYTES
from geo.listing.preview import preview_records
from geo.listing.status import (listing_title, local_time, numbered, open_versions, owner_status, superseded_by,
                                verified_count, version_name, versions)
from geo.listing.submission import duplicates, owner_by_token, owner_view, replace_submission, submit, withdraw
from geo.listing.template import outline_format, write_template
from geo.media import limits as media_limits
from geo.media.model import Media, MediaError
from geo.media.prepare import MediaUpload
from geo.render import render_card_html
from geo.settings import settings
from geo.web.gallery import WIDGET_MAX_MB as MEDIA_WIDGET_MB, prepared_media, show_gallery
from geo.web.loaders import get_catalogue
from geo.web.site_panel import show_map, show_sheet
from geo.web.state import current_lang
from geo.web.ui import flash, guarded, md, show, show_user_error, table_height, uploader_css

lang = current_lang()
_ = translator(lang)
title_col, link_col = st.columns([3, 2], vertical_alignment="bottom")
title_col.title(_("Offer a site"))
#: What the uploaded file duplicates (same file, same site) is said here, at the top, as soon as it is checked.
top = st.container()

#: The file types the checker accepts (shown, in capitals, under the uploader's button).
UPLOAD_TYPES = ["xlsx", "xlsm", "xls"]
MAX_MB = MAX_BYTES // 1024 // 1024
#: What the widget itself lets through (= server.maxUploadSize in .streamlit/config.toml). Streamlit refuses
#: a wrong type or a file over its limit in the browser, in English; so the widget takes any type and
#: twice the limit, and the checker refuses a PDF or an 11 MB file in the owner's language, naming the file.
WIDGET_MAX_MB = 2 * MAX_MB


@st.cache_data(max_entries=8, show_spinner=False)
def template_bytes(lang_: str, owner_key: str, owner: dict | None) -> bytes:
    with tempfile.NamedTemporaryFile(suffix=".xlsx") as fh:
        write_template(fh.name, lang_, owner=owner)
        return open(fh.name, "rb").read()


def _private_link(token: str) -> str:
    """The full link back to this page with the owner's token (relative when the URL is unknown)."""
    try:
        base = st.context.url or ""
    except Exception:  # noqa: BLE001 - no browser context (bare/AppTest runs)
        base = ""
    return f"{base}?token={token}&lang={lang}"


def _titled(rec: dict | None, fallback: str = "") -> str:
    """The owner's title in the page's language (plain text: escape it before Markdown)."""
    return listing_title(rec, lang, fallback)


@st.cache_data(max_entries=16, show_spinner=False)
def _checked(digest: str, lang_: str, name: str, reference: str, _data: bytes, _places) -> CheckResult:
    """The check of one uploaded file, once per (file's bytes hash, language, name, reference layers)."""
    return check_workbook(_data, _places, name=name)


def checked(cat, up) -> CheckResult:
    """The uploaded workbook's check result, cached per file: a rerun (a click, a tab) does not re-check it."""
    data = up.getvalue()
    return _checked(hashlib.sha256(data).hexdigest(), lang, up.name, cat.reference().version, data, cat.places())


def show_check(res, duplicated: bool = False) -> None:
    if res.issues:
        problem = _("Problem")
        # The problem text first after its place: it is what the owner reads; value and expectation follow.
        df = pd.DataFrame([{
            _("Severity"): _("error") if i.severity == "error" else _("warning"),
            _("Sheet"): i.sheet or "", _("Row"): "" if not i.row else _.integer(i.row),
            _("Column"): i.column or "",
            problem: i.message(lang),
            _("Value found"): "" if i.value is None else str(i.value),
            _("Expected"): i.expected(lang),
        } for i in res.issues])
        n_err = len(res.errors)
        n_warn = len(res.issues) - n_err
        show("error" if n_err else "warning", _("{errors} and {warnings}"),
             errors=_.ngettext("{n} error", "{n} errors", n_err).format(n=_.integer(n_err)),
             warnings=_.ngettext("{n} warning", "{n} warnings", n_warn).format(n=_.integer(n_warn)))
        st.dataframe(df, hide_index=True, width="stretch", height=table_height(len(df)),
                     column_config={problem: st.column_config.TextColumn(problem, width="large")})
    if res.ok and duplicated:
        st.warning(_("Valid file, but already in the catalogue: see the message at the top of the page."))
    elif res.ok:
        st.success(_("Valid file: check the preview and submit."))


def media_uploads(files, gen: int) -> list[MediaUpload]:
    """The photos and plans chosen in the uploader, each with the caption typed under it."""
    out = []
    for i, f in enumerate(files or []):
        caption = st.text_input(md(_("Caption of {name} (optional, plain text)"), name=f.name),
                                key=f"owner_caption_{gen}_{i}", max_chars=media_limits.MAX_CAPTION)
        out.append(MediaUpload(f.name, f.getvalue(), caption))
    return out


def show_preview(cat, res, media: list[Media] = ()) -> None:
    from geo.schema import FIELD

    for rec in preview_records(res, cat):
        # An expander label is Markdown: the owner's title is escaped (an image or a link in it stays text).
        with st.expander(md(_("Row {row}: {title} — completeness {share}"),
                            row=rec["_row"], title=_titled(rec), share=_.percent(rec["_completeness"])),
                         expanded=True):
            if rec["_missing"]:
                show("caption", _("Missing: {fields}"),
                     fields=", ".join(FIELD[k].label(lang) for k in rec["_missing"][:10]))
            if rec["_english_incomplete"]:
                st.warning(_("English text incomplete: foreign investors will see the Italian text."))
            codes = sorted(LOCALES, key=lambda c: c != lang)  # the owner's language first
            # Each language named in itself ("Italiano", "English"), whatever the page's language.
            tabs = st.tabs([Locale.parse(c).language_name.capitalize() for c in codes])
            location = None
            for code, tab in zip(codes, tabs):
                with tab:  # the investor sheet's own panel: what investors will see once it is published
                    st.html(render_card_html(rec, code))
                    location = show_sheet(rec, code, location=location)
            show_map(rec, lang, key=f"prev_map_{rec['_row']}", height=300, zoom=13)
            mine = [m for m in media if m.row == rec["_row"]]
            if mine:
                show_gallery(mine, lang, key=f"prev_gallery_{rec['_row']}")


def _when(iso: object, time: bool = True) -> str:
    """A stored ISO timestamp in Europe/Rome time as the owner's locale writes it ("23 nov 2026, 17:40:00";
    the date only with ``time=False``); "" when there is none."""
    return local_time(iso, lang, time)


def show_reconfirmation(cat, token: str, recs: dict) -> None:
    """Published listings whose last confirmation is older than the period: one click says 'still on offer'."""
    months = reconfirm_months()
    due = [r for r in recs.values() if r.get("status") == "published"
           and is_due(r.get("confirmed_at") or r.get("updated_at"), months)]
    for rec in due:
        when = _when(rec.get("confirmed_at") or rec.get("updated_at"), time=False)
        st.warning(md(_.ngettext("'{title}' was last confirmed on {date}: after {n} month it needs reconfirming. "
                                 "Is it still on offer as it is?",
                                 "'{title}' was last confirmed on {date}: after {n} months it needs reconfirming. "
                                 "Is it still on offer as it is?", months),
                      title=_titled(rec, rec["site_id"]), date=when, n=months),  # owner text: escaped
                   icon=":material/event_repeat:")
        if st.button(_("Yes, still on offer"), key=f"reconfirm_{rec['site_id']}", type="primary"):
            reconfirm(cat, token, rec["site_id"])
            flash(md(_("Availability of {site} confirmed."), site=rec["site_id"]))
            st.rerun()


def show_follow_up(cat, token: str, up, media: list[Media] = (), media_ok: bool = True) -> None:
    st.subheader(_("Your submissions"))
    view = owner_view(cat, token)
    if view.empty:
        st.info(_("No submission yet."))
        return
    superseded = superseded_by(view)
    view = numbered(view)  # each listing's own v1, v2, ...
    rows = view.to_dict("records")
    # Fields staff have verified so far, per listing: only the token's own listings (from owner_view).
    ids = list(dict.fromkeys(r["site_id"] for r in rows))
    recs = {rec["site_id"]: rec for rec in cat.records(ids, role="staff") if rec}
    show_reconfirmation(cat, token, recs)
    titles = {sid: _titled(recs.get(sid), next((r.get("title") or "" for r in rows if r["site_id"] == sid), ""))
              or sid for sid in ids}
    # One history per listing (its title, then its versions, the newest first). Owner text goes to dataframe
    # cells only (never Markdown).
    table = pd.DataFrame({
        _("Listing"): [titles[r["site_id"]] for r in rows],
        _("Version"): [f"v{int(r['n'])}" for r in rows],
        _("Status"): [owner_status(r, superseded, lang, verified_count(recs.get(r["site_id"]))) for r in rows],
        _("Submitted (Italian time)"): [_when(r.get("submitted_at")) for r in rows],
        _("Listing code"): [r["site_id"] for r in rows],
        "_n": [int(r["n"]) for r in rows], "_first": [min(str(x["submitted_at"]) for x in rows
                                                          if x["site_id"] == r["site_id"]) for r in rows],
    }).sort_values(["_first", _("Listing code"), "_n"], ascending=[False, True, False], kind="stable")
    st.dataframe(table.drop(columns=["_n", "_first"]), hide_index=True, width="stretch",
                 height=table_height(len(table)))

    # Versions one can still act on: not replaced, not withdrawn; the latest first (and chosen).
    by_sub = versions(rows, superseded)
    active = open_versions(by_sub)
    if not active:
        return
    named = {s: version_name([(titles[r["site_id"]], int(r["n"])) for r in rows if r["submission_id"] == s], lang)
             for s in active}
    sub_id = st.selectbox(
        _("Listing and version to act on"), active, index=0, key="owner_sub", placeholder=_("Choose"),
        format_func=lambda s: _("{listings} — submitted {date}").format(listings=named[s],
                                                                      date=_when(by_sub[s].submitted_at)))
    name = named[sub_id]
    if st.session_state.get("owner_confirm_withdraw") == sub_id:
        show("warning", _("Withdraw {listing}? It will no longer be shown or reviewed. Offering it again needs "
                          "a new submission."), listing=name)
        a, b = st.columns(2)
        if a.button(md(_("Yes, withdraw {listing}"), listing=name), type="primary",
                    key="owner_withdraw_confirm"):
            st.session_state.pop("owner_confirm_withdraw", None)
            withdraw(cat, token, sub_id)
            flash(md(_("{listing} withdrawn."), listing=name))
            st.rerun()
        if b.button(_("Cancel"), key="owner_withdraw_cancel"):
            st.session_state.pop("owner_confirm_withdraw", None)
            st.rerun()
        return
    c1, c2 = st.columns(2)
    if c1.button(md(_("Withdraw {listing}…"), listing=name), key="owner_withdraw"):
        st.session_state["owner_confirm_withdraw"] = sub_id
        st.rerun()
    if up is not None and media_ok and c2.button(md(_("Replace {listing} with the uploaded file"), listing=name),
                                                 key="owner_replace"):
        res = checked(cat, up)
        replace_submission(cat, token, sub_id, res, media=media)
        flash(md(_("{listing} replaced by a new version."), listing=name))
        st.session_state["owner_upload_gen"] = st.session_state.get("owner_upload_gen", 0) + 1
        st.rerun()


with guarded():
    cat = get_catalogue()
    token = st.query_params.get("token") or st.session_state.get("owner_token")
    owner = owner_by_token(cat, token) if token else None
    if token and owner is None:
        st.error(_("Invalid private link."))
        token = None
    if token and owner:  # top right, on every visit: the only way back to these submissions
        with link_col:
            st.caption(_("Your private link: keep it, it is the only way back to your submissions."))
            st.code(_private_link(token), language=None, wrap_lines=True)  # with a copy button

    st.subheader(_("1. Download the template"))
    prefill = {k: v for k, v in (owner or {}).items() if k != "owner_id"}
    c1, c2 = st.columns(2)
    for code, col in zip(LOCALES, (c1, c2)):  # Italian, English
        col.download_button(_("Excel ({language})").format(language=code.upper()),
                            template_bytes(code, (owner or {}).get("owner_id", ""), prefill or None),
                            f"opportunity_lombardy_{code}.xlsx", key=f"tpl_{code}",
                            mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    if owner:
        st.caption(_("Your owner data are already filled in the template."))

    st.subheader(_("2. Upload the filled file"))
    # One <style> for both uploaders (the workbook's and the photos'): our texts only, CSS-escaped, no owner input.
    styles = "\n".join([uploader_css(_, "owner_upload_", MAX_MB, UPLOAD_TYPES).removesuffix("</style>"),
                        uploader_css(_, "owner_media_", media_limits.MAX_PLAN_BYTES // 2**20,
                                     ["jpg", "png", "webp", "pdf"]).removeprefix("<style>")])
    st.markdown(styles, unsafe_allow_html=True)
    # A new key after each submission empties the uploader: the same file is not offered twice.
    gen = st.session_state.get("owner_upload_gen", 0)
    up = st.file_uploader(_("Excel (.xlsx)"), max_upload_size=WIDGET_MAX_MB, key=f"owner_upload_{gen}")
    media_files = st.file_uploader(
        _("Photos (JPEG, PNG, WebP: up to {photos}) and plans (PDF: up to {plans}), optional").format(
            photos=media_limits.MAX_IMAGES, plans=media_limits.MAX_PLANS),
        accept_multiple_files=True, max_upload_size=MEDIA_WIDGET_MB, key=f"owner_media_{gen}")
    st.caption(_("Photos are re-saved without their metadata (GPS position, camera and owner names). In a "
                 "workbook of several sites, write each file's name in its row's Photos or plan column."))
    uploads = media_uploads(media_files, gen)
    media: list[Media] = []
    media_ok = True
    with st.expander(_("Type-B offers: how to write the outline")):
        show("markdown", "{text}", text=outline_format(lang))
    if up is not None:
        res = checked(cat, up)
        # The same file or site already in the catalogue: said at once, at the top, not after the submit button.
        dups = duplicates(cat, res, (owner or {}).get("owner_id"))
        with top:
            for d in dups:
                show_user_error(d)
        show_check(res, duplicated=bool(dups))
        if uploads and res.sites:
            try:
                media = prepared_media(uploads, res.sites)
            except MediaError as exc:
                show_user_error(exc)
                media_ok = False
        if res.sites:
            st.subheader(_("3. Preview: as investors will see it"))
            show_preview(cat, res, media)
        if res.ok and media_ok:
            if st.button(_("Submit"), type="primary", key="owner_submit", disabled=bool(dups)):
                receipt = submit(cat, res, token=token, lang=lang, media=media)
                if receipt.token:
                    st.session_state["owner_token"] = receipt.token
                    st.query_params["token"] = receipt.token
                    st.query_params["lang"] = lang
                st.session_state["owner_upload_gen"] = st.session_state.get("owner_upload_gen", 0) + 1
                n = len(receipt.site_ids)
                message = md(_.ngettext("Submitted: {n} site ({submission}).", "Submitted: {n} sites ({submission}).",
                                        n), n=n, submission=receipt.submission_id)
                if receipt.token:
                    message += " " + _("Your private link is at the top right: copy it and keep it.")
                    if settings().smtp_url and res.owner.get("contact_email"):
                        message += " " + md(_("It has also been e-mailed to {email}."),
                                            email=res.owner["contact_email"])
                    else:
                        message += " " + _("This server sends no e-mail: the link is the only way back to your "
                                           "listings.")
                flash(message)
                st.rerun()

    if token and owner:
        show_follow_up(cat, token, up, media, media_ok)
