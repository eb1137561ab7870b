"""Reading the mail the identity context queued (in the fake world, `IdentityState.outgoing_mail`)."""

from __future__ import annotations

import re

from application.shared.mail_ports import MailMessage

_LINK = re.compile(r"https?://\S+/(?P<page>verify-email|reset-password)\?token=(?P<token>[A-Za-z0-9_%-]+)")


def link_in(message: MailMessage) -> tuple[str, str]:
    """The (page, token) of the one link with a token in the message's text."""
    (found,) = list(_LINK.finditer(message.text))
    return found["page"], found["token"]


def token_in(message: MailMessage, page: str) -> str:
    found_page, token = link_in(message)
    assert found_page == page, f"expected a {page} link, found {found_page}"
    return token
