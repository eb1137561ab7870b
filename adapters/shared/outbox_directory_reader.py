"""Reading the outbox directory (``media-gateway outbox``): only reads, so it works beside a
running service."""

from __future__ import annotations

import email
import email.policy
from datetime import datetime
from email.message import EmailMessage
from email.utils import parsedate_to_datetime
from pathlib import Path

from attrs import frozen

from adapters.shared.outbox_directory_mailer import SUFFIX


@frozen
class OutboxEntry:
    path: Path
    written_at: datetime | None
    to: str
    subject: str


class OutboxDirectoryReader:
    def __init__(self, directory: Path) -> None:
        self._directory = directory

    def entries(self) -> list[OutboxEntry]:
        """Every message, oldest first."""
        if not self._directory.is_dir():
            return []
        return [self._entry(path) for path in sorted(self._directory.glob(f"*{SUFFIX}"))]

    def _entry(self, path: Path) -> OutboxEntry:
        mail = read_mail(path)
        return OutboxEntry(path, _date(mail), str(mail.get("To", "")), str(mail.get("Subject", "")))


def read_mail(path: Path) -> EmailMessage:
    mail = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert isinstance(mail, EmailMessage)
    return mail


def readable(mail: EmailMessage) -> str:
    """The headers a person needs and the plain-text body, decoded (the file may hold it encoded)."""
    headers = [f"{name}: {mail[name]}" for name in ("Date", "From", "To", "Subject") if mail[name] is not None]
    body = mail.get_body(preferencelist=("plain", "html"))
    text = body.get_content() if isinstance(body, EmailMessage) else ""
    return "\n".join(headers) + "\n\n" + str(text).rstrip("\n") + "\n"


def _date(mail: EmailMessage) -> datetime | None:
    try:
        return parsedate_to_datetime(str(mail["Date"])) if mail["Date"] else None
    except (TypeError, ValueError):
        return None
