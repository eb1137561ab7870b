"""What is about HTTP in the ingestion's dead letters: the admin scope, the shapes, validation,
404s, the security log. What replay does is the stream's contract and the use case's."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from dependency_injector import providers
from quart.typing import TestClientProtocol as Client

from tests.support.accounts import bearer, register_and_sign_in
from tests.support.admins import signed_in_admin
from tests.support.apps import FakeWorld, fake_container, running
from tests.support.ingested_changes import RefusingCatalog, ingested

PATH = "/api/v1/webhooks/dead-letters"


@pytest.fixture
def catalog() -> RefusingCatalog:
    return RefusingCatalog("gone-1", "gone-2")


@pytest.fixture
def world(tmp_path: Path, catalog: RefusingCatalog) -> FakeWorld:
    world = fake_container(tmp_path)
    world.container.ingestion_processing.apply_change.override(providers.Object(catalog))
    return world


@pytest.fixture
async def client(world: FakeWorld) -> AsyncIterator[Client]:
    async with running(world.container) as (_, test_client):
        yield test_client


@pytest.fixture
async def admin(client: Client, world: FakeWorld) -> dict[str, str]:
    return bearer((await signed_in_admin(client, world.container))["access_token"])


async def deliver(world: FakeWorld, *content_ids: str, platform: str = "netflix") -> None:
    intake = world.container.ingestion_processing.adapters.stream()  # the in-memory one is the intake too
    for content_id in content_ids:
        entry = ingested(content_id, platform=platform, received_at=world.clock.now())
        await intake.accept(entry, backlog_limit=1000, horizon=timedelta(hours=72))
    await world.process_ingested()


async def listed(client: Client, admin: dict[str, str], query: str = "") -> list[dict[str, Any]]:
    response = await client.get(f"{PATH}{query}", headers=admin)
    assert response.status_code == 200
    items: list[dict[str, Any]] = (await response.get_json())["items"]
    return items


async def test_dead_letters_are_listed_with_their_change_and_history(
    client: Client, admin: dict[str, str], world: FakeWorld
) -> None:
    await deliver(world, "dune", "gone-1")
    (letter,) = await listed(client, admin)
    assert (letter["platform"], letter["error"], letter["failure_class"]) == ("netflix", "unknown-title", "permanent")
    assert letter["change"]["platform_content_id"] == "gone-1" and letter["unreadable"] is None
    assert [(a["error"], a["consumer"]) for a in letter["attempts"]] == [("unknown-title", "worker")]
    assert letter["detail"] == "Title 'gone-1' is unknown on netflix."
    one = await client.get(f"{PATH}/{letter['id']}", headers=admin)
    assert one.status_code == 200 and await one.get_json() == letter


async def test_the_list_is_filtered(client: Client, admin: dict[str, str], world: FakeWorld) -> None:
    await deliver(world, "gone-1", platform="netflix")
    world.clock.advance(timedelta(minutes=2))
    await deliver(world, "gone-2", platform="youtube")
    since = (world.clock.now() - timedelta(minutes=1)).isoformat().replace("+00:00", "Z")
    assert [i["platform"] for i in await listed(client, admin, "?platform=youtube")] == ["youtube"]
    assert [i["platform"] for i in await listed(client, admin, f"?since={since}")] == ["youtube"]
    assert [i["platform"] for i in await listed(client, admin, f"?until={since}")] == ["netflix"]
    assert len(await listed(client, admin, "?error=unknown-title&limit=1")) == 1
    assert await listed(client, admin, "?error=unknown-series") == []


@pytest.mark.parametrize(
    ("query", "status"),
    [("?since=yesterday", 422), ("?until=2026-01-01T00:00:00", 422), ("?limit=0", 400), ("?limit=501", 400)],
)
async def test_a_bad_selection_is_a_problem(client: Client, admin: dict[str, str], query: str, status: int) -> None:
    response = await client.get(f"{PATH}{query}", headers=admin)
    assert response.status_code == status
    assert response.headers["Content-Type"].startswith("application/problem+json")


async def test_replay_puts_them_back_and_is_in_the_security_log(
    client: Client, admin: dict[str, str], world: FakeWorld, catalog: RefusingCatalog
) -> None:
    await deliver(world, "gone-1", "gone-2")
    first, second = await listed(client, admin)
    dry = await client.post(f"{PATH}/replay", json={"platform": "netflix", "dry_run": True}, headers=admin)
    assert await dry.get_json() == {
        "requeued": 2,
        "duplicates": 0,
        "remaining": 0,
        "dry_run": True,
        "requeued_ids": [first["id"], second["id"]],
        "duplicate_ids": [],
    }
    assert len(await listed(client, admin)) == 2  # a dry run changes nothing
    catalog.unknown.clear()  # the titles became known: the replay applies them
    world.clock.advance(timedelta(seconds=1))
    replayed = await client.post(f"{PATH}/replay", json={"ids": [first["id"]]}, headers=admin)
    assert replayed.status_code == 200
    body = await replayed.get_json()
    assert (body["requeued"], body["duplicates"], body["remaining"], body["dry_run"]) == (1, 0, 0, False)
    await world.process_ingested()
    assert catalog.applied == [first["event_id"]]
    assert [i["id"] for i in await listed(client, admin)] == [second["id"]]
    log = await (await client.get("/api/v1/me/security-events", headers=admin)).get_json()
    newest = log["items"][0]
    assert newest["kind"] == "webhook_dead_letters_replayed"
    assert (newest["details"]["ids"], newest["details"]["requeued"]) == ([first["id"]], 1)


@pytest.mark.parametrize(
    "body",
    [{"ids": []}, {"ids": ["1-1"], "platform": "netflix"}, {"since": "soon"}],
)
async def test_a_bad_replay_is_invalid_input(client: Client, admin: dict[str, str], body: dict[str, Any]) -> None:
    response = await client.post(f"{PATH}/replay", json=body, headers=admin)
    assert response.status_code == 422
    assert (await response.get_json())["type"] == "/problems/invalid-input"


@pytest.mark.parametrize("body", [{"ids": "1-1"}, {"dry_run": "yes"}, {"everything": True}])
async def test_a_replay_of_the_wrong_shape_is_422(client: Client, admin: dict[str, str], body: dict[str, Any]) -> None:
    response = await client.post(f"{PATH}/replay", json=body, headers=admin)
    assert response.status_code == 422
    assert (await response.get_json())["type"] == "/problems/validation-failed"


async def test_discarding_removes_one_and_is_in_the_security_log(
    client: Client, admin: dict[str, str], world: FakeWorld
) -> None:
    await deliver(world, "gone-1")
    (letter,) = await listed(client, admin)
    world.clock.advance(timedelta(seconds=1))
    assert (await client.delete(f"{PATH}/{letter['id']}", headers=admin)).status_code == 204
    assert await listed(client, admin) == []
    again = await client.delete(f"{PATH}/{letter['id']}", headers=admin)
    assert again.status_code == 404 and (await again.get_json())["type"] == "/problems/dead-letter-not-found"
    log = await (await client.get("/api/v1/me/security-events", headers=admin)).get_json()
    assert log["items"][0]["kind"] == "webhook_dead_letter_discarded"
    assert log["items"][0]["details"] == {
        "dead_letter_id": letter["id"],
        "event_id": letter["event_id"],
        "platform": "netflix",
    }


async def test_an_unknown_dead_letter_is_404(client: Client, admin: dict[str, str]) -> None:
    for path in (f"{PATH}/1-1", f"{PATH}/not-an-id"):
        response = await client.get(path, headers=admin)
        assert response.status_code == 404
        assert (await response.get_json())["type"] == "/problems/dead-letter-not-found"


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", PATH, None),
        ("GET", f"{PATH}/1-1", None),
        ("POST", f"{PATH}/replay", {}),
        ("DELETE", f"{PATH}/1-1", None),
    ],
)
async def test_only_an_administrator_may_see_or_touch_dead_letters(
    client: Client, method: str, path: str, body: Any
) -> None:
    viewer = bearer((await register_and_sign_in(client))["access_token"])
    refused = await client.open(path, method=method, json=body, headers=viewer)
    assert refused.status_code == 403 and (await refused.get_json())["type"] == "/problems/forbidden"
    assert (await client.open(path, method=method, json=body)).status_code == 401
