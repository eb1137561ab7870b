"""The account token's rules: how long each kind lasts, single use, and the address it proves."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from domain.identity.account_token import AccountToken, AccountTokenPurpose, InvalidAccountToken
from domain.identity.email import EmailAddress

NOW = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
ANA = EmailAddress.parse("ana@example.com")


def a_token(purpose: AccountTokenPurpose) -> AccountToken:
    return AccountToken.issue(id=uuid.uuid4(), user_id=uuid.uuid4(), purpose=purpose, digest="d", email=ANA, now=NOW)


@pytest.mark.parametrize(
    ("purpose", "lifetime"),
    [(AccountTokenPurpose.VERIFY_EMAIL, timedelta(hours=24)), (AccountTokenPurpose.RESET_PASSWORD, timedelta(hours=1))],
)
def test_a_token_is_usable_until_its_lifetime_is_over(purpose: AccountTokenPurpose, lifetime: timedelta) -> None:
    token = a_token(purpose)
    assert token.lifetime == lifetime
    assert token.usable(NOW + lifetime - timedelta(microseconds=1))
    assert not token.usable(NOW + lifetime)
    with pytest.raises(InvalidAccountToken):
        token.use(NOW + lifetime, ANA)


def test_a_used_token_cannot_be_used_again() -> None:
    used = a_token(AccountTokenPurpose.VERIFY_EMAIL).use(NOW, ANA)
    assert used.used_at == NOW and not used.usable(NOW)
    with pytest.raises(InvalidAccountToken):
        used.use(NOW, ANA)


def test_a_token_proves_only_the_address_it_was_sent_to() -> None:
    token = a_token(AccountTokenPurpose.RESET_PASSWORD)
    with pytest.raises(InvalidAccountToken):
        token.use(NOW, EmailAddress.parse("ana@new.example"))
    assert token.use(NOW, EmailAddress.parse("ANA@example.com")).used_at == NOW
