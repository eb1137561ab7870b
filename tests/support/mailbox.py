"""Reading the links in the mail the identity context sent: queued (in the fake world,
`IdentityState.outgoing_mail`) or received (by the loopback SMTP server)."""

from __future__ import annotations

import re
from typing import Protocol

_LINK = re.compile(r"https?://\S+/(?P<page>verify-email|reset-password)\?token=(?P<token>[A-Za-z0-9_%-]+)")


class Mail(Protocol):
    @property
    def text(self) -> str: ...


def link_in(message: Mail) -> tuple[str, str]:
    """The (page, token) of the one link with a token in the message's text."""
    (found,) = list(_LINK.finditer(message.text))
    return found["page"], found["token"]


def token_in(message: Mail, page: str) -> str:
    found_page, token = link_in(message)
    assert found_page == page, f"expected a {page} link, found {found_page}"
    return token
