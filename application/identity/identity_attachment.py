"""Attaching a provider's identity to an account, and the security log entry that says how."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from application.identity.account_ports import IdentityUnitOfWork
from application.identity.identity_provider_ports import ProviderIdentity
from application.identity.security_log import record_event
from application.shared.ports import IdGenerator
from domain.identity.external_identity import ExternalIdentity
from domain.identity.security_event import SecurityEventKind


async def attach_identity(
    uow: IdentityUnitOfWork,
    ids: IdGenerator,
    identity: ProviderIdentity,
    user_id: UUID,
    *,
    how: str,  # "verified_email", "new_account" (both while signing in) or "settings"
    ip: str | None,
    now: datetime,
) -> ExternalIdentity:
    linked = ExternalIdentity(
        provider=identity.provider,
        subject=identity.subject,
        user_id=user_id,
        email=identity.email,
        email_verified=identity.email_verified,
        login=identity.login,
        linked_at=now,
        last_sign_in_at=None if how == "settings" else now,
    )
    await uow.external_identities.add(linked)
    details = {"provider": identity.provider, "how": how}
    await record_event(uow, ids, user_id, SecurityEventKind.IDENTITY_LINKED, now, ip, details)
    return linked
