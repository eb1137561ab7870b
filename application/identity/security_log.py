from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from application.identity.account_ports import IdentityUnitOfWork
from application.shared.ports import IdGenerator
from domain.identity.security_event import SecurityEvent, SecurityEventKind


async def record_event(
    uow: IdentityUnitOfWork,
    ids: IdGenerator,
    user_id: UUID,
    kind: SecurityEventKind,
    now: datetime,
    ip: str | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    """Add an entry to the user's security log, inside the caller's unit of work."""
    await uow.security_events.add(
        SecurityEvent(id=ids.new_id(), user_id=user_id, kind=kind, occurred_at=now, ip=ip, details=details or {})
    )
