"""What is about HTTP in platform webhooks: the registration routes (admin scope, shapes, the
secret shown once, the security log) and the receiving endpoint's answers to good deliveries and
to each attack of the issue, with nothing reaching the stream on any refusal. Deliveries are
signed by independent code (tests/support/webhook_signers.py)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import attrs
import pytest
from quart.typing import TestClientProtocol as Client

from adapters.ingestion.in_memory_ingestion_stream import InMemoryIngestionStream
from entrypoints.ingestion_config import IngestionSettings
from tests.support.accounts import bearer, register_and_sign_in
from tests.support.admins import signed_in_admin
from tests.support.apps import FakeWorld, fake_container, running
from tests.support.webhook_signers import github_headers, standard_headers, stripe_headers

REGISTRATIONS = "/api/v1/webhooks/registrations"


def a_delivery(content_id: str = "80100172", title: str = "Dune", **extra: Any) -> bytes:
    return json.dumps(
        {
            "type": "content.upserted",
            "occurred_at": "2026-01-01T11:00:00Z",
            **extra,
            "data": {
                "platform_content_id": content_id,
                "title": title,
                "kind": "movie",
                "release_year": 2021,
                "availability": [{"region": "US", "deep_link": f"https://netflix.example/title/{content_id}"}],
            },
        }
    ).encode()


@pytest.fixture
def world(tmp_path: Path) -> FakeWorld:
    return fake_container(tmp_path)


@pytest.fixture
async def client(world: FakeWorld) -> AsyncIterator[Client]:
    async with running(world.container) as (_, client):
        yield client


@pytest.fixture
async def admin(client: Client, world: FakeWorld) -> dict[str, str]:
    return bearer((await signed_in_admin(client, world.container))["access_token"])


@pytest.fixture
def stream(world: FakeWorld) -> InMemoryIngestionStream:
    intake = world.container.ingestion_adapters.intake()
    assert isinstance(intake, InMemoryIngestionStream)
    return intake


async def waiting(stream: InMemoryIngestionStream) -> int:
    return (await stream.backlog()).waiting


async def register(client: Client, admin: dict[str, str], platform: str = "netflix", scheme: str = "standard") -> Any:
    response = await client.post(REGISTRATIONS, json={"platform": platform, "scheme": scheme}, headers=admin)
    assert response.status_code == 201, await response.get_json()
    return await response.get_json()


@pytest.fixture
async def netflix(client: Client, admin: dict[str, str]) -> Any:
    return await register(client, admin)


async def post(client: Client, body: bytes, headers: dict[str, str], platform: str = "netflix") -> Any:
    return await client.post(f"/api/v1/webhooks/{platform}", data=body, headers=headers)


async def problem_of(response: Any, status: int) -> str:
    assert response.status_code == status, await response.get_data()
    assert response.content_type == "application/problem+json"
    return str((await response.get_json())["type"])


# registrations


async def test_registering_shows_the_secret_once_and_never_again(
    client: Client, admin: dict[str, str], netflix: Any
) -> None:
    secret, registration = netflix["secret"], netflix["registration"]
    assert secret.startswith("whsec_") and len(secret) > 40
    assert registration["platform"] == "netflix" and registration["scheme"] == "standard"
    assert registration["format"] == "generic" and registration["enabled"] is True
    listed = await (await client.get(REGISTRATIONS, headers=admin)).get_data(as_text=True)
    one = await (await client.get(f"{REGISTRATIONS}/{registration['id']}", headers=admin)).get_data(as_text=True)
    assert secret not in listed and secret not in one
    assert json.loads(one) == registration


async def test_a_github_registration_gets_a_random_token(client: Client, admin: dict[str, str]) -> None:
    created = await register(client, admin, "github-feed", "github")
    assert not created["secret"].startswith("whsec_") and len(created["secret"]) >= 32


async def test_every_registration_change_is_in_the_admins_security_log(
    client: Client, admin: dict[str, str], netflix: Any, world: FakeWorld
) -> None:
    registration_id = netflix["registration"]["id"]
    world.clock.advance(timedelta(seconds=1))
    assert (await client.post(f"{REGISTRATIONS}/{registration_id}/rotate", headers=admin)).status_code == 200
    world.clock.advance(timedelta(seconds=1))
    ended = await client.delete(f"{REGISTRATIONS}/{registration_id}/previous-secret", headers=admin)
    assert ended.status_code == 200
    world.clock.advance(timedelta(seconds=1))
    assert (await client.delete(f"{REGISTRATIONS}/{registration_id}", headers=admin)).status_code == 200
    log = await (await client.get("/api/v1/me/security-events", headers=admin)).get_json()
    webhook_items = [item for item in log["items"] if item["kind"].startswith("webhook_")]
    kinds = [item["kind"] for item in webhook_items]
    assert kinds == [
        "webhook_disabled",
        "webhook_secret_overlap_ended",
        "webhook_secret_rotated",
        "webhook_registered",
    ]
    assert all(item["details"]["platform"] == "netflix" for item in webhook_items)
    assert netflix["secret"] not in json.dumps(log)


async def test_a_platform_registered_twice_is_409_until_it_is_disabled(
    client: Client, admin: dict[str, str], netflix: Any
) -> None:
    again = await client.post(REGISTRATIONS, json={"platform": "netflix", "scheme": "github"}, headers=admin)
    assert await problem_of(again, 409) == "/problems/platform-already-registered"
    await client.delete(f"{REGISTRATIONS}/{netflix['registration']['id']}", headers=admin)
    await register(client, admin)
    rotated = await client.post(f"{REGISTRATIONS}/{netflix['registration']['id']}/rotate", headers=admin)
    assert await problem_of(rotated, 409) == "/problems/webhook-registration-disabled"


@pytest.mark.parametrize(
    "body",
    [
        {"platform": "netflix", "scheme": "hmac"},
        {"platform": "netflix", "scheme": "standard", "format": "no-such-format"},
        {"platform": "registrations", "scheme": "standard"},
        {"platform": "Net Flix!", "scheme": "standard"},
        {"platform": "netflix", "scheme": "standard", "description": "x" * 501},
    ],
)
async def test_a_bad_registration_is_422(client: Client, admin: dict[str, str], body: dict[str, str]) -> None:
    response = await client.post(REGISTRATIONS, json=body, headers=admin)
    assert response.status_code == 422
    assert (await response.get_json())["type"] in (
        "/problems/invalid-webhook-registration",
        "/problems/validation-failed",
    )


async def test_registrations_need_the_admin_scope(client: Client, netflix: Any) -> None:
    viewer = bearer((await register_and_sign_in(client, "viewer@example.com"))["access_token"])
    registration = f"{REGISTRATIONS}/{netflix['registration']['id']}"
    for method, path in [
        ("GET", REGISTRATIONS),
        ("POST", REGISTRATIONS),
        ("GET", registration),
        ("POST", f"{registration}/rotate"),
        ("DELETE", f"{registration}/previous-secret"),
        ("DELETE", registration),
    ]:
        body = {"platform": "hulu", "scheme": "standard"}
        assert (await client.open(path, method=method, headers=viewer, json=body)).status_code == 403
        assert (await client.open(path, method=method, json=body)).status_code == 401


async def test_an_unknown_registration_is_404(client: Client, admin: dict[str, str]) -> None:
    response = await client.get(f"{REGISTRATIONS}/00000000-0000-0000-0000-000000000000", headers=admin)
    assert await problem_of(response, 404) == "/problems/webhook-registration-not-found"


# receiving


async def test_a_signed_delivery_is_queued_and_its_resend_is_a_duplicate(
    client: Client, netflix: Any, world: FakeWorld, stream: InMemoryIngestionStream
) -> None:
    body = a_delivery()
    headers = standard_headers(netflix["secret"], "msg_1", world.clock.now(), body)
    first = await post(client, body, headers)
    assert first.status_code == 202
    accepted = await first.get_json()
    assert accepted["duplicate"] is False
    replay = await post(client, body, headers)  # a replayed delivery: the same id
    assert replay.status_code == 202 and await replay.get_json() == {**accepted, "duplicate": True}
    new_id = standard_headers(netflix["secret"], "msg_2", world.clock.now(), body)  # the same change, a new id
    assert await (await post(client, body, new_id)).get_json() == {**accepted, "duplicate": True}
    [entry] = await stream.read("test", 10, 0)
    assert (entry.event_id, entry.delivery_id, entry.platform) == (accepted["event_id"], "msg_1", "netflix")


async def test_github_and_stripe_signed_deliveries_are_queued(
    client: Client, admin: dict[str, str], world: FakeWorld, stream: InMemoryIngestionStream
) -> None:
    github = await register(client, admin, "gh-feed", "github")
    body = a_delivery("gh-1")
    assert (await post(client, body, github_headers(github["secret"], "d-1", body), "gh-feed")).status_code == 202
    stripe = await register(client, admin, "stripe-feed", "stripe")
    body = a_delivery("st-1", id="evt_1")
    assert (
        await post(client, body, stripe_headers(stripe["secret"], world.clock.now(), body), "stripe-feed")
    ).status_code == 202
    unnamed = a_delivery("st-2")  # a Stripe event carries its id in the body
    refused = await post(client, unnamed, stripe_headers(stripe["secret"], world.clock.now(), unnamed), "stripe-feed")
    assert await problem_of(refused, 400) == "/problems/invalid-webhook-payload"
    assert [e.delivery_id for e in await stream.read("test", 10, 0)] == ["d-1", "evt_1"]


async def test_an_unknown_or_disabled_platform_is_404(
    client: Client, admin: dict[str, str], netflix: Any, world: FakeWorld, stream: InMemoryIngestionStream
) -> None:
    body = a_delivery()
    assert await problem_of(await post(client, body, {}, "hulu"), 404) == "/problems/unknown-webhook-platform"
    await client.delete(f"{REGISTRATIONS}/{netflix['registration']['id']}", headers=admin)
    headers = standard_headers(netflix["secret"], "msg_1", world.clock.now(), body)
    assert await problem_of(await post(client, body, headers), 404) == "/problems/unknown-webhook-platform"
    assert await waiting(stream) == 0


def _attacks(secret: str, now: Any) -> dict[str, tuple[bytes, dict[str, str], int]]:
    body = a_delivery()
    good = standard_headers(secret, "msg_1", now, body)
    other = "whsec_" + "b3RoZXItc2VjcmV0LW90aGVyLXNlY3JldC1vdGhlci0x"
    return {
        "bad signature": (body, {**good, "webhook-signature": "v1," + "A" * 43 + "="}, 401),
        "another secret": (body, standard_headers(other, "msg_1", now, body), 401),
        "six minutes old": (body, standard_headers(secret, "msg_1", now - timedelta(minutes=6), body), 401),
        "six minutes ahead": (body, standard_headers(secret, "msg_1", now + timedelta(minutes=6), body), 401),
        "body changed after signing": (a_delivery(title="Dune: Part Two"), good, 401),
        "malformed signature header": (body, {**good, "webhook-signature": "v1,,, v9 ,%%% sha256=x"}, 401),
        "malformed timestamp": (body, {**good, "webhook-timestamp": "yesterday"}, 401),
        "no signature": (body, {"content-type": "application/json"}, 401),
        "unsigned oversized body": (big := b"{" + b" " * (1024 * 1024) + b"}", {"Content-Length": str(len(big))}, 413),
    }


@pytest.mark.parametrize(
    "attack",
    [
        "bad signature",
        "another secret",
        "six minutes old",
        "six minutes ahead",
        "body changed after signing",
        "malformed signature header",
        "malformed timestamp",
        "no signature",
        "unsigned oversized body",
    ],
)
async def test_each_attack_gets_its_status_and_nothing_reaches_the_stream(
    client: Client, netflix: Any, world: FakeWorld, stream: InMemoryIngestionStream, attack: str
) -> None:
    body, headers, status = _attacks(netflix["secret"], world.clock.now())[attack]
    response = await post(client, body, headers)
    expected = "/problems/invalid-webhook-signature" if status == 401 else "/problems/webhook-payload-too-large"
    assert await problem_of(response, status) == expected
    assert "mismatch" not in await response.get_data(as_text=True)  # the reason is not told
    assert await waiting(stream) == 0


async def test_the_previous_secret_works_during_the_overlap_and_not_after(
    client: Client, admin: dict[str, str], netflix: Any, world: FakeWorld, stream: InMemoryIngestionStream
) -> None:
    rotated = await (
        await client.post(f"{REGISTRATIONS}/{netflix['registration']['id']}/rotate", headers=admin)
    ).get_json()
    assert rotated["registration"]["previous_secret_valid_until"] is not None
    old, new = netflix["secret"], rotated["secret"]
    for n, secret in enumerate((old, new)):
        body = a_delivery(f"t-{n}")
        assert (
            await post(client, body, standard_headers(secret, f"m-{n}", world.clock.now(), body))
        ).status_code == 202
    world.clock.advance(timedelta(hours=24, seconds=3))  # past the overlap and the registration cache
    body = a_delivery("t-late")
    late = await post(client, body, standard_headers(old, "m-late", world.clock.now(), body))
    assert await problem_of(late, 401) == "/problems/invalid-webhook-signature"
    assert await waiting(stream) == 2


async def test_ending_the_overlap_refuses_the_previous_secret_at_once(
    client: Client, admin: dict[str, str], netflix: Any, world: FakeWorld
) -> None:
    registration = f"{REGISTRATIONS}/{netflix['registration']['id']}"
    await client.post(f"{registration}/rotate", headers=admin)
    ended = await (await client.delete(f"{registration}/previous-secret", headers=admin)).get_json()
    assert ended["previous_secret_valid_until"] is None
    body = a_delivery()
    response = await post(client, body, standard_headers(netflix["secret"], "m", world.clock.now(), body))
    assert await problem_of(response, 401) == "/problems/invalid-webhook-signature"


@pytest.mark.parametrize(
    "body",
    [b"\xff\xfe\x00not utf-8", b"{not json", b'{"type": "content.upserted"}', b"[]"],
)
async def test_a_signed_body_that_is_not_the_format_is_400_and_not_queued(
    client: Client, netflix: Any, world: FakeWorld, stream: InMemoryIngestionStream, body: bytes
) -> None:
    key = base64.b64decode(netflix["secret"].removeprefix("whsec_"))
    timestamp = str(int(world.clock.now().timestamp()))
    signature = base64.b64encode(hmac.new(key, b"m." + timestamp.encode() + b"." + body, hashlib.sha256).digest())
    headers = {"webhook-id": "m", "webhook-timestamp": timestamp, "webhook-signature": f"v1,{signature.decode()}"}
    assert await problem_of(await post(client, body, headers), 400) == "/problems/invalid-webhook-payload"
    assert await waiting(stream) == 0


async def test_a_full_backlog_is_429_with_retry_after_and_nothing_is_lost(tmp_path: Path) -> None:
    world = fake_container(tmp_path, ingestion=attrs.evolve(IngestionSettings(), backlog_limit=1))
    async with running(world.container) as (_, client):
        admin = bearer((await signed_in_admin(client, world.container))["access_token"])
        secret = (await register(client, admin))["secret"]
        first, second = a_delivery("a"), a_delivery("b")
        assert (await post(client, first, standard_headers(secret, "m1", world.clock.now(), first))).status_code == 202
        headers = standard_headers(secret, "m2", world.clock.now(), second)
        busy = await post(client, second, headers)
        assert await problem_of(busy, 429) == "/problems/webhook-backlog-full"
        assert busy.headers["Retry-After"] == "30"
        stream = world.container.ingestion_adapters.intake()
        await stream.acknowledge(await stream.read("worker", 10, 0))
        retried = await post(client, second, headers)  # the sender's retry, once the worker caught up
        assert retried.status_code == 202 and (await retried.get_json())["duplicate"] is False
