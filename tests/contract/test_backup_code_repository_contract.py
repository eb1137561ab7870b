"""The backup code repository's contract: the in-memory fake and PostgreSQL both pass it."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from application.identity.account_ports import IdentityUnitOfWork, IdentityUnitOfWorkFactory
from domain.identity.mfa import BackupCode
from domain.identity.user import User
from tests.support.identity_fixtures import a_user, committed, given, race

NOW = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)


def some_codes(user: User, count: int, label: str) -> list[BackupCode]:
    return [
        BackupCode(id=uuid.uuid4(), user_id=user.id, code_hash=f"{label}-{n}", created_at=NOW) for n in range(count)
    ]


async def test_fresh_backup_codes_are_all_unused(identity_uow: IdentityUnitOfWorkFactory) -> None:
    user = a_user()
    codes = some_codes(user, 10, "first")
    await given(identity_uow, user)
    await committed(identity_uow, lambda uow: uow.backup_codes.replace_all(user.id, codes))
    async with identity_uow() as uow:
        unused = await uow.backup_codes.unused(user.id)
    assert sorted(unused, key=lambda c: c.code_hash) == sorted(codes, key=lambda c: c.code_hash)


async def test_replacing_backup_codes_discards_the_previous_set(identity_uow: IdentityUnitOfWorkFactory) -> None:
    user = a_user()
    first, second = some_codes(user, 3, "first"), some_codes(user, 2, "second")
    await given(identity_uow, user)
    await committed(identity_uow, lambda uow: uow.backup_codes.replace_all(user.id, first))
    await committed(identity_uow, lambda uow: uow.backup_codes.consume(first[0].id, NOW))
    await committed(identity_uow, lambda uow: uow.backup_codes.replace_all(user.id, second))
    async with identity_uow() as uow:
        assert {c.code_hash for c in await uow.backup_codes.unused(user.id)} == {"second-0", "second-1"}
        assert await uow.backup_codes.consume(first[1].id, NOW) is False


async def test_replacing_one_users_codes_leaves_another_users_alone(identity_uow: IdentityUnitOfWorkFactory) -> None:
    ana, bruno = a_user("ana@example.com"), a_user("bruno@example.com")
    await given(identity_uow, ana, bruno)

    async def both(uow: IdentityUnitOfWork) -> None:
        await uow.backup_codes.replace_all(ana.id, some_codes(ana, 2, "ana"))
        await uow.backup_codes.replace_all(bruno.id, some_codes(bruno, 2, "bruno"))
        await uow.backup_codes.replace_all(ana.id, [])

    await committed(identity_uow, both)
    async with identity_uow() as uow:
        assert await uow.backup_codes.unused(ana.id) == []
        assert {c.code_hash for c in await uow.backup_codes.unused(bruno.id)} == {"bruno-0", "bruno-1"}


async def test_a_used_code_is_no_longer_listed_as_unused(identity_uow: IdentityUnitOfWorkFactory) -> None:
    user = a_user()
    codes = some_codes(user, 3, "code")
    await given(identity_uow, user)
    await committed(identity_uow, lambda uow: uow.backup_codes.replace_all(user.id, codes))
    async with identity_uow() as uow:
        assert await uow.backup_codes.consume(codes[1].id, NOW) is True
        await uow.commit()
    async with identity_uow() as uow:
        assert {c.code_hash for c in await uow.backup_codes.unused(user.id)} == {"code-0", "code-2"}


async def test_a_backup_code_is_consumed_only_once(identity_uow: IdentityUnitOfWorkFactory) -> None:
    user = a_user()
    codes = some_codes(user, 2, "code")
    await given(identity_uow, user)
    await committed(identity_uow, lambda uow: uow.backup_codes.replace_all(user.id, codes))
    async with identity_uow() as uow:
        assert await uow.backup_codes.consume(codes[0].id, NOW) is True
        await uow.commit()
    async with identity_uow() as uow:
        assert await uow.backup_codes.consume(codes[0].id, NOW + timedelta(minutes=1)) is False
        assert await uow.backup_codes.consume(uuid.uuid4(), NOW) is False


async def test_a_consumed_code_that_is_not_committed_stays_usable(identity_uow: IdentityUnitOfWorkFactory) -> None:
    user = a_user()
    codes = some_codes(user, 1, "code")
    await given(identity_uow, user)
    await committed(identity_uow, lambda uow: uow.backup_codes.replace_all(user.id, codes))
    async with identity_uow() as uow:
        assert await uow.backup_codes.consume(codes[0].id, NOW) is True
    async with identity_uow() as uow:
        assert [c.id for c in await uow.backup_codes.unused(user.id)] == [codes[0].id]


async def test_concurrent_uses_of_one_backup_code_let_exactly_one_through(
    identity_uow: IdentityUnitOfWorkFactory,
) -> None:
    user = a_user()
    codes = some_codes(user, 2, "code")
    await given(identity_uow, user)
    await committed(identity_uow, lambda uow: uow.backup_codes.replace_all(user.id, codes))

    results = await race(identity_uow, lambda uow: uow.backup_codes.consume(codes[0].id, NOW))

    assert results.count(True) == 1
    async with identity_uow() as uow:
        assert [c.id for c in await uow.backup_codes.unused(user.id)] == [codes[1].id]


async def test_deleting_all_codes_removes_them_for_that_user_only(identity_uow: IdentityUnitOfWorkFactory) -> None:
    ana, bruno = a_user("ana@example.com"), a_user("bruno@example.com")
    ana_codes = some_codes(ana, 3, "ana")
    await given(identity_uow, ana, bruno)

    async def both(uow: IdentityUnitOfWork) -> None:
        await uow.backup_codes.replace_all(ana.id, ana_codes)
        await uow.backup_codes.replace_all(bruno.id, some_codes(bruno, 2, "bruno"))

    await committed(identity_uow, both)
    await committed(identity_uow, lambda uow: uow.backup_codes.delete_all(ana.id))
    async with identity_uow() as uow:
        assert await uow.backup_codes.unused(ana.id) == []
        assert await uow.backup_codes.consume(ana_codes[0].id, NOW) is False
        assert len(await uow.backup_codes.unused(bruno.id)) == 2
