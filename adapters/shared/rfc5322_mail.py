"""A MailMessage as an RFC 5322 message: what the SMTP server receives and the outbox file holds."""

from __future__ import annotations

from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr

from application.shared.mail_ports import MailDeliveryFailed, MailMessage


def recipient_of(message: MailMessage) -> str:
    """The one envelope recipient; an address that could smuggle headers or more recipients is
    refused for good (no retry makes it valid)."""
    to = message.to.strip()
    if any(c in to for c in "\r\n,;<>") or to.count("@") != 1 or " " in to:
        raise MailDeliveryFailed("not a single plain email address", permanent=True)
    return to


def compose(message: MailMessage, sender: str, now: datetime) -> EmailMessage:
    mail = EmailMessage()
    domain = parseaddr(sender)[1].rpartition("@")[2] or None
    try:
        mail["From"] = sender
        mail["To"] = Address(addr_spec=recipient_of(message))
        mail["Subject"] = message.subject
        mail["Date"] = format_datetime(now)
        mail["Message-ID"] = make_msgid(domain=domain)
        mail.set_content(message.text)
        if message.html is not None:
            mail.add_alternative(message.html, subtype="html")
    except (ValueError, TypeError) as error:  # a line break in the subject, an unparsable address
        raise MailDeliveryFailed(f"the message cannot be written: {error}", permanent=True) from None
    return mail


def sender_address(sender: str) -> str:
    """The envelope sender (MAIL FROM) of a From header such as ``Media Gateway <no-reply@…>``."""
    return parseaddr(sender)[1]
