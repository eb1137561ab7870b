"""The linking rules of a provider sign-in, the whole table: an identity linked already, an
account holding the provider's email (its email verified or not), and what the provider said."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import attrs
import pytest

from domain.identity.email import EmailAddress
from domain.identity.external_identity import (
    ExternalIdentity,
    IdentityNotLinked,
    LastSignInMethod,
    ProviderEmailMissing,
    ProviderEmailTaken,
    SignInDecision,
    SignInOutcome,
    decide_sign_in,
    ensure_can_unlink,
)
from domain.identity.user import User

NOW = datetime(2026, 12, 1, 19, 0, tzinfo=UTC)
EMAIL = "ana@example.com"


def account(*, verified: bool, password: bool = True) -> User:
    return User(
        id=uuid.uuid4(),
        email=EmailAddress(EMAIL),
        display_name="Ana",
        password_hash="$argon2id$fake" if password else None,
        created_at=NOW,
        email_verified=verified,
    )


def identity(user: User, provider: str = "github") -> ExternalIdentity:
    return ExternalIdentity(
        provider=provider,
        subject=f"{provider}-1",
        user_id=user.id,
        email=EMAIL,
        email_verified=True,
        login=None,
        linked_at=NOW,
    )


LOCAL = {"no account": None, "unverified account": False, "verified account": True}
PROVIDER = {"no email": (None, False), "unverified email": (EMAIL, False), "verified email": (EMAIL, True)}


@pytest.mark.parametrize("provider", list(PROVIDER))
@pytest.mark.parametrize("local", list(LOCAL))
def test_an_identity_linked_already_signs_its_own_account_in_whatever_the_emails(local: str, provider: str) -> None:
    owner = account(verified=False)
    holder = None if LOCAL[local] is None else account(verified=bool(LOCAL[local]))
    email, verified = PROVIDER[provider]
    decision = decide_sign_in(identity(owner), holder, provider_email=email, provider_email_verified=verified)
    assert decision == SignInDecision(SignInOutcome.SIGN_IN, user_id=owner.id)


# (local account, provider email) -> outcome, for an identity not linked yet.
TABLE = {
    ("no account", "no email"): (SignInOutcome.REFUSE, ProviderEmailMissing.code),
    ("no account", "unverified email"): (SignInOutcome.CREATE, False),
    ("no account", "verified email"): (SignInOutcome.CREATE, True),
    # Someone registered the address without proving it: never theirs to take over, either way.
    ("unverified account", "no email"): None,  # no email: no account can be found by it
    ("unverified account", "unverified email"): (SignInOutcome.REFUSE, ProviderEmailTaken.code),
    ("unverified account", "verified email"): (SignInOutcome.REFUSE, ProviderEmailTaken.code),
    ("verified account", "no email"): None,
    ("verified account", "unverified email"): (SignInOutcome.REFUSE, ProviderEmailTaken.code),
    ("verified account", "verified email"): (SignInOutcome.LINK, None),
}


@pytest.mark.parametrize(("local", "provider"), [key for key, want in TABLE.items() if want is not None])
def test_a_new_identity_follows_the_linking_table(local: str, provider: str) -> None:
    holder = None if LOCAL[local] is None else account(verified=bool(LOCAL[local]))
    email, verified = PROVIDER[provider]
    decision = decide_sign_in(None, holder, provider_email=email, provider_email_verified=verified)
    outcome, detail = TABLE[(local, provider)]  # type: ignore[misc]
    assert decision.outcome is outcome
    if outcome is SignInOutcome.LINK:
        assert holder is not None and decision.user_id == holder.id
    elif outcome is SignInOutcome.CREATE:
        assert decision.email_verified is detail and decision.user_id is None
    else:
        assert decision.reason == detail and decision.user_id is None


def test_only_both_proofs_together_link_by_email() -> None:
    links = [
        (local, provider)
        for local, provider in TABLE
        if LOCAL[local] is not None
        and PROVIDER[provider][0] is not None
        and decide_sign_in(
            None,
            account(verified=bool(LOCAL[local])),
            provider_email=PROVIDER[provider][0],
            provider_email_verified=PROVIDER[provider][1],
        ).outcome
        is SignInOutcome.LINK
    ]
    assert links == [("verified account", "verified email")]


def test_the_last_way_to_sign_in_cannot_be_unlinked() -> None:
    provider_only = account(verified=True, password=False)
    with pytest.raises(LastSignInMethod):
        ensure_can_unlink(provider_only, [identity(provider_only)], "github")


def test_a_password_or_another_identity_is_another_way_in() -> None:
    with_password = account(verified=True)
    assert ensure_can_unlink(with_password, [identity(with_password)], "github").provider == "github"
    provider_only = account(verified=True, password=False)
    both = [identity(provider_only, "github"), attrs.evolve(identity(provider_only, "google"))]
    assert ensure_can_unlink(provider_only, both, "google").provider == "google"


def test_an_identity_that_is_not_linked_is_not_found() -> None:
    user = account(verified=True)
    with pytest.raises(IdentityNotLinked):
        ensure_can_unlink(user, [identity(user, "google")], "github")
