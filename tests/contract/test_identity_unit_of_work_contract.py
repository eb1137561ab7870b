"""The identity unit of work's contract, over the user repository (commit, rollback, unique
emails): the in-memory fake and Postgres both pass it."""

from __future__ import annotations

import uuid

import attrs
import pytest

from application.identity.account_ports import IdentityUnitOfWorkFactory
from domain.identity.email import EmailAddress
from domain.identity.errors import EmailAlreadyRegistered
from tests.support.identity_fixtures import CONTENDERS, a_user, given, race


async def test_a_committed_user_can_be_read_back_by_id_and_email(identity_uow: IdentityUnitOfWorkFactory) -> None:
    user = a_user()
    await given(identity_uow, user)
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
    await given(identity_uow, a_user("ana@example.com"))
    with pytest.raises(EmailAlreadyRegistered):
        async with identity_uow() as uow:
            await uow.users.add(a_user("ana@example.com"))
            await uow.commit()


async def test_display_name_updates_persist(identity_uow: IdentityUnitOfWorkFactory) -> None:
    user = a_user()
    await given(identity_uow, user)
    async with identity_uow() as uow:
        await uow.users.update_display_name(user.id, "Ana María")
        await uow.commit()
    async with identity_uow() as uow:
        stored = await uow.users.get(user.id)
    assert stored is not None and stored.display_name == "Ana María"


async def test_a_scope_is_added_once_and_removed_once(identity_uow: IdentityUnitOfWorkFactory) -> None:
    ana, bruno = a_user("ana@example.com"), a_user("bruno@example.com")
    await given(identity_uow, ana, bruno)
    async with identity_uow() as uow:
        assert await uow.users.add_scope(ana.id, "admin") is True
        assert await uow.users.add_scope(ana.id, "admin") is False  # held already
        await uow.commit()
    async with identity_uow() as uow:
        stored, other = await uow.users.get(ana.id), await uow.users.get(bruno.id)
    assert stored is not None and stored.scopes == {"read", "write", "admin"}
    assert other is not None and other.scopes == {"read", "write"}

    async with identity_uow() as uow:
        assert await uow.users.remove_scope(ana.id, "admin") is True
        assert await uow.users.remove_scope(ana.id, "admin") is False
        assert await uow.users.remove_scope(bruno.id, "admin") is False
        await uow.commit()
    async with identity_uow() as uow:
        stored = await uow.users.get(ana.id)
    assert stored is not None and stored.scopes == {"read", "write"}


async def test_scopes_of_an_unknown_account_change_nothing(identity_uow: IdentityUnitOfWorkFactory) -> None:
    async with identity_uow() as uow:
        assert await uow.users.add_scope(uuid.uuid4(), "admin") is False
        assert await uow.users.remove_scope(uuid.uuid4(), "admin") is False


async def test_a_scope_change_not_committed_is_rolled_back(identity_uow: IdentityUnitOfWorkFactory) -> None:
    user = a_user()
    await given(identity_uow, user)
    async with identity_uow() as uow:
        assert await uow.users.add_scope(user.id, "admin") is True
    async with identity_uow() as uow:
        stored = await uow.users.get_by_email(user.email)
    assert stored is not None and "admin" not in stored.scopes


async def test_of_concurrent_grants_of_a_scope_exactly_one_changes_the_account(
    identity_uow: IdentityUnitOfWorkFactory,
) -> None:
    user = a_user()
    await given(identity_uow, user)
    wins = await race(identity_uow, lambda uow: uow.users.add_scope(user.id, "admin"))
    assert sorted(wins) == [False] * (CONTENDERS - 1) + [True]


# verified email and password reset
async def test_an_email_is_marked_verified_only_while_it_is_the_accounts(
    identity_uow: IdentityUnitOfWorkFactory,
) -> None:
    ana, bruno = a_user("ana@example.com"), a_user("bruno@example.com")
    await given(identity_uow, ana, bruno)
    async with identity_uow() as uow:
        assert await uow.users.mark_email_verified(ana.id, EmailAddress.parse("ana@old.example")) is False
        assert await uow.users.mark_email_verified(uuid.uuid4(), ana.email) is False
        await uow.commit()
    async with identity_uow() as uow:
        stored = await uow.users.get(ana.id)
    assert stored is not None and stored.email_verified is False

    async with identity_uow() as uow:
        assert await uow.users.mark_email_verified(ana.id, ana.email) is True
        await uow.commit()
    async with identity_uow() as uow:
        stored, other = await uow.users.get(ana.id), await uow.users.get(bruno.id)
    assert stored is not None and stored.email_verified is True
    assert other is not None and other.email_verified is False


async def test_a_new_password_hash_persists_also_for_an_account_that_had_none(
    identity_uow: IdentityUnitOfWorkFactory,
) -> None:
    ana = a_user("ana@example.com")
    provider_only = attrs.evolve(a_user("bruno@example.com"), password_hash=None)
    await given(identity_uow, ana, provider_only)
    async with identity_uow() as uow:
        stored = await uow.users.get(provider_only.id)
        assert stored is not None and stored.has_password is False
        await uow.users.set_password_hash(ana.id, "$argon2id$new")
        await uow.users.set_password_hash(provider_only.id, "$argon2id$first")
        await uow.commit()
    async with identity_uow() as uow:
        first, second = await uow.users.get(ana.id), await uow.users.get(provider_only.id)
    assert first is not None and first.password_hash == "$argon2id$new"
    assert second is not None and second.password_hash == "$argon2id$first"


async def test_a_verification_not_committed_is_rolled_back(identity_uow: IdentityUnitOfWorkFactory) -> None:
    ana = a_user()
    await given(identity_uow, ana)
    async with identity_uow() as uow:
        assert await uow.users.mark_email_verified(ana.id, ana.email) is True
        await uow.users.set_password_hash(ana.id, "$argon2id$new")
    async with identity_uow() as uow:
        stored = await uow.users.get(ana.id)
    assert stored is not None and stored.email_verified is False and stored.password_hash == ana.password_hash
