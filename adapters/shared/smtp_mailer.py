"""The Mailer port over SMTP (aiosmtplib), configured by one URL (MG_SMTP_URL)."""

from __future__ import annotations

import ssl
from pathlib import Path
from urllib.parse import unquote, urlsplit

import aiosmtplib

from adapters.shared.rfc5322_mail import compose, recipient_of, sender_address
from application.shared.mail_ports import MailDeliveryFailed, MailMessage
from application.shared.ports import Clock


class SmtpMailer:
    """``smtp://host:port``: plain, upgraded with STARTTLS whenever the server offers it (and
    required when the URL carries credentials, so a server that stops offering it cannot make us
    send the password in clear); ``smtps://host:port``: TLS from the first byte. Certificates are
    always verified, against the system's CAs or ``ca_file``.

    A reply in the 500s to the recipient or the message is permanent (no retry makes it pass);
    every other failure, including a refused login or an untrusted certificate (the set-up is
    wrong, not the message), is transient and the queue tries again."""

    def __init__(
        self, url: str, sender: str, clock: Clock, *, timeout_seconds: float = 30, ca_file: Path | None = None
    ) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ValueError("an SMTP URL looks like smtp://host:587 or smtps://user:password@host:465")
        self._implicit_tls = parts.scheme == "smtps"
        self._host = parts.hostname
        self._port = parts.port or (465 if self._implicit_tls else 25)
        self._username = unquote(parts.username) if parts.username else None
        self._password = unquote(parts.password) if parts.password else None
        self._sender = sender
        self._clock = clock
        self._timeout = timeout_seconds
        self._tls = ssl.create_default_context(cafile=str(ca_file) if ca_file else None)

    def __repr__(self) -> str:  # the URL may carry a password
        return f"SmtpMailer({'smtps' if self._implicit_tls else 'smtp'}://{self._host}:{self._port})"

    async def send(self, message: MailMessage) -> None:
        mail = compose(message, self._sender, self._clock.now())
        client = aiosmtplib.SMTP(
            hostname=self._host,
            port=self._port,
            username=self._username,
            password=self._password,
            timeout=self._timeout,
            use_tls=self._implicit_tls,
            start_tls=False if self._implicit_tls else (True if self._username else None),
            tls_context=self._tls,
        )
        try:
            async with client:
                await client.send_message(mail, sender=sender_address(self._sender), recipients=[recipient_of(message)])
        except aiosmtplib.SMTPRecipientsRefused as error:
            raise _refused(error.recipients[0].code, error.recipients[0].message) from None
        except (aiosmtplib.SMTPRecipientRefused, aiosmtplib.SMTPDataError) as error:
            raise _refused(error.code, error.message) from None
        except (aiosmtplib.SMTPException, OSError) as error:  # connection, timeout, TLS, login, sender
            raise MailDeliveryFailed(f"{type(error).__name__}: {error}") from None


def _refused(code: int, reply: str) -> MailDeliveryFailed:
    return MailDeliveryFailed(f"the server answered {code} {reply}", permanent=500 <= code < 600)
