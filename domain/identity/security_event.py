from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Any
from uuid import UUID

from attrs import field, frozen


class SecurityEventKind(Enum):
    MFA_ENROLLED = "mfa_enrolled"
    MFA_DISABLED = "mfa_disabled"
    BACKUP_CODE_USED = "backup_code_used"
    BACKUP_CODES_REGENERATED = "backup_codes_regenerated"
    MFA_REPLAY_REJECTED = "mfa_replay_rejected"
    MFA_FACTOR_LOCKED = "mfa_factor_locked"
    API_KEY_CREATED = "api_key_created"
    API_KEY_REVOKED = "api_key_revoked"
    API_KEY_LEAKED = "api_key_leaked"
    REGISTRATION_ATTEMPTED = "registration_attempted"  # someone tried to register the address again
    ADMIN_GRANTED = "admin_granted"
    ADMIN_REVOKED = "admin_revoked"
    API_KEY_SCOPE_REMOVED = "api_key_scope_removed"  # the owner no longer holds a scope the key had
    BREAKER_OVERRIDDEN = "breaker_overridden"  # an administrator forced a circuit breaker's state
    EMAIL_VERIFIED = "email_verified"
    PASSWORD_RESET_REQUESTED = "password_reset_requested"  # noqa: S105 (an event name)
    PASSWORD_RESET = "password_reset"  # noqa: S105 (an event name); every session family was revoked with it
    IDENTITY_LINKED = "identity_linked"  # details: provider (and how: sign-in by verified email, or from settings)
    IDENTITY_UNLINKED = "identity_unlinked"
    DEVICE_SIGN_IN_APPROVED = "device_sign_in_approved"  # a TV signed in with a code approved here
    SESSION_REVOKED = "session_revoked"  # signed out from the sessions list; details: family_id, client_name
    # platform webhooks, in the administrator's log; details: registration_id, platform (and what changed)
    WEBHOOK_REGISTERED = "webhook_registered"
    WEBHOOK_SECRET_ROTATED = "webhook_secret_rotated"  # noqa: S105 (an event name); details: previous_valid_until
    WEBHOOK_SECRET_OVERLAP_ENDED = "webhook_secret_overlap_ended"  # noqa: S105 (an event name)
    WEBHOOK_DISABLED = "webhook_disabled"
    WEBHOOK_DEAD_LETTERS_REPLAYED = "webhook_dead_letters_replayed"  # details: the selection, how many
    WEBHOOK_DEAD_LETTER_DISCARDED = "webhook_dead_letter_discarded"  # details: dead_letter_id, event_id, platform


@frozen
class SecurityEvent:
    id: UUID
    user_id: UUID
    kind: SecurityEventKind
    occurred_at: datetime
    ip: str | None = None
    details: dict[str, Any] = field(factory=dict)
