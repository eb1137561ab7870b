"""The mail the identity context sends about an account: the verification link, the password
reset link, and the note to an owner whose address someone tried to register again. Each carries
its token in a link and on its own line (to paste into an app), and says how long it lasts;
none ever carries a password."""

from __future__ import annotations

import html
from datetime import timedelta
from urllib.parse import quote

from attrs import frozen

from application.shared.mail_ports import MailMessage


def _lasts(lifetime: timedelta) -> str:
    hours = int(lifetime.total_seconds() // 3600)
    if hours >= 1:
        return "1 hour" if hours == 1 else f"{hours} hours"
    minutes = max(1, int(lifetime.total_seconds() // 60))
    return f"{minutes} minutes"


def _html(greeting: str, paragraphs: list[str], link: tuple[str, str] | None, token: str | None) -> str:
    parts = [f"<p>{html.escape(greeting)}</p>"]
    parts += [f"<p>{html.escape(text)}</p>" for text in paragraphs[:1]]
    if link is not None:
        label, url = link
        parts.append(f'<p><a href="{html.escape(url, quote=True)}">{html.escape(label)}</a></p>')
    if token is not None:
        parts.append(f"<p>Or enter this code: <code>{html.escape(token)}</code></p>")
    parts += [f"<p>{html.escape(text)}</p>" for text in paragraphs[1:]]
    return '<!doctype html>\n<html><body style="font-family: sans-serif">\n' + "\n".join(parts) + "\n</body></html>\n"


@frozen
class AccountMails:
    """Composes the messages; ``base_url`` is where the service's pages are (MG_PUBLIC_BASE_URL)."""

    base_url: str

    def _link(self, page: str, token: str) -> str:
        return f"{self.base_url.rstrip('/')}/{page}?token={quote(token, safe='')}"

    def verification(self, *, to: str, display_name: str, token: str, lifetime: timedelta) -> MailMessage:
        link = self._link("verify-email", token)
        greeting = f"Hello {display_name},"
        first = f"Please confirm that {to} is your address by opening this link within {_lasts(lifetime)}:"
        last = "If you did not create a Media Gateway account, you can ignore this mail."
        text = f"{greeting}\n\n{first}\n\n{link}\n\nOr enter this code: {token}\n\n{last}\n"
        return MailMessage(
            to=to,
            subject="Confirm your email address",
            text=text,
            html=_html(greeting, [first, last], ("Confirm my email address", link), token),
        )

    def password_reset(self, *, to: str, display_name: str, token: str, lifetime: timedelta) -> MailMessage:
        link = self._link("reset-password", token)
        greeting = f"Hello {display_name},"
        first = (
            "Someone asked to reset the password of your account. "
            f"To choose a new one, open this link within {_lasts(lifetime)}:"
        )
        last = (
            "Choosing a new password signs you out everywhere. If you did not ask for this, ignore this "
            "mail: your password stays as it is."
        )
        text = f"{greeting}\n\n{first}\n\n{link}\n\nOr enter this code: {token}\n\n{last}\n"
        return MailMessage(
            to=to,
            subject="Reset your password",
            text=text,
            html=_html(greeting, [first, last], ("Choose a new password", link), token),
        )

    def already_registered(self, *, to: str, display_name: str) -> MailMessage:
        forgot = f"{self.base_url.rstrip('/')}/forgot-password"
        greeting = f"Hello {display_name},"
        first = (
            f"Someone tried to create a Media Gateway account with {to}, but you already have one. "
            "Sign in with it; if you forgot your password, you can reset it here:"
        )
        last = "If it was not you, nothing changed: your account is as it was, and the attempt is in its security log."
        text = f"{greeting}\n\n{first}\n\n{forgot}\n\n{last}\n"
        return MailMessage(
            to=to,
            subject="You already have an account",
            text=text,
            html=_html(greeting, [first, last], ("Reset my password", forgot), None),
        )
