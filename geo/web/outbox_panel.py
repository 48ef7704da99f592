"""The e-mail outbox as staff see it: what was sent, what waits, what failed and why, and "send again"."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from geo.catalogue.access import Role
from geo.mail.outbox import outbox_for_staff, retry
from geo.settings import settings
from geo.web.state import current_lang, tr
from geo.web.ui import md

def show_outbox(cat, role: Role | str) -> None:
    """An expander with the outbox (newest first); failed messages can be sent again."""
    _ = tr()
    if not settings().smtp_url:
        st.caption(_("E-mail is off on this server (no GEO_SMTP_URL): owners keep their private link from the "
                     "page, and nobody is notified by e-mail."))
        return
    box = outbox_for_staff(cat, role)
    failed = box[box["status"] == "failed"] if len(box) else box
    labels = {"queued": _("waiting"), "sending": _("sending"), "sent": _("sent"), "failed": _("failed")}
    title = _("E-mail: {n} messages, {failed} failed").format(n=len(box), failed=len(failed))
    with st.expander(md("{title}", title=title), expanded=bool(len(failed))):
        lang = current_lang()
        st.dataframe(pd.DataFrame({  # addresses and errors as cells: never Markdown
            _("Queued on"): [_.datetime(str(c)) for c in box["created_at"]],
            _("To"): box["recipient"], _("Subject"): box["subject"],
            _("Status"): [labels.get(s, s) for s in box["status"]],
            _("Attempts"): box["attempts"], _("Last error"): box["last_error"]}), hide_index=True, width="stretch")
        if len(failed):
            pick = st.selectbox(_("Failed message"), failed["mail_id"].tolist(),
                                format_func=lambda m: f"{m} · {failed.set_index('mail_id').at[m, 'recipient']}",
                                key=f"outbox_pick_{lang}")
            if st.button(_("Send again"), key="outbox_retry"):
                retry(cat, role, pick)
                st.rerun()
