"""The MFA sign-in challenge repository's contract: the in-memory fake and PostgreSQL both pass it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from application.identity.account_ports import IdentityUnitOfWorkFactory
from application.identity.mfa_ports import MfaChallenge
from domain.identity.user import User
from tests.support.identity_fixtures import a_user, committed, given, race

NOW = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)


def a_challenge(user: User, digest: str, lifetime: timedelta = timedelta(minutes=5)) -> MfaChallenge:
    return MfaChallenge(token_digest=digest, user_id=user.id, created_at=NOW, expires_at=NOW + lifetime)


async def test_a_live_challenge_is_found_by_its_digest(identity_uow: IdentityUnitOfWorkFactory) -> None:
    user = a_user()
    challenge = a_challenge(user, "digest-1")
    await given(identity_uow, user)
    await committed(identity_uow, lambda uow: uow.mfa_challenges.add(challenge))
    async with identity_uow() as uow:
        assert await uow.mfa_challenges.get_live("digest-1", NOW + timedelta(minutes=4)) == challenge
        assert await uow.mfa_challenges.get_live("digest-unknown", NOW) is None


async def test_an_expired_challenge_is_hidden(identity_uow: IdentityUnitOfWorkFactory) -> None:
    user = a_user()
    await given(identity_uow, user)
    await committed(identity_uow, lambda uow: uow.mfa_challenges.add(a_challenge(user, "digest-1")))
    async with identity_uow() as uow:
        assert await uow.mfa_challenges.get_live("digest-1", NOW + timedelta(minutes=5)) is None
        assert await uow.mfa_challenges.get_live("digest-1", NOW + timedelta(hours=1)) is None


async def test_a_consumed_challenge_is_hidden(identity_uow: IdentityUnitOfWorkFactory) -> None:
    user = a_user()
    await given(identity_uow, user)
    await committed(identity_uow, lambda uow: uow.mfa_challenges.add(a_challenge(user, "digest-1")))
    async with identity_uow() as uow:
        assert await uow.mfa_challenges.consume("digest-1", NOW + timedelta(minutes=1)) is True
        await uow.commit()
    async with identity_uow() as uow:
        assert await uow.mfa_challenges.get_live("digest-1", NOW + timedelta(minutes=2)) is None


async def test_a_challenge_is_consumed_only_once(identity_uow: IdentityUnitOfWorkFactory) -> None:
    user = a_user()
    await given(identity_uow, user)
    await committed(identity_uow, lambda uow: uow.mfa_challenges.add(a_challenge(user, "digest-1")))
    async with identity_uow() as uow:
        assert await uow.mfa_challenges.consume("digest-1", NOW + timedelta(minutes=1)) is True
        assert await uow.mfa_challenges.consume("digest-1", NOW + timedelta(minutes=1)) is False
        await uow.commit()
    async with identity_uow() as uow:
        assert await uow.mfa_challenges.consume("digest-1", NOW + timedelta(minutes=2)) is False
        assert await uow.mfa_challenges.consume("digest-unknown", NOW) is False


async def test_an_expired_challenge_cannot_be_consumed(identity_uow: IdentityUnitOfWorkFactory) -> None:
    user = a_user()
    await given(identity_uow, user)
    await committed(identity_uow, lambda uow: uow.mfa_challenges.add(a_challenge(user, "digest-1")))
    async with identity_uow() as uow:
        assert await uow.mfa_challenges.consume("digest-1", NOW + timedelta(minutes=5)) is False
        assert await uow.mfa_challenges.consume("digest-1", NOW + timedelta(minutes=6)) is False


async def test_a_consumed_challenge_that_is_not_committed_stays_live(identity_uow: IdentityUnitOfWorkFactory) -> None:
    user = a_user()
    challenge = a_challenge(user, "digest-1")
    await given(identity_uow, user)
    await committed(identity_uow, lambda uow: uow.mfa_challenges.add(challenge))
    async with identity_uow() as uow:
        assert await uow.mfa_challenges.consume("digest-1", NOW) is True
    async with identity_uow() as uow:
        assert await uow.mfa_challenges.get_live("digest-1", NOW) == challenge


async def test_concurrent_uses_of_one_challenge_let_exactly_one_through(
    identity_uow: IdentityUnitOfWorkFactory,
) -> None:
    user = a_user()
    await given(identity_uow, user)
    await committed(identity_uow, lambda uow: uow.mfa_challenges.add(a_challenge(user, "digest-1")))

    results = await race(identity_uow, lambda uow: uow.mfa_challenges.consume("digest-1", NOW + timedelta(minutes=1)))

    assert results.count(True) == 1
    async with identity_uow() as uow:
        assert await uow.mfa_challenges.get_live("digest-1", NOW + timedelta(minutes=1)) is None
