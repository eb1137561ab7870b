"""The identity unit of work's contract, over the user repository (commit, rollback, unique
emails): the in-memory fake and Postgres both pass it."""

from __future__ import annotations

import pytest

from application.identity.account_ports import IdentityUnitOfWorkFactory
from domain.identity.email import EmailAddress
from domain.identity.errors import EmailAlreadyRegistered
from tests.support.identity_fixtures import a_user, given


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
