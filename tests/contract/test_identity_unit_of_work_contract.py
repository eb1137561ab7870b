"""One contract for the identity unit of work: the in-memory fake and Postgres both pass it."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from application.identity.ports import IdentityUnitOfWorkFactory
from domain.identity.email import EmailAddress
from domain.identity.errors import EmailAlreadyRegistered
from domain.identity.refresh_session import RefreshSession
from domain.identity.user import User
from tests.support.identity_fixtures import a_user

NOW = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)


def a_session(user: User, family: uuid.UUID | None = None, digest: str | None = None) -> RefreshSession:
    return RefreshSession(
        id=uuid.uuid4(),
        family_id=family or uuid.uuid4(),
        user_id=user.id,
        token_digest=digest or uuid.uuid4().hex,
        issued_at=NOW,
        expires_at=NOW + timedelta(days=30),
        auth_time=NOW,
    )


async def store(uow_factory: IdentityUnitOfWorkFactory, user: User, *sessions: RefreshSession) -> None:
    async with uow_factory() as uow:
        await uow.users.add(user)
        for session in sessions:
            await uow.refresh_sessions.add(session)
        await uow.commit()


async def test_a_committed_user_can_be_read_back_by_id_and_email(identity_uow: IdentityUnitOfWorkFactory) -> None:
    user = a_user()
    await store(identity_uow, user)
    async with identity_uow() as uow:
        by_id = await uow.users.get(user.id)
        by_email = await uow.users.get_by_email(EmailAddress.parse("ANA@example.com"))
    assert by_id == user
    assert by_email == user


async def test_work_not_committed_is_rolled_back(identity_uow: IdentityUnitOfWorkFactory) -> None:
    user = a_user()
    async with identity_uow() as uow:
        await uow.users.add(user)
    async with identity_uow() as uow:
        assert await uow.users.get(user.id) is None


async def test_an_error_inside_the_unit_rolls_everything_back(identity_uow: IdentityUnitOfWorkFactory) -> None:
    user = a_user()
    with pytest.raises(RuntimeError):
        async with identity_uow() as uow:
            await uow.users.add(user)
            raise RuntimeError("boom")
    async with identity_uow() as uow:
        assert await uow.users.get_by_email(user.email) is None


async def test_a_second_account_with_the_same_email_is_refused(identity_uow: IdentityUnitOfWorkFactory) -> None:
    await store(identity_uow, a_user("ana@example.com"))
    with pytest.raises(EmailAlreadyRegistered):
        async with identity_uow() as uow:
            await uow.users.add(a_user("ana@example.com"))
            await uow.commit()


async def test_display_name_updates_persist(identity_uow: IdentityUnitOfWorkFactory) -> None:
    user = a_user()
    await store(identity_uow, user)
    async with identity_uow() as uow:
        await uow.users.update_display_name(user.id, "Ana María")
        await uow.commit()
    async with identity_uow() as uow:
        stored = await uow.users.get(user.id)
    assert stored is not None and stored.display_name == "Ana María"


async def test_sessions_are_found_by_digest(identity_uow: IdentityUnitOfWorkFactory) -> None:
    user = a_user()
    session = a_session(user, digest="d1")
    await store(identity_uow, user, session)
    async with identity_uow() as uow:
        assert await uow.refresh_sessions.get_by_digest("d1") == session
        assert await uow.refresh_sessions.get_by_digest("nope") is None


async def test_a_session_rotates_only_once(identity_uow: IdentityUnitOfWorkFactory) -> None:
    user = a_user()
    session = a_session(user)
    await store(identity_uow, user, session)
    async with identity_uow() as uow:
        assert await uow.refresh_sessions.mark_rotated(session.id, NOW) is True
        await uow.commit()
    async with identity_uow() as uow:
        assert await uow.refresh_sessions.mark_rotated(session.id, NOW) is False
        stored = await uow.refresh_sessions.get_by_digest(session.token_digest)
    assert stored is not None and stored.rotated_at == NOW


async def test_concurrent_rotations_of_one_session_let_exactly_one_win(
    identity_uow: IdentityUnitOfWorkFactory,
) -> None:
    user = a_user()
    session = a_session(user)
    await store(identity_uow, user, session)

    async def rotate() -> bool:
        async with identity_uow() as uow:
            won = await uow.refresh_sessions.mark_rotated(session.id, NOW)
            await asyncio.sleep(0.01)  # hold the transaction open so the others really overlap
            await uow.commit()
            return won

    results = await asyncio.gather(*(rotate() for _ in range(5)))
    assert results.count(True) == 1


async def test_revoking_a_family_revokes_all_its_sessions_and_no_other(
    identity_uow: IdentityUnitOfWorkFactory,
) -> None:
    user = a_user()
    family = uuid.uuid4()
    first, second = a_session(user, family), a_session(user, family)
    other = a_session(user)
    await store(identity_uow, user, first, second, other)
    async with identity_uow() as uow:
        await uow.refresh_sessions.revoke_family(family, NOW)
        await uow.commit()
    async with identity_uow() as uow:
        revoked = [await uow.refresh_sessions.get_by_digest(s.token_digest) for s in (first, second)]
        untouched = await uow.refresh_sessions.get_by_digest(other.token_digest)
        assert all(s is not None and s.revoked_at == NOW for s in revoked)
        assert untouched is not None and untouched.revoked_at is None
        assert await uow.refresh_sessions.mark_rotated(first.id, NOW) is False


async def test_expired_sessions_are_purged(identity_uow: IdentityUnitOfWorkFactory) -> None:
    user = a_user()
    live = a_session(user)
    await store(identity_uow, user, live)
    async with identity_uow() as uow:
        assert await uow.refresh_sessions.delete_expired(NOW) == 0
        assert await uow.refresh_sessions.delete_expired(NOW + timedelta(days=31)) == 1
        await uow.commit()
    async with identity_uow() as uow:
        assert await uow.refresh_sessions.get_by_digest(live.token_digest) is None
