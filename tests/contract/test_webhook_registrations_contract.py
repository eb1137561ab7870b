"""The webhook registrations' contract (their unit of work with the security log, and receiving's
lookup): the in-memory store and PostgreSQL both pass it."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import attrs
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.identity.in_memory_identity_unit_of_work import InMemoryIdentityStore
from adapters.identity.postgres_identity_unit_of_work import PostgresIdentityUnitOfWorkFactory
from adapters.ingestion.in_memory_webhook_registrations import InMemoryRegistrationStore
from adapters.ingestion.postgres_webhook_registrations import (
    PostgresRegistrationLookup,
    PostgresRegistrationUnitOfWorkFactory,
)
from adapters.postgres.database import read_only
from application.identity.account_ports import IdentityUnitOfWorkFactory
from application.ingestion.registration_ports import RegistrationLookup, RegistrationUnitOfWorkFactory
from domain.identity.security_event import SecurityEvent, SecurityEventKind
from domain.identity.user import User
from domain.ingestion.errors import PlatformAlreadyRegistered
from domain.ingestion.registration import SignatureScheme, SigningSecret, WebhookRegistration
from tests.support.identity_fixtures import a_user

NOW = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)


@attrs.frozen
class Registrations:
    uow: RegistrationUnitOfWorkFactory
    lookup: RegistrationLookup
    identity: IdentityUnitOfWorkFactory
    engine: AsyncEngine | None = None


@pytest.fixture(params=["in-memory", "postgres"])
def backend(request: pytest.FixtureRequest) -> Registrations:
    if request.param == "in-memory":
        identity = InMemoryIdentityStore()
        store = InMemoryRegistrationStore(identity)
        return Registrations(store, store, identity)
    engine: AsyncEngine = request.getfixturevalue("engine")
    return Registrations(
        PostgresRegistrationUnitOfWorkFactory(engine),
        PostgresRegistrationLookup(read_only(engine)),
        PostgresIdentityUnitOfWorkFactory(engine),
        engine,
    )


@pytest.fixture
async def kept(backend: Registrations) -> Registrations:
    if backend.engine is not None:
        async with backend.engine.begin() as conn:
            await conn.execute(text("TRUNCATE webhook_registrations"))
    return backend


def a_registration(platform: str = "netflix", **changes: object) -> WebhookRegistration:
    registration = WebhookRegistration(
        id=uuid.uuid4(),
        platform=platform,
        scheme=SignatureScheme.STANDARD,
        format="generic",
        description="Netflix's catalog feed",
        created_at=NOW,
        secret=SigningSecret("k1", b"sealed-1"),
    )
    return attrs.evolve(registration, **changes)


async def an_admin(kept: Registrations) -> User:
    admin = a_user("admin@example.com")
    async with kept.identity() as uow:
        await uow.users.add(admin)
        await uow.commit()
    return admin


def an_event(admin: User) -> SecurityEvent:
    return SecurityEvent(id=uuid.uuid4(), user_id=admin.id, kind=SecurityEventKind.WEBHOOK_REGISTERED, occurred_at=NOW)


async def test_a_registration_and_its_log_entry_are_kept_together_on_commit(kept: Registrations) -> None:
    admin = await an_admin(kept)
    registration = a_registration()
    async with kept.uow() as uow:
        await uow.registrations.add(registration)
        await uow.security_events.add(an_event(admin))
        await uow.commit()
    async with kept.uow() as uow:
        assert await uow.registrations.get(registration.id) == registration
        assert await uow.registrations.list_all() == [registration]
    async with kept.identity() as identity:
        page = await identity.security_events.list_for_user(admin.id, 10, 0)
    assert [e.kind for e in page.items] == [SecurityEventKind.WEBHOOK_REGISTERED]
    assert await kept.lookup.enabled_for("netflix") == registration


async def test_without_commit_neither_the_registration_nor_the_log_entry_is_kept(kept: Registrations) -> None:
    admin = await an_admin(kept)
    async with kept.uow() as uow:
        await uow.registrations.add(a_registration())
        await uow.security_events.add(an_event(admin))
    async with kept.uow() as uow:
        assert await uow.registrations.list_all() == []
    async with kept.identity() as identity:
        assert (await identity.security_events.list_for_user(admin.id, 10, 0)).items == ()


async def test_one_enabled_registration_per_platform_a_disabled_one_stays_for_the_record(
    kept: Registrations,
) -> None:
    first = a_registration()
    async with kept.uow() as uow:
        await uow.registrations.add(first)
        await uow.commit()
    async with kept.uow() as uow:
        with pytest.raises(PlatformAlreadyRegistered):
            await uow.registrations.add(a_registration())
    async with kept.uow() as uow:
        await uow.registrations.save(first.disabled(NOW + timedelta(hours=1)))
        await uow.commit()
    assert await kept.lookup.enabled_for("netflix") is None
    second = a_registration(created_at=NOW + timedelta(hours=2))
    async with kept.uow() as uow:
        await uow.registrations.add(second)
        await uow.commit()
    assert await kept.lookup.enabled_for("netflix") == second
    async with kept.uow() as uow:
        listed = await uow.registrations.list_all()
    assert [r.id for r in listed] == [first.id, second.id]
    assert not listed[0].enabled


async def test_a_rotation_round_trips_both_secrets_and_the_overlap(kept: Registrations) -> None:
    registration = a_registration()
    async with kept.uow() as uow:
        await uow.registrations.add(registration)
        await uow.commit()
    rotated = registration.rotated(SigningSecret("k2", b"sealed-2"), NOW, timedelta(hours=24))
    async with kept.uow() as uow:
        await uow.registrations.save(rotated)
        await uow.commit()
    assert await kept.lookup.enabled_for("netflix") == rotated
    async with kept.uow() as uow:
        await uow.registrations.save(rotated.overlap_ended())
        await uow.commit()
    found = await kept.lookup.enabled_for("netflix")
    assert found is not None and found.previous_secret is None and found.secret == rotated.secret


async def test_an_unknown_registration_or_platform_is_none(kept: Registrations) -> None:
    async with kept.uow() as uow:
        assert await uow.registrations.get(uuid.uuid4()) is None
    assert await kept.lookup.enabled_for("nobody") is None
