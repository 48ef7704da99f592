"""The messages the catalogue sends, each written from ONE record in its reader's language.

Plain text only (no HTML: nothing an owner or a visitor typed can become markup or a link in someone's
mail client beyond what plain text is). A builder takes the one listing, submission or enquiry the message
is about; it cannot reach another owner's data. Subjects are one line (control characters and line breaks
from a title become spaces: no header can be injected).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Sequence

from geo.i18n import N_, translator

#: Where the owner's private link goes in a queued body: the link itself is kept apart (``Mail.secret``) and
#: dropped from the catalogue as soon as the message is sent.
LINK_MARK = "[[private-link]]"
#: Longest subject (characters); longer titles are cut with an ellipsis.
MAX_SUBJECT = 150
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


@dataclass(frozen=True)
class Mail:
    """One message to one address."""

    to: str
    lang: str
    kind: str
    subject: str
    body: str
    ref: str = ""
    secret: str | None = None  # the private link that replaces LINK_MARK at delivery (never shown to staff)
    tags: tuple[str, ...] = field(default=())


def one_line(text: object, limit: int = MAX_SUBJECT) -> str:
    """``text`` as one header-safe line of at most ``limit`` characters.

    >>> one_line("Ex Filanda\\r\\nBcc: x@evil.example")
    'Ex Filanda Bcc: x@evil.example'
    """
    flat = " ".join(_CONTROL.sub(" ", str(text)).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _link(base: str | None, path: str) -> str:
    return f"{base}{path}" if base else path


def owner_link(to: str, lang: str, submission_id: str, titles: Sequence[str], link: str) -> Mail:
    """The private link of a new owner: how they follow, replace or withdraw their listing later."""
    _ = translator(lang)
    names = "\n".join(f"  - {t}" for t in titles) or "  -"
    body = "\n\n".join([
        _("Thank you: your submission {submission} has been received and will be checked by the regional "
          "staff before it is published.").format(submission=submission_id),
        _("Listings in this submission:") + "\n" + names,
        _("Your private link (keep it to yourself: whoever has it can change or withdraw your listings):")
        + "\n" + LINK_MARK,
        _("This message was sent automatically by the Lombardy sites catalogue; replies are not read."),
    ])
    return Mail(to, lang, "owner_link", one_line(_("Your listing {submission}: private link").format(
        submission=submission_id)), body, ref=submission_id, secret=link)


#: Status -> what the owner is told.
STATUS_TEXT = {
    "published": N_("Your listing '{title}' ({site_id}) is now published: investors can find it."),
    "sent_back": N_("Your listing '{title}' ({site_id}) was sent back by the staff for changes. Reason: {reason}"),
    "withdrawn": N_("Your listing '{title}' ({site_id}) has been withdrawn."),
}


def owner_status(to: str, lang: str, site_id: str, title: str, status: str, reason: str | None = None) -> Mail:
    """A change of one listing's status, told to its own owner."""
    _ = translator(lang)
    text = _(STATUS_TEXT[status]).format(title=one_line(title, 200), site_id=site_id, reason=reason or "-")
    body = "\n\n".join([
        text,
        _("Open your private link to see the listing and act on it."),
        _("This message was sent automatically by the Lombardy sites catalogue; replies are not read."),
    ])
    return Mail(to, lang, f"owner_{status}", one_line(_("Listing {site_id}: {title}").format(
        site_id=site_id, title=title)), body, ref=site_id)


def staff_submission(to: str, submission_id: str, site_ids: Sequence[str], titles: Sequence[str],
                     base_url: str | None = None, lang: str = "it") -> Mail:
    """A new submission waiting for validation."""
    _ = translator(lang)
    lines = "\n".join(f"  - {sid}: {one_line(t, 200)}" for sid, t in zip(site_ids, titles))
    body = "\n\n".join([
        _("A new submission {submission} is waiting for validation:").format(submission=submission_id) + "\n" + lines,
        _("Open the validation page: {link}").format(link=_link(base_url, "/staff")),
    ])
    return Mail(to, lang, "staff_submission", one_line(_("New submission {submission} ({n} listings)").format(
        submission=submission_id, n=len(site_ids))), body, ref=submission_id)


def staff_enquiry(to: str, enquiry_id: str, site_id: str, title: str, sender_name: str,
                  base_url: str | None = None, lang: str = "it") -> Mail:
    """A new enquiry from an investor (its text stays in the catalogue: staff read it on the page)."""
    _ = translator(lang)
    body = "\n\n".join([
        _("New enquiry {enquiry} from {name} about {site_id} '{title}'.").format(
            enquiry=enquiry_id, name=one_line(sender_name, 200), site_id=site_id, title=one_line(title, 200)),
        _("Read and answer it on the validation page: {link}").format(
            link=_link(base_url, f"/staff?site={site_id}")),
    ])
    return Mail(to, lang, "staff_enquiry", one_line(_("New enquiry about {site_id}").format(site_id=site_id)),
                body, ref=enquiry_id)


def _reply_texts(lang: str) -> tuple[str, str, str]:
    _ = translator(lang)
    return (_("Answer to your enquiry {enquiry} about {site_id} '{title}':"),
            _("Regional investment support staff, Lombardy sites catalogue."),
            _("Your enquiry about {site_id}"))


def enquiry_reply(to: str, lang: str | None, enquiry_id: str, site_id: str, title: str, reply: str) -> Mail:
    """The staff's answer to one enquirer (in Italian and English when the enquirer's language is not known)."""
    langs = [lang] if lang in ("it", "en") else ["it", "en"]
    texts = [_reply_texts(c) for c in langs]
    heads = [t[0].format(enquiry=enquiry_id, site_id=site_id, title=one_line(title, 200)) for t in texts]
    body = "\n\n".join([" / ".join(heads), reply.strip(), " / ".join(t[1] for t in texts)])
    subject = " / ".join(dict.fromkeys(t[2].format(site_id=site_id) for t in texts))
    return Mail(to, langs[0], "enquiry_reply", one_line(subject), body, ref=enquiry_id)
