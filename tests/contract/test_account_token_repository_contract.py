"""The account token repository's contract (verification and reset links: found by digest and
purpose, used once, replaced, purged): the in-memory fake and Postgres both pass it."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from application.identity.account_ports import IdentityUnitOfWork, IdentityUnitOfWorkFactory
from domain.identity.account_token import AccountToken, AccountTokenPurpose
from domain.identity.user import User
from tests.support.identity_fixtures import CONTENDERS, a_user, committed, given, race

NOW = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
VERIFY, RESET = AccountTokenPurpose.VERIFY_EMAIL, AccountTokenPurpose.RESET_PASSWORD


def a_token(user: User, purpose: AccountTokenPurpose = VERIFY, digest: str | None = None) -> AccountToken:
    return AccountToken.issue(
        id=uuid.uuid4(), user_id=user.id, purpose=purpose, digest=digest or uuid.uuid4().hex, email=user.email, now=NOW
    )


async def stored(identity_uow: IdentityUnitOfWorkFactory, *tokens: AccountToken) -> None:
    async def add_all(uow: IdentityUnitOfWork) -> None:
        for token in tokens:
            await uow.account_tokens.add(token)

    await committed(identity_uow, add_all)


async def test_a_token_is_found_by_its_digest_and_purpose_as_it_was_stored(
    identity_uow: IdentityUnitOfWorkFactory,
) -> None:
    ana = a_user()
    token = a_token(ana, RESET, "digest-1")
    await given(identity_uow, ana)
    await stored(identity_uow, token)
    async with identity_uow() as uow:
        assert await uow.account_tokens.find_for_use("digest-1", RESET) == token
        assert await uow.account_tokens.find_for_use("digest-1", VERIFY) is None  # meant for something else
        assert await uow.account_tokens.find_for_use("digest-unknown", RESET) is None
    assert token.expires_at == NOW + timedelta(hours=1) and token.email == ana.email


async def test_a_token_is_used_only_once(identity_uow: IdentityUnitOfWorkFactory) -> None:
    ana = a_user()
    token = a_token(ana)
    await given(identity_uow, ana)
    await stored(identity_uow, token)
    async with identity_uow() as uow:
        assert await uow.account_tokens.mark_used(token.id, NOW + timedelta(minutes=1)) is True
        assert await uow.account_tokens.mark_used(token.id, NOW + timedelta(minutes=1)) is False
        await uow.commit()
    async with identity_uow() as uow:
        assert await uow.account_tokens.mark_used(token.id, NOW + timedelta(minutes=2)) is False
        found = await uow.account_tokens.find_for_use(token.digest, VERIFY)
    assert found is not None and found.used_at == NOW + timedelta(minutes=1)
    assert not found.usable(NOW + timedelta(minutes=2))


async def test_an_expired_token_cannot_be_used(identity_uow: IdentityUnitOfWorkFactory) -> None:
    ana = a_user()
    token = a_token(ana, RESET)
    await given(identity_uow, ana)
    await stored(identity_uow, token)
    async with identity_uow() as uow:
        assert await uow.account_tokens.mark_used(token.id, NOW + timedelta(hours=1)) is False
        assert await uow.account_tokens.mark_used(uuid.uuid4(), NOW) is False


async def test_a_use_not_committed_leaves_the_token_unused(identity_uow: IdentityUnitOfWorkFactory) -> None:
    ana = a_user()
    token = a_token(ana)
    await given(identity_uow, ana)
    await stored(identity_uow, token)
    async with identity_uow() as uow:
        assert await uow.account_tokens.mark_used(token.id, NOW) is True
    async with identity_uow() as uow:
        assert await uow.account_tokens.find_for_use(token.digest, VERIFY) == token


async def test_of_concurrent_uses_exactly_one_finds_the_token_unused(identity_uow: IdentityUnitOfWorkFactory) -> None:
    """The lookup locks the token: a second use waits for the first to commit, then sees it used."""
    ana = a_user()
    token = a_token(ana, RESET)
    await given(identity_uow, ana)
    await stored(identity_uow, token)
    when = NOW + timedelta(minutes=1)

    async def use(uow: IdentityUnitOfWork) -> bool:
        found = await uow.account_tokens.find_for_use(token.digest, RESET)
        usable = found is not None and found.usable(when)
        if usable:
            await uow.account_tokens.mark_used(token.id, when)
        return usable

    results = await race(identity_uow, use)
    assert sorted(results) == [False] * (CONTENDERS - 1) + [True]


async def test_invalidating_deletes_only_the_accounts_unused_tokens_of_that_purpose(
    identity_uow: IdentityUnitOfWorkFactory,
) -> None:
    ana, bruno = a_user("ana@example.com"), a_user("bruno@example.com")
    old_link, older_link, used_link = a_token(ana, RESET), a_token(ana, RESET), a_token(ana, RESET)
    verification, brunos = a_token(ana, VERIFY), a_token(bruno, RESET)
    await given(identity_uow, ana, bruno)
    await stored(identity_uow, old_link, older_link, used_link, verification, brunos)
    await committed(identity_uow, lambda uow: uow.account_tokens.mark_used(used_link.id, NOW))

    async with identity_uow() as uow:
        assert await uow.account_tokens.invalidate_unused(ana.id, RESET) == 2
        await uow.commit()

    async with identity_uow() as uow:
        assert await uow.account_tokens.find_for_use(old_link.digest, RESET) is None
        assert await uow.account_tokens.find_for_use(older_link.digest, RESET) is None
        assert await uow.account_tokens.find_for_use(used_link.digest, RESET) is not None
        assert await uow.account_tokens.find_for_use(verification.digest, VERIFY) == verification
        assert await uow.account_tokens.find_for_use(brunos.digest, RESET) == brunos


async def test_expired_tokens_are_purged_used_or_not(identity_uow: IdentityUnitOfWorkFactory) -> None:
    ana = a_user()
    reset, verification = a_token(ana, RESET), a_token(ana, VERIFY)
    await given(identity_uow, ana)
    await stored(identity_uow, reset, verification)
    await committed(identity_uow, lambda uow: uow.account_tokens.mark_used(reset.id, NOW))
    async with identity_uow() as uow:
        assert await uow.account_tokens.delete_expired(NOW + timedelta(hours=1)) == 0  # expires_at is not before
        assert await uow.account_tokens.delete_expired(NOW + timedelta(hours=2)) == 1
        await uow.commit()
    async with identity_uow() as uow:
        assert await uow.account_tokens.find_for_use(reset.digest, RESET) is None
        assert await uow.account_tokens.find_for_use(verification.digest, VERIFY) == verification
