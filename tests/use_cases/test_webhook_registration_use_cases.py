"""Registrations and receiving through their use cases on the fake world (in-memory adapters, the
manual clock): rotation and its overlap, ending it, disabling, the registration cache, secrets
never stored in plaintext. Transport is tests/http/test_webhooks_http.py's."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from application.identity.principal import Principal
from application.ingestion.receive_webhook import ReceiveWebhookCommand
from application.ingestion.registrations import RegisterPlatformCommand, RegistrationCommand
from domain.ingestion.errors import (
    RegistrationDisabled,
    RegistrationNotFound,
    SignatureRejected,
    UnknownPlatform,
)
from tests.support.apps import FakeWorld
from tests.support.webhook_signers import standard_headers

ADMIN = Principal(user_id=uuid.uuid4(), scopes=frozenset({"admin"}))
BODY = b'{"type":"content.removed","occurred_at":"2026-01-01T11:00:00Z","data":{"platform_content_id":"t1"}}'


async def register(world: FakeWorld, platform: str = "netflix") -> tuple[uuid.UUID, str]:
    created = await world.container.ingestion.register_platform()(
        RegisterPlatformCommand(principal=ADMIN, platform=platform, scheme="standard")
    )
    return created.registration.id, created.secret


async def deliver(
    world: FakeWorld, secret: str, delivery_id: str, body: bytes = BODY, platform: str = "netflix"
) -> bool:
    received = await world.container.ingestion.receive_webhook()(
        ReceiveWebhookCommand(platform, standard_headers(secret, delivery_id, world.clock.now(), body), body)
    )
    return received.duplicate


def command(registration_id: uuid.UUID) -> RegistrationCommand:
    return RegistrationCommand(principal=ADMIN, registration_id=registration_id)


async def test_the_secret_is_kept_sealed_never_in_plaintext(world: FakeWorld) -> None:
    _, secret = await register(world)
    [kept] = await world.container.ingestion.list_registrations()()
    assert secret.encode() not in kept.secret.sealed and secret not in repr(kept)


async def test_a_second_rotation_ends_the_first_overlap(world: FakeWorld) -> None:
    registration_id, first = await register(world)
    rotate = world.container.ingestion.rotate_secret()
    second = (await rotate(command(registration_id))).secret
    third = (await rotate(command(registration_id))).secret
    assert not await deliver(world, third, "m3")
    assert not await deliver(world, second, "m2", BODY.replace(b"t1", b"t2"))  # the one just replaced: in its overlap
    with pytest.raises(SignatureRejected):
        await deliver(world, first, "m1", BODY.replace(b"t1", b"t3"))


async def test_the_overlap_lasts_the_configured_hours(world: FakeWorld) -> None:
    registration_id, old = await register(world)
    await world.container.ingestion.rotate_secret()(command(registration_id))
    world.clock.advance(timedelta(hours=24) - timedelta(seconds=1))
    assert not await deliver(world, old, "m1")
    world.clock.advance(timedelta(seconds=1))
    with pytest.raises(SignatureRejected) as refused:
        await deliver(world, old, "m2", BODY.replace(b"t1", b"t2"))
    assert refused.value.reason == "mismatch"


async def test_ending_an_overlap_that_is_over_logs_nothing_and_changes_nothing(world: FakeWorld) -> None:
    registration_id, _ = await register(world)
    ended = await world.container.ingestion.end_secret_overlap()(command(registration_id))
    assert ended.previous_secret is None
    kinds = [e.kind.value for e in world.identity.state.events]
    assert kinds.count("webhook_secret_overlap_ended") == 0


async def test_disabling_refuses_deliveries_at_once_twice_is_harmless_and_rotating_after_is_refused(
    world: FakeWorld,
) -> None:
    registration_id, secret = await register(world)
    assert not await deliver(world, secret, "m1")  # the registration is now cached in this process
    disable = world.container.ingestion.disable_registration()
    first = await disable(command(registration_id))
    world.clock.advance(timedelta(minutes=1))
    assert await disable(command(registration_id)) == first
    with pytest.raises(UnknownPlatform):
        await deliver(world, secret, "m2")
    with pytest.raises(RegistrationDisabled):
        await world.container.ingestion.rotate_secret()(command(registration_id))
    kinds = [e.kind.value for e in world.identity.state.events]
    assert kinds.count("webhook_disabled") == 1


async def test_a_change_made_by_another_process_is_seen_after_the_cache_time(world: FakeWorld) -> None:
    registration_id, secret = await register(world)
    assert not await deliver(world, secret, "m1")
    store = world.container.ingestion_adapters.registrations()
    async with store() as uow:  # another process disables it: this one's cache is not told
        registration = await uow.registrations.get(registration_id)
        assert registration is not None
        await uow.registrations.save(registration.disabled(world.clock.now()))
        await uow.commit()
    assert await deliver(world, secret, "m1")  # still trusted (a duplicate of the first)
    world.clock.advance(timedelta(seconds=2))
    with pytest.raises(UnknownPlatform):
        await deliver(world, secret, "m3")


async def test_an_unknown_registration_is_not_found(world: FakeWorld) -> None:
    with pytest.raises(RegistrationNotFound):
        await world.container.ingestion.get_registration()(uuid.uuid4())
    with pytest.raises(RegistrationNotFound):
        await world.container.ingestion.rotate_secret()(command(uuid.uuid4()))
