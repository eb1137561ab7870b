"""The external identity repository's contract: the in-memory fake and PostgreSQL both pass it."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import attrs
import pytest

from application.identity.account_ports import IdentityUnitOfWorkFactory
from domain.identity.external_identity import ExternalIdentity, IdentityLinkedElsewhere, ProviderAlreadyLinked
from domain.identity.user import User
from tests.support.identity_fixtures import a_user, committed, given

NOW = datetime(2026, 12, 1, 19, 0, tzinfo=UTC)


def an_identity(user: User, provider: str = "github", subject: str = "583231") -> ExternalIdentity:
    return ExternalIdentity(
        provider=provider,
        subject=subject,
        user_id=user.id,
        email="ana@example.com",
        email_verified=True,
        login="ana",
        linked_at=NOW,
    )


async def test_an_identity_is_found_by_provider_and_subject(identity_uow: IdentityUnitOfWorkFactory) -> None:
    ana = a_user()
    await given(identity_uow, ana)
    await committed(identity_uow, lambda uow: uow.external_identities.add(an_identity(ana)))
    async with identity_uow() as uow:
        assert await uow.external_identities.get("github", "583231") == an_identity(ana)
        assert await uow.external_identities.get("google", "583231") is None
        assert await uow.external_identities.get("github", "583232") is None


async def test_an_account_lists_its_own_identities_by_provider(identity_uow: IdentityUnitOfWorkFactory) -> None:
    ana, bob = a_user(), a_user("bob@example.com")
    await given(identity_uow, ana, bob)
    mine = [an_identity(ana, "google", "g-1"), an_identity(ana, "github", "1")]
    for identity in [*mine, an_identity(bob, "github", "2")]:
        await committed(identity_uow, lambda uow, i=identity: uow.external_identities.add(i))  # type: ignore[misc]
    async with identity_uow() as uow:
        assert [i.subject for i in await uow.external_identities.list_for_user(ana.id)] == ["1", "g-1"]
        assert [i.subject for i in await uow.external_identities.list_for_user(ana.id, for_update=True)] == ["1", "g-1"]


async def test_an_identity_links_to_one_account_only(identity_uow: IdentityUnitOfWorkFactory) -> None:
    ana, bob = a_user(), a_user("bob@example.com")
    await given(identity_uow, ana, bob)
    await committed(identity_uow, lambda uow: uow.external_identities.add(an_identity(ana)))
    async with identity_uow() as uow:
        with pytest.raises(IdentityLinkedElsewhere):
            await uow.external_identities.add(an_identity(bob))
        with pytest.raises(IdentityLinkedElsewhere):
            await uow.external_identities.add(an_identity(ana))


async def test_an_account_has_one_identity_per_provider(identity_uow: IdentityUnitOfWorkFactory) -> None:
    ana = a_user()
    await given(identity_uow, ana)
    await committed(identity_uow, lambda uow: uow.external_identities.add(an_identity(ana)))
    async with identity_uow() as uow:
        with pytest.raises(ProviderAlreadyLinked):
            await uow.external_identities.add(an_identity(ana, subject="another"))
        # the unit of work is still usable after the refusal
        await uow.external_identities.add(an_identity(ana, "google", "g-1"))
        await uow.commit()
    async with identity_uow() as uow:
        assert len(await uow.external_identities.list_for_user(ana.id)) == 2


async def test_removing_unlinks_that_provider_of_that_account_only(identity_uow: IdentityUnitOfWorkFactory) -> None:
    ana, bob = a_user(), a_user("bob@example.com")
    await given(identity_uow, ana, bob)
    for identity in (an_identity(ana), an_identity(ana, "google", "g-1"), an_identity(bob, "github", "2")):
        await committed(identity_uow, lambda uow, i=identity: uow.external_identities.add(i))  # type: ignore[misc]
    async with identity_uow() as uow:
        assert await uow.external_identities.remove(ana.id, "github") is True
        assert await uow.external_identities.remove(ana.id, "github") is False
        await uow.commit()
    async with identity_uow() as uow:
        assert await uow.external_identities.get("github", "583231") is None
        assert await uow.external_identities.get("github", "2") is not None
        assert [i.provider for i in await uow.external_identities.list_for_user(ana.id)] == ["google"]


async def test_an_uncommitted_link_is_not_kept(identity_uow: IdentityUnitOfWorkFactory) -> None:
    ana = a_user()
    await given(identity_uow, ana)
    async with identity_uow() as uow:
        await uow.external_identities.add(an_identity(ana))
    async with identity_uow() as uow:
        assert await uow.external_identities.get("github", "583231") is None


async def test_touch_records_the_last_sign_in(identity_uow: IdentityUnitOfWorkFactory) -> None:
    ana = a_user()
    await given(identity_uow, ana)
    await committed(identity_uow, lambda uow: uow.external_identities.add(an_identity(ana)))
    later = NOW + timedelta(days=2)
    await committed(identity_uow, lambda uow: uow.external_identities.touch("github", "583231", later))
    await committed(identity_uow, lambda uow: uow.external_identities.touch("github", "unknown", later))
    async with identity_uow() as uow:
        assert await uow.external_identities.get("github", "583231") == attrs.evolve(
            an_identity(ana), last_sign_in_at=later
        )


async def test_two_accounts_racing_for_one_identity_link_only_one(identity_uow: IdentityUnitOfWorkFactory) -> None:
    contenders = [a_user(f"user{n}@example.com") for n in range(4)]
    await given(identity_uow, *contenders)

    async def claim(user: User) -> bool:
        try:
            async with identity_uow() as uow:
                await uow.external_identities.add(an_identity(user))
                await asyncio.sleep(0.01)
                await uow.commit()
        except IdentityLinkedElsewhere:
            return False
        return True

    assert sorted(await asyncio.gather(*(claim(user) for user in contenders))) == [False, False, False, True]


async def test_an_identity_may_have_no_email_no_login_and_no_sign_in_yet(
    identity_uow: IdentityUnitOfWorkFactory,
) -> None:
    ana = a_user()
    await given(identity_uow, ana)
    bare = attrs.evolve(an_identity(ana), email=None, login=None, email_verified=False)
    await committed(identity_uow, lambda uow: uow.external_identities.add(bare))
    async with identity_uow() as uow:
        assert await uow.external_identities.get("github", "583231") == bare
