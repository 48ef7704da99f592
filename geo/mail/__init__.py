"""E-mail: what the catalogue tells people, queued with the action and delivered after it.

* :mod:`geo.mail.messages` writes each message from ONE record (one owner's listing, one enquiry) in its
  reader's language: plain text, never another owner's data.
* :mod:`geo.mail.outbox` queues a message inside the action's unit of work (the action and its mail
  commit together, or neither), delivers due messages after the commit, retries failures with back-off
  and keeps every attempt visible to staff. A failed send never undoes the action.
* :mod:`geo.mail.transport` speaks SMTP to the server of ``GEO_SMTP_URL``; with none configured nothing
  is sent and the pages say so (and show the owner's link instead).
"""

from geo.mail.messages import Mail
from geo.mail.outbox import DeliveryReport, deliver_due, outbox_for_staff, queue
from geo.mail.transport import SmtpTransport

__all__ = ["Mail", "queue", "deliver_due", "outbox_for_staff", "DeliveryReport", "SmtpTransport"]
