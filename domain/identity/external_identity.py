"""Identities at external providers (GitHub, Google) and the rule that decides what a provider
sign-in does: sign an account in, link to one, create one, or refuse."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from uuid import UUID

from attrs import frozen

from domain.identity.email import EmailAddress, InvalidEmail
from domain.identity.user import User
from domain.shared.errors import Conflict, DomainError, NotFound


@frozen
class ExternalIdentity:
    """An account's identity at a provider, keyed by provider + the provider's stable ``subject``
    (GitHub's numeric id, Google's ``sub``), never by login or email, which can change hands."""

    provider: str
    subject: str
    user_id: UUID
    email: str | None
    email_verified: bool
    login: str | None
    linked_at: datetime
    last_sign_in_at: datetime | None = None


class SignInOutcome(Enum):
    SIGN_IN = "sign_in"  # the identity is linked already: sign its account in
    LINK = "link"  # both sides proved the same email: link the identity to that account
    CREATE = "create"  # nobody holds the email: a new account, verified only if the provider said so
    REFUSE = "refuse"


@frozen
class SignInDecision:
    outcome: SignInOutcome
    user_id: UUID | None = None  # the account signed in or linked to
    email_verified: bool = False  # for CREATE: what the new account's email_verified is
    reason: str | None = None  # for REFUSE: ProviderEmailTaken.code or ProviderEmailMissing.code


class ProviderEmailTaken(Conflict):
    """An account has this email, but not both sides proved it: the person must sign in to that
    account and link the provider from their settings."""

    code = "link-from-settings"


class ProviderEmailMissing(DomainError):
    """The provider shared no usable email address, and an account cannot exist without one."""

    code = "provider-email-missing"


class IdentityLinkedElsewhere(Conflict):
    """The identity at the provider belongs to another account already."""

    code = "identity-linked-elsewhere"


class ProviderAlreadyLinked(Conflict):
    """The account has an identity at this provider already (one per provider)."""

    code = "provider-already-linked"


class LastSignInMethod(Conflict):
    """Removing the identity would leave the account with no way to sign in."""

    code = "last-sign-in-method"


class IdentityNotLinked(NotFound):
    code = "identity-not-linked"


def decide_sign_in(
    existing_identity: ExternalIdentity | None,
    local_account_with_email: User | None,
    *,
    provider_email: str | None,
    provider_email_verified: bool,
) -> SignInDecision:
    """The linking rules of a provider sign-in (not a link from settings).

    An email links two accounts only when both the provider and the local account proved it.
    Otherwise whoever registered the address first — locally without verifying it, or at a
    provider that did not verify it — could be signed in as the other (pre-account hijacking).
    """
    if existing_identity is not None:
        return SignInDecision(SignInOutcome.SIGN_IN, user_id=existing_identity.user_id)
    if local_account_with_email is not None:
        if provider_email_verified and local_account_with_email.email_verified:
            return SignInDecision(SignInOutcome.LINK, user_id=local_account_with_email.id)
        return SignInDecision(SignInOutcome.REFUSE, reason=ProviderEmailTaken.code)
    if provider_email is None:
        return SignInDecision(SignInOutcome.REFUSE, reason=ProviderEmailMissing.code)
    return SignInDecision(SignInOutcome.CREATE, email_verified=provider_email_verified)


def ensure_can_unlink(user: User, identities: list[ExternalIdentity], provider: str) -> ExternalIdentity:
    """The identity to remove; refused when it is the account's last way to sign in."""
    target = next((identity for identity in identities if identity.provider == provider), None)
    if target is None:
        raise IdentityNotLinked(f"No {provider} identity is linked to this account.")
    if not user.has_password and len(identities) == 1:
        raise LastSignInMethod(
            f"{provider} is the only way to sign in to this account: set a password (reset it by email) "
            "or link another provider before removing it."
        )
    return target


def ensure_can_link(
    holder: ExternalIdentity | None, account_identities: list[ExternalIdentity], user_id: UUID, provider: str
) -> ExternalIdentity | None:
    """Before linking from settings: ``holder`` is the identity's current link, if any. Returns it
    when it is this account's already (nothing to attach), else None; refused when another
    account holds the identity, or when this account has another identity at the provider."""
    if holder is not None:
        if holder.user_id != user_id:
            raise IdentityLinkedElsewhere(
                f"This {provider} identity is linked to another account; unlink it there first."
            )
        return holder
    if any(identity.provider == provider for identity in account_identities):
        raise ProviderAlreadyLinked(f"A {provider} identity is linked to this account already.")
    return None


def untrusted_once_the_mailbox_is_proven(user: User, identities: list[ExternalIdentity]) -> list[ExternalIdentity]:
    """The identities to remove when the owner of the account's mailbox proves it (a password reset)
    while the address was still unverified. Until then anyone could have created or used the account
    with that address (a provider sign-in with an unverified email, then the real owner resets the
    password): only a provider that verified this very address speaks for the same person."""
    if user.email_verified:
        return []
    return [
        identity
        for identity in identities
        if not (identity.email_verified and _same_address(identity.email, user.email))
    ]


def _same_address(raw: str | None, email: EmailAddress) -> bool:
    try:
        return raw is not None and EmailAddress.parse(raw) == email
    except InvalidEmail:
        return False
