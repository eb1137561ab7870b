from __future__ import annotations

from uuid import UUID

import attrs

from application.identity.mfa_ports import MfaChallenge
from application.shared.mail_ports import MailMessage
from domain.identity.account_token import AccountToken
from domain.identity.api_key import ApiKey
from domain.identity.external_identity import ExternalIdentity
from domain.identity.mfa import BackupCode, TotpFactor
from domain.identity.refresh_session import RefreshSession
from domain.identity.security_event import SecurityEvent
from domain.identity.user import User


@attrs.define
class IdentityState:
    """The identity tables of the in-memory store, which its repositories read and write."""

    users: dict[UUID, User] = attrs.Factory(dict)
    sessions: dict[UUID, RefreshSession] = attrs.Factory(dict)
    factors: dict[UUID, TotpFactor] = attrs.Factory(dict)
    backup_codes: dict[UUID, BackupCode] = attrs.Factory(dict)
    challenges: dict[str, MfaChallenge] = attrs.Factory(dict)
    events: list[SecurityEvent] = attrs.Factory(list)
    api_keys: dict[UUID, ApiKey] = attrs.Factory(dict)
    outgoing_mail: list[MailMessage] = attrs.Factory(list)  # queued, oldest first; the worker's queue is elsewhere
    # provider sign-in: (provider, subject) -> identity
    external_identities: dict[tuple[str, str], ExternalIdentity] = attrs.Factory(dict)
    # verified email and password reset
    account_tokens: dict[UUID, AccountToken] = attrs.Factory(dict)
