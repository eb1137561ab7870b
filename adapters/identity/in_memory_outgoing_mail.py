from __future__ import annotations

from adapters.identity.in_memory_identity_state import IdentityState
from application.shared.mail_ports import MailMessage


class InMemoryOutgoingMail:
    """Queued mail lands in the working state, so it is kept only if the unit of work commits."""

    def __init__(self, state: IdentityState) -> None:
        self._state = state

    async def queue(self, message: MailMessage) -> None:
        self._state.outgoing_mail.append(message)
