"""The API key repository's and the API key lookup's contract: the in-memory fakes and PostgreSQL both pass it."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import attrs
import pytest

from adapters.identity.in_memory_identity_unit_of_work import InMemoryIdentityStore
from adapters.identity.postgres_api_key_lookup import PostgresApiKeyLookup
from application.identity.account_ports import IdentityUnitOfWorkFactory
from application.identity.api_key_ports import FoundApiKey
from domain.identity.api_key import ApiKey
from domain.identity.user import User
from tests.support.identity_fixtures import a_user

NOW = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)


def an_api_key(
    user: User,
    *,
    created_minutes_ago: int = 0,
    scopes: frozenset[str] = frozenset({"read", "write"}),
    name: str = "CI pipeline",
) -> ApiKey:
    created_at = NOW - timedelta(minutes=created_minutes_ago)
    return ApiKey(
        id=uuid.uuid4(),
        user_id=user.id,
        name=name,
        digest=uuid.uuid4().hex + uuid.uuid4().hex,
        prefix="AbC1",
        last_four="xY9z",
        scopes=scopes,
        rate_limit_per_minute=120,
        created_at=created_at,
        expires_at=created_at + timedelta(days=90),
    )


async def given(
    identity_uow: IdentityUnitOfWorkFactory, users: tuple[User, ...], keys: tuple[ApiKey, ...] = ()
) -> None:
    async with identity_uow() as uow:
        for user in users:
            await uow.users.add(user)
        for key in keys:
            await uow.api_keys.add(key)
        await uow.commit()


async def test_an_added_key_is_read_back_by_id_and_by_digest(identity_uow: IdentityUnitOfWorkFactory) -> None:
    user = a_user()
    key = an_api_key(user, scopes=frozenset({"admin", "write", "read"}), name="Déploiement ✓")
    await given(identity_uow, (user,), (key,))
    async with identity_uow() as uow:
        by_id = await uow.api_keys.get(key.id)
        by_digest = await uow.api_keys.get_by_digest(key.digest)
    assert by_id == key
    assert by_digest == key
    assert by_id is not None and isinstance(by_id.scopes, frozenset)
    assert by_id.revoked_at is None and by_id.last_used_at is None and by_id.last_used_ip is None


async def test_the_api_key_lookup_finds_committed_keys_outside_a_unit_of_work(
    identity_uow: IdentityUnitOfWorkFactory, request: pytest.FixtureRequest
) -> None:
    # Authentication looks keys up without a unit of work: the fake's store is its own lookup.
    lookup = (
        identity_uow
        if isinstance(identity_uow, InMemoryIdentityStore)
        else PostgresApiKeyLookup(request.getfixturevalue("engine"))
    )
    ana = a_user()
    await given(identity_uow, (ana,))
    key = an_api_key(ana)
    async with identity_uow() as uow:
        await uow.api_keys.add(key)
        assert await lookup.find_by_digest(key.digest) is None  # not committed yet
        await uow.commit()
    assert await lookup.find_by_digest(key.digest) == FoundApiKey(api_key=key, owner_scopes=ana.scopes)
    assert await lookup.find_by_digest("f" * 64) is None

    # The owner's scopes as they are now, read with the key (authentication caps the key by them).
    async with identity_uow() as uow:
        await uow.users.add_scope(ana.id, "admin")
        await uow.commit()
    found = await lookup.find_by_digest(key.digest)
    assert found is not None and found.owner_scopes == {"read", "write", "admin"}


async def test_unknown_keys_are_not_found(identity_uow: IdentityUnitOfWorkFactory) -> None:
    user = a_user()
    key = an_api_key(user)
    await given(identity_uow, (user,), (key,))
    async with identity_uow() as uow:
        assert await uow.api_keys.get(uuid.uuid4()) is None
        assert await uow.api_keys.get_by_digest("0" * 64) is None


async def test_a_key_added_without_commit_is_not_kept(identity_uow: IdentityUnitOfWorkFactory) -> None:
    user = a_user()
    await given(identity_uow, (user,))
    key = an_api_key(user)
    async with identity_uow() as uow:
        await uow.api_keys.add(key)
    async with identity_uow() as uow:
        assert await uow.api_keys.get(key.id) is None
        assert await uow.api_keys.list_for_user(user.id) == []


async def test_a_users_keys_are_listed_newest_first(identity_uow: IdentityUnitOfWorkFactory) -> None:
    user = a_user()
    oldest = an_api_key(user, created_minutes_ago=30, name="oldest")
    newest = an_api_key(user, created_minutes_ago=0, name="newest")
    middle = an_api_key(user, created_minutes_ago=10, name="middle")
    await given(identity_uow, (user,), (oldest, newest, middle))
    async with identity_uow() as uow:
        listed = await uow.api_keys.list_for_user(user.id)
    assert listed == [newest, middle, oldest]


async def test_only_the_users_own_keys_are_listed(identity_uow: IdentityUnitOfWorkFactory) -> None:
    ana, bruno, carla = a_user("ana@example.com"), a_user("bruno@example.com"), a_user("carla@example.com")
    anas, brunos = an_api_key(ana), an_api_key(bruno)
    await given(identity_uow, (ana, bruno, carla), (anas, brunos))
    async with identity_uow() as uow:
        assert [k.id for k in await uow.api_keys.list_for_user(ana.id)] == [anas.id]
        assert [k.id for k in await uow.api_keys.list_for_user(bruno.id)] == [brunos.id]
        assert await uow.api_keys.list_for_user(carla.id) == []


async def test_a_key_is_revoked_only_once(identity_uow: IdentityUnitOfWorkFactory) -> None:
    user = a_user()
    key = an_api_key(user)
    await given(identity_uow, (user,), (key,))
    revoked_at = NOW + timedelta(hours=1)
    async with identity_uow() as uow:
        assert await uow.api_keys.revoke(key.id, revoked_at) is True
        await uow.commit()
    async with identity_uow() as uow:
        assert await uow.api_keys.revoke(key.id, revoked_at + timedelta(hours=1)) is False
        await uow.commit()
    async with identity_uow() as uow:
        stored = await uow.api_keys.get_by_digest(key.digest)
    assert stored is not None and stored.revoked_at == revoked_at
    assert not stored.is_usable(revoked_at)


async def test_revoking_an_unknown_key_reports_nothing_revoked(identity_uow: IdentityUnitOfWorkFactory) -> None:
    async with identity_uow() as uow:
        assert await uow.api_keys.revoke(uuid.uuid4(), NOW) is False


async def test_revoking_one_key_leaves_the_others_usable(identity_uow: IdentityUnitOfWorkFactory) -> None:
    user = a_user()
    doomed, kept = an_api_key(user, name="doomed"), an_api_key(user, name="kept")
    await given(identity_uow, (user,), (doomed, kept))
    async with identity_uow() as uow:
        assert await uow.api_keys.revoke(doomed.id, NOW) is True
        await uow.commit()
    async with identity_uow() as uow:
        stored = await uow.api_keys.get(kept.id)
    assert stored == kept


async def test_a_revocation_that_is_not_committed_is_rolled_back(identity_uow: IdentityUnitOfWorkFactory) -> None:
    user = a_user()
    key = an_api_key(user)
    await given(identity_uow, (user,), (key,))
    async with identity_uow() as uow:
        assert await uow.api_keys.revoke(key.id, NOW) is True
    async with identity_uow() as uow:
        assert await uow.api_keys.get(key.id) == key
        assert await uow.api_keys.revoke(key.id, NOW) is True


async def test_recording_use_sets_the_last_use_time_and_ip(identity_uow: IdentityUnitOfWorkFactory) -> None:
    user = a_user()
    key = an_api_key(user)
    await given(identity_uow, (user,), (key,))
    first_use, second_use = NOW + timedelta(minutes=1), NOW + timedelta(minutes=7)
    async with identity_uow() as uow:
        await uow.api_keys.record_use(key.id, first_use, "203.0.113.9")
        await uow.commit()
    async with identity_uow() as uow:
        stored = await uow.api_keys.get(key.id)
    assert stored is not None and (stored.last_used_at, stored.last_used_ip) == (first_use, "203.0.113.9")

    async with identity_uow() as uow:
        await uow.api_keys.record_use(key.id, second_use, None)
        await uow.commit()
    async with identity_uow() as uow:
        stored = await uow.api_keys.get_by_digest(key.digest)
    assert stored is not None and (stored.last_used_at, stored.last_used_ip) == (second_use, None)
    assert (stored.scopes, stored.revoked_at, stored.name) == (key.scopes, None, key.name)


async def test_recording_use_of_a_revoked_key_keeps_it_revoked(identity_uow: IdentityUnitOfWorkFactory) -> None:
    user = a_user()
    key = an_api_key(user)
    await given(identity_uow, (user,), (key,))
    async with identity_uow() as uow:
        assert await uow.api_keys.revoke(key.id, NOW) is True
        await uow.api_keys.record_use(key.id, NOW + timedelta(seconds=1), "2001:db8::1")
        await uow.commit()
    async with identity_uow() as uow:
        stored = await uow.api_keys.get(key.id)
    assert stored is not None and stored.revoked_at == NOW and stored.last_used_ip == "2001:db8::1"


async def test_removing_a_scope_narrows_the_users_unrevoked_keys_that_carry_it(
    identity_uow: IdentityUnitOfWorkFactory,
) -> None:
    ana, bruno = a_user("ana@example.com"), a_user("bruno@example.com")
    admin = frozenset({"admin", "write", "read"})
    deploy = an_api_key(ana, scopes=admin, name="deploy", created_minutes_ago=20)
    ops = an_api_key(ana, scopes=admin, name="ops", created_minutes_ago=10)
    reader = an_api_key(ana, scopes=frozenset({"read"}), name="reader")
    retired = an_api_key(ana, scopes=admin, name="retired")
    brunos = an_api_key(bruno, scopes=admin, name="bruno's")
    await given(identity_uow, (ana, bruno), (deploy, ops, reader, retired, brunos))
    async with identity_uow() as uow:
        assert await uow.api_keys.revoke(retired.id, NOW) is True
        await uow.commit()

    async with identity_uow() as uow:
        narrowed = await uow.api_keys.remove_scope(ana.id, "admin")
        await uow.commit()
    assert narrowed == [deploy, ops]  # as they were, oldest first
    async with identity_uow() as uow:
        stored = {k.name: k for k in await uow.api_keys.list_for_user(ana.id)}
        brunos_stored = await uow.api_keys.get(brunos.id)
    assert stored["deploy"].scopes == stored["ops"].scopes == {"write", "read"}
    assert stored["deploy"] == attrs.evolve(deploy, scopes=frozenset({"write", "read"}))
    assert stored["reader"].scopes == {"read"}
    assert stored["retired"].scopes == admin  # a revoked key keeps what it had
    assert brunos_stored == brunos

    async with identity_uow() as uow:
        assert await uow.api_keys.remove_scope(ana.id, "admin") == []


async def test_removing_a_scope_is_rolled_back_without_commit(identity_uow: IdentityUnitOfWorkFactory) -> None:
    ana = a_user()
    key = an_api_key(ana, scopes=frozenset({"admin", "write", "read"}))
    await given(identity_uow, (ana,), (key,))
    async with identity_uow() as uow:
        assert await uow.api_keys.remove_scope(ana.id, "admin") == [key]
    async with identity_uow() as uow:
        assert await uow.api_keys.get(key.id) == key
