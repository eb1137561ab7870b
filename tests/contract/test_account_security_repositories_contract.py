"""One contract for the MFA, backup-code, challenge, security-event and API-key repositories:
the in-memory fakes and PostgreSQL both pass it."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

import attrs
import pytest

from application.identity.ports import IdentityUnitOfWorkFactory, MfaChallenge
from domain.identity.api_key import ApiKey
from domain.identity.email import EmailAddress
from domain.identity.mfa import BackupCode, FactorStatus, TotpFactor
from domain.identity.security_event import SecurityEvent, SecurityEventKind
from domain.identity.user import User

NOW = datetime(2026, 4, 1, 8, 0, tzinfo=UTC)


@pytest.fixture
async def user(identity_uow: IdentityUnitOfWorkFactory) -> User:
    ana = User(uuid.uuid4(), EmailAddress.parse("ana@example.com"), "Ana", "$argon2id$x", NOW)
    async with identity_uow() as uow:
        await uow.users.add(ana)
        await uow.commit()
    return ana


def factor(user: User, status: FactorStatus = FactorStatus.ACTIVE) -> TotpFactor:
    return TotpFactor(uuid.uuid4(), user.id, b"\x01sealed", "key-1", status, NOW)


async def add_factor(identity_uow: IdentityUnitOfWorkFactory, value: TotpFactor) -> None:
    async with identity_uow() as uow:
        await uow.mfa_factors.add(value)
        await uow.commit()


async def test_pending_and_active_factors_are_kept_apart(identity_uow: IdentityUnitOfWorkFactory, user: User) -> None:
    pending, active = factor(user, FactorStatus.PENDING), factor(user)
    await add_factor(identity_uow, pending)
    await add_factor(identity_uow, active)
    async with identity_uow() as uow:
        assert await uow.mfa_factors.get(user.id, "pending") == pending
        assert await uow.mfa_factors.get(user.id, "active") == active
        await uow.mfa_factors.delete(pending.id)
        await uow.commit()
    async with identity_uow() as uow:
        assert await uow.mfa_factors.get(user.id, "pending") is None


async def test_factor_state_persists(identity_uow: IdentityUnitOfWorkFactory, user: User) -> None:
    stored = factor(user, FactorStatus.PENDING)
    await add_factor(identity_uow, stored)
    changed = attrs.evolve(
        stored, status=FactorStatus.ACTIVE, confirmed_at=NOW, consecutive_failures=3, locked_until=NOW
    )
    async with identity_uow() as uow:
        await uow.mfa_factors.save_state(changed)
        await uow.commit()
    async with identity_uow() as uow:
        assert await uow.mfa_factors.get(user.id, "active") == changed


async def test_the_accepted_step_only_moves_forward(identity_uow: IdentityUnitOfWorkFactory, user: User) -> None:
    stored = factor(user)
    await add_factor(identity_uow, stored)
    async with identity_uow() as uow:
        assert await uow.mfa_factors.advance_step(stored.id, 100) is True
        assert await uow.mfa_factors.advance_step(stored.id, 100) is False
        assert await uow.mfa_factors.advance_step(stored.id, 99) is False
        assert await uow.mfa_factors.advance_step(stored.id, 101) is True
    async with identity_uow() as uow:  # not committed: rolled back
        current = await uow.mfa_factors.get(user.id, "active")
        assert current is not None and current.last_used_step is None


async def test_concurrent_acceptances_of_one_step_let_exactly_one_win(
    identity_uow: IdentityUnitOfWorkFactory, user: User
) -> None:
    stored = factor(user)
    await add_factor(identity_uow, stored)

    async def accept() -> bool:
        async with identity_uow() as uow:
            won = await uow.mfa_factors.advance_step(stored.id, 500)
            await asyncio.sleep(0.01)
            await uow.commit()
            return won

    assert sorted(await asyncio.gather(*(accept() for _ in range(5)))) == [False] * 4 + [True]


async def test_backup_codes_are_replaced_and_consumed_once(identity_uow: IdentityUnitOfWorkFactory, user: User) -> None:
    first = [BackupCode(uuid.uuid4(), user.id, f"hash-{n}", NOW) for n in range(3)]
    second = [BackupCode(uuid.uuid4(), user.id, f"new-{n}", NOW) for n in range(2)]
    async with identity_uow() as uow:
        await uow.backup_codes.replace_all(user.id, first)
        await uow.backup_codes.replace_all(user.id, second)
        await uow.commit()
    async with identity_uow() as uow:
        assert sorted(c.code_hash for c in await uow.backup_codes.unused(user.id)) == ["new-0", "new-1"]
        assert await uow.backup_codes.consume(second[0].id, NOW) is True
        assert await uow.backup_codes.consume(second[0].id, NOW) is False
        await uow.commit()
    async with identity_uow() as uow:
        assert [c.code_hash for c in await uow.backup_codes.unused(user.id)] == ["new-1"]
        await uow.backup_codes.delete_all(user.id)
        await uow.commit()
    async with identity_uow() as uow:
        assert await uow.backup_codes.unused(user.id) == []


async def test_concurrent_uses_of_one_backup_code_let_one_through(
    identity_uow: IdentityUnitOfWorkFactory, user: User
) -> None:
    code = BackupCode(uuid.uuid4(), user.id, "hash", NOW)
    async with identity_uow() as uow:
        await uow.backup_codes.replace_all(user.id, [code])
        await uow.commit()

    async def use() -> bool:
        async with identity_uow() as uow:
            won = await uow.backup_codes.consume(code.id, NOW)
            await asyncio.sleep(0.01)
            await uow.commit()
            return won

    assert sorted(await asyncio.gather(*(use() for _ in range(4)))) == [False, False, False, True]


async def test_challenges_are_single_use_and_expire(identity_uow: IdentityUnitOfWorkFactory, user: User) -> None:
    live = MfaChallenge("digest-live", user.id, NOW, NOW + timedelta(minutes=5))
    old = MfaChallenge("digest-old", user.id, NOW, NOW + timedelta(seconds=1))
    async with identity_uow() as uow:
        await uow.mfa_challenges.add(live)
        await uow.mfa_challenges.add(old)
        await uow.commit()
    later = NOW + timedelta(minutes=1)
    async with identity_uow() as uow:
        assert await uow.mfa_challenges.get_live("digest-live", later) == live
        assert await uow.mfa_challenges.get_live("digest-old", later) is None
        assert await uow.mfa_challenges.consume("digest-old", later) is False
        assert await uow.mfa_challenges.consume("digest-live", later) is True
        assert await uow.mfa_challenges.consume("digest-live", later) is False
        await uow.commit()
    async with identity_uow() as uow:
        assert await uow.mfa_challenges.get_live("digest-live", later) is None


async def test_security_events_are_newest_first_and_paged(identity_uow: IdentityUnitOfWorkFactory, user: User) -> None:
    kinds = [SecurityEventKind.MFA_ENROLLED, SecurityEventKind.BACKUP_CODE_USED, SecurityEventKind.MFA_DISABLED]
    async with identity_uow() as uow:
        for minutes, kind in enumerate(kinds):
            event = SecurityEvent(
                uuid.uuid4(), user.id, kind, NOW + timedelta(minutes=minutes), "10.1.2.3", {"note": "x"}
            )
            await uow.security_events.add(event)
        await uow.commit()
    async with identity_uow() as uow:
        first = await uow.security_events.list_for_user(user.id, limit=2, offset=0)
        rest = await uow.security_events.list_for_user(user.id, limit=2, offset=2)
        other = await uow.security_events.list_for_user(uuid.uuid4(), limit=2, offset=0)
    assert first.total == 3 and [e.kind for e in first.items] == kinds[::-1][:2]
    assert [e.kind for e in rest.items] == [kinds[0]] and rest.items[0].details == {"note": "x"}
    assert rest.items[0].ip == "10.1.2.3" and other.total == 0


def api_key(user: User, minutes: int = 0) -> ApiKey:
    return ApiKey(
        id=uuid.uuid4(),
        user_id=user.id,
        name=f"key {minutes}",
        digest=uuid.uuid4().hex * 2,
        prefix="abcd",
        last_four="wxyz",
        scopes=frozenset({"read", "write"}),
        rate_limit_per_minute=60,
        created_at=NOW + timedelta(minutes=minutes),
        expires_at=NOW + timedelta(days=90),
    )


async def test_api_keys_round_trip_revoke_once_and_record_use(
    identity_uow: IdentityUnitOfWorkFactory, user: User
) -> None:
    older, newer = api_key(user, 0), api_key(user, 5)
    async with identity_uow() as uow:
        await uow.api_keys.add(older)
        await uow.api_keys.add(newer)
        await uow.commit()
    async with identity_uow() as uow:
        assert await uow.api_keys.get(older.id) == older
        assert await uow.api_keys.get_by_digest(newer.digest) == newer
        assert [k.id for k in await uow.api_keys.list_for_user(user.id)] == [newer.id, older.id]
        assert await uow.api_keys.list_for_user(uuid.uuid4()) == []
        assert await uow.api_keys.revoke(older.id, NOW) is True
        assert await uow.api_keys.revoke(older.id, NOW) is False
        await uow.api_keys.record_use(newer.id, NOW, "192.0.2.7")
        await uow.commit()
    async with identity_uow() as uow:
        revoked, used = await uow.api_keys.get(older.id), await uow.api_keys.get(newer.id)
    assert revoked is not None and revoked.revoked_at == NOW and not revoked.is_usable(NOW)
    assert used is not None and (used.last_used_at, used.last_used_ip) == (NOW, "192.0.2.7")


async def test_the_api_key_lookup_finds_committed_keys_outside_a_unit_of_work(
    identity_uow: IdentityUnitOfWorkFactory, user: User, request: pytest.FixtureRequest
) -> None:
    from adapters.identity.in_memory_identity_unit_of_work import InMemoryIdentityStore
    from adapters.identity.postgres_api_key_and_event_repositories import PostgresApiKeyLookup

    lookup = (
        identity_uow
        if isinstance(identity_uow, InMemoryIdentityStore)
        else PostgresApiKeyLookup(request.getfixturevalue("engine"))
    )
    key = api_key(user)
    async with identity_uow() as uow:
        await uow.api_keys.add(key)
        assert await lookup.find_by_digest(key.digest) is None  # not committed yet
        await uow.commit()
    assert await lookup.find_by_digest(key.digest) == key
    assert await lookup.find_by_digest("f" * 64) is None
