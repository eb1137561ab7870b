"""The refresh session repository's contract (rotation, family revocation, purging, sealed
successors, concurrent refreshes): the in-memory fake and Postgres both pass it."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

import attrs

from adapters.identity.aes_gcm_secret_box import AesGcmSecretBox
from adapters.identity.in_memory_revoked_sessions import InMemoryRevokedSessions
from adapters.identity.jwt_access_token_issuer import JwtAccessTokenIssuer
from adapters.identity.signing_keys import Ed25519SigningKey
from adapters.shared.manual_clock import ManualClock
from adapters.shared.system import UrandomSecretGenerator, Uuid4Generator
from application.identity.account_ports import IdentityUnitOfWorkFactory
from application.identity.refresh_tokens import RefreshTokens, RefreshTokensCommand
from application.identity.tokens import SessionIssuer, TokenPair, digest_token
from domain.identity.refresh_session import ActiveSession, RefreshSession, SealedToken
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


SEALED = SealedToken(key_id="k1", ciphertext=b"\x00sealed successor\xff")


async def test_a_rotation_keeps_the_sealed_successor_until_it_is_wiped(identity_uow: IdentityUnitOfWorkFactory) -> None:
    user = a_user()
    session, other = a_session(user), a_session(user)
    await store(identity_uow, user, session, other)
    async with identity_uow() as uow:
        assert await uow.refresh_sessions.mark_rotated(session.id, NOW, SEALED) is True
        assert await uow.refresh_sessions.mark_rotated(other.id, NOW + timedelta(seconds=10), SEALED) is True
        await uow.commit()
    async with identity_uow() as uow:
        stored = await uow.refresh_sessions.get_by_digest(session.token_digest)
        assert stored is not None and stored.sealed_successor == SEALED
        assert await uow.refresh_sessions.wipe_successors(NOW) == 1
        await uow.commit()
    async with identity_uow() as uow:
        wiped = await uow.refresh_sessions.get_by_digest(session.token_digest)
        kept = await uow.refresh_sessions.get_by_digest(other.token_digest)
    assert wiped is not None and wiped.sealed_successor is None and wiped.rotated_at == NOW
    assert kept is not None and kept.sealed_successor == SEALED


async def test_revoking_a_family_wipes_its_sealed_successors(identity_uow: IdentityUnitOfWorkFactory) -> None:
    user = a_user()
    session = a_session(user)
    await store(identity_uow, user, session)
    async with identity_uow() as uow:
        await uow.refresh_sessions.mark_rotated(session.id, NOW, SEALED)
        await uow.refresh_sessions.revoke_family(session.family_id, NOW)
        await uow.commit()
    async with identity_uow() as uow:
        stored = await uow.refresh_sessions.get_by_digest(session.token_digest)
    assert stored is not None and stored.is_revoked and stored.sealed_successor is None


async def test_eight_concurrent_refreshes_of_one_token_get_the_same_successor_and_the_family_lives(
    identity_uow: IdentityUnitOfWorkFactory,
) -> None:
    """Clients retry after timeouts and tabs share tokens: the loser of each row-lock race must see
    the winner's committed rotation and successor, not treat the retry as a stolen token."""
    clock = ManualClock(NOW)
    tokens = JwtAccessTokenIssuer(Ed25519SigningKey.generate(), clock, timedelta(minutes=15))
    sessions = SessionIssuer(tokens, Uuid4Generator(), UrandomSecretGenerator(), timedelta(days=30))
    revoked = InMemoryRevokedSessions(clock, remember_for=timedelta(minutes=16))
    box = AesGcmSecretBox(bytes(range(32)))
    refresh = RefreshTokens(identity_uow, sessions, clock, box, revoked, timedelta(seconds=5))
    user = a_user()
    async with identity_uow() as uow:
        await uow.users.add(user)
        pair = await sessions.issue(
            uow, user_id=user.id, scopes=user.scopes, family_id=uuid.uuid4(), auth_time=NOW, now=NOW
        )
        await uow.commit()

    results = await asyncio.gather(
        *(refresh(RefreshTokensCommand(pair.refresh_token)) for _ in range(8)), return_exceptions=True
    )

    assert all(isinstance(r, TokenPair) for r in results), results
    successors = {r.refresh_token for r in results if isinstance(r, TokenPair)}
    assert len(successors) == 1 and pair.refresh_token not in successors
    family = tokens.verify(pair.access_token).session_family
    assert all(tokens.verify(r.access_token).session_family == family for r in results if isinstance(r, TokenPair))
    assert await revoked.is_revoked(family) is False
    (successor,) = successors
    async with identity_uow() as uow:
        live = await uow.refresh_sessions.get_by_digest(digest_token(successor))
    assert live is not None and live.is_live
    assert (await refresh(RefreshTokensCommand(successor))).refresh_token != successor


# sessions list (TV sign-in)
async def test_the_client_name_is_stored_with_the_session(identity_uow: IdentityUnitOfWorkFactory) -> None:
    user = a_user()
    named = attrs.evolve(a_session(user, digest="tv"), client_name="Living room TV")
    await store(identity_uow, user, named, a_session(user, digest="phone"))
    async with identity_uow() as uow:
        assert await uow.refresh_sessions.get_by_digest("tv") == named
        phone = await uow.refresh_sessions.get_by_digest("phone")
    assert phone is not None and phone.client_name is None


async def test_active_sessions_are_the_families_with_a_live_unexpired_token(
    identity_uow: IdentityUnitOfWorkFactory,
) -> None:
    user, other = a_user(), a_user("bo@example.com")
    tv_family, phone_family = uuid.uuid4(), uuid.uuid4()
    tv_first = attrs.evolve(a_session(user, tv_family), client_name="Living room TV")
    tv_now = attrs.evolve(a_session(user, tv_family), client_name="Living room TV", issued_at=NOW + timedelta(hours=2))
    phone = attrs.evolve(a_session(user, phone_family), issued_at=NOW + timedelta(hours=1))
    revoked = a_session(user)
    expired = attrs.evolve(a_session(user), expires_at=NOW + timedelta(minutes=1))
    await store(identity_uow, user, tv_first, tv_now, phone, revoked, expired)
    await store(identity_uow, other, a_session(other))
    async with identity_uow() as uow:
        await uow.refresh_sessions.mark_rotated(tv_first.id, NOW + timedelta(hours=2))
        await uow.refresh_sessions.revoke_family(revoked.family_id, NOW)
        await uow.commit()
    async with identity_uow() as uow:
        active = await uow.refresh_sessions.list_active(user.id, NOW + timedelta(minutes=5))
    assert active == [
        ActiveSession(tv_family, "Living room TV", signed_in_at=NOW, last_used_at=NOW + timedelta(hours=2)),
        ActiveSession(phone_family, None, signed_in_at=NOW, last_used_at=NOW + timedelta(hours=1)),
    ]


# verified email and password reset
async def test_every_live_session_of_a_user_is_revoked_and_its_families_named(
    identity_uow: IdentityUnitOfWorkFactory,
) -> None:
    ana, bruno = a_user("ana@example.com"), a_user("bruno@example.com")
    phone_family, tv_family, ended_family = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    phone_old, phone_new = a_session(ana, phone_family), a_session(ana, phone_family)
    tv, ended = a_session(ana, tv_family), a_session(ana, ended_family)
    brunos = a_session(bruno)
    await store(identity_uow, ana, phone_old, phone_new, tv, ended)
    await store(identity_uow, bruno, brunos)
    async with identity_uow() as uow:
        await uow.refresh_sessions.mark_rotated(phone_old.id, NOW)
        await uow.refresh_sessions.revoke_family(ended_family, NOW)
        await uow.commit()

    later = NOW + timedelta(minutes=5)
    async with identity_uow() as uow:
        families = await uow.refresh_sessions.revoke_all_for_user(ana.id, later)
        await uow.commit()

    assert sorted(families) == sorted([phone_family, tv_family])
    async with identity_uow() as uow:
        for session in (phone_old, phone_new, tv):
            stored = await uow.refresh_sessions.get_by_digest(session.token_digest)
            assert stored is not None and stored.revoked_at == later and stored.sealed_successor is None
        already = await uow.refresh_sessions.get_by_digest(ended.token_digest)
        untouched = await uow.refresh_sessions.get_by_digest(brunos.token_digest)
        assert await uow.refresh_sessions.revoke_all_for_user(ana.id, later) == []
    assert already is not None and already.revoked_at == NOW
    assert untouched is not None and untouched.revoked_at is None
