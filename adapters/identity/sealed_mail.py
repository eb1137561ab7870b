"""A queued message at rest: JSON sealed by the identity secret box and bound to its queue row,
so a copied database shows no token and a sealed message moved to another row does not open."""

from __future__ import annotations

import json
from uuid import UUID

from application.identity.mfa_ports import SecretBox
from application.shared.mail_ports import MailMessage


def _bound_to(mail_id: UUID) -> bytes:
    return f"mail-queue:{mail_id}".encode()


def seal_message(box: SecretBox, mail_id: UUID, message: MailMessage) -> tuple[str, bytes]:
    plain = {"to": message.to, "subject": message.subject, "text": message.text, "html": message.html}
    return box.seal(json.dumps(plain, ensure_ascii=False).encode(), _bound_to(mail_id))


def open_message(box: SecretBox, mail_id: UUID, key_id: str, sealed: bytes) -> MailMessage:
    plain = json.loads(box.open(key_id, sealed, _bound_to(mail_id)))
    return MailMessage(to=plain["to"], subject=plain["subject"], text=plain["text"], html=plain["html"])
